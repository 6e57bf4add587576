"""Differential script for a table's name as a value (`SELECT t FROM t`, asyncpg's
test_table_as_composite): the whole row, a record of the table's columns in their order, where no
column has the name. Each statement runs against the engine and a real PostgreSQL 15 in order; the
outcome (tag, columns, rows, SQLSTATE, transaction status) must agree. PostgreSQL types the value
as the table's row type, here it is `record` (tables have no row type of their own): a gap. Skipped
without PostgreSQL."""

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
    "create table tab (a text, b int)",
    "insert into tab values ('1', 1), (null, 2), ('x,y', 3)",
    "select tab::text from tab order by b",
    "select t::text from tab t order by b",
    "select tab.a, tab::text from tab where tab is not null",
    "select count(*) from tab where tab is null",
    "create table same (same int)",
    "insert into same values (7)",
    "select same from same",
    "select x from tab",
    gap("select tab from tab order by b", "the whole row is typed record, PostgreSQL's the table's row type"),
]


reference = reference_database("differential_whole_row")
engine_session = engine_store("differential_whole_row")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
