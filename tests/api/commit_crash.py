"""A server that dies inside the next COMMIT, for the remote API's tests: restarted with the
`journal_appended` fault point armed (it exits after the commit's journal append, before SQLite
commits), the application's work runs in a thread, and once the server has died there the test
brings a server back (a restart, a promotion) and gets what the work returned or raised."""

from __future__ import annotations

import threading
from collections.abc import Callable

from heliosdb_lite.fault_points import ENVIRONMENT_VARIABLE, FAULT_EXIT
from testsupport.server_process import ServerProcess

WAIT = 90.0


def crash_inside_commit(server: ServerProcess, work: Callable[[], object],
                        then: Callable[[], object]) -> object:
    """Run `work` against `server` restarted armed; after it dies in COMMIT, `then()`; return what
    `work` returned, or the exception it raised."""
    server.kill()
    armed = ServerProcess(server.data_dir, port=server.port, config=server._config,
                          env={ENVIRONMENT_VARIABLE: "journal_appended"}).start()
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the test
            outcome.append(error)

    worker = threading.Thread(target=run, name="work-in-commit")
    worker.start()
    assert armed.process is not None
    assert armed.process.wait(timeout=WAIT) == FAULT_EXIT, "the armed server did not die in COMMIT"
    then()
    worker.join(WAIT)
    assert not worker.is_alive() and len(outcome) == 1
    return outcome[0]
