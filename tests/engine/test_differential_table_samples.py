"""TABLESAMPLE against PostgreSQL 15: what is certain of a sample (all rows at 100 percent, none at
0, under joins, a column alias list, a LEFT JOIN's sampled side) and PostgreSQL's errors (a
percentage outside 0..100 or NULL, an unknown method, a view or CTE) agree step by step; REPEATABLE
picks the same rows for the same seed of an unchanged table, and a sample's size stays within the
table's. Skipped without PostgreSQL (the differential steps)."""

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
    "create table ts (a int, b text)",
    "insert into ts select g, 'x' || g from generate_series(1, 10) g",
    "create view tsv as select * from ts",
    "select count(*) from ts tablesample system (100)",
    "select count(*) from ts tablesample bernoulli (0)",
    "select count(*) from ts x tablesample bernoulli ('100')",
    "select count(*) from ts tablesample bernoulli (101)",
    "select count(*) from ts tablesample bernoulli (null)",
    "select count(*) from ts tablesample foo (5)",
    "select count(*) from tsv tablesample system (5)",
    "with w as (select * from ts) select count(*) from w tablesample system (5)",
    "select x.a, y.b from ts x tablesample bernoulli (100) join ts y tablesample system (100) on x.a = y.a "
    "order by 1 limit 3",
    "select q, r from ts as x(q, r) tablesample bernoulli (100) order by q limit 2",
    "select count(*) from ts t1 left join ts t2 tablesample bernoulli (0) on t1.a = t2.a where t2.a is null",
    "select (select count(*) from ts tablesample bernoulli (100) repeatable (3)) = 10",
    "select ts.a from ts tablesample system (100) where ts.a < 3 order by 1",
]

reference = reference_database("table_samples")
engine_session = engine_store("table_samples")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)


def _rows(session: SQLiteSession, sql: str) -> list[Any]:
    return list(session.execute(session.prepare(sql, ()), []).fetch(0))


def test_repeatable_picks_the_same_rows(engine_session: SQLiteSession) -> None:
    """The same seed, the same rows; another seed of 200 rows, other rows; a sample within the table."""
    _rows(engine_session, "create table many as select g as a from generate_series(1, 200) g")
    sample = "select a from many tablesample bernoulli (50) repeatable ({}) order by a"
    first = _rows(engine_session, sample.format(7))
    assert first == _rows(engine_session, sample.format(7))
    assert first != _rows(engine_session, sample.format(8))
    assert 0 < len(first) < 200
    assert 0 <= len(_rows(engine_session, "select a from many tablesample system (30)")) <= 200
