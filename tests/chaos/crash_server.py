"""`CrashableServer`: a `ServerProcess` that can be SIGKILLed and started again at once.

`ServerProcess.kill` returns when the process is reaped, but its stderr reader may still be
draining the dead process's output; when it reaches the end it marks the server ready, and a
`start()` that came in between would return before the new process listens. `kill` here also
waits for that reader to finish.
"""

from __future__ import annotations

from tests.server_process import START_TIMEOUT, ServerProcess


class CrashableServer(ServerProcess):
    def kill(self) -> None:
        super().kill()
        assert self._exited.wait(START_TIMEOUT), "the killed server's stderr was not drained"
