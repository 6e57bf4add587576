"""Differential script for a join nested in another join's ON (`a LEFT JOIN b JOIN c ON x ON y`,
and the same written in parentheses), translated as SQLite's parenthesised join: outer, full and
right joins around inner ones, three levels deep, a subquery, generate_series and a TABLESAMPLE
among the nested items (its nested ON conditions translated as any), `*` and a bare column across
them, an aggregate in a nested ON refused as PostgreSQL refuses it. Each statement runs against the
engine and a real PostgreSQL 15 in order; tag, columns, rows, SQLSTATE and transaction status must
agree. Skipped without PostgreSQL. USING or NATURAL in (or beside) a nested join is refused with
0A000."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_script_step,
    engine_store,
    reference_database,
    reference_script_step,
)

SCRIPT = [
    "create table a (x int, ya int)",
    "create table b (x int, yb int)",
    "create table c (x int, yc int)",
    "create table d (x int, yd int)",
    "insert into a values (1, 10), (2, 20), (3, 30)",
    "insert into b values (1, 100), (2, 200)",
    "insert into c values (1, 1000), (3, 3000)",
    "insert into d values (1, 5)",
    "select * from a left join b join c on c.x = b.x on a.x = b.x order by a.x",
    "select * from a left join (b join c on c.x = b.x) on a.x = b.x order by a.x",
    "select a.x, b.yb, c.yc from a join b left join c on c.x = b.x on a.x = b.x order by 1",
    "select * from a full join b right join c on c.x = b.x on a.x = c.x order by 1, 3, 5",
    "select * from (a join b on a.x = b.x) order by 1",
    "select * from a left join b join c join d on d.x = c.x on c.x = b.x on a.x = b.x order by a.x",
    "select count(*) from a cross join b join c on c.x = b.x",
    "select x from a left join b join c on c.x = b.x on a.x = b.x",
    "select a.x, (select count(*) from b join c on c.x = b.x where b.x = a.x) from a order by 1",
    "select * from a left join b join c on c.x = b.x and c.yc > sum(b.yb) on a.x = b.x",
    "select s.* from a left join (select * from b) s join c on c.x = s.x on a.x = s.x order by 1",
    "select * from a left join b join generate_series(1, 2) g on g = b.x on a.x = b.x order by 1, 5",
    "select * from a left join b join c on c.x = b.x on a.x = b.x where c.yc is null order by a.x",
    "select * from a left join b tablesample bernoulli (100) join c on c.x = b.x on a.x = b.x order by a.x",
    "select a.x, count(c.x) from a left join b join c on c.x = b.x on a.x = b.x group by a.x order by 1",
    # a sampled first item: its nested ON conditions translated too
    "select a.x, c.yc from a left join b tablesample system (100) join c "
    "on (c.x::text || 'z') = (b.x::text || 'z') on a.x = b.x order by 1",
    "select a.x, b.yb from a left join b tablesample bernoulli (100) join c "
    "on exists (select 1 from public.c c2 where c2.x = c.x) on a.x = b.x order by 1",
    "select a.x from a left join ((select * from b) s join public.c q on s.x = q.x) on a.x = s.x order by 1",
]

reference = reference_database("nested_joins")
engine_session = engine_store("nested_joins")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)


REFUSED = [
    ("select * from a left join b join c using (x) on a.x = b.x", "USING or NATURAL"),
    ("select * from a join b using (x) left join b b2 join c on c.x = b2.x on a.x = b2.x",
     "USING or NATURAL"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    """USING or NATURAL in or beside a nested join: the columns they merge are not listed there."""
    assert_refused_clearly(engine_session, sql, named)
