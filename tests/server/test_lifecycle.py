"""Connection and process lifecycle: the connection limit (FATAL 53300), graceful shutdown on
SIGTERM (idle sessions ended with 57P01, a running statement finishes, exit code 0), and the
untyped startup packets sent over a raw socket: another protocol version (FATAL 0A000),
GSSENCRequest ('N'), CancelRequest with a wrong and with the right key.

"A statement is running" is observed on the server side, through /metrics, so no test depends on
timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.server.monitored import MonitoredServer
from tests.server.wire import GSSENC_REQUEST_CODE, RawConnection, error_fields, start_session
from testsupport.server_process import ServerProcess

TIMEOUT = 10.0


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MonitoredServer]:
    server = MonitoredServer(tmp_path_factory.mktemp("lifecycle") / "data")
    server.process.start()
    try:
        yield server
    finally:
        server.process.stop()


def connect(server: ServerProcess, **options: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(server.dsn, connect_timeout=int(TIMEOUT), autocommit=True, **options)


# connection limit -----------------------------------------------------------------------------------


def test_connection_limit(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", args=["--max-connections", "3"]).start()
    connections: list[psycopg.Connection[Any]] = []
    try:
        connections = [connect(server) for _ in range(3)]
        with pytest.raises(psycopg.OperationalError, match="too many clients"):
            connect(server)
        with RawConnection(server.host, server.port) as raw:
            raw.send_startup({"user": "postgres", "database": "postgres"})
            refusal = raw.read_message()
            assert refusal.type == "E"
            assert {k: error_fields(refusal)[k] for k in "SVC"} == {"S": "FATAL", "V": "FATAL", "C": "53300"}
            assert raw.closed_by_peer()
        assert [c.execute("select 1").fetchone() for c in connections] == [(1,)] * 3
        connections.pop().close()
        connections.append(connect_when_slot_frees(server))
        assert connections[-1].execute("select 2").fetchone() == (2,)
    finally:
        for connection in connections:
            connection.close()
        server.stop()


def connect_when_slot_frees(server: ServerProcess) -> psycopg.Connection[Any]:
    """The server frees a slot when it has processed the closed session's Terminate: retry, bounded."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            return connect(server)
        except psycopg.OperationalError as error:
            if "too many clients" not in str(error) or time.monotonic() > deadline:
                raise


# graceful shutdown ---------------------------------------------------------------------------------


def test_sigterm_lets_running_statement_finish_and_ends_idle_sessions(tmp_path: Path) -> None:
    server = MonitoredServer(tmp_path / "data")
    server.process.start()
    idle = connect(server.process)
    raw_idle = start_session(server.process.host, server.process.port)
    busy = connect(server.process)
    outcome: list[Any] = []

    def run_statement() -> None:
        try:
            outcome.append(busy.execute("select pg_sleep(1)").fetchall())
        except BaseException as error:
            outcome.append(error)

    try:
        worker = threading.Thread(target=run_statement, daemon=True)
        worker.start()
        server.wait_for_running_statement()
        assert server.process.terminate(timeout=30) == 0
        worker.join(TIMEOUT)
        assert not worker.is_alive()
        assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome
        assert len(outcome[0]) == 1
        ended = raw_idle.connection.read_message()
        assert ended.type == "E"
        assert {k: error_fields(ended)[k] for k in "SC"} == {"S": "FATAL", "C": "57P01"}
        assert raw_idle.connection.closed_by_peer()
        for connection in (idle, busy):
            with pytest.raises(psycopg.OperationalError):
                connection.execute("select 1")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(server.process.dsn, connect_timeout=2)
    finally:
        raw_idle.connection.close()
        idle.close()
        busy.close()
        server.process.stop()


# raw startup packets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [(2, 0), (4, 0)], ids=["2.0", "4.0"])
def test_unsupported_protocol_version_refused(monitored: MonitoredServer, version: tuple[int, int]) -> None:
    server = monitored.process
    with RawConnection(server.host, server.port) as raw:
        raw.send_startup({"user": "postgres", "database": "postgres"}, version=version[0] << 16 | version[1])
        refusal = raw.read_message()
        assert refusal.type == "E"
        fields = error_fields(refusal)
        assert (fields["S"], fields["C"]) == ("FATAL", "0A000")
        assert "unsupported frontend protocol" in fields["M"]
        assert raw.closed_by_peer()


def test_gssenc_request_answered_n_then_startup_proceeds(monitored: MonitoredServer) -> None:
    server = monitored.process
    with RawConnection(server.host, server.port) as raw:
        raw.send_untyped(GSSENC_REQUEST_CODE)
        assert raw.read_byte() == "N"
        raw.send_startup({"user": "postgres", "database": "postgres"})
        assert raw.read_until_ready()[-1].body == b"I"
        raw.send_query("select 1")
        assert [m.type for m in raw.read_until_ready()] == ["T", "D", "C", "Z"]


def test_cancel_request_with_wrong_key_does_nothing(monitored: MonitoredServer) -> None:
    server = monitored.process
    session = start_session(server.host, server.port)
    with session.connection as statement_connection:
        statement_connection.send_query("select pg_sleep(1)")
        monitored.wait_for_running_statement()
        for process_id, secret_key in [(session.process_id, session.secret_key ^ 1),
                                       (session.process_id ^ 1, session.secret_key)]:
            with RawConnection(server.host, server.port) as cancel:
                cancel.send_cancel(process_id, secret_key)
                assert cancel.closed_by_peer()  # the request has been handled
        assert monitored.statements_running() == 1, "the statement ended before the cancels were handled"
        reply = statement_connection.read_until_ready()
        assert [m.type for m in reply] == ["T", "D", "C", "Z"]


def test_cancel_request_with_right_key_cancels(monitored: MonitoredServer) -> None:
    server = monitored.process
    session = start_session(server.host, server.port)
    with session.connection as statement_connection:
        statement_connection.send_query("select pg_sleep(30)")
        monitored.wait_for_running_statement()
        with RawConnection(server.host, server.port) as cancel:
            cancel.send_cancel(session.process_id, session.secret_key)
            assert cancel.closed_by_peer()
        reply = statement_connection.read_until_ready()
        errors = [m for m in reply if m.type == "E"]
        assert len(errors) == 1 and error_fields(errors[0])["C"] == "57014", reply
        assert reply[-1].body == b"I"
        statement_connection.send_query("select 1")
        assert [m.type for m in statement_connection.read_until_ready()] == ["T", "D", "C", "Z"]
