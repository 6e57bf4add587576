"""Fixtures of the API tests: `open_connection(**options)`, a DB-API connection in the test's
mode (embedded on a fresh data directory; remote to a fresh server), all closed at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import heliosdb_lite as hdb
from testsupport.server_process import ServerProcess

OpenConnection = Callable[..., hdb.Connection]


@pytest.fixture(params=["embedded", "remote"])
def open_connection(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenConnection]:
    opened: list[hdb.Connection] = []
    server = ServerProcess(tmp_path / "data").start() if request.param == "remote" else None
    target = server.dsn if server is not None else tmp_path / "data"

    def connect(**options: Any) -> hdb.Connection:
        connection = hdb.connect(target, **options)
        opened.append(connection)
        return connection

    try:
        yield connect
    finally:
        for connection in opened:
            connection.close()
        if server is not None:
            server.stop()
