"""The exact replies to extended- and simple-protocol messages that drivers send but do not show:
what a failing Parse/Describe sends before its ErrorResponse, EmptyQueryResponse for empty
queries, the 25P01 warning of COMMIT/ROLLBACK outside a transaction block, and the table OID and
column number in RowDescription. Sent as raw frames (`tests/server/wire.py`); every test passes
against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from heliosdb_lite.protocol import frontend
from tests.server.conftest import Target
from tests.server.wire import BackendMessage, RawConnection, error_fields, start_session


@pytest.fixture
def raw(target: Target) -> Iterator[RawConnection]:
    connection = start_session(target.host, target.port).connection
    try:
        yield connection
    finally:
        connection.close()


def exchange(connection: RawConnection, *messages: bytes) -> list[BackendMessage]:
    """Send the messages (the last a Sync or Query) and read the replies up to ReadyForQuery."""
    connection.sock.sendall(b"".join(messages))
    return connection.read_until_ready()


def kinds(replies: list[BackendMessage]) -> list[str]:
    return [reply.type for reply in replies]


def test_parameter_type_without_codec_fails_at_parse_before_any_description(raw: RawConnection) -> None:
    """A client that reads the description before its Bind (pg8000) must get the error at Parse:
    never a ParameterDescription followed by an ErrorResponse."""
    point = 600
    replies = exchange(raw, frontend.parse("", "select $1 as p", [point]), frontend.describe("S", ""),
                       frontend.sync())
    if replies[0].type == "1":  # PostgreSQL has the type
        assert kinds(replies) == ["1", "t", "T", "Z"]
    else:
        assert kinds(replies) == ["E", "Z"]
        assert error_fields(replies[0])["C"] == "0A000"
    assert kinds(exchange(raw, frontend.query("select 1"))) == ["T", "D", "C", "Z"]
