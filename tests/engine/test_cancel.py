"""cancel() from another thread stops the running statement (57014) and nothing else."""

from __future__ import annotations

import threading

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from heliosdb_lite.errors import DatabaseError

from .helpers import run, value


def cancel_while_running(session: SQLiteSession, sql: str) -> DatabaseError | None:
    """Run sql on a worker thread and cancel it until it ends; the error it ended with."""
    finished = threading.Event()
    outcome: list[DatabaseError | None] = []

    def worker() -> None:
        try:
            run(session, sql)
            outcome.append(None)
        except DatabaseError as failure:
            outcome.append(failure)
        finally:
            finished.set()

    thread = threading.Thread(target=worker)
    thread.start()
    while not finished.wait(0.005):  # a cancel that arrives before the statement starts does nothing
        session.cancel()
    thread.join()
    return outcome[0]


@pytest.mark.parametrize("sql", [
    "select pg_sleep(60)",
    "with recursive c(n) as (select 1 union all select n + 1 from c) select count(*) from c",
])
def test_cancel_interrupts(session: SQLiteSession, sql: str) -> None:
    failure = cancel_while_running(session, sql)
    assert failure is not None
    assert (failure.sqlstate, failure.message) == ("57014", "canceling statement due to user request")
    assert value(session, "select 1") == 1


def test_cancel_in_a_block_fails_the_block(session: SQLiteSession) -> None:
    run(session, "begin")
    assert cancel_while_running(session, "select pg_sleep(60)") is not None
    assert session.transaction_status == "E"
    run(session, "rollback")


def test_cancel_when_idle_does_not_touch_the_next_statement(session: SQLiteSession) -> None:
    session.cancel()
    session.cancel()
    assert value(session, "select pg_sleep(0.01)") == ""  # void
    assert value(session, "with recursive c(n) as (select 1 union all select n + 1 from c where n < 20000) "
                          "select count(*) from c") == 20000
