"""Password authentication (SCRAM-SHA-256, md5, cleartext) against users added with
`heliosdb-lite user add`, TLS with a self-signed certificate (psycopg and asyncpg, alone and under
SCRAM), and the refusal to listen beyond loopback without users."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import asyncpg.exceptions
import pg8000.native
import psycopg
import pytest

from tests.server.credentials import add_user, self_signed_certificate
from tests.server_process import ServerProcess, free_port, run_server_until_exit

SCRAM_USER, SCRAM_PASSWORD = "alice", "correct horse battery staple"
MD5_USER, MD5_PASSWORD = "bob", "s3cret: with spaces & ünïcode"
TIMEOUT = 10


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.toml"
    add_user(path, SCRAM_USER, SCRAM_PASSWORD)
    add_user(path, MD5_USER, MD5_PASSWORD, method="md5")
    return path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def start_server(tmp_path_factory: pytest.TempPathFactory, args: list[str]) -> ServerProcess:
    return ServerProcess(tmp_path_factory.mktemp("auth") / "data", args=args).start()


@pytest.fixture(scope="module")
def scram_tls_server(tmp_path_factory: pytest.TempPathFactory, users_file: Path,
                     certificate: tuple[Path, Path]) -> Iterator[ServerProcess]:
    cert, key = certificate
    server = start_server(tmp_path_factory, ["--auth-method", "scram-sha-256", "--users-file",
                                             str(users_file), "--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class MethodServer:
    method: str
    process: ServerProcess


@pytest.fixture(scope="module", params=["md5", "password"])
def plain_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 users_file: Path) -> Iterator[MethodServer]:
    """A server without TLS using the md5 or the cleartext password method."""
    method: str = request.param
    server = start_server(tmp_path_factory, ["--auth-method", method, "--users-file", str(users_file)])
    try:
        yield MethodServer(method, server)
    finally:
        server.stop()


def connect(server: ServerProcess, user: str, password: str, **options: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(host=server.host, port=server.port, user=user, password=password,
                           dbname="postgres", connect_timeout=TIMEOUT, autocommit=True, **options)


def assert_can_query(connection: psycopg.Connection[Any]) -> None:
    with connection:
        assert connection.execute("select 1 + 1").fetchone() == (2,)


# SCRAM-SHA-256 ---------------------------------------------------------------------------------------


def test_scram_right_password_without_tls(scram_tls_server: ServerProcess) -> None:
    connection = connect(scram_tls_server, SCRAM_USER, SCRAM_PASSWORD, sslmode="disable")
    assert connection.info.user == SCRAM_USER
    assert not connection.pgconn.ssl_in_use
    assert_can_query(connection)


@pytest.mark.parametrize(("user", "password"), [(SCRAM_USER, "wrong"), ("nobody", SCRAM_PASSWORD)],
                         ids=["wrong-password", "unknown-user"])
def test_scram_refuses_wrong_credentials(scram_tls_server: ServerProcess, user: str, password: str) -> None:
    with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{user}"'):
        connect(scram_tls_server, user, password, sslmode="disable")


def test_scram_over_tls(scram_tls_server: ServerProcess) -> None:
    connection = connect(scram_tls_server, SCRAM_USER, SCRAM_PASSWORD, sslmode="require")
    assert connection.pgconn.ssl_in_use
    assert_can_query(connection)


def test_tls_certificate_verified_by_client(scram_tls_server: ServerProcess,
                                            certificate: tuple[Path, Path]) -> None:
    connection = connect(scram_tls_server, SCRAM_USER, SCRAM_PASSWORD, sslmode="verify-full",
                         sslrootcert=str(certificate[0]))
    assert connection.pgconn.ssl_in_use
    assert_can_query(connection)


def test_wrong_password_over_tls(scram_tls_server: ServerProcess) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(scram_tls_server, SCRAM_USER, "wrong", sslmode="require")


async def test_asyncpg_scram_over_tls(scram_tls_server: ServerProcess,
                                      certificate: tuple[Path, Path]) -> None:
    context = ssl.create_default_context(cafile=str(certificate[0]))
    connection = await asyncpg.connect(host=scram_tls_server.host, port=scram_tls_server.port,
                                       user=SCRAM_USER, password=SCRAM_PASSWORD, database="postgres",
                                       ssl=context, timeout=TIMEOUT)
    try:
        assert connection.get_server_pid() > 0
        assert await connection.fetchval("select $1::int4 * 3", 14) == 42
    finally:
        await connection.close(timeout=TIMEOUT)


async def test_asyncpg_wrong_password(scram_tls_server: ServerProcess) -> None:
    with pytest.raises(asyncpg.exceptions.InvalidPasswordError) as refused:
        await asyncpg.connect(host=scram_tls_server.host, port=scram_tls_server.port, user=SCRAM_USER,
                              password="wrong", database="postgres", ssl=False, timeout=TIMEOUT)
    assert refused.value.sqlstate == "28P01"


def test_pg8000_scram(scram_tls_server: ServerProcess) -> None:
    connection = pg8000.native.Connection(SCRAM_USER, host=scram_tls_server.host, port=scram_tls_server.port,
                                          password=SCRAM_PASSWORD, database="postgres", timeout=TIMEOUT)
    try:
        assert connection.run("select :v::text", v="ok") == [["ok"]]
    finally:
        connection.close()


# md5 and cleartext password ---------------------------------------------------------------------------


def test_password_methods_accept_right_password(plain_server: MethodServer) -> None:
    assert_can_query(connect(plain_server.process, MD5_USER, MD5_PASSWORD))


def test_password_methods_refuse_wrong_password(plain_server: MethodServer) -> None:
    expected = f'password authentication failed for user "{MD5_USER}"'
    with pytest.raises(psycopg.OperationalError, match=expected):
        connect(plain_server.process, MD5_USER, MD5_PASSWORD + "x")


@pytest.mark.parametrize("plain_server", ["password"], indirect=True)
def test_cleartext_method_checks_scram_verifiers_too(plain_server: MethodServer) -> None:
    assert_can_query(connect(plain_server.process, SCRAM_USER, SCRAM_PASSWORD))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(plain_server.process, SCRAM_USER, "wrong")


async def test_asyncpg_password_methods(plain_server: MethodServer) -> None:
    server = plain_server.process
    connection = await asyncpg.connect(host=server.host, port=server.port, user=MD5_USER,
                                       password=MD5_PASSWORD, database="postgres", ssl=False,
                                       timeout=TIMEOUT)
    try:
        assert await connection.fetchval("select 5") == 5
    finally:
        await connection.close(timeout=TIMEOUT)


def test_tls_required_by_client_but_not_configured(plain_server: MethodServer) -> None:
    with pytest.raises(psycopg.OperationalError, match="server does not support SSL"):
        connect(plain_server.process, MD5_USER, MD5_PASSWORD, sslmode="require")


# listening beyond loopback -----------------------------------------------------------------------------


def test_refuses_to_listen_on_all_interfaces_without_users(tmp_path: Path) -> None:
    args = ["--listen", "0.0.0.0", "--port", str(free_port())]
    code, stderr = run_server_until_exit(tmp_path / "data", args)
    assert code != 0
    assert "0.0.0.0" in stderr and "no users are configured" in stderr, stderr
    assert "HeliosDB-Lite ready" not in stderr
