"""The server's sessions seen from SQL, as PostgreSQL shows them: pg_backend_pid (the process id
of BackendKeyData), pg_stat_activity (user, database, application_name, state, query, times),
pg_cancel_backend on a running statement (57014 there) and pg_terminate_backend (FATAL 57P01 at
the other end, gone from pg_stat_activity), and pg_prepared_statements (the session's named ones).
Runs against the server (PostgreSQL 15 or the proxy with HELIOSDB_CLIENT_TESTS_TARGET)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import psycopg.errors
import pytest

from tests.server.conftest import TARGET_VARIABLE, Target

WAIT = 10.0


def _connect(target: Target, application: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    return psycopg.connect(target.dsn, application_name=application, autocommit=autocommit)


@pytest.fixture
def watcher(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with _connect(target, "watcher") as connection:
        yield connection


def _pid(connection: psycopg.Connection[Any]) -> int:
    row = connection.execute("select pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def test_pg_backend_pid_is_the_key_data_process_id(watcher: psycopg.Connection[Any]) -> None:
    if os.environ.get(TARGET_VARIABLE) == "proxy":
        pytest.skip("the proxy gives its clients process ids of its own; SQL sees the server's")
    assert _pid(watcher) == watcher.info.backend_pid


def test_pg_stat_activity_shows_each_session(watcher: psycopg.Connection[Any], target: Target) -> None:
    with _connect(target, "in a transaction", autocommit=False) as other:
        other.execute("select 42")
        rows = watcher.execute(
            "select pid, usename, datname, state, query, backend_type, xact_start is not null, "
            "backend_start <= now(), query_start <= now() from pg_stat_activity "
            "where application_name in ('watcher', 'in a transaction') order by application_name").fetchall()
        assert [row[1:] for row in rows] == [
            ("postgres", "postgres", "idle in transaction", "select 42", "client backend", True, True, True),
            ("postgres", "postgres", "active", rows[1][4], "client backend", True, True, True)]
        assert "pg_stat_activity" in rows[1][4]
        assert [row[0] for row in rows] == [_pid(other), _pid(watcher)]


SLEEP = "select pg_sleep(60)"


def _sleeping(watcher: psycopg.Connection[Any], sleeper: psycopg.Connection[Any],
              pid: int) -> tuple[threading.Thread, list[BaseException]]:
    """`sleeper` running SLEEP in a thread, returned once pg_stat_activity shows it running (polled,
    bounded: no event says another session's statement has started); the errors it raises."""
    outcome: list[BaseException] = []

    def sleep() -> None:
        try:
            sleeper.execute(SLEEP)
        except psycopg.Error as error:
            outcome.append(error)

    thread = threading.Thread(target=sleep)
    thread.start()
    for _ in range(int(WAIT / 0.05)):
        if watcher.execute("select state, query from pg_stat_activity where pid = %s", (pid,)).fetchone() \
                == ("active", SLEEP):
            return thread, outcome
        threading.Event().wait(0.05)
    raise AssertionError("the sleep never showed as running")


def test_cancel_a_running_statement_then_terminate(watcher: psycopg.Connection[Any], target: Target) -> None:
    with _connect(target, "victim") as victim:
        victim_pid = _pid(victim)
        sleeper, outcome = _sleeping(watcher, victim, victim_pid)
        assert watcher.execute("select pg_cancel_backend(%s)", (victim_pid,)).fetchone() == (True,)
        sleeper.join(WAIT)
        assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.QueryCanceled), outcome
        assert victim.execute("select 1").fetchone() == (1,)  # a cancelled statement leaves the session
        assert watcher.execute("select pg_terminate_backend(%s)", (victim_pid,)).fetchone() == (True,)
        if os.environ.get(TARGET_VARIABLE) != "proxy":  # the proxy takes 57P01 for a restart: reconnects
            with pytest.raises(psycopg.OperationalError, match="terminating connection due to administrator"):
                victim.execute("select 1")
    gone = watcher.execute("select count(*) from pg_stat_activity where pid = %s", (victim_pid,)).fetchone()
    assert gone == (0,)
    unknown = watcher.execute("select pg_cancel_backend(0), pg_terminate_backend(0)").fetchone()
    assert unknown == (False, False)


def test_terminating_a_busy_session_ends_it_at_once(watcher: psycopg.Connection[Any], target: Target) -> None:
    """pg_terminate_backend of a session running a statement: that statement fails with FATAL 57P01
    and the connection closes (it was cancelled with 57014 and the session lived on)."""
    with _connect(target, "busy") as busy:
        busy_pid = _pid(busy)
        sleeper, outcome = _sleeping(watcher, busy, busy_pid)
        assert watcher.execute("select pg_terminate_backend(%s)", (busy_pid,)).fetchone() == (True,)
        sleeper.join(WAIT)
        if os.environ.get(TARGET_VARIABLE) != "proxy":  # the proxy takes 57P01 for a restart
            assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.AdminShutdown), outcome
            assert busy.closed


@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_terminating_its_own_backend_ends_the_statement_with_fatal(target: Target, protocol: str) -> None:
    """`select pg_terminate_backend(pg_backend_pid())`: no row comes back, the statement ends with
    FATAL 57P01 and the connection is closed at once (libpq's status BAD: psycopg's test_reset);
    a new connection works."""
    if os.environ.get(TARGET_VARIABLE) == "proxy":
        pytest.skip("the proxy takes 57P01 for a restart and reconnects")
    connection = psycopg.pq.PGconn.connect(target.dsn.encode())
    try:
        query = b"select pg_terminate_backend(pg_backend_pid()), 1"
        result = connection.exec_(query) if protocol == "simple" else connection.exec_params(query, [])
        assert result.status == psycopg.pq.ExecStatus.FATAL_ERROR
        assert result.ntuples == 0
        assert connection.status == psycopg.pq.ConnStatus.BAD
        connection.reset()
        assert connection.status == psycopg.pq.ConnStatus.OK
        assert connection.exec_(b"select 1").get_value(0, 0) == b"1"
    finally:
        connection.finish()
    with _connect(target, "self") as own, pytest.raises(psycopg.errors.AdminShutdown):
        own.execute("select pg_terminate_backend(pg_backend_pid())")


def test_pg_prepared_statements_lists_the_sessions_named_statements(watcher: psycopg.Connection[Any]) -> None:
    """psycopg prepares a statement run often enough (its auto-prepare): the view shows it with its
    parameter types; the unnamed statement is not listed."""
    for _ in range(6):
        watcher.execute("select %s::int4, %s::text", (1, "x"), prepare=True)
    rows = watcher.execute(
        "select statement, parameter_types, from_sql, generic_plans >= 0, prepare_time <= now(), "
        "pg_typeof(parameter_types)::text from pg_prepared_statements").fetchall()
    assert rows == [("select $1::int4, $2::text", ["smallint", "text"], False, True, True, "regtype[]")]
