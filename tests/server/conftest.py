"""Fixtures of the end-to-end client tests: `target`, the server the client-driver modules talk to.

`target` is normally the module's `shared_server` (a real `heliosdb-lite serve` subprocess). With
HELIOSDB_CLIENT_TESTS_TARGET=postgres it is a throwaway PostgreSQL 15 instead (testsupport/pg_reference.py),
which checks the tests themselves: they must pass against PostgreSQL too, except the ones marked
HeliosDB-only, which skip there. With HELIOSDB_CLIENT_TESTS_TARGET=proxy it is a `heliosdb-lite
proxy` in front of the shared server (testsupport/proxy_process.py): the drivers' tests through the proxy.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pg8000.native
import psycopg
import psycopg.conninfo
import pytest

from tests.server.wire import RawConnection, start_session
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess

TARGET_VARIABLE = "HELIOSDB_CLIENT_TESTS_TARGET"
DRIVER_TIMEOUT = 10.0  # seconds: a driver's connect and each of its statements


@dataclass(frozen=True)
class Target:
    """Where a client test connects: loopback host and port, user and database postgres, trust auth."""

    host: str
    port: int
    is_reference_postgres: bool = False

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user=postgres dbname=postgres"

    def skip_unless_heliosdb(self, what: str) -> None:
        if self.is_reference_postgres:
            pytest.skip(f"HeliosDB-only behaviour ({what}); target is the reference PostgreSQL")


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Target:
    if os.environ.get(TARGET_VARIABLE) == "postgres":
        dsn = request.getfixturevalue("reference_pg")
        params = psycopg.conninfo.conninfo_to_dict(dsn)
        return Target(str(params["host"]), int(str(params["port"])), is_reference_postgres=True)
    server = request.getfixturevalue("shared_server")
    if os.environ.get(TARGET_VARIABLE) == "proxy":
        proxy = ProxyProcess([f"{server.host}:{server.port}"]).start()
        request.addfinalizer(proxy.stop)
        return Target(proxy.host, proxy.port)
    return Target(server.host, server.port)


@pytest.fixture
async def aconn(target: Target) -> AsyncIterator[asyncpg.Connection]:
    """An asyncpg connection to the target."""
    connection = await asyncpg.connect(host=target.host, port=target.port, user="postgres",
                                       database="postgres", timeout=DRIVER_TIMEOUT,
                                       command_timeout=DRIVER_TIMEOUT)
    try:
        yield connection
    finally:
        await connection.close(timeout=DRIVER_TIMEOUT)


@pytest.fixture
def native(target: Target) -> Iterator[pg8000.native.Connection]:
    """A pg8000 native connection to the target."""
    connection = pg8000.native.Connection("postgres", host=target.host, port=target.port,
                                          database="postgres", timeout=DRIVER_TIMEOUT)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def raw(target: Target) -> Iterator[RawConnection]:
    """A raw protocol session on the target, started up (trust)."""
    connection = start_session(target.host, target.port).connection
    try:
        yield connection
    finally:
        connection.close()


Connections = tuple[psycopg.Connection[Any], psycopg.Connection[Any]]


@pytest.fixture(scope="module")
def connections(shared_server: ServerProcess, reference_pg: str) -> Iterator[Connections]:
    """(server, PostgreSQL 15): autocommit psycopg connections, one pair per test module."""
    server_dsn = f"host={shared_server.host} port={shared_server.port} user=postgres dbname=postgres"
    with psycopg.connect(server_dsn, autocommit=True) as ours, \
            psycopg.connect(reference_pg, autocommit=True) as theirs:
        yield ours, theirs
