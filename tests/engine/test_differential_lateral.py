"""Differential script for set-returning functions in FROM that refer to the FROM items before them
(PostgreSQL's implicit LATERAL, and the LATERAL keyword): unnest of several arrays per row, NULL and
empty arrays, WITH ORDINALITY, LEFT JOIN LATERAL ... ON true, generate_series with bounds from
columns (integers and timestamps), WHERE / GROUP BY / ORDER BY over the function's column, names
shared with the table's columns or with SQLite's own names for the function's columns, and the
errors PostgreSQL gives; and functions of one value in FROM (`FROM pg_sleep(0.01)`): one row.
Runs against the engine and a real PostgreSQL 15; outcome, messages and notices must agree.
Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

SCRIPT = [
    "create table t (id int primary key, tags text[], a int[], n int, lo int, ts timestamp, tz timestamptz)",
    "insert into t values (1, '{red,green}', '{3,1,2}', 3, 1, '2024-01-01 00:00', '2024-03-30 22:00+00'), "
    "(2, '{}', '{}', 0, 2, '2024-03-01 12:00', null), (3, null, null, null, null, null, null), "
    "(4, '{blue,null}', '{{1,2},{3,4}}', -1, -3, '2024-02-28 00:00', '2024-10-26 23:00+00')",
    # unnest of a column, several per row, NULL and empty arrays, WITH ORDINALITY
    "select t.id, x from t, unnest(t.tags) x order by 1, 2",
    "select t.id, tag, v from t, unnest(t.tags) tag, unnest(t.a) v order by 1, 2, 3",
    "select * from t cross join lateral unnest(t.a) with ordinality u(v, o) order by 1, o",
    "select id, u.* from t cross join lateral unnest(t.tags) with ordinality as u order by id, ordinality",
    "select id, x from t, unnest(t.a || id) x where id = 2",
    "select id, x from t, unnest(array[t.id, t.n]) x order by 1, 2",
    "select id, x, g from t, unnest(t.a) x, generate_series(1, x) g where id = 1 order by 2, 3",
    "select count(*) from t, unnest(t.a) x, unnest(t.a) y",
    "select t.id, g from t, generate_series(2, 3) g where g = t.id order by 1",
    "select t.id, x from t join unnest(array[1, 4, 1]) x on x = t.id order by 1",
    "select t.id, x from t, unnest((select array_agg(id) from t as t2 where t2.id <= t.id)) x order by 1, 2",
    # LEFT JOIN LATERAL: a NULL row for a NULL or empty array
    "select id, x from t left join lateral unnest(t.a) x on true order by 1, 2",
    "select id, x, o from t left join unnest(t.tags) with ordinality as u(x, o) on true order by 1, 3",
    "select id, v from t left join lateral unnest(t.a) v on v > 1 order by 1, 2",
    "select id, v from t join unnest(t.a) v on v > id order by 1, 2",
    "select v.id, x from (values (1, array['a', 'b']), (2, null)) v(id, arr) "
    "left join unnest(v.arr) x on true order by 1, 2",
    "with w as (select id, a from t where id < 3) select w.id, x from w, unnest(w.a) x order by 1, 2",
    # RIGHT and FULL joins with a function on either side
    "select * from t right join unnest(array[1, 5]) x on x = t.id order by 1, 8",
    "select * from t full join generate_series(2, 4) g on g = t.id order by 1, 8",
    "select * from t full join unnest(array[3, 4]) with ordinality u(v, o) on v = t.id order by 1, 8",
    "select t.id, x, g from t cross join unnest(t.a) x full join generate_series(2, 4) g on g = x "
    "order by 1, 2, 3",
    "select t.id, x, k from t cross join unnest(t.a) x right join (values (2), (7)) v(k) on k = x "
    "order by 1, 2, 3",
    "select x, t.id from unnest(array[1, 2]) x right join t on x = t.id order by 2, 1",
    # generate_series with bounds from columns
    "select t.id, g from t, generate_series(1, t.n) g order by 1, 2",
    "select t.id, g from t, generate_series(t.lo, t.n) g order by 1, 2",
    "select t.id, g from t, generate_series(t.n, t.lo, -1) g order by 1, 2",
    "select id, g from t left join lateral generate_series(t.lo, t.n) g on true order by 1, 2",
    "select id, s.v from t, lateral generate_series(1, n) as s(v) where id = 1 order by 2 desc",
    "select id, g from t, generate_series(t.ts, t.ts + interval '1 day', interval '12 hours') g "
    "order by 1, 2",
    "select id, g from t left join generate_series(t.ts, t.ts + interval '1 day', '1 day') g on true "
    "order by 1, 2",
    "set timezone = 'Europe/Paris'",
    "select id, g from t, generate_series(t.tz, t.tz + interval '1 day', interval '1 day') g order by 1, 2",
    "reset timezone",
    # WHERE, GROUP BY, ORDER BY, DISTINCT, subqueries and UNION over the function's column
    "select id, x from t, unnest(t.a) x where x >= 2 order by x desc, id",
    "select x, count(*) from t, unnest(t.a) x group by x order by x",
    "select tag, count(*), min(id) from t, unnest(t.tags) tag group by tag having count(*) >= 1 "
    "order by tag nulls first",
    "select id, sum(x) from t left join unnest(t.a) x on true group by id order by id",
    "select id, array_agg(x order by x) from t, unnest(t.a) x group by id order by id",
    "select distinct x from t, unnest(t.a) x order by x",
    "select x % 2 as p, count(*) from t, unnest(t.a) x group by p order by 1",
    "select x as value from t, unnest(t.a) x where id = 1 order by value",
    "select x % 2 as value from t, unnest(t.a) x where id = 1 order by value, x",
    "select distinct on (id) id, x from t, unnest(t.a) x order by id, x desc",
    "select id, (select count(*) from unnest(t.a) x where x > 1) from t order by id",
    "select id, x, (select max(y) from unnest(t.a) y where y < x) from t, unnest(t.a) x where id = 1 "
    "order by x",
    "select s.id, s.x from (select id, x from t, unnest(t.a) x) s order by 1, 2",
    "select x from t, unnest(t.a) x where id = 1 union all select g from t, generate_series(1, t.n) g "
    "where id = 1 order by x desc",
    # names shared with the table's columns
    "select * from t, unnest(t.a) n order by 1, 8",
    "select n from t, unnest(t.a) n",
    "select * from t, unnest(t.a) with ordinality u(id, o)",
    "select t.n, u.n from t, unnest(t.a) u(n) where t.id = 1 order by u.n",
    # SQLite's names for the function's columns and arguments are not PostgreSQL's
    "select value from t, unnest(t.a) u",
    "select u.value from t, unnest(t.a) u",
    "select ordinality from t, unnest(t.a) u",
    "create table s (value int, start int, a int[])",
    "insert into s values (7, 2, '{1,2}'), (8, 5, null)",
    "select value from s, unnest(s.a) u order by u",
    "select value, start, u from s left join unnest(a) u on true order by 1, 3",
    "select (select value + u from unnest(s.a) u order by u desc limit 1) from s order by 1",
    "select g, start from s, generate_series(start, start + 1) g order by 1",
    "select u.* from s, unnest(s.a) with ordinality u order by 1",
    "select * from s cross join lateral unnest(s.a) as u(value) order by 1, 4",
    # UPDATE ... FROM generate_series: the target is not visible to its arguments
    "create table z (id int, v int)",
    "insert into z values (1, 1), (2, 2)",
    "update z set v = g from generate_series(5, 5) g where z.id = 1",
    "update z set v = g + v from generate_series(z.id, z.id + 1) g",
    "select * from z order by 1",
    # errors
    "select * from unnest(t.a) x, t",
    "select * from t, unnest(q.a) x",
    "select * from t, unnest(t.nosuch) x",
    "select * from unnest(a) x, t",
    "select * from t, unnest(t.n) x",
    "select * from t, generate_series(1, t.tags) g",
    "select * from t right join lateral unnest(t.a) x on true",
    "select * from t t1, unnest(t1.a) u, unnest(t1.tags) u",
    # a function of one value in FROM: one row, named by the alias, the column alias or the function
    "select 'x' as f from pg_sleep(0.01)",
    "select * from pg_sleep(0)",
    "select * from upper('a'), lower('B') as l, length('abc') as n(len)",
    "select u.*, u.u from upper('a') as u",
    "select t.id, s from t, repeat('ab', 2) s where t.id < 3 order by 1",
    "select * from abs(-3) a join t on t.id = a order by 1",
    "select * from upper('a') as u(x, y)",
]


reference = reference_database("differential_lateral")
engine_session = engine_store("differential_lateral")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


REFUSED = [
    ("create table r (id int, a int[])", None),
    ("select * from r, lateral (select r.id) s", "LATERAL subqueries"),
    ("select * from generate_series(1, 3) with ordinality", "WITH ORDINALITY"),
    ("select * from r, unnest(r.a) u(x) natural join r as r2", "NATURAL"),
    ("select * from r cross join unnest(r.a) as u(id) join r as r2 using (id)", "USING"),
    ("select x % 2 as value, count(*) from r, unnest(r.a) x group by value", "GROUP BY output column"),
    ("select * from r, abs(r.id) a", "FROM item"),
    ("select * from abs(-1) with ordinality", "FROM item"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    """What has no faithful translation yet is refused with 0A000 naming it (named None: a setup
    step that must succeed)."""
    assert_refused_clearly(engine_session, sql, named)
