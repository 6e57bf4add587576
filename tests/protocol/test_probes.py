"""The probe commands against a real server: exit codes, output, errors, every password method."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from heliosdb_lite import probes
from heliosdb_lite.protocol import messages
from heliosdb_lite.protocol.framing import FrontendParser
from heliosdb_lite.protocol.messages import FieldDescription, Query, StartupMessage, Terminate
from heliosdb_lite.server.users import UsersFile
from testsupport.server_process import ServerProcess, free_port

BIN = Path(sys.executable).parent
PASSWORD = "pässwörd 1"


def run_probe(command: str, *args: str,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / command), *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def address(server: ServerProcess) -> list[str]:
    return ["--host", server.host, "--port", str(server.port)]


@pytest.fixture(scope="module")
def trust_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("probes") / "data").start()
    try:
        yield process
    finally:
        process.stop()


def test_query_prints_rows_tab_separated(trust_server: ServerProcess) -> None:
    done = run_probe("heliosdb-query", *address(trust_server),
                     "select 1, null, 'a b'; select 'x' union all select 'y'")
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\t\ta b\nx\ny\n", "")


def test_query_error_exits_1_with_message_and_sqlstate(trust_server: ServerProcess) -> None:
    done = run_probe("heliosdb-query", *address(trust_server), "select 1; select * from no_such_table")
    assert done.returncode == 1
    assert done.stdout == "1\n"  # the statement before the error still printed its rows
    assert done.stderr.count("\n") == 1
    assert "no_such_table" in done.stderr
    assert "SQLSTATE 42P01" in done.stderr


def test_health_and_ready_checks_pass(trust_server: ServerProcess) -> None:
    health = run_probe("heliosdb-health-check", *address(trust_server), "--role")
    assert (health.returncode, health.stdout, health.stderr) == (0, "primary\n", "")
    ready = run_probe("heliosdb-ready-check", *address(trust_server))
    assert (ready.returncode, ready.stdout, ready.stderr) == (0, "", "")


@pytest.mark.parametrize("main", [probes.health_check_main, probes.ready_check_main])
def test_checks_fail_with_one_line_when_nothing_listens(main: Callable[[list[str]], int],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", str(free_port()), "--timeout", "2"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot connect to 127.0.0.1:" in err


def test_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        probes.query_main(["--help"])
    help_text = capsys.readouterr().out
    for default in ("127.0.0.1", "5432", "postgres", "PGPASSWORD"):
        assert default in help_text


@pytest.fixture(scope="module", params=["scram-sha-256", "md5", "password"])
def password_server(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    method = request.param
    root = tmp_path_factory.mktemp(f"probes-{method}")
    users = root / "users.toml"
    UsersFile(users).add("alice", PASSWORD, method="md5" if method == "md5" else "scram-sha-256")
    process = ServerProcess(root / "data", args=["--auth-method", method, "--users-file", str(users)]).start()
    try:
        yield process
    finally:
        process.stop()


def test_password_methods(password_server: ServerProcess, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--host", password_server.host, "--port", str(password_server.port), "--user", "alice",
             "--dbname", "postgres"]
    assert probes.health_check_main([*where, "--password", PASSWORD]) == 0
    assert probes.query_main([*where, "--password", PASSWORD, "select 40 + 2"]) == 0
    assert capsys.readouterr().out == "42\n"

    assert probes.ready_check_main([*where, "--password", "wrong"]) == 1
    assert "SQLSTATE 28P01" in capsys.readouterr().err
    assert probes.ready_check_main(where) == 1
    assert "pass --password or set PGPASSWORD" in capsys.readouterr().err


def test_password_from_environment(password_server: ServerProcess) -> None:
    done = run_probe("heliosdb-ready-check", *address(password_server), "--user", "alice", "--dbname",
                     "postgres", env={"PGPASSWORD": PASSWORD})
    assert (done.returncode, done.stderr) == (0, "")


class FakeStandby:
    """A one-connection backend that reports in_hot_standby=on and answers SELECT 1."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received: list[object] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        connection.settimeout(10)
        parser = FrontendParser(1 << 20)
        with connection:
            while not isinstance(message := self._next(connection, parser), Terminate):
                self.received.append(message)
                if isinstance(message, StartupMessage):
                    parser.startup_done()
                    connection.sendall(messages.AUTH_OK + messages.parameter_status("in_hot_standby", "on")
                                       + messages.ready_for_query("I"))
                elif isinstance(message, Query):
                    connection.sendall(messages.row_description([FieldDescription("?column?", 23)], [0])
                                       + messages.data_row([b"1"]) + messages.command_complete("SELECT 1")
                                       + messages.ready_for_query("I"))

    @staticmethod
    def _next(connection: socket.socket, parser: FrontendParser) -> object:
        while (message := parser.next_message()) is None:
            data = connection.recv(4096)
            if not data:
                return Terminate()
            parser.feed(data)
        return message


def test_role_reports_standby_from_in_hot_standby(capsys: pytest.CaptureFixture[str]) -> None:
    standby = FakeStandby()
    assert probes.health_check_main(["--port", str(standby.port), "--role"]) == 0
    standby.thread.join(10)
    assert capsys.readouterr().out == "standby\n"
    assert standby.received[1:] == [Query("SELECT 1")]
