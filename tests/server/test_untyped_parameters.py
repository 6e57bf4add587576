"""Parameters of no type (OID 0, as psycopg sends a str) in arguments of type "any": concat,
concat_ws and format after their first argument, pg_typeof. PostgreSQL cannot type them (42P18
"could not determine data type of parameter $n"), where an untyped literal there is read as text
and a typed parameter keeps its type. Each case through psycopg against the server and a real
PostgreSQL 15 (skipped without it): the same rows or the same SQLSTATE and message."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.types.string import StrDumper

from tests.server.conftest import Connections

CASES = [
    ("select concat(%s, %s)", ["foo", "bar"]),
    ("select concat(%t, %t)", ["foo", "bar"]),
    ("select concat_ws(%s, %s, %s)", ["-", "a", "b"]),
    ("select concat_ws(%s, 'a', 'b')", ["-"]),
    ("select format(%s, %s)", ["<%s>", "x"]),
    ("select format(%s, 'x')", ["<%s>"]),
    ("select pg_typeof(%s)::text", ["x"]),
    ("select concat(%s::text, %s::text), concat('a', 'b'), pg_typeof('a')::text", ["foo", "bar"]),
    ("select concat(%s, %s), format('%%s', %s)", [1, 2.5, 3]),
    ("select upper(%s) || %s", ["a", "b"]),
]


def _outcome(connection: psycopg.Connection, query: str, params: list[object]) -> object:
    try:
        return connection.execute(query, params).fetchall()
    except psycopg.Error as error:
        return error.sqlstate, error.diag.message_primary


@pytest.mark.parametrize(("query", "params"), CASES)
def test_same_outcome(connections: Connections, query: str, params: list[object]) -> None:
    ours, theirs = (_outcome(connection, query, params) for connection in connections)
    assert ours == theirs


def test_text_dumper_types_them(connections: Connections) -> None:
    """psycopg's test_dump_text_oid: with str dumped as text, concat takes them."""
    for connection in connections:
        connection.adapters.register_dumper(str, StrDumper)
    try:
        outcomes = [_outcome(connection, "select concat(%s, %s)", ["foo", "bar"])
                    for connection in connections]
    finally:
        for connection in connections:
            connection.adapters.register_dumper(str, psycopg.types.string.StrDumperUnknown)
    assert outcomes == [[("foobar",)]] * 2
