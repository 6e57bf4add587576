"""Differential scripts for the range and multirange types: text input and output (canonical forms,
quoting, errors with PostgreSQL's SQLSTATE), constructors, operators, functions, casts, ordering and
equality (numrange compares its bounds by value), table columns (ORDER BY, DISTINCT, GROUP BY, UNIQUE,
indexes), arrays of ranges, the session time zone, range_agg, range_intersect_agg and
unnest(multirange). Each statement runs against the engine and a real PostgreSQL 15 in order (state
carries over); the tag, columns (names, OIDs, typmods), rows (text form), SQLSTATE and messages must
agree. Skipped without PostgreSQL."""

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

RANGES = [
    "select '[1,5]'::int4range, 'empty'::numrange, '(,)'::tstzrange, '[2000-01-01,2000-01-31]'::daterange",
    "select '(1,2)'::int4range, '[1,1]'::int4range, '(1,1]'::numrange, '[1,1]'::numrange, ' [ 1 , "
    "2 ) '::int4range",
    "select '[\"2000-01-01 10:00\",\"2000-01-02\")'::tsrange, '[2000-01-01 10:00+02,)'::tstzrange",
    "select '[1,5]'::int4range::text, ('(,\"a b\")'::text)",
    "select '[3,1]'::int4range",
    "select '[1,2'::int4range",
    "select 'empty x'::int4range",
    "select '[a,2)'::int4range",
    "select int4range(1, 5), int4range(1, 5, '[]'), int4range(null, 5), int4range(null, null), "
    "int4range(5, 5)",
    "select int8range(1, 2), numrange(1.5, 2.50, '(]'), numrange(1, 2), daterange('2000-01-01', "
    "'2000-02-01', '[]')",
    "select tsrange('2000-01-01', '2000-01-02'), tstzrange('2000-01-01 10:00+02', null, '()')",
    "select tsrange(date '2000-01-01', date '2000-01-02'), numrange(1::int2, 3::int8)",
    "select int4range(3, 1)",
    "select int4range(1, 2, 'x')",
    "select int4range(1, 2, null)",
    "select int4range(1, 2, '[]]')",
    "select int4range(2147483647, 2147483647, '[]')",
    "select int4range(1, 2.5)",
    "select int4range('a', 'b')",
    "select int4range(1)",
    "select int4range(1, 5) = int4range(1, 5, '[)'), int4range(1, 5) <> '[1,4]', "
    "'[1,5)'::int4range = '[1,5)'::int8range",
    "select numrange(1.0, 2) = numrange(1, 2.00), numrange(1, 2) < numrange(1, 3), "
    "'empty'::numrange < numrange(1, 2)",
    "select int4range(1, 5) < int4range(1, 6), int4range(null, 5) < int4range(1, 5), int4range(1, "
    "null) > int4range(1, 5)",
    "select int4range(1, 5) @> 3, int4range(1, 5) @> 5, int4range(1, 5) @> int4range(2, 3), int4range(1, "
    "5) @> 'empty'",
    "select 3 <@ int4range(1, 5), int4range(2, 3) <@ int4range(1, 5), 'empty'::int4range <@ int4range(1, "
    "2)",
    "select numrange(1, 5) @> 3.5, numrange(1, 5) @> 5.0, daterange('2000-01-01', "
    "'2000-02-01') @> date '2000-01-15'",
    "select tstzrange('2000-01-01', '2000-01-02') @> timestamptz '2000-01-01 12:00+00', tsrange(null, "
    "null) @> timestamp '2000-01-01'",
    "select int4range(1, 5) @> 3::int8",
    "select numrange(1, 5) @> 3",
    "select int4range(1, 5) @> '3'",
    "select int4range(1, 5) && int4range(4, 6), int4range(1, 5) && int4range(5, 6), "
    "'empty'::int4range && int4range(1, 2)",
    "select int4range(1, 5) << int4range(5, 6), int4range(1, 5) >> int4range(-3, 0), int4range(1, "
    "5) << 'empty'",
    "select int4range(1, 5) -|- int4range(5, 6), numrange(1, 5) -|- numrange(5, 6), numrange(1, 5, "
    "'[]') -|- numrange(5, 6), int4range(1, 5, '[]') -|- int4range(6, 7)",
    "select int4range(1, 5) &< int4range(3, 8), int4range(1, 9) &< int4range(3, 8), int4range(1, "
    "5) &> int4range(0, 8), int4range(1, 5) &> int4range(3, 8)",
    "select int4range(1, 5) + int4range(5, 8), int4range(1, 5) + int4range(3, 8), int4range(1, "
    "5) + 'empty'",
    "select int4range(1, 5) + int4range(6, 8)",
    "select numrange(1, 5) + numrange(5, 8, '(]')",
    "select int4range(1, 5) * int4range(3, 8), int4range(1, 5) * int4range(6, 8), numrange(1, "
    "5) * numrange(5, 6, '[]')",
    "select int4range(1, 5) - int4range(3, 8), int4range(1, 5) - int4range(0, 3), int4range(1, "
    "5) - int4range(0, 9), int4range(1, 5) - int4range(7, 9)",
    "select int4range(1, 9) - int4range(3, 4)",
    "select numrange(1, 5) - numrange(1, 3), numrange(1, 5, '[]') - numrange(3, 5)",
    "select lower(int4range(1, 5)), upper(int4range(1, 5)), lower('empty'::int4range), "
    "upper(int4range(1, null)), lower(numrange(1.50, 2))",
    "select isempty(int4range(1, 1)), lower_inc(int4range(1, 5)), upper_inc(numrange(1, 5, '[]')), "
    "lower_inf(int4range(null, 5)), upper_inf('empty'::int4range), lower_inf('empty'::int4range)",
    "select lower(tstzrange('2000-01-01 10:00+02', null)), upper(daterange('2000-01-01', '2000-01-05', "
    "'[]'))",
    "select range_merge(int4range(1, 2), int4range(5, 8)), range_merge('empty'::int4range, int4range(5, "
    "8)), range_merge(numrange(1, 2), numrange(1, 2))",
    "select range_merge(int4range(1, 2), numrange(1, 2))",
    "select array['empty'::int4range, '(,)'::int4range], array[numrange(1, 2)], "
    "'{\"[1,2)\",empty}'::int4range[]",
    "select array[int4range(1, 2)] = array[int4range(1, 2, '[)')], array[numrange(1.0, "
    "2)] = array[numrange(1, 2.0)]",
    "select pg_typeof(int4range(1, 2)), pg_typeof(numrange(1, 2) * numrange(1, 2)), "
    "pg_typeof(lower(daterange('2000-01-01', null)))",
    "select '[1,2)'::int4range::int4multirange, int4range(1, 2)::text",
    "select '[1,2)'::int4range::int8range",
    "select int4range(1, 2)::numrange",
    "select coalesce(null, int4range(1, 2)), case when true then int4range(1, 3) else '[2,4)' end, "
    "nullif(int4range(1, 2), int4range(1, 2))",
    "select greatest(int4range(1, 2), int4range(1, 3)), least(numrange(1, 2), 'empty')",
    "select int4range(1, 2) in (int4range(1, 2), int4range(3, 4)), numrange(1.0, 2) in (numrange(1, "
    "2.00))",
    "select int4range(1, 2) is distinct from int4range(1, 2), numrange(1.0, "
    "2) is not distinct from numrange(1, 2.00)",
]

RANGE_COLUMNS = [
    "create table r (id int primary key, a int4range, n numrange, d daterange, t tstzrange, ts tsrange, "
    "b int8range)",
    "insert into r values (1, '[1,5)', '[1.0,2)', '[2000-01-01,2000-02-01)', '[2000-01-01,2000-02-01)', "
    "'[2000-01-01,2000-02-01)', '[1,2]'), (2, 'empty', 'empty', null, null, null, null), (3, '(,3)', "
    "'[1,2)', '(,)', '(,)', '(,)', '(,)'), (4, '[1,3)', '(1,2]', 'empty', "
    "'[2000-01-01 10:00+02,2000-01-02)', '[2000-01-01 10:00,)', '[5,6)')",
    "insert into r (id, a) values (5, int4range(1, 3) + int4range(3, 4)), (6, '[3,1)')",
    "insert into r (id, a) values (7, 'x')",
    "insert into r (id, a) values (8, 5)",
    "select * from r order by a, id",
    "select * from r order by n, id",
    "select * from r order by d desc nulls last, id",
    "select * from r order by t, id",
    "select id from r where n = '[1,2)' order by id",
    "select id from r where a @> 2 order by id",
    "select id from r where a && int4range(2, 4) and not isempty(a) order by id",
    "select distinct a from r order by a",
    "select a, count(*) from r group by a order by a",
    "select n, count(*) from r group by n order by n",
    "select max(a) from r",
    "select min(n) from r",
    "select sum(a) from r",
    "select id, a < int4range(2,3), a >= '[1,6)', a = int4range(1,5) from r order by id",
    "update r set a = a * int4range(0, 2) where id = 1 returning a",
    "select id, lower(a), upper(a), isempty(a), lower_inc(a), upper_inc(a), lower_inf(a), "
    "upper_inf(a) from r order by id",
    "select id from r where t @> timestamptz '2000-01-01 09:00+00' order by id",
    "create table u (r int4range unique)",
    "insert into u values ('[1,3)'), ('[1,2]')",
    "create table un (r numrange primary key)",
    "insert into un values ('[1,2)'), ('[1.0,2)')",
    "create index on r (a)",
    "select id from r where a = '[1,3)' order by id",
    "select a from r union select int4range(1, 3) order by 1",
    "select a from r intersect select '[1,5)'::int4range",
    "select * from (values (int4range(1, 2)), ('[3,4)')) v(x) order by x desc",
    "select int4range(1, 2) = any(array[int4range(1, 2), int4range(3, 4)]), numrange(1, "
    "2) = any(array[numrange(1.0, 2)])",
    "select a from r where a in (select a from r where id = 4)",
    "create table arr (x int4range[], m datemultirange[])",
    "insert into arr values (array['[1,2)'::int4range, 'empty'], "
    "'{\"{[2000-01-01,2000-01-03)}\",\"{}\"}')",
    "select x, m, x[1], m[2] from arr",
]

MULTIRANGES = [
    "select '{}'::int4multirange, '{[1,3), [2,5), empty, (7,8)}'::int4multirange, ' { [1,2] , "
    "(,0) } '::int4multirange",
    "select '{[1.0,2), [1.00,3)}'::nummultirange, '{[2000-01-01,2000-01-05], "
    "[2000-01-06,2000-01-10)}'::datemultirange",
    "select '{[\"2000-01-01 10:00+02\",)}'::tstzmultirange, '{(,)}'::tsmultirange",
    "select '{[1,2),}'::int4multirange",
    "select '{[3,1)}'::int4multirange",
    "select '[1,2)'::int4multirange",
    "select int4multirange(), int4multirange(int4range(1, 2)), int4multirange(int4range(1, 2), "
    "int4range(2, 3), int4range(10, 11))",
    "select nummultirange(numrange(1, 2), '[5,6)'), datemultirange(daterange('2000-01-01', '2000-01-03'))",
    "select int4multirange(int4range(1, 2), null)",
    "select int4multirange(numrange(1, 2))",
    "select int4multirange(1, 2)",
    "select '{[1,3)}'::int4multirange = int4multirange(int4range(1, 3)), "
    "'{[1,3)}'::int4multirange < '{[1,4)}', '{}'::int4multirange < '{[1,2)}', "
    "'{[1,2)}'::int4multirange < '{[1,2),[3,4)}'",
    "select '{[1,5), [8,10)}'::int4multirange @> 3, '{[1,5), [8,10)}'::int4multirange @> 6, '{[1,5), "
    "[8,10)}'::int4multirange @> int4range(2, 3), '{[1,5), [8,10)}'::int4multirange @> int4range(2, 9)",
    "select '{[1,5), [8,10)}'::int4multirange @> '{[2,3), [8,9)}', int4range(1, 10) @> '{[2,3), "
    "[8,9)}'::int4multirange, 'empty'::int4range @> '{}'::int4multirange",
    "select 3 <@ '{[1,5)}'::int4multirange, int4range(2, 3) <@ '{[1,5)}'::int4multirange, "
    "'{[2,3)}'::int4multirange <@ int4range(1, 5)",
    "select '{[1,5), [8,10)}'::int4multirange && int4range(5, 8), '{[1,5), "
    "[8,10)}'::int4multirange && '{[4,6)}', int4range(1, 2) && '{[1,2)}'::int4multirange",
    "select '{[1,5)}'::int4multirange << '{[5,6)}', '{[1,5)}'::int4multirange >> int4range(-2, 0), "
    "'{[1,5)}'::int4multirange -|- '{[5,6)}', '{[1,5)}'::int4multirange &< int4range(1, 9), "
    "'{[1,5)}'::int4multirange &> '{[0,9)}'",
    "select int4range(1, 5) -|- '{[5,6), [9,10)}'::int4multirange, '{[1,2), "
    "[6,7)}'::int4multirange -|- int4range(2,3), '{}'::int4multirange << '{[1,2)}'",
    "select '{[1,5)}'::int4multirange + '{[3,8), [10,12)}', '{[1,5)}'::int4multirange * '{[3,8), "
    "[0,2)}', '{[1,10)}'::int4multirange - '{[3,4), [6,7)}'",
    "select '{[1,10)}'::nummultirange - '{[3,4], (6,7)}', '{[1,5)}'::int4multirange - '{}', "
    "'{}'::int4multirange - '{[1,2)}'",
    "select '{[1,5)}'::int4multirange + int4range(6, 8)",
    "select lower('{[1,5), [8,10)}'::int4multirange), upper('{[1,5), [8,10)}'::int4multirange), "
    "lower('{}'::int4multirange), isempty('{}'::int4multirange), isempty('{[1,2)}'::int4multirange)",
    "select lower_inc('{[1,5)}'::nummultirange), upper_inc('{[1,5]}'::nummultirange), "
    "lower_inf('{(,5)}'::int4multirange), upper_inf('{}'::int4multirange)",
    "select range_merge('{[1,5), [8,10)}'::int4multirange), range_merge('{}'::int4multirange)",
    "select '[1,2)'::int4range::int4multirange, 'empty'::int4range::int4multirange, "
    "'{[1,2)}'::int4multirange::text",
    "select array['{}'::int4multirange, '{(,)}'::int4multirange], "
    "'{\"{}\",\"{[1,2)}\"}'::datemultirange[]",
    "select pg_typeof('{}'::int4multirange * '{}'), pg_typeof(lower('{}'::tsmultirange))",
    "create table m (id int primary key, a int4multirange, n nummultirange)",
    "insert into m values (1, '{[1,3), [5,7)}', '{[1.0,2)}'), (2, '{}', '{}'), (3, '{(,0)}', '{[1,2)}'), "
    "(4, null, '{[1,2), [3,4)}')",
    "select * from m order by a, id",
    "select * from m order by n desc, id",
    "select id from m where a @> 6 order by id",
    "select id from m where n = '{[1,2)}' order by id",
    "select distinct n from m order by n",
    "select min(a) from m",
    "select int4multirange(null)",
    "select int4multirange(int4range(1, 2), null)",
    "select nummultirange(null::numrange)",
]

MORE = [
    "set timezone = 'America/New_York'",
    "select tstzrange('2000-01-01 10:00+02', '2000-06-01 10:00+02'), "
    "'{[2000-01-01,2000-01-02)}'::tstzmultirange",
    "select '[2000-01-01 00:00, 2000-01-02)'::tstzrange, tstzrange('2000-01-01', "
    "'2000-01-02') @> timestamptz '2000-01-01 02:00+00'",
    "select lower(tstzrange('2000-01-01', '2000-01-02'))",
    "set timezone = 'UTC'",
    "select 'r: ' || int4range(1, 2), int4range(1, 2) || 'x', '[1,2)'::text::int4range, int4range(1, "
    "2)::varchar, ('[1,3)'::varchar)::int4range",
    "select format('%s', int4range(1, 2)), concat(int4range(1, 2), numrange(1, 2)), length(int4range(1, "
    "2)::text)",
    "select int4range(1, 2) like '%1%'",
    "select upper(int4range(1, 2)) + 1, lower(numrange(1.5, 2)) * 2, upper('{[1,5)}'::int4multirange) - 1",
    "select isempty(null::int4range), lower(null::numrange), int4range(1, 2) @> null::int4, "
    "null::int4range @> 1",
    "select int4range(1,3) = null, int4range(1, 2) < null",
    "select upper(int4range(1, 2)), lower('abc'), upper('abc')",
    "select isempty('[1,2)')",
    "select lower_inc(1)",
    "select range_merge(int4range(1, 2))",
    "select int4range(1, 2) @> 1.5",
    "select int4range(1,10) @> int4range(1,3) and int4range(1,3) <@ int4range(1,10)",
    "select daterange('2000-01-01', 'infinity'), daterange('-infinity', '2000-01-01', '(]'), "
    "daterange('infinity', 'infinity', '[]')",
    "select numrange('NaN', 'NaN', '[]'), numrange(1, 'NaN'), numrange('-Infinity', 'Infinity')",
    "select int8range(9223372036854775807, 9223372036854775807, '[]')",
    "select int4range(-2147483648, -2147483648, '()')",
    "select '(,)'::int4range = '(,)'::int4range, 'empty'::int4range = 'empty', int4range(null, "
    "1) = int4range(null, 1, '()')",
]

AGGREGATES_AND_UNNEST = [
    "create table g (k int, r int4range, m nummultirange)",
    "insert into g values (1, '[1,3)', '{[1,2)}'), (1, '[2,5)', '{[1.5,3)}'), (1, '[8,9)', null), (2, "
    "null, '{}'), (2, 'empty', '{[0,1)}'), (3, null, null)",
    "select k, range_agg(r), range_intersect_agg(r), range_agg(m), "
    "range_intersect_agg(m) from g group by k order by k",
    "select range_agg(r) from g where false",
    "select range_agg(k) from g",
    "select range_agg('[1,2)')",
    "select range_intersect_agg(r) from g where k = 1 and r <> '[8,9)'",
    "select multirange(int4range(1, 2)), multirange(null::numrange), multirange('empty'::daterange)",
    "select multirange('{[1,2)}'::int4multirange)",
    "select unnest('{[1,2), [3,4)}'::int4multirange)",
    "select * from unnest('{[1,2), [3,4)}'::datemultirange) with ordinality",
    "select u.x from unnest('{}'::int4multirange) as u(x)",
    "select k, unnest(m) from g order by k, 2",
    "select pg_typeof(range_agg(r)), pg_typeof(range_intersect_agg(m)) from g",
    "select multirange('[1,2)')",
    "select range_merge('[1,2)', '[3,4)')",
    "select int4multirange('[1,2)')",
    "select int4multirange('{[1,2)}'), int4range('[1,2]'), int4range(null), numrange('(1,2)')",
    "select lower_inc(null)",
    "select range_intersect_agg(null)",
    "select multirange(int4range(1, 2))",
    "select * from unnest('{[1,2), [3,4)}'::int4multirange)",
    "select range_agg(r) from g",
    "select range_intersect_agg(r) from g",
    "select array_agg(r order by r) from g",
    "select string_agg(r::text, ';' order by r) from g",
    "select r, row_number() over (order by r desc) from g order by r",
]

# added columns with defaults, CREATE TABLE AS, views, CHECK, UNIQUE with ON CONFLICT, joins on &&, windows
DDL = [
    "create table d (id int primary key, v int)",
    "alter table d add column r numrange default '[1,2)'",
    "insert into d (id, v) values (1, 1), (2, 2)",
    "insert into d values (3, 3, '[1.0,2)'), (4, 4, '[0,1)')",
    "select * from d order by r, id",
    "select id from d where r = '[1,2)' order by id",
    "create table d2 as select id, r, int4range(id, id + 3) as s from d",
    "select * from d2 order by s desc",
    "select pg_typeof(r), pg_typeof(s) from d2 limit 1",
    "create view dv as select id, r * numrange(1.5, 3) as x from d",
    "select * from dv order by x, id",
    "create table c (r int4range check (not isempty(r)), u int4range unique)",
    "insert into c values ('[1,2)', '[1,2)')",
    "insert into c values ('empty', '[3,4)')",
    "insert into c values ('[1,3)', '[1,1]')",
    "insert into c values ('[1,3)', '[5,6)') on conflict (u) do nothing",
    "insert into c values ('[2,3)', '[5,6]') on conflict (u) do update set r = excluded.r returning *",
    "select * from c order by u",
    "select a.u, b.u from c a join c b on a.u && b.u and a.u <> b.u order by 1, 2",
    "select u, lag(u) over (order by u) from c order by u",
]

ALL_STEPS = [*RANGES, *RANGE_COLUMNS, *MULTIRANGES, *MORE, *AGGREGATES_AND_UNNEST, *DDL]

reference = reference_database("differential_ranges")
engine_session = engine_store("differential_ranges")


@pytest.mark.parametrize("sql", ALL_STEPS)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


# Not differential: PostgreSQL accepts these, the engine refuses them with 0A000 naming what it cannot hold.
REFUSED = [
    ("select int4range(1, 5) @> any(array[2, 9])", "@> with ANY"),
    ("select 2 <@ any(array[int4range(1, 3)])", "<@ with ANY"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    assert_refused_clearly(engine_session, sql, named)
