"""Differential script for `*` over USING and NATURAL joins (`translate/join_columns.py`): the
merged columns first (the left value in inner and LEFT joins, the right one in RIGHT joins, both
coalesced in FULL joins), then each side's other columns; several joins, aliases, a subquery,
CROSS JOIN after, with GROUP BY, DISTINCT and ORDER BY; `t.*` and the merged column by its bare
name. Runs against the engine and a real PostgreSQL 15; outcome and messages must agree. Skipped
without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

SCRIPT = [
    "create table o (a int, g int)",
    "insert into o values (1, 1), (2, 1), (3, 3)",
    "create table i (g int, b int)",
    "insert into i values (1, 10), (2, 20)",
    "select * from o join i using (g) order by a",
    "select * from o left join i using (g) order by a",
    "select * from o right join i using (g) order by a, b",
    "select * from o full join i using (g) order by a, b",
    "select *, 1 as one from o natural join i order by a",
    "select * from o natural full join i order by a, b",
    "select * from o natural right join i order by a, b",
    "select o.*, i.* from o join i using (g) order by a",
    "select g, a, b from o full join i using (g) order by a, b",
    "select * from o join i using (g) join o o2 using (a) order by a",
    "select * from o x join i y using (g) order by a",
    "select * from o join i using (g) cross join i i2 order by a, 4",
    "select * from (select 1 as g, 2 as z) s join i using (g)",
    "select * from o join i using (g) group by g, a, b order by a",
    "select distinct * from o join i using (g) order by 1, 2",
    "select * from o join i using (nosuch)",
    "select count(*) from o join i using (g)",
]

reference = reference_database("differential_join_columns")
engine_session = engine_store("differential_join_columns")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome and error message."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
