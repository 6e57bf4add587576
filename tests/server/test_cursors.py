"""SQL cursors over TCP, as PostgreSQL answers them: DECLARE (with parameters, WITH HOLD), FETCH
and MOVE forward, CLOSE, the cursor's end with its transaction (held ones survive COMMIT; ROLLBACK
TO SAVEPOINT closes those declared after it), psycopg's named cursors and psql's FETCH_COUNT, and
the errors: 25P01, 34000, 42P03; backward moves are refused with 0A000 here (PostgreSQL allows
them on a SCROLL cursor). Runs against the server (PostgreSQL 15 or the proxy with
HELIOSDB_CLIENT_TESTS_TARGET)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import psycopg.errors
import pytest

from tests.server.conftest import Target


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        yield connection


@pytest.fixture
def numbers(conn: psycopg.Connection[Any]) -> str:
    conn.execute("drop table if exists cursor_numbers")
    conn.execute("create table cursor_numbers (n int, label text)")
    conn.cursor().executemany("insert into cursor_numbers values (%s, %s)", [(i, f"n{i}") for i in range(25)])
    return "cursor_numbers"


def test_declare_fetch_move_close(conn: psycopg.Connection[Any], numbers: str) -> None:
    with conn.transaction():
        conn.execute(f"declare c no scroll cursor for select n from {numbers} where n >= %s order by n", (2,))
        fetched = conn.execute("fetch 2 from c")
        assert (fetched.fetchall(), fetched.statusmessage) == ([(2,), (3,)], "FETCH 2")
        assert conn.execute("fetch forward 3 in c").fetchall() == [(4,), (5,), (6,)]
        assert conn.execute("move 10 from c").statusmessage == "MOVE 10"
        assert conn.execute("fetch next from c").fetchall() == [(17,)]
        assert conn.execute("fetch c").fetchall() == [(18,)]
        rest = conn.execute("fetch all from c")
        assert (len(rest.fetchall()), rest.statusmessage) == (6, "FETCH 6")
        assert conn.execute("fetch forward all from c").statusmessage == "FETCH 0"
        assert conn.execute("close c").statusmessage == "CLOSE CURSOR"
        with pytest.raises(psycopg.errors.InvalidCursorName, match='cursor "c" does not exist'):
            conn.execute("fetch 1 from c")


def test_cursors_end_with_their_transaction(conn: psycopg.Connection[Any], numbers: str) -> None:
    with pytest.raises(psycopg.errors.NoActiveSqlTransaction):
        conn.execute(f"declare outside cursor for select n from {numbers}")
    with conn.transaction():
        conn.execute(f"declare plain cursor for select n from {numbers} order by n")
        conn.execute(f"declare kept cursor with hold for select n from {numbers} order by n")
        with pytest.raises(psycopg.errors.DuplicateCursor, match='cursor "plain" already exists'), \
                conn.transaction():
            conn.execute("declare plain cursor for select 1")
        conn.execute("savepoint s")
        conn.execute("declare later cursor for select 1")
        conn.execute("rollback to savepoint s")
        with pytest.raises(psycopg.errors.InvalidCursorName), conn.transaction():
            conn.execute("fetch later")
    with pytest.raises(psycopg.errors.InvalidCursorName):
        conn.execute("fetch plain")
    assert conn.execute("fetch 2 from kept").fetchall() == [(0,), (1,)]  # WITH HOLD outlives its COMMIT
    conn.execute("close all")
    with pytest.raises(psycopg.errors.InvalidCursorName):
        conn.execute("fetch kept")


def test_the_protocols_close_of_a_portal_closes_the_cursor(conn: psycopg.Connection[Any]) -> None:
    """A DECLAREd cursor is a portal: Close (portal) closes it, and Describe then fails (34000)."""
    connection = conn.pgconn
    conn.execute("begin")
    conn.execute("declare closing cursor for select 1")
    connection.send_close_portal(b"closing")
    closed = connection.get_result()
    assert closed is not None and closed.status == psycopg.pq.ExecStatus.COMMAND_OK
    assert connection.get_result() is None
    connection.send_describe_portal(b"closing")
    described = connection.get_result()
    assert described is not None
    assert (described.status, described.error_field(psycopg.pq.DiagnosticField.SQLSTATE)) == \
        (psycopg.pq.ExecStatus.FATAL_ERROR, b"34000")
    assert connection.get_result() is None
    conn.execute("rollback")


def test_psycopg_named_cursors(target: Target, numbers: str) -> None:
    with psycopg.connect(target.dsn) as connection:
        with connection.cursor(name="named") as cursor:
            cursor.execute(f"select n, label from {numbers} where n >= %s order by n", (3,))
            assert cursor.description is not None and [c.name for c in cursor.description] == ["n", "label"]
            assert cursor.fetchmany(3) == [(3, "n3"), (4, "n4"), (5, "n5")]
            assert cursor.fetchone() == (6, "n6")
            assert len(cursor.fetchall()) == 18
        connection.commit()
        with connection.cursor(name="held", withhold=True) as cursor:
            cursor.execute(f"select n from {numbers} order by n")
            connection.commit()
            assert cursor.fetchmany(2) == [(0,), (1,)]
            cursor.scroll(3)
            assert cursor.fetchone() == (5,)
        connection.commit()


def test_backward_moves_are_refused(conn: psycopg.Connection[Any], target: Target, numbers: str) -> None:
    target.skip_unless_heliosdb("backward FETCH (PostgreSQL allows it on a SCROLL cursor)")
    with conn.transaction():
        conn.execute(f"declare c scroll cursor for select n from {numbers} order by n")
        for backward in ("fetch prior from c", "fetch backward 1 from c", "fetch absolute 3 from c",
                         "move -1 in c"):
            with pytest.raises(psycopg.errors.FeatureNotSupported), conn.transaction():
                conn.execute(backward)


def test_psql_fetch_count(target: Target, numbers: str) -> None:
    """psql with FETCH_COUNT reads a result through DECLARE ... CURSOR, FETCH FORWARD, CLOSE."""
    done = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-v", "FETCH_COUNT=4",
                           "-d", target.dsn, "-c", f"select n from {numbers} where n < 10 order by n"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stdout.split()) == (0, [str(i) for i in range(10)]), done.stderr
