"""Differential script for the functions that write values into JSON (translate.json_building):
to_json, to_jsonb, array_to_json, row_to_json (pretty too), json(b)_build_array,
json(b)_build_object, json(b)_object over text arrays, and the aggregates json(b)_agg and
json(b)_object_agg with ORDER BY and FILTER (window functions too): numbers keeping their text,
dates in ISO 8601, unicode, nested arrays, rows and composite values, NULLs, a missing row of an
outer join, the json layout against jsonb's normalised one, the result types, and PostgreSQL's
errors (SQLSTATE and message; a function PostgreSQL has not is 42883 naming its argument types).
Each statement runs against the engine and a real PostgreSQL 15 in order; the outcome (columns and
their type OIDs, rows, messages, transaction status) must agree. Skipped without PostgreSQL."""

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

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "create table item (id int primary key, name text, price numeric(8, 2), tags text[], at timestamptz,"
    " d date, ok boolean, doc jsonb, j json)",
    "insert into item values (1, 'é \"q\" 😀', 1.50, '{a,b}', '2020-01-01 10:00+00', '2020-02-03', true,"
    " '{\"b\":1,\"a\":[1,2.50]}', '{\"z\" : 1,  \"y\":2}'),"
    " (2, null, null, null, null, null, null, null, null),"
    " (3, 'x', 3, '{}', '-infinity', 'infinity', false, '\"s\"', 'null')",
    # scalars
    "select to_json(1), to_jsonb(1.50), to_json(12345678901234567890::numeric),"
    " to_jsonb(0.000001000::numeric)",
    "select to_json(1.0::float8), to_json(1e100::float8), to_jsonb(1e-7::float8), to_json('NaN'::numeric),"
    " to_jsonb('-Infinity'::float8)",
    "select to_json('10:00'::time), to_json('1 day'::interval), to_json('\\x01'::bytea),"
    " to_json(E'a\\nb\\u0001\"'::text), to_json('ü😀'::text), to_jsonb('ü😀'::text)",
    "select to_json(true), to_jsonb(false), to_json('2020-01-01 10:00'::timestamp),"
    " to_jsonb('2020-01-01'::date)",
    "select to_json(null::int), to_jsonb(null::text), array_to_json(null::int[])",
    "select to_json('ab'::char(4)), json_build_object('ab'::char(4), 'x'::char(3)),"
    " to_jsonb(array['a'::char(2)]), to_json('b '::varchar), to_json('n'::name)",
    "select to_json(tags), to_jsonb(tags), array_to_json(tags), to_json(doc), to_json(j), to_jsonb(j)"
    " from item order by id",
    "select to_json(array[[1, 2], [3, null]]), to_jsonb(array[['a'], ['b']]),"
    " array_to_json(array[[1, 2], [3, 4]], true)",
    # rows
    "select row_to_json(item) from item order by id",
    "select to_jsonb(item) from item order by id",
    "select row_to_json(t, true), to_json(t) from (select 1 a, 'x' \"B\", array[1] c) t",
    "select json_build_array(t.*), row_to_json(t.*), to_jsonb(t.*) from (values (1, 'x')) t(a, b)",
    "select pg_catalog.row_to_json(t), pg_catalog.to_jsonb(t) from (values (1, 'x')) t(a, b)",
    "select json_agg(t.* order by a) from (values (1, 'x'), (2, 'y')) t(a, b)",
    "select to_json(*) from (values (1)) t(a)",
    "select row_to_json(row(1, row(2, 'x'))), to_json(row(1, 'a')), to_jsonb(row(null, true))",
    "create type pair as (x int, y text, z date)",
    "create table holder (id int, p pair, ps pair[])",
    "insert into holder values (1, row(1, 'a', '2020-01-01'), array[row(2, 'b', null)::pair]), (2,"
    " null, null)",
    "select to_json(p), row_to_json(p), to_jsonb(ps), array_to_json(ps, true) from holder order by id",
    "select json_agg(p order by id), json_agg(ps order by id), json_agg(holder order by id) from holder",
    "select to_json('x'::\"char\"), to_json('a'::name), to_json(1::oid), to_json('1.5'::money),"
    " to_json('(1,2)'::point)",
    # an extension's type is written by its cast to json
    "create extension hstore",
    "create table tagged (id int primary key, h hstore)",
    "insert into tagged values (1, 'a=>1, b=>NULL'), (2, '')",
    "select to_json(h), to_jsonb(h), row_to_json(tagged), json_build_object('h', h) from tagged order by id",
    "select json_agg(tagged order by id), jsonb_agg(h order by id), json_object_agg(id, h) from tagged",
    "select json_build_object(h, 1) from tagged",
    # an array_agg of rows
    "select array_to_json(array_agg(t)), to_json(array_agg(t)),"
    " array_to_json(array_agg(t order by a desc), true), json_build_object('x', array_agg(t))"
    " from (values (1, 'x'), (2, 'y')) t(a, b)",
    "select array_to_json(array_agg(row(a, b))), array_to_json(array_agg(t) filter (where a > 5)),"
    " json_build_array(array_agg(t) filter (where a > 5)) from (values (1, 'x'), (2, 'y')) t(a, b)",
    # builders
    "select json_build_array(1, 'a', null, true, array[1, 2], '{\"a\":1}'::jsonb, row(1, 'x'), 2.50)",
    "select jsonb_build_array(1, 'a', null, true, array[1, 2], '{\"b\":1, \"a\":2}'::json, row(1,"
    " 'x'), 2.50)",
    "select json_build_array(), jsonb_build_array(), json_build_object(), jsonb_build_object()",
    "select jsonb_build_object('b', 1, 'a', 2, 'a', 3), json_build_object('b', 1, 'a', 2, 'a', 3)",
    "select json_build_object(at, 1, d, 2, ok, 3, 1.5, 4), jsonb_build_object(at, 1, d, 2, ok, 3, 1.5, 4)"
    " from item where id = 1",
    "select jsonb_build_object('r', row(1, 'x'), 'n', null, 'e', 'é')",
    "select json_build_object('{1}'::int[], 1)",
    "select jsonb_build_object('{\"a\":1}'::jsonb, 1)",
    "select jsonb_build_object(null, 1)",
    "select jsonb_build_object(1)",
    "select json_object('{a,1,b,2}'), json_object('{{a,1},{b,2}}'), json_object('{a,b}', '{1,null}'),"
    " json_object('{}'), jsonb_object('{b,2,a,1}'), jsonb_object('{a,b}', '{1,2}')",
    "select json_object('{a,b,c}')",
    "select json_object('{{a,1,2}}')",
    "select json_object('{a,b}', '{1}')",
    "select json_object('{a,null}'::text[], '{1,2}')",
    "select json_object('{{{a}}}')",
    "select json_object(array[1, 2])",
    # aggregates
    "select json_agg(x), jsonb_agg(x) from generate_series(1, 3) x",
    "select json_agg(x order by x desc) filter (where x > 1),"
    " jsonb_agg(x order by x desc) filter (where x > 1)"
    " from generate_series(1, 4) x",
    "select json_agg(x), jsonb_agg(x) from generate_series(1, 0) x",
    "select json_agg(distinct x), jsonb_agg(distinct x)"
    " from (values (3), (null), (1), (3), (null), (2)) t(x)",
    "select json_agg(distinct x order by x desc), json_agg(distinct x order by x nulls first)"
    " from (values (3), (null), (1)) t(x)",
    "select json_agg(distinct x), json_agg(distinct x) filter (where x > 1)"
    " from (values (1.0), (1.00), (2)) t(x)",
    "select json_agg(distinct x), json_agg(distinct d) from (values ('b', '2020-01-02'::date), ('B', null),"
    " ('a', '2020-01-01'), ('b', '2020-01-01')) t(x, d)",
    "select json_agg(distinct x) from (values (array[2, 1]), (array[1]), (array[2, 1])) t(x)",
    "select json_agg(distinct x order by x + 1) from (values (3), (1)) t(x)",
    "select json_agg(distinct x) over () from (values (1)) t(x)",
    "select json_agg(distinct x) from (values ('{}'::json)) t(x)",
    "select json_agg(distinct x, x) from (values (1)) t(x)",
    "select json_agg(x) from (values (array[1, 2]), (null), (array[3])) t(x)",
    "select json_agg(x) from (values ('{\"a\":1}'::json), ('[1]'::json), (null)) t(x)",
    "select json_agg(item order by id), jsonb_agg(item order by id desc) from item",
    "select id, json_agg(name) from item group by id order by id",
    "select json_object_agg(id, doc order by id), jsonb_object_agg(id, doc) from item",
    "select json_object_agg(k, v), jsonb_object_agg(k, v) from (values ('a', 1), ('b', 2), ('a', 3)) t(k, v)",
    "select json_object_agg(d, ok), json_object_agg(at, ok) from item where d is not null",
    "select json_object_agg(x, x), jsonb_object_agg(x, x) from generate_series(1, 0) x",
    "select json_object_agg(k, v) from (values (null, 1)) t(k, v)",
    "select jsonb_object_agg(k, v) from (values (null, 1)) t(k, v)",
    "select json_object_agg(k, v) from (values (array[1], 1)) t(k, v)",
    # a missing row of an outer join is NULL
    "create table parent (id int primary key, v text)",
    "create table child (id serial primary key, parent_id int, w int)",
    "insert into parent values (1, 'x'), (2, 'y')",
    "insert into child (parent_id, w) values (1, 10), (1, 20)",
    "select parent.id, json_agg(child order by w) from parent left join child on child.parent_id = parent.id"
    " group by parent.id order by parent.id",
    "select parent.id, row_to_json(child), to_jsonb(child) from parent left join child"
    " on child.parent_id = parent.id order by 1, 2::text",
    "select row_to_json(child) from child right join parent on child.parent_id = parent.id order by 1::text",
    "select pg_catalog.row_to_json(child), pg_catalog.json_agg(child) over () from parent left join child"
    " on child.parent_id = parent.id and child.w > 10 order by parent.id",
    "select parent.id, array_to_json(array_agg(child order by w)) from parent left join child"
    " on child.parent_id = parent.id group by parent.id order by parent.id",
    "select p.id, (select json_agg(c.w order by c.w desc) from child c where c.parent_id = p.id)"
    " from parent p order by p.id",
    # PostgREST's shape: a schema-qualified `table.*`, the rows of a CTE's subquery
    "with pgrst_source as (select \"public\".\"parent\".* from \"public\".\"parent\")"
    " select null::bigint as total_result_set, pg_catalog.count(_postgrest_t) as page_total,"
    " coalesce(json_agg(_postgrest_t), '[]')::character varying as body"
    " from (select * from pgrst_source) _postgrest_t",
    # the row a scalar subquery selects (Hasura's shape)
    "select coalesce(json_agg(\"root\" order by id), '[]') from (select row_to_json((select \"_e\" from"
    " (select \"_root.base\".\"id\" as \"id\", \"_root.base\".\"v\" as \"v\") as \"_e\")) as \"root\", id"
    " from (select * from parent) as \"_root.base\") as \"_root\"",
    "select to_json((select p from parent p where id = 1)), to_jsonb((select p from parent p where id = 1)),"
    " json_build_object('x', (select p from parent p where id = 9), 'y', (select row(1, 'a')))",
    "select to_json((select id from parent where id = 1)), json_agg((select v from parent where id = x))"
    " from generate_series(1, 3) x",
    "select row_to_json((select p from parent p))",
    "select to_json(array(select p from parent p order by id desc)),"
    " array_to_json(array(select p from parent p order by id), true),"
    " json_build_object('x', array(select row(id) from parent order by id)),"
    " jsonb_build_array(array(select p from parent p where false))",
    "select to_json(array(select id from parent order by id)), json_agg(array(select p from parent p"
    " where p.id = x)) from generate_series(1, 3) x",
    # a whole row in a grouped query: grouped by its primary key, else 42803
    "select row_to_json(parent), count(child.id) from parent left join child on child.parent_id = parent.id"
    " group by parent.id order by parent.id",
    "select row_to_json(parent) from parent group by parent.v",
    "with c as (select 1 a, 'x' b) select json_agg(c), row_to_json(c) from c group by c.a, c.b",
    # types and arguments PostgreSQL refuses
    "select to_json('abc')",
    "select to_jsonb(null)",
    "select json_agg('a')",
    "select array_to_json('{1,2}')",
    "select array_to_json(1)",
    "select array_to_json(array[1], 1)",
    "select row_to_json(1)",
    "select row_to_json(row(1), 'x')",
    "select to_json(1, 2)",
    "select json_agg(x, 1) from generate_series(1, 3) x",
    "select json_object_agg(x) from generate_series(1, 3) x",
    "select json_agg(x order by x) from generate_series(1, 3) x where json_agg(x) is null",
    "select length(json_build_array(" + ", ".join(["1"] * 100) + ")::text)",
    "select jsonb_build_object(" + ", ".join(["1"] * 102) + ")",
    # a function PostgreSQL has not: 42883 naming the argument types (SQLite's own functions too)
    "select json_array_agg(1)",
    "select jsonb_foo('a', 2, null)",
    "select json_array(1, 2)",
    "select json_valid('1')",
    "select json_group_array(x) from generate_series(1, 2) x",
    "select typeof(1.5)",
    "select instr('abc', 'b')",
    # as window functions
    "select x, json_agg(x) over (order by x rows between 1 preceding and current row),"
    " jsonb_object_agg(x, x * 2) over (order by x rows 1 preceding),"
    " json_agg(x) over () from generate_series(1, 4) x",
    "select json_agg(x order by x) over () from generate_series(1, 2) x",
]

reference = reference_database("differential_json_building")
engine_session = engine_store("differential_json_building")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


REFUSED = [
    ("create table lonely (v int)", None),
    ("select json_agg(l) from parent left join lonely l on l.v = parent.id",
     "nullable side of an outer join"),
    ("select to_json(r) from (select row(1, 2) r) s", "record whose field names are not known"),
    ("select json_agg(distinct t) from (values (1)) t(x)", "json_agg(DISTINCT row)"),
    ("select jsonb_agg(distinct x) from (values ('{}'::jsonb)) t(x)", "jsonb_agg(DISTINCT ...) of jsonb"),
    ("select to_json(array[h]) from tagged", "hstore inside an array"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    assert_refused_clearly(engine_session, sql, named)
