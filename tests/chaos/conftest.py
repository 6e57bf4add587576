"""Fixtures of the crash-safety tests: a factory of psycopg connections to the module's shared
server (all closed at teardown), and a server on the test's own data directory to kill."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.chaos.gtids import resume_options
from testsupport.server_process import ServerProcess

Connect = Callable[..., psycopg.Connection]


@pytest.fixture
def connect(shared_server: ServerProcess) -> Iterator[Connect]:
    """`connect(autocommit=True, session=None)`: a connection to the shared server, resuming `session`
    if given."""
    opened: list[psycopg.Connection] = []

    def open_connection(*, autocommit: bool = True, session: str | None = None) -> psycopg.Connection:
        options = resume_options(session) if session is not None else None
        connection = psycopg.connect(shared_server.dsn, autocommit=autocommit, connect_timeout=10,
                                     options=options)
        opened.append(connection)
        return connection

    yield open_connection
    for connection in opened:
        connection.close()


@pytest.fixture
def crash_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server on `tmp_path / "data"`, not yet started; stopped at teardown."""
    process = ServerProcess(tmp_path / "data")
    try:
        yield process
    finally:
        process.stop()
