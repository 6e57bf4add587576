"""Cancel a statement running on a psycopg connection from another thread, without timing guesses:
wait (bounded) until the connection is busy, then send cancel requests until the statement ends
(a request that overtakes the query on its way to the server finds nothing to cancel)."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

WAIT_TIMEOUT = 10.0
CANCEL_ATTEMPTS = 10


def run_and_cancel(connection: psycopg.Connection[Any], sql: str) -> BaseException | None:
    """Run `sql` in a thread and cancel it; returns what the statement raised (None if it did not)."""
    started = threading.Event()
    outcome: list[BaseException | None] = []

    def run() -> None:
        started.set()
        try:
            connection.execute(sql)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert started.wait(WAIT_TIMEOUT)
    deadline = time.monotonic() + WAIT_TIMEOUT
    while connection.info.transaction_status != TransactionStatus.ACTIVE and worker.is_alive():
        assert time.monotonic() < deadline, "the statement never became active"
        worker.join(0.005)
    for _ in range(CANCEL_ATTEMPTS):
        connection.cancel_safe(timeout=WAIT_TIMEOUT)
        worker.join(1.0)
        if not worker.is_alive():
            break
    assert not worker.is_alive(), f"{sql!r} was not cancelled"
    assert len(outcome) == 1
    return outcome[0]
