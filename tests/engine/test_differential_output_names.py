"""Differential script for output column names (`AS x`) where PostgreSQL does not take them for
columns (`Scope.hides_output`): in WHERE and HAVING, in a subquery of the query, inside an ORDER BY
or GROUP BY expression (SQLite would take the output's value: 42703 in PostgreSQL); as a bare
ORDER BY or GROUP BY item, and as a column of a subquery in FROM, they work. Runs against the
engine and a real PostgreSQL 15; outcome and messages must agree. Skipped without PostgreSQL."""

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
    "select a as x from o where x > 1",
    "select a as x, count(*) from o group by x having x > 1",
    "select a as x from o where (select x) > 1",
    "select a as x from o where exists (select 1 where x > 1)",
    "select a as x, (select x) from o",
    "select a as x from o order by x + 1",
    "select a as x from o order by -x",
    "select a as x from o order by (select x)",
    "select a as x, count(*) from o group by x having count(*) > 0 order by x",
    "select a as g from o where g > 1 order by 1",
    "select a as x from o group by x order by x desc",
    "select a + 1 as a from o order by a + 1",
    "select a as g from o order by g + 1",
    "select a as x, g from o group by a, g order by g + 1, x",
    "select a as x from o union select 5 order by x",
    "select x from (select a as x from o) s where x > 1 order by x",
    "select a as x from o where a in (select x from (select 1 as x) s)",
]

reference = reference_database("differential_output_names")
engine_session = engine_store("differential_output_names")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome and error message."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
