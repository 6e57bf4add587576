"""Cancel a statement running on a psycopg connection from another thread, without timing guesses:
wait (bounded) until the connection is busy, then send cancel requests until the statement ends
(a request that overtakes the query on its way to the server finds nothing to cancel)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

WAIT_TIMEOUT = 10.0
CANCEL_ATTEMPTS = 10


@dataclass
class Running:
    """A statement running in a thread on a connection; `outcome` gets what it raised (None: nothing)."""

    worker: threading.Thread
    outcome: list[BaseException | None]


def start(connection: psycopg.Connection[Any], sql: str) -> Running:
    """Run `sql` in a thread; return once the connection is busy with it."""
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
    return Running(worker, outcome)


def cancel(connection: psycopg.Connection[Any], running: Running) -> BaseException | None:
    """Send cancel requests until the running statement ends; what it raised (None if nothing)."""
    for _ in range(CANCEL_ATTEMPTS):
        connection.cancel_safe(timeout=WAIT_TIMEOUT)
        running.worker.join(1.0)
        if not running.worker.is_alive():
            break
    assert not running.worker.is_alive(), "the statement was not cancelled"
    assert len(running.outcome) == 1
    return running.outcome[0]


def run_and_cancel(connection: psycopg.Connection[Any], sql: str) -> BaseException | None:
    """Run `sql` in a thread and cancel it; returns what the statement raised (None if it did not)."""
    return cancel(connection, start(connection, sql))
