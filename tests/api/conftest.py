"""Fixtures of the API tests: `open_connection(**options)`, a DB-API connection in the test's
mode (embedded on a fresh data directory; remote to the module's server), all closed at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import heliosdb_lite as hdb

OpenConnection = Callable[..., hdb.Connection]


@pytest.fixture(params=["embedded"])
def open_connection(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenConnection]:
    opened: list[hdb.Connection] = []

    def connect(**options: Any) -> hdb.Connection:
        connection = hdb.connect(tmp_path / "data", **options)
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        connection.close()
