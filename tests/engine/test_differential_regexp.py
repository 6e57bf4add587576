r"""Differential script for regexp_replace: PostgreSQL's flags (g, i, c, n, x; a bad one 22023),
the replacement's `\1`..`\9`, `\&` and `\\`, `.` across a newline unless the n flag, NULLs, a bad
pattern (2201B), and psycopg's own use (`prepare _pg3_\d+ as ` in test_prepared). Each statement
runs against the engine and a real PostgreSQL 15 in order; the outcome (tag, columns, rows,
SQLSTATE, transaction status) must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_script_step,
    engine_store,
    gap,
    reference_database,
    reference_script_step,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    r"select regexp_replace('PREPARE _pg3_12 AS select 1', 'prepare _pg3_\d+ as ', '', 'i')",
    "select regexp_replace('abcabc', 'b', 'x'), regexp_replace('abcabc', 'b', 'x', 'g')",
    "select regexp_replace('abcABC', 'B', 'x', 'gi'), regexp_replace('abcABC', 'B', 'x', 'gic')",
    r"select regexp_replace('abc', '(b)(c)', '[\2\1\&\\\3]')",
    r"select regexp_replace('abc', 'b', '\x')",
    "select regexp_replace(E'a\\nb', 'a.b', 'x'), regexp_replace(E'a\\nb', 'a.b', 'x', 'n')",
    "select regexp_replace(E'a\\nb', '^b', 'x'), regexp_replace(E'a\\nb', '^b', 'x', 'n')",
    "select regexp_replace('a b c', 'b # the middle', 'x', 'x')",
    "select regexp_replace(null, 'a', 'x'), regexp_replace('a', null, 'x'), regexp_replace('a', 'a', null)",
    gap("select regexp_replace('a', 'a', 'x', null)",
        "sqlglot drops a NULL flags argument: read as no flags"),
    "select regexp_replace('aaa', 'a*', '-', 'g')",
    "select regexp_replace('a', '(', 'x')",
    "select regexp_replace('a', 'a', 'x', 'z')",
    "create table rx (t text)",
    "insert into rx values ('one two'), ('three')",
    r"select regexp_replace(t, '(\w+) (\w+)', '\2 \1') from rx order by t",
]


reference = reference_database("differential_regexp")
engine_session = engine_store("differential_regexp")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
