"""Differential script for tid (asyncpg's test_invalid_input and test_standard_codecs bind it): casts
from text, PostgreSQL 15's tidin errors (22P02), a column of tid, equality, an array of tid. Each
statement runs against the engine and a real PostgreSQL 15 in order; the outcome (tag, columns, rows,
SQLSTATE, transaction status) must agree. tid is kept as its text, so it has no ordering here (a
gap: PostgreSQL orders by block, then offset). Skipped without PostgreSQL."""

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
    "select '(0,1)'::tid, '(4294967295,65535)'::tid, '(-1,0)'::tid",
    "select '(0,65536)'::tid",
    "select 'abc'::tid",
    "create table tids (t tid, n int)",
    "insert into tids values ('(2,1)', 1), ('(10,1)', 2), (null, 3)",
    "select t, n from tids where t = '(10,1)'",
    "select t::text, n from tids where t <> '(2,1)'",
    "select '{\"(0,1)\",NULL}'::tid[]",
    gap("select t from tids where t is not null order by t", "tid is kept as its text: no ordering here"),
]


reference = reference_database("differential_tid")
engine_session = engine_store("differential_tid")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
