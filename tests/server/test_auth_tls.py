"""Password authentication (SCRAM-SHA-256, md5, cleartext) against users added with
`heliosdb-lite user add`; TLS with a self-signed certificate that the clients verify; every client
(psql script, psycopg, asyncpg, pg8000) querying, getting SQLSTATEs and cancelling over SCRAM and
TLS together; and the refusal to listen beyond loopback without users."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import asyncpg.exceptions
import pg8000.native
import psycopg
import psycopg.errors
import pytest

from tests.server.cancelling import run_and_cancel
from tests.server.credentials import add_user, self_signed_certificate
from tests.server.psql_client import SCRIPTS, run_psql
from testsupport.server_process import ServerProcess, free_port, run_server_until_exit

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
        assert await connection.fetchval("select $1::int4 * 3", 14) == 42
        with pytest.raises(asyncpg.exceptions.UndefinedTableError):
            await connection.fetch("select * from tls_missing_table")
        with pytest.raises((TimeoutError, asyncpg.exceptions.QueryCanceledError)):
            await asyncio.wait_for(connection.fetch("select pg_sleep(30)"), timeout=0.5)
        assert await asyncio.wait_for(connection.fetchval("select 8"), timeout=TIMEOUT) == 8
    finally:
        await connection.close(timeout=TIMEOUT)


async def test_asyncpg_wrong_password(scram_tls_server: ServerProcess) -> None:
    with pytest.raises(asyncpg.exceptions.InvalidPasswordError) as refused:
        await asyncpg.connect(host=scram_tls_server.host, port=scram_tls_server.port, user=SCRAM_USER,
                              password="wrong", database="postgres", ssl=False, timeout=TIMEOUT)
    assert refused.value.sqlstate == "28P01"


def test_pg8000_scram_over_tls(scram_tls_server: ServerProcess, certificate: tuple[Path, Path]) -> None:
    context = ssl.create_default_context(cafile=str(certificate[0]))
    connection = pg8000.native.Connection(
        SCRAM_USER, host=scram_tls_server.host, port=scram_tls_server.port, password=SCRAM_PASSWORD,
        database="postgres", timeout=TIMEOUT, ssl_context=context)
    try:
        assert connection.run("select :v::text", v="ok") == [["ok"]]
        with pytest.raises(pg8000.native.DatabaseError) as undefined:
            connection.run("select * from tls_missing_table")
        assert undefined.value.args[0]["C"] == "42P01"
    finally:
        connection.close()


def test_psycopg_errors_and_cancel_over_scram_and_tls(scram_tls_server: ServerProcess,
                                                      certificate: tuple[Path, Path]) -> None:
    with connect(scram_tls_server, SCRAM_USER, SCRAM_PASSWORD, sslmode="verify-full",
                 sslrootcert=str(certificate[0])) as connection:
        assert connection.cursor(binary=True).execute("select %s::int8", (7,)).fetchone() == (7,)
        with pytest.raises(psycopg.errors.UndefinedTable):
            connection.execute("select * from tls_missing_table")
        # libpq negotiates TLS on the cancel connection too before sending the CancelRequest.
        assert isinstance(run_and_cancel(connection, "select pg_sleep(30)"), psycopg.errors.QueryCanceled)
        assert connection.execute("select 1").fetchone() == (1,)


def test_psql_script_over_scram_and_tls(scram_tls_server: ServerProcess,
                                        certificate: tuple[Path, Path]) -> None:
    done = run_psql(scram_tls_server.host, scram_tls_server.port, SCRIPTS / "script.sql", user=SCRAM_USER,
                    environment={"PGPASSWORD": SCRAM_PASSWORD, "PGSSLMODE": "verify-full",
                                 "PGSSLROOTCERT": str(certificate[0])})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (SCRIPTS / "script.out").read_text()


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
