"""Differential script for SELECT with an empty select list: PostgreSQL returns rows of no columns
(`engine/translate/queries.py`: SQLite needs a column, a NULL stands in and is not reported), as a
statement, a subquery, in EXISTS and a set operation. Each statement runs against the engine and a
real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction status) must
agree. Skipped without PostgreSQL."""

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
    "select",
    "select where false",
    "create table t (a int)",
    "insert into t values (1), (2), (3)",
    "select from t",
    "select from t where a > 1",
    "select from t order by a desc limit 2",
    "select exists (select from t where a = 2), exists (select from t where a = 4)",
    "select count(*) from (select from t) s",
    "select * from (select from t limit 1) s",
    "select from t union all select",
    "select from t group by a having a < 3",
]


reference = reference_database("differential_select_list")
engine_session = engine_store("differential_select_list")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
