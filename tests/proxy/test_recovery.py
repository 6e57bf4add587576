"""Lost server connections that the client must not notice: an idle session reconnects with its
state restored; an open transaction is replayed and checked; a replay whose results differ fails
with HZ001 and nothing is applied twice. The server is SIGKILLed and restarted for real."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import psycopg
import pytest

from tests.proxy.conftest import crash_and_restart
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess


def _direct(server: ServerProcess) -> psycopg.Connection:
    return psycopg.connect(server.dsn, autocommit=True)


def test_idle_session_reconnects_with_its_state(server: ServerProcess, proxy: ProxyProcess) -> None:
    with psycopg.connect(proxy.dsn, autocommit=True) as connection:
        session_id = connection.info.parameter_status("heliosdb.session_id")
        connection.execute("SET TimeZone = 'Asia/Tokyo'")
        connection.execute("SET myapp.tenant = 'acme'")
        assert connection.execute("SELECT %s::int + 1", (1,), prepare=True).fetchone() == (2,)
        crash_and_restart(server)
        assert connection.execute("SHOW TimeZone").fetchone() == ("Asia/Tokyo",)
        assert connection.execute("SELECT current_setting('myapp.tenant')").fetchone() == ("acme",)
        assert connection.execute("SELECT %s::int + 1", (2,), prepare=True).fetchone() == (3,)
        assert connection.info.parameter_status("heliosdb.session_id") == session_id
    assert proxy.counter("heliosdb_transparent_replay_succeeded_total", kind="idle") == 1
    assert proxy.replay_metrics()["successful_replays"] == 1


def test_open_transaction_is_replayed(server: ServerProcess, proxy: ProxyProcess) -> None:
    with _direct(server) as setup:
        setup.execute("CREATE TABLE items (id int PRIMARY KEY, name text)")
    with psycopg.connect(proxy.dsn) as connection:
        connection.execute("INSERT INTO items VALUES (%s, %s)", (1, "one"))
        assert connection.execute("SELECT count(*) FROM items").fetchone() == (1,)
        crash_and_restart(server)
        connection.execute("INSERT INTO items VALUES (%s, %s)", (2, "two"))
        connection.commit()
    with _direct(server) as check:
        assert check.execute("SELECT id, name FROM items ORDER BY id").fetchall() == [(1, "one"), (2, "two")]
    assert proxy.counter("heliosdb_transparent_replay_succeeded_total", kind="open_transaction") == 1
    assert proxy.replay_metrics()["data_loss_prevented"] == 1


async def test_asyncpg_transaction_with_prepared_statements_is_replayed(server: ServerProcess,
                                                                       proxy: ProxyProcess) -> None:
    with _direct(server) as setup:
        setup.execute("CREATE TABLE ledger (id int PRIMARY KEY, amount int)")
    connection = await asyncpg.connect(host=proxy.host, port=proxy.port, user="postgres", database="postgres")
    try:
        async with connection.transaction():
            await connection.execute("INSERT INTO ledger VALUES ($1, $2)", 1, 10)
            assert await connection.fetchval("SELECT sum(amount) FROM ledger") == 10
            crash_and_restart(server)
            await connection.execute("INSERT INTO ledger VALUES ($1, $2)", 2, 20)
            assert await connection.fetchval("SELECT sum(amount) FROM ledger") == 30
        assert await connection.fetchval("SELECT count(*) FROM ledger") == 2
    finally:
        await connection.close()


@pytest.fixture
def slow_reconnect(server: ServerProcess, tmp_path: Path) -> ProxyProcess:
    """A proxy whose second reconnect comes 5 s after the first: time for another session to act
    between the crash and the replay."""
    config = tmp_path / "proxy.toml"
    config.write_text("[transaction_replay]\nreplay_backoff_ms = 5000\n")
    return ProxyProcess([f"{server.host}:{server.port}"], config=config)


def test_divergent_replay_fails_with_hz001_and_applies_nothing(server: ServerProcess,
                                                               slow_reconnect: ProxyProcess) -> None:
    with _direct(server) as setup:
        setup.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int)")
        setup.execute("INSERT INTO accounts VALUES (1, 100), (2, 0)")
    proxy = slow_reconnect.start()
    try:
        with psycopg.connect(proxy.dsn) as connection:
            assert connection.execute("SELECT balance FROM accounts WHERE id = 1").fetchone() == (100,)
            connection.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1")
            server.kill()
            server.start()
            with _direct(server) as other:  # between the crash and the replay
                other.execute("UPDATE accounts SET balance = 500 WHERE id = 1")
            with pytest.raises(psycopg.Error) as failure:
                connection.execute("UPDATE accounts SET balance = balance + 10 WHERE id = 2")
            assert failure.value.sqlstate == "HZ001"
            message = str(failure.value)
            assert "SELECT balance FROM accounts WHERE id = 1" in message
            assert "differ" in message
            gtid = message.split("transaction ", 1)[1].split(" ", 1)[0]
            assert len(gtid) == 36
            connection.rollback()
            assert connection.execute("SELECT balance FROM accounts ORDER BY id").fetchall() == [(500,), (0,)]
            connection.rollback()
        with _direct(server) as check:
            assert check.execute("SELECT balance FROM accounts ORDER BY id").fetchall() == [(500,), (0,)]
        assert proxy.counter("heliosdb_transparent_replay_failed_total", reason="diverged") == 1
    finally:
        proxy.stop()
