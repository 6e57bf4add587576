"""Differential script for aggregates of an enclosing query (`translate/outer_aggregates.py`): an
aggregate in a subquery whose arguments use only an outer query's columns is that query's (one row,
grouped; its ungrouped columns 42803), in the subquery's select list, WHERE, JOIN conditions, GROUP
BY, HAVING, ORDER BY, inside an aggregate of the subquery, with FILTER and ORDER BY inside; two
levels out; mixed with the subquery's columns it is the subquery's; refused where the outer query
allows no aggregate (its WHERE, JOIN conditions, GROUP BY; UPDATE, DELETE, RETURNING; inside
an aggregate of its own or its FILTER); a grouped query's ungrouped column in its subqueries
(42803); HAVING without GROUP BY nor an aggregate in the select list. Runs against the engine
and a real PostgreSQL 15; outcome and messages must agree. Skipped without PostgreSQL."""

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
    "insert into o values (1, 1), (2, 1), (3, 2)",
    "create table i (b int)",
    "insert into i values (10), (20)",
    # the outer query's aggregate: one row, the max over o
    "select (select max(o.a) from i limit 1) from o",
    "select (select max(o.a) from i) from o",  # 21000: the subquery has two rows
    "select (select sum(o.a) + count(*) from i) from o",
    "select (select max(a) + max(b) from i limit 1) from o",
    "select (select string_agg(o.a::text, ',' order by o.a) from i limit 1) from o",
    "select (select array_agg(o.a order by o.a desc) from i limit 1) from o",
    "select (select count(distinct o.g) from i limit 1) from o",
    "select (select max(o.a) from i limit 1) from o where false",
    "select (select count(o.a) from i limit 1) from o where false",
    "select (select max(o.a) from i limit 1), count(*) from o",
    "select (select max(o.a) from i limit 1) as m from o order by m",
    "select (select max(o.a) from i union all select 5 order by 1 limit 1) from o",
    "select (select max(s.x) from i limit 1) from (select a from o) s(x)",
    "with w as (select * from o) select (select max(w.a) from i limit 1) from w",
    # grouped by it: the outer query's columns must be grouped
    "select (select max(o.a) from i limit 1), g from o",
    "select (select max(o.a) from i limit 1) from o order by a",
    "select (select i.b from i where i.b > sum(o.a) limit 1), g from o",
    "select g, (select count(o.a) from i limit 1) from o group by g order by g",
    "select a, (select count(o.a) from i) from o group by a order by a",
    "select g from o group by g having (select max(o.a) from i limit 1) > 2 order by g",
    "select g from o group by g order by (select max(o.a) from i limit 1) desc",
    # in the subquery's WHERE, JOIN conditions, GROUP BY, HAVING, ORDER BY
    "select (select 1 from i where max(o.a) > 1 limit 1) from o",
    "select (select i.b from i where i.b > max(o.a) * 5 order by 1 limit 1) from o",
    "select g, (select count(*) from i where i.b > sum(o.a) * 6) from o group by g order by g",
    "select g, (select count(*) from i where i.b > sum(o.a) filter (where o.a > 1) * 6) from o "
    "group by g order by g",
    "select (select 1 from i join i i2 on max(o.a) > 1 limit 1) from o",
    "select (select count(*) from i group by max(o.a)) from o",
    "select (select count(*) from i having max(o.a) > 1) from o",
    "select g, (select i.b from i group by i.b having max(o.a) > 2 order by i.b limit 1) from o "
    "group by g order by g",
    "select (select i.b from i order by max(o.a) + i.b limit 1) from o",
    "select (select string_agg(i.b::text, ',' order by max(o.a) + i.b) from i) from o",
    "select g from o group by g having (select count(*) from i where i.b > max(o.a) * 6) > 0 order by g",
    # inside an aggregate of the subquery
    "select (select sum(i.b + max(o.a)) from i) from o",
    "select g, (select sum(i.b + max(o.a)) from i) from o group by g order by g",
    # two levels out, and mixed levels (the inner query's then)
    "select (select (select max(o.a) from i i2 limit 1) from i limit 1) from o",
    "select g, (select (select max(o.a) from i i2 limit 1) from i limit 1) from o group by g order by g",
    "select g, (select count(*) from i where i.b > (select sum(o.a) * 6 from i i3 limit 1)) from o "
    "group by g order by g",
    "select (select (select max(o.a + i.b) from i i2 limit 1) from i order by 1 limit 1) from o order by 1",
    "select (select max(o.a + i.b) from i) from o order by 1",
    "select (select max(o.a) filter (where i.b > 10) from i) from o order by 1",
    "select (select count(*) from i) from o",
    "select (select max(x.a) from o x where x.g = o.g) from o order by 1",
    "select (select count(*) from i where i.b > max(x)) from generate_series(1, 15) x",
    "select (select x from (select max(o.a) as x) s) from o",
    # where the outer query allows no aggregate
    "select a from o where a = (select max(o.a) from i)",
    "select count(*) from o where (select max(o.a) from i limit 1) > 0",
    "select * from o join i on (select max(o.a) from i i2) > 1",
    "select 1 from o group by (select max(o.a) from i limit 1)",
    "select g, sum((select max(o.a) from i)) from o group by g",
    "select g, sum((select (select max(o.a) from i i2 limit 1) from i limit 1)) from o group by g",
    "select g, string_agg((select max(o.a) from i limit 1)::text, ',') from o group by g",
    "select g from o group by g having sum((select max(o.a) from i limit 1)) > 1",
    "select g, count(*) filter (where (select max(o.a) from i limit 1) > 1) from o group by g",
    "select g, sum((select max(i.b) from i)) from o group by g order by g",
    "select g, sum((select max(i.b + o.a) from i)) from o group by g order by g",
    "select g, count(*) filter (where (select max(i.b) from i limit 1) > 1) from o group by g order by g",
    # a grouped query's columns in its subqueries: only grouped ones (or of a grouped primary key)
    "create table k (id int primary key, v int)",
    "insert into k values (1, 5), (2, 6)",
    "select g, (select o.a from i limit 1) from o group by g",
    "select g, (select max(i.b) from i where i.b > o.a) from o group by g",
    "select g, exists (select 1 from i where i.b = o.a) from o group by g",
    "select g from o group by g having exists (select 1 from i where i.b > o.a)",
    "select count(*), (select o.a from i limit 1) from o",
    "select g from o group by g order by (select o.a from i limit 1)",
    "select g, (select (select o.a) from i limit 1) from o group by g",
    "select g + 1, (select o.g from i limit 1) from o group by g + 1",
    "select g, (select max(i.b + o.a) from i) from o group by g",
    "select g, (select max(i.b) from i where i.b > o.g * 10) from o group by g order by g",
    "select g, (select max(o.a + o.g) from i) from o group by g order by g",
    "select g, count(*) from o where a in (select o.a from i) group by g order by g",
    "select id, (select k.v from i limit 1) from k group by id order by id",
    "select v, (select k.id from i limit 1) from k group by v",
    "select g, (select x.a from o x where x.g = o.g order by 1 limit 1) from o group by g order by g",
    # HAVING without GROUP BY nor an aggregate in the select list: one group (SQLite refused it)
    "select 1 from o having count(*) > 1",
    "select 1 as one, 'x' from o having count(*) > 50",
    "select 1 from o where false having count(*) = 0",
    "select (select 7) as s from o having sum(a) > 0",
    "select 1 from o having true",
    "select 1 from o having a > 1",
    # in UPDATE, DELETE and RETURNING: refused as the statement's own
    "update o set g = (select max(o.a) from i)",
    "update o set g = 1 where a = (select max(o.a) from i)",
    "update o set g = 1 returning (select max(o.a) from i)",
    "delete from o where a = (select max(o.a) from i)",
    "delete from o returning (select max(o.a) from i)",
    "insert into o values (4, 4) returning (select max(o.a) from i)",
    "insert into o values (4, 4) returning (select max(o.a + i.b) from i)",
    "update o set g = 1 where a = 1 returning (select max(i.b + o.a) from i)",
    "delete from o where a = 4",
    # written by INSERT ... SELECT
    "insert into o select (select max(x.a) from i limit 1), 9 from o x",
    "select * from o order by g, a",
]

reference = reference_database("differential_outer_aggregates")
engine_session = engine_store("differential_outer_aggregates")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome and error message."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
