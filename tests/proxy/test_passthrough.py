"""The proxy as a plain PostgreSQL endpoint: drivers, notifications, CancelRequest, limits, metrics.

(The drivers' whole test modules also run through a proxy with HELIOSDB_CLIENT_TESTS_TARGET=proxy,
see tests/server/conftest.py.)"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import asyncpg
import pg8000.native
import psycopg
import pytest

from heliosdb_lite.protocol import frontend
from tests.server.cancelling import run_and_cancel
from tests.server.wire import start_session
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess


def test_psycopg_through_the_proxy(proxy: ProxyProcess) -> None:
    with psycopg.connect(proxy.dsn) as connection:
        connection.execute("CREATE TABLE items (id serial PRIMARY KEY, name text)")
        connection.execute("INSERT INTO items (name) VALUES (%s), (%s)", ("a", "b"))
        connection.commit()
        rows = connection.execute("SELECT id, name FROM items ORDER BY id", prepare=True).fetchall()
        assert rows == [(1, "a"), (2, "b")]
        assert connection.info.parameter_status("heliosdb.session_id") is not None


async def test_asyncpg_through_the_proxy(proxy: ProxyProcess) -> None:
    connection = await asyncpg.connect(host=proxy.host, port=proxy.port, user="postgres", database="postgres")
    try:
        async with connection.transaction():
            await connection.execute("CREATE TABLE things (id int PRIMARY KEY, v text)")
            await connection.executemany("INSERT INTO things VALUES ($1, $2)", [(1, "x"), (2, "y")])
        assert await connection.fetchval("SELECT count(*) FROM things WHERE v > $1", "a") == 2
    finally:
        await connection.close()


def test_pg8000_through_the_proxy(proxy: ProxyProcess) -> None:
    connection = pg8000.native.Connection("postgres", host=proxy.host, port=proxy.port, database="postgres")
    try:
        assert connection.run("SELECT :a::int + 1", a=41) == [[42]]
    finally:
        connection.close()


def test_notifications_name_the_notifier_by_its_proxy_process_id(proxy: ProxyProcess) -> None:
    """A NotificationResponse carries the notifying backend's process id: the proxy gives its client
    the one it gave the notifier (from BackendKeyData), not the upstream backend's."""
    with psycopg.connect(proxy.dsn, autocommit=True) as listener, \
            psycopg.connect(proxy.dsn, autocommit=True) as notifier:
        listener.execute("LISTEN events")
        notifier.execute("NOTIFY events, 'hello'")
        notification = next(listener.notifies(timeout=10, stop_after=1))
        assert (notification.channel, notification.payload, notification.pid) == \
            ("events", "hello", notifier.info.backend_pid)


def test_cancel_request_reaches_the_upstream_backend(proxy: ProxyProcess) -> None:
    with psycopg.connect(proxy.dsn, autocommit=True) as connection:
        error = run_and_cancel(connection, "SELECT pg_sleep(60)")
        assert isinstance(error, psycopg.errors.QueryCanceled)
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_a_wrong_cancel_key_cancels_nothing(proxy: ProxyProcess) -> None:
    with psycopg.connect(proxy.dsn, autocommit=True) as victim:
        started = threading.Event()
        outcome: list[object] = []

        def sleep() -> None:
            started.set()
            outcome.append(victim.execute("SELECT pg_sleep(0.5)").fetchone())

        worker = threading.Thread(target=sleep)
        worker.start()
        assert started.wait(10)
        with socket.create_connection((proxy.host, proxy.port), timeout=10) as raw:
            raw.sendall(frontend.cancel_request(victim.info.backend_pid, 12345))
            assert raw.recv(1) == b""  # the proxy closes a cancel connection without an answer
        worker.join(10)
        assert outcome == [("",)]


def test_sessions_and_replay_metrics_are_exported(proxy: ProxyProcess) -> None:
    with psycopg.connect(proxy.dsn):
        assert proxy.counter("heliosdb_proxy_client_sessions") == 1
    metrics = proxy.replay_metrics()
    assert set(metrics) == {"total_replays", "successful_replays", "failed_replays", "avg_replay_time_ms",
                            "journal_size_mb", "last_replay_timestamp", "data_loss_prevented"}


def test_max_client_connections(server: ServerProcess, tmp_path: Path) -> None:
    config = tmp_path / "proxy.toml"
    config.write_text("[proxy]\nmax_client_connections = 1\n")
    proxy = ProxyProcess([f"{server.host}:{server.port}"], config=config).start()
    try:
        with psycopg.connect(proxy.dsn), pytest.raises(psycopg.OperationalError, match="too many clients"):
            psycopg.connect(proxy.dsn)
    finally:
        proxy.stop()


def test_no_upstream_answers(tmp_path: Path) -> None:
    config = tmp_path / "proxy.toml"
    config.write_text("[transaction_replay]\nreplay_timeout_seconds = 1\n")
    from testsupport.server_process import free_port

    proxy = ProxyProcess([f"127.0.0.1:{free_port()}"], config=config).start()
    try:
        with pytest.raises(psycopg.OperationalError, match="could not reach a writable server"):
            psycopg.connect(proxy.dsn, connect_timeout=10)
    finally:
        proxy.stop()


def _resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_a_client_that_does_not_read_holds_the_server_back(proxy: ProxyProcess) -> None:
    """Flow control: while a client reads nothing of a 60 MB result, the proxy stops reading the
    server instead of buffering the result; then every byte arrives. The proxy's memory is watched
    for a bounded window (there is no event for "nothing more happened")."""
    assert proxy.process is not None
    rows, width = 60_000, 1000
    session = start_session(proxy.host, proxy.port)
    with session.connection as connection:
        baseline = _resident_bytes(proxy.process.pid)
        connection.send_query(f"SELECT repeat('x', {width}) FROM generate_series(1, {rows})")
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            assert _resident_bytes(proxy.process.pid) - baseline < 16 * 2**20
            time.sleep(0.05)
        received = connection.read_until_ready()
        data_rows = [message for message in received if message.type == "D"]
        assert len(data_rows) == rows
        assert all(frontend.decode_data_row(message.body) == [b"x" * width] for message in data_rows)
        assert frontend.decode_command_complete(received[-2].body) == f"SELECT {rows}"
    with psycopg.connect(proxy.dsn) as other:
        assert other.execute("SELECT 1").fetchone() == (1,)


def test_the_proxy_reads_strings_as_standard_conforming_strings_says(proxy: ProxyProcess) -> None:
    """Under standard_conforming_strings = off, 'a\\'' is the string a' and the LISTEN after it runs:
    the proxy, following the ParameterStatus, sees it and switches replay off for the transaction
    (with the setting on, the same text is one string and nothing is switched off)."""
    disabled = "heliosdb_transparent_replay_disabled_total"
    text = "select 'a\\''; listen strings_off; --'"
    with psycopg.connect(proxy.dsn) as connection:
        before = proxy.counter(disabled, reason="unsafe_statement")
        connection.execute("SET standard_conforming_strings = off")
        connection.commit()
        connection.execute(text)
        connection.rollback()
        assert proxy.counter(disabled, reason="unsafe_statement") == before + 1
        connection.execute("SET standard_conforming_strings = on")
        connection.commit()
        assert connection.execute(text).fetchone() == ("a\\'; listen strings_off; --",)  # one string
        connection.rollback()
        assert proxy.counter(disabled, reason="unsafe_statement") == before + 1
