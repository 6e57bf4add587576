"""Differential script for the order of rows a query without ORDER BY returns: a full scan reads the
table in insertion order, as PostgreSQL's sequential scan reads its heap, even when an index (a
primary key's, a unique column's) holds every column the query reads (asyncpg's TestExecuteMany
inserts keys 11 down to 4 and reads `SELECT b FROM exmany`). Each statement runs against the engine
and a real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction status)
must agree. Skipped without PostgreSQL."""

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
    "create table exmany (a text, b int primary key)",
    "insert into exmany select 'a', g from generate_series(11, 4, -1) g",
    "select b from exmany",
    "select * from exmany",
    "select b from exmany order by b",
    "select count(*), min(b), max(b) from exmany",
    "delete from exmany where b = 8",
    "insert into exmany values ('z', 1)",
    "select b from exmany",
    "create table keyed (k text primary key, u int unique, v int)",
    "insert into keyed values ('c', 3, 0), ('a', 1, 0), ('b', 2, 0)",
    "select k from keyed",
    "select u from keyed",
    "select k, u from keyed",
    gap("select b from exmany where b > 5",
        "a WHERE the primary key's index can search reads in key order; PostgreSQL scans so small a table"),
]


reference = reference_database("differential_row_order")
engine_session = engine_store("differential_row_order")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
