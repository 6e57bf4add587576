r"""Differential script for the bytea functions get_byte, set_byte, get_bit, set_bit, bit_count,
encode and decode (hex, base64, escape): values, positions out of range (2202E), a bad bit, a bad
format or bad data (22023), unknown arguments read as their parameters' types, an argument of
another type (42883), NULLs, and psycopg's own use (`%s = set_byte('x', 0, %s)` in its
test_string). Each statement runs against the engine and a real PostgreSQL 15 in order; the
outcome (tag, columns, rows, SQLSTATE, transaction status) must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_script_step,
    engine_store,
    reference_database,
    reference_script_step,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "select set_byte('x', 0, 0), set_byte('x', 0, 255), set_byte('x', 0, 256), set_byte('x', 0, -1)",
    r"select '\x41'::bytea = set_byte('x', 0, 65), array['\x41'::bytea] = array[set_byte('x', 0, 65)]",
    r"select get_byte('\x0102ff'::bytea, 0), get_byte('\x0102ff'::bytea, 2), get_byte('abc', 1)",
    r"select get_byte('\x01'::bytea, 1)",
    "select get_byte(''::bytea, 0)",
    r"select get_byte('\x01'::bytea, -1)",
    "select set_byte('x', 1, 0)",
    r"select get_bit('\x0102'::bytea, 0), get_bit('\x0102'::bytea, 9), get_bit('\x80'::bytea, 7)",
    r"select set_bit('\x00'::bytea, 3, 1), set_bit('\xff'::bytea, 0, 0), set_bit('\xff'::bytea, 7, 1)",
    r"select get_bit('\x01'::bytea, 8)",
    r"select set_bit('\x01'::bytea, 0, 2)",
    r"select bit_count('\xff01'::bytea), bit_count(''::bytea)",
    r"select encode('\x00ff5c41'::bytea, 'hex'), encode('\x00ff5c41'::bytea, 'escape')",
    "select encode('abc'::bytea, 'base64'), encode(''::bytea, 'base64'), encode('abcd'::bytea, 'BASE64')",
    "select encode(decode(repeat('ab', 60), 'hex'), 'base64')",
    "select decode('00ff', 'hex'), decode(' 00 ff\n', 'hex')",
    "select decode('AAE=', 'base64'), decode('YWJj', 'base64'), decode('YW Jj\n', 'base64')",
    r"select decode('a\\b\001\377', 'escape'), decode('', 'hex')",
    "select decode('0g', 'hex')",
    "select decode('abc', 'hex')",
    "select decode('YW=j', 'base64')",
    "select decode('YWJ', 'base64')",
    "select decode('YW*j', 'base64')",
    r"select decode('\q', 'escape')",
    "select encode('a'::bytea, 'rot13')",
    "select decode('a', 'rot13')",
    "select get_byte('ab'::text, 1)",
    "select set_byte('x', 0, 1::int8)",
    "select get_bit('x'::bytea, 1::int2), set_bit('x'::bytea, 1::int4, 1)",
    "select get_byte(null, 0), set_byte('x', null, 1), encode(null, 'hex'), decode('00', null)",
    "create table bs (b bytea)",
    r"insert into bs values ('\x0001'), ('\xfffe'), (null)",
    "select get_byte(b, 1), set_byte(b, 0, 7), encode(b, 'base64') from bs order by b",
]


reference = reference_database("differential_binary_strings")
engine_session = engine_store("differential_binary_strings")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
