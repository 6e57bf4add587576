"""Differential script for json, which has no equality or ordering operator in PostgreSQL (jsonb
has both): ORDER BY, a window's PARTITION BY and ORDER BY, an aggregate's ORDER BY, GROUP BY,
DISTINCT, count(DISTINCT), NULLIF, a simple CASE and GREATEST of json are PostgreSQL's 42883 (the
engine answered them, comparing the texts: found by replaying sqlsmith's statements on PostgreSQL);
jsonb and json cast to text still answer. Each statement runs against the engine and a real
PostgreSQL 15 in order; tag, columns, rows, SQLSTATE and transaction status must agree. Skipped
without PostgreSQL."""

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

SCRIPT = [
    "create table d (id int, j json, jb jsonb, ja json[])",
    "insert into d values (1, '[1]', '[1]', '{}'), (2, '[1]', '[2]', '{}')",
    "select j from d order by j",
    "select count(*) over (partition by j) from d",
    "select count(*) over (order by j) from d",
    "select row_number() over (partition by id order by j) from d",
    "select array_agg(j order by j) from d",
    "select j from d group by j",
    "select ja from d group by ja",
    "select distinct j from d",
    "select count(distinct j) from d",
    "select nullif(j, j) from d",
    "select case j when j then 1 end from d",
    "select greatest(j, j) from d",
    "select j from d union select j from d",
    # what answers
    "select j from d union all select j from d",
    "select jb from d group by jb order by jb",
    "select distinct jb from d order by 1",
    "select count(distinct jb), count(*) from d group by j::text",
    "select nullif(jb, jb), greatest(jb, jb), case jb when jb then 1 end from d order by id",
    "select distinct on (id) id, j from d order by id",
]

reference = reference_database("json_equality")
engine_session = engine_store("json_equality")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
