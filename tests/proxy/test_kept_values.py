"""Values that differ on every run, replayed after a crash inside the transaction: the transaction
timestamp (now(), current_timestamp, ...) is pinned to the one the client saw (the server reports
it, the proxy sets it on replay), nextval and serial keys are transactional so an undisturbed
replay draws the same; random() cannot be kept, so its replay fails validation with HZ001."""

from __future__ import annotations

import psycopg

from tests.proxy.conftest import crash_and_restart
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess


def _setup(server: ServerProcess, *statements: str) -> None:
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def test_now_is_kept(server: ServerProcess, proxy: ProxyProcess) -> None:
    _setup(server, "CREATE TABLE events (id int PRIMARY KEY, at timestamptz)")
    with psycopg.connect(proxy.dsn) as connection:
        [(seen,)] = connection.execute("SELECT now()").fetchall()
        connection.execute("INSERT INTO events VALUES (1, now())")
        crash_and_restart(server)
        assert connection.execute("SELECT now(), current_timestamp").fetchone() == (seen, seen)
        connection.execute("INSERT INTO events VALUES (2, transaction_timestamp())")
        connection.commit()
        assert connection.execute("SELECT at FROM events ORDER BY id").fetchall() == [(seen,), (seen,)]
    assert proxy.counter("heliosdb_transparent_replay_succeeded_total", kind="open_transaction") == 1


def test_nextval_is_kept(server: ServerProcess, proxy: ProxyProcess) -> None:
    _setup(server, "CREATE SEQUENCE tickets", "CREATE TABLE issued (n bigint)")
    with psycopg.connect(proxy.dsn) as connection:
        [(first,)] = connection.execute("SELECT nextval('tickets')").fetchall()
        connection.execute("INSERT INTO issued VALUES (%s)", (first,))
        crash_and_restart(server)
        [(second,)] = connection.execute("SELECT nextval('tickets')").fetchall()
        connection.execute("INSERT INTO issued VALUES (%s)", (second,))
        connection.commit()
        assert (first, second) == (1, 2)
        assert connection.execute("SELECT n FROM issued ORDER BY n").fetchall() == [(1,), (2,)]


def test_serial_keys_are_kept(server: ServerProcess, proxy: ProxyProcess) -> None:
    _setup(server, "CREATE TABLE orders (id serial PRIMARY KEY, item text)")
    with psycopg.connect(proxy.dsn) as connection:
        assert connection.execute("INSERT INTO orders (item) VALUES ('a') RETURNING id").fetchone() == (1,)
        crash_and_restart(server)
        assert connection.execute("INSERT INTO orders (item) VALUES ('b') RETURNING id").fetchone() == (2,)
        connection.commit()
        rows = connection.execute("SELECT id, item FROM orders ORDER BY id").fetchall()
        assert rows == [(1, "a"), (2, "b")]


def test_random_is_not_kept(server: ServerProcess, proxy: ProxyProcess) -> None:
    with psycopg.connect(proxy.dsn) as connection:
        connection.execute("SELECT random()")
        crash_and_restart(server)
        try:
            connection.execute("SELECT 1")
        except psycopg.Error as error:
            assert error.sqlstate == "HZ001"
            assert 'at statement "SELECT random()"' in str(error)
        else:
            raise AssertionError("a replayed random() matched")
        connection.rollback()
        assert connection.execute("SELECT 2").fetchone() == (2,)
    assert proxy.counter("heliosdb_transparent_replay_failed_total", reason="diverged") == 1
