"""Advisory locks across sessions, as PostgreSQL grants them: exclusive and shared, on one bigint
key or two int keys (two key spaces), re-entrant session locks (each needs its unlock; an unlock of
a lock not held is false with a WARNING), transaction locks released when the block ends, a
blocking lock granted when the holder lets go, lock_timeout (55P03), a session's locks gone with
it, and a deadlock refused at once (40P01; PostgreSQL may pick the other session as the victim).
Runs against the server (PostgreSQL 15 or the proxy with HELIOSDB_CLIENT_TESTS_TARGET)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import psycopg.errors
import pytest

from tests.server.conftest import Target

WAIT = 10.0


@pytest.fixture
def first(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True, application_name="first") as connection:
        yield connection


@pytest.fixture
def second(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True, application_name="second") as connection:
        yield connection


def _one(connection: psycopg.Connection[Any], sql: str) -> tuple[Any, ...]:
    row = connection.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


def _wait_until_waiting(watcher: psycopg.Connection[Any], application: str, query: str) -> None:
    for _ in range(int(WAIT / 0.05)):  # bounded; no event tells another session's statement started
        state = watcher.execute("select state, query from pg_stat_activity where application_name = %s",
                                (application,)).fetchone()
        if state == ("active", query):
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"{application} never ran {query!r}")


def test_try_lock_unlock_and_key_spaces(first: psycopg.Connection[Any],
                                        second: psycopg.Connection[Any]) -> None:
    assert _one(first, "select pg_advisory_lock(1), pg_typeof(pg_advisory_lock(1))") == ("", "void")
    assert _one(second, "select pg_try_advisory_lock(1), pg_try_advisory_lock(0, 1), "
                        "pg_try_advisory_lock_shared(1)") == (False, True, False)
    assert _one(first, "select pg_advisory_unlock(1), pg_advisory_unlock(1), pg_try_advisory_lock(0, 1)") \
        == (True, True, False)  # taken twice, released twice; (0, 1) is the other session's
    assert _one(second, "select pg_try_advisory_lock(1)") == (True,)
    released = first.execute("select pg_advisory_unlock(2)")
    assert released.fetchone() == (False,)
    assert _one(first, "select pg_try_advisory_lock_shared(5)") == (True,)
    assert _one(second, "select pg_try_advisory_lock_shared(5), pg_try_advisory_lock(5)") == (True, False)
    second.execute("select pg_advisory_unlock_all()")
    assert _one(first, "select pg_try_advisory_lock(1), pg_try_advisory_lock(0, 1)") == (True, True)


def test_unlocking_what_is_not_held_warns(first: psycopg.Connection[Any]) -> None:
    notices: list[str] = []
    first.add_notice_handler(lambda diagnostic: notices.append(diagnostic.message_primary or ""))
    assert _one(first, "select pg_advisory_unlock(99)") == (False,)
    assert notices == ["you don't own a lock of type ExclusiveLock"]


def test_a_blocking_lock_waits_for_the_holder(first: psycopg.Connection[Any],
                                              second: psycopg.Connection[Any]) -> None:
    first.execute("select pg_advisory_lock(10)")
    granted: list[tuple[Any, ...]] = []
    waiter = threading.Thread(target=lambda: granted.append(_one(second, "select pg_advisory_lock(10)")))
    waiter.start()
    _wait_until_waiting(first, "second", "select pg_advisory_lock(10)")
    assert granted == []
    first.execute("select pg_advisory_unlock(10)")
    waiter.join(WAIT)
    assert granted == [("",)]
    assert _one(first, "select pg_try_advisory_lock(10)") == (False,)


def test_transaction_locks_end_with_the_block(first: psycopg.Connection[Any],
                                              second: psycopg.Connection[Any]) -> None:
    with second.transaction():
        second.execute("select pg_advisory_xact_lock(20)")
        assert _one(first, "select pg_try_advisory_lock(20)") == (False,)
    assert _one(first, "select pg_try_advisory_lock(20)") == (True,)


def test_lock_timeout_and_a_closed_session(first: psycopg.Connection[Any], target: Target) -> None:
    with psycopg.connect(target.dsn, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(30)")
        first.execute("set lock_timeout = '100ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable, match="lock timeout"):
            first.execute("select pg_advisory_lock(30)")
        first.execute("reset lock_timeout")
    assert _one(first, "select pg_try_advisory_lock(30)") == (True,)  # the holder's locks went with it


def test_a_deadlock_is_refused(first: psycopg.Connection[Any], second: psycopg.Connection[Any],
                               target: Target) -> None:
    target.skip_unless_heliosdb("which session PostgreSQL makes the deadlock's victim depends on timing")
    first.execute("select pg_advisory_lock(40)")
    second.execute("select pg_advisory_lock(41)")
    outcome: list[BaseException | tuple[Any, ...]] = []

    def wait_for_41() -> None:
        try:
            outcome.append(_one(first, "select pg_advisory_lock(41)"))
        except psycopg.Error as error:
            outcome.append(error)

    waiter = threading.Thread(target=wait_for_41)
    waiter.start()
    _wait_until_waiting(second, "first", "select pg_advisory_lock(41)")
    with pytest.raises(psycopg.errors.DeadlockDetected):
        second.execute("select pg_advisory_lock(40)")
    second.execute("select pg_advisory_unlock_all()")
    waiter.join(WAIT)
    assert outcome == [("",)]
