"""Differential script for the functions and operators that work on json and jsonb values:
jsonb_set, jsonb_set_lax, jsonb_insert, `-` (key, keys, index), `#-`, `||`, json(b)_strip_nulls,
jsonb_pretty, json(b)_typeof, json(b)_array_length, jsonb_extract_path(_text), and the rows of
json(b)_each(_text), json(b)_array_elements(_text), json(b)_object_keys in FROM (columns, WITH
ORDINALITY, aliases, json keeping its input text, jsonb its normal form), their errors (SQLSTATE),
the result column types, and jsonpath refused. Each statement runs against the engine and a real
PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction status) and the error
messages must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_outcome,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    # jsonb_set, jsonb_set_lax, jsonb_insert
    "select jsonb_set('{\"a\":1}', '{a}', '2')",
    "select jsonb_set('[1,2]', '{5}', '9'), jsonb_set('[1,2]', '{-5}', '9'), jsonb_set('{\"a\":1}',"
    " '{b,c}', '1'),"
    " jsonb_set('{\"a\":1}', '{b}', '1', false), jsonb_set('{\"a\":{\"b\":1}}', '{a,b,c}', '1'),"
    " jsonb_set('[]', '{0}', '1'), jsonb_set('[[1]]', '{0,-3}', '0'), jsonb_set('{\"a\":1}', '{}', '2')",
    "select jsonb_set('{\"a\":[1]}', '{a, 1 }', '1')",
    "select jsonb_set('{\"a\":[1]}', '{a,x}', '1')",
    "select jsonb_set('{\"a\":1}', '{null}', '1')",
    "select jsonb_set('{\"a\":1}', '{{a}}', '1')",
    "select jsonb_set('1', '{a}', '2')",
    "select jsonb_set('{\"a\":1}'::text, '{a}', '1')",
    "select jsonb_set('{\"a\":1}', '{a}', null), jsonb_set_lax('{\"a\":1}', '{a}', null),"
    " jsonb_set_lax('{\"a\":1}', '{a}', null, true, 'delete_key'),"
    " jsonb_set_lax('{\"a\":1}', '{a}', null, true, 'return_target'),"
    " jsonb_set_lax('{\"a\":1}', '{a}', '2', true, 'anything')",
    "select jsonb_set_lax('{\"a\":1}', '{a}', null, true, 'raise_exception')",
    "select jsonb_set_lax('{\"a\":1}', '{a}', null, true, 'foo')",
    "select jsonb_set_lax('{\"a\":1}', '{a}', '2', true, null)",
    "select jsonb_insert('{\"a\":[1,2]}', '{a,1}', '9'), jsonb_insert('{\"a\":[1,2]}', '{a,1}', '9', true),"
    " jsonb_insert('{\"a\":1}', '{b}', '9'), jsonb_insert('[1,2]', '{-9}', '0'),"
    " jsonb_insert('[1,2]', '{-1}', '0'),"
    " jsonb_insert('[1,2]', '{-1}', '0', true)",
    "select jsonb_insert('{\"a\":1}', '{a}', '9')",
    # the delete operators and ||
    "select '{\"a\":1}'::jsonb - 'a', '[\"a\",\"b\",1]'::jsonb - 'a',"
    " '{\"a\":1,\"b\":2}'::jsonb - '{a,b}'::text[],"
    " '{\"a\":1,\"{a,b}\":2}'::jsonb - '{a,b}', '[1,2,3]'::jsonb - 1, '[1,2,3]'::jsonb - -1,"
    " '[1]'::jsonb - 5,"
    " '[]'::jsonb - 0, '{}'::jsonb - 'x', '[1]'::jsonb - null::int",
    "select '{\"a\":1}'::jsonb - 1",
    "select '\"a\"'::jsonb - 'a'",
    "select '{\"a\":1}'::jsonb - 1::int8",
    "select '{\"a\":1}'::json - 'a'",
    "select '{\"a\":{\"b\":[1,2]}}'::jsonb #- '{a,b,0}', '[1,2]'::jsonb #- '{-1}', '{}'::jsonb #- '{x}',"
    " '{\"a\":1}'::jsonb #- null",
    "select '[1]'::jsonb #- '{x}'",
    "select '1'::jsonb #- '{a}'",
    "select '{\"a\":1}'::jsonb #- '{a,null}'",
    "select '{\"a\":1}'::jsonb || '{\"b\":2, \"a\": 3}', '[1,2]'::jsonb || '3', '{\"a\":1}'::jsonb || '[3]',"
    " '1'::jsonb || '2', '[]'::jsonb || '{}', '{\"a\":1}'::jsonb || null",
    "select '{\"a\":1}'::json || '{\"b\":2}', '{\"a\":1}'::jsonb || 'x'::text",
    # strip_nulls, pretty, typeof, array_length, extract_path
    "select json_strip_nulls('{\"a\" : 1, \"b\":null, \"a\": \"\\u00e9\", \"c\": [1,  null,"
    " {\"x\" : null}]}'),"
    " jsonb_strip_nulls('{\"a\" : 1, \"b\":null, \"c\": [1,  null, {\"x\" : null}]}'),"
    " json_strip_nulls('null')",
    "select jsonb_pretty('{\"a\":[1,2,{\"b\":{}}], \"c\": [], \"d\": \"x\\ty\", \"é\": 1.50}'),"
    " jsonb_pretty('1'),"
    " jsonb_pretty('[]')",
    "select json_typeof('[1]'), json_typeof(' null '), json_typeof('-1.5e3'), json_typeof('\"s\"'),"
    " jsonb_typeof('true'), jsonb_typeof('{}'), json_typeof(null)",
    "select jsonb_typeof('1'::json)",
    "select json_typeof('1'::jsonb)",
    "select json_array_length('[1, [2, 3]]'), jsonb_array_length('[]'), jsonb_array_length(null)",
    "select json_array_length('{}')",
    "select jsonb_array_length('1')",
    "select jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', '1', 'b'),"
    " jsonb_extract_path_text('{\"a\":\"x\"}', 'a'),"
    " jsonb_extract_path('{\"a\":1}', 'z'), json_extract_path('{\"a\": [1, 2]}', 'a')",
    "select jsonb_extract_path('{\"a\":1}'::jsonb, 1)",
    # -> ->> #> #>> on json keep its text; a text step is a key, an integer one an index (a #> path's both)
    "select '{\"a\":1, \"a\":2}'::json -> 'a', '{\"a\":1, \"a\":2}'::json ->> 'a',"
    " '{\"a\": {\"b\" : [1,  2]}}'::json #> '{a,b}', '[1, [2,  3]]'::json -> -1,"
    " '{\"a\":\"x\\u00e9\"}'::json -> 'a', '{\"a\":\"x\\u00e9\"}'::json ->> 'a'",
    "select '{\"0\":1}'::json -> 0, '{\"0\":1}'::json ->> '0', '[5]'::json ->> '0', '[5]'::jsonb -> '0',"
    " '{\"0\":1}'::jsonb -> 0, '[5]'::jsonb -> 0",
    "select '[5, [6]]'::json #>> '{1,0}', '[5]'::jsonb #> '{0}',"
    " json_extract_path('[5, {\"a\" :  [1]}]', '1', 'a'),"
    " json_extract_path_text('[5, {\"a\" :  [1]}]', '1', 'a', '0'), jsonb_extract_path('[5]', '0')",
    "select '{\"a\": null}'::json ->> 'a', '{\"a\": null}'::json -> 'a', '{\"a\": true}'::json ->> 'a',"
    " '[\" x\"]'::json ->> 0, '{\"a\":1}'::json -> 'a' -> 'b', '\"s\"'::json -> 0",
    # the set-returning functions in FROM
    "select * from json_each(' {\"a\" : [1,  2], \"a\": \"x\\u00e9\\n\", \"b\":null, \"n\": 1.0e3}')",
    "select * from json_each_text(' {\"a\" : [1,  2], \"a\": \"x\\u00e9\\n\", \"b\":null, \"n\": 1.0e3}')",
    "select * from jsonb_each('{\"b\":1, \"a\": 2, \"aa\": {\"x\" : null}}') with ordinality",
    "select * from jsonb_each_text('{\"b\":\"s\", \"a\": null, \"c\": [1]}')",
    "select * from jsonb_array_elements_text('[\"a\",null,1,{\"x\": 1}]')",
    "select * from json_array_elements(' [ \"a\" , null,1.0e3 ,{\"x\" :  1}]')",
    "select * from json_array_elements_text('[\"a\", 1.0, true]') with ordinality as t(v, n)",
    "select * from json_array_elements('[1]') as t",
    "select * from json_object_keys('{\"a\":1, \"a\": 2, \"b\": 3}')",
    "select * from jsonb_object_keys('{\"b\":1,\"aa\":2,\"a\":3}') as k",
    "select k from jsonb_object_keys('{\"b\":1,\"aa\":2,\"a\":3}') k",
    "select * from json_each('{\"a\":1}') as t(k, v)",
    "select t.* from jsonb_each(null) t",
    "select * from json_each('[1]')",
    "select * from json_each('1')",
    "select * from jsonb_each('[1]')",
    "select * from json_array_elements('{\"a\":1}')",
    "select * from json_array_elements_text('1')",
    "select * from jsonb_array_elements('{\"a\":1}')",
    "select * from jsonb_array_elements_text('\"s\"')",
    "select * from json_object_keys('[1]')",
    "select * from jsonb_object_keys('1')",
    "select * from jsonb_each('{\"a\":1}'::json)",
    # on stored values
    "create table docs (id int, j json, b jsonb)",
    "insert into docs values (1, '{\"a\" : [1,  2], \"n\": null, \"s\": \"é\"}',"
    " '{\"a\": [1, 2], \"n\": null, \"s\": \"é\", \"z\": {\"k\": 1.50}}'),"
    " (2, '[1, \"x\", null]', '[1, \"x\", null]'), (3, null, null)",
    "select id, k.key, k.value from docs,"
    " jsonb_each(b) k where jsonb_typeof(b) = 'object' order by id, k.key",
    "select id, e.value, e.ordinality from docs, json_array_elements(j) with ordinality e"
    " where json_typeof(j) = 'array' order by id, e.ordinality",
    "select count(*) from docs, jsonb_each(b)",
    "select id, e.value from docs cross join lateral jsonb_array_elements_text(b) e"
    " where jsonb_typeof(b) = 'array' order by id, e.value",
    "select e, pg_typeof(e) from jsonb_array_elements('[1, \"a\"]') e",
    "select e from jsonb_array_elements('[1, \"a\"]') with ordinality e",
    "select d.id,"
    " x.* from docs d left join lateral json_each_text(d.j) x on true where d.id <> 2 order by 1, 2",
    "select id, jsonb_set(b, '{z,k}', '\"v\"'), b - 'a', b #- '{z,k}',"
    " b || '{\"q\": true}' from docs order by id",
    "select id, jsonb_pretty(b), json_strip_nulls(j), jsonb_strip_nulls(b) from docs order by id",
    "select id, json_typeof(j), jsonb_typeof(b), jsonb_typeof(b -> 'n') from docs order by id",
    "select jsonb_set(j, '{a}', '1') from docs",
    "update docs set b = jsonb_set(b, '{a,0}', '10') where id = 1",
    "update docs set b = b || '{\"new\": [1]}' where id = 1 returning b",
    "update docs set b = b - 'new' where id = 1 returning id, b",
    "select jsonb_insert(b, '{a,0}', '\"first\"') from docs where id = 1",
    # in the select list: moved into FROM (a row per element for each row of the query)
    "select json_array_elements_text('[\"a\",\"b\"]')",
    "select jsonb_object_keys(b) from docs where id = 1",
    "select id, jsonb_object_keys(b) as k from docs where jsonb_typeof(b) = 'object' order by 1, 2",
    "select jsonb_array_elements('[1,{\"a\":2}]') -> 'a'",
    "select id, jsonb_array_elements('[{\"id\": 1}, {\"id\": \"x\"}, null]') ->> 'id' from docs order by id",
    "select json_each('{\"a\":1, \"b\": \"x y\", \"c\": null}')",
    "select jsonb_each_text(b) from docs where id = 1",
    "select upper(jsonb_array_elements_text('[\"a\",\"b\"]')) u",
    "select jsonb_array_length(jsonb_array_elements('[[1],[1,2]]'))",
    "select x.* from (select jsonb_object_keys(b) k from docs where id = 1) x order by k",
    # json(b)_to_record(set) with a column definition list, json(b)_populate_record(set) of NULL::composite
    "select * from jsonb_to_record('[1]') as x(a int)",
    "select * from json_to_record('1') as x(a int)",
    "select * from jsonb_to_recordset('{\"a\":1}') as x(a int)",
    "select * from jsonb_to_recordset('[1]') as x(a int)",
    "select * from json_to_recordset('{\"a\":1}') as x(a int)",
    "select * from json_to_recordset('1') as x(a int)",
    "select * from jsonb_to_recordset('[{\"a\":1}, null]') as x(a int)",
    "select * from jsonb_to_record('{\"a\":\"x\"}') as x(a int)",
    "select * from jsonb_to_record('{\"a\":1.5}') as x(a int)",
    "select * from jsonb_to_record('{\"a\":{\"b\" : 1}, \"b\": [1, 2], \"c\": true, \"d\": \"2020-01-01\","
    " \"e\": 1.50, \"f\": \"\\u00e9\"}') as x(a text, b json, c bool, d date, e numeric, f text, g int)",
    "select * from json_to_record('{\"a\":{\"b\" : 1}, \"b\": [1,  2], \"c\": true, \"a\": 2}')"
    " as x(a text, b json, c text)",
    "select * from jsonb_to_record('{\"a\":1}')",
    "select * from jsonb_to_record('{\"a\":1}') as x(a)",
    "select * from jsonb_to_record('{\"a\":[[1,2],[3,null]], \"b\": [\"x\","
    " \"y z\"]}') as x(a int[], b text[])",
    "select * from jsonb_to_record('{\"a\":\"abcdef\"}') as x(a varchar(3))",
    "select * from jsonb_to_record('{\"a\":null}') as x(a int), jsonb_to_record(null) as y(b int)",
    "select * from jsonb_to_recordset(null) as x(a int)",
    "select * from json_to_record('{\"a\":\"1\\n\"}') as x(a jsonb, b json)",
    "select * from jsonb_to_recordset('[{\"a\":1,\"b\":\"x\"},{\"a\":2}]') with ordinality as x(a "
    "int, b text)",
    "select x.a + 1, x.b from json_to_recordset('[{\"a\":1,\"b\":\"x\"},{\"a\":2,"
    " \"c\": 3}]') as x(a int, b text)"
    " where x.a > 0 order by 1",
    "select jsonb_to_record('{\"a\":1}')",
    "select d.id, r.a, r.s from docs d, jsonb_to_record(d.b) as r(a int[],"
    " s text) where d.id <> 2 order by d.id",
    "select * from jsonb_to_record('{\"t\": \"2021-03-04 05:06:07+02\"}') as r(t timestamp, tz timestamptz)",
    "create type pt as (a int, b text, c jsonb, d numeric(5,2))",
    "select * from jsonb_populate_record(null::pt, '{\"a\": 1, \"b\": \"x\", \"c\": {\"k\": [1]},"
    " \"z\": 0}')",
    "select * from json_populate_record(null::pt, '{\"a\": 1, \"c\": {\"k\" : [1]},"
    " \"d\": 2.345}') as r(p, q)",
    "select * from json_populate_recordset(null::pt, '[{\"a\": 1}, {\"b\": \"y\"}]')",
    "select * from jsonb_populate_recordset(null::pt, '[{\"a\": 1}, 3]')",
    "select * from jsonb_populate_record(null::int, '{}')",
    # jsonb subscripts (reading); assigning through one is refused
    "select ('{\"a\":{\"b\":[1,2]}}'::jsonb)['a']['b'][1], ('[1,2]'::jsonb)['1'], ('{\"a\":1}'::jsonb)['x'],"
    " ('[1,2]'::jsonb)[-1], ('{\"1\":3}'::jsonb)[1], ('[1,2]'::jsonb)[0]",
    "select ('{\"a\":1}'::json)['a']",
    "select ('{\"a\":1}'::jsonb)[1:2]",
    "create table sj (id int, b jsonb)",
    "insert into sj values (1, '{\"a\": {\"b\": 1}, \"c\": [5, 6]}'), (2, '[10, 20, 30]')",
    "select id, b['a']['b'], b['a'], b['c'][id], b[0], b[1], b[-1], b[5], b['1'], b[null] from sj"
    " order by id",
    "select b['c'][id::int8] from sj",
    # jsonb's casts to the number types and boolean
    "select '1'::jsonb::int, '1.5'::jsonb::numeric, 'true'::jsonb::bool, '2.5'::jsonb::float8,"
    " '1'::jsonb::int8, '3'::jsonb::int2, '1.5'::jsonb::float4, '1.5'::jsonb::int, '-2.5'::jsonb::int8,"
    " '1.25'::jsonb::numeric(3,1), null::jsonb::int",
    "select '\"1\"'::jsonb::int",
    "select 'null'::jsonb::int",
    "select '[1]'::jsonb::numeric",
    "select 'true'::jsonb::int",
    "select '1'::jsonb::bool",
    "select '99999999999'::jsonb::int",
    "select '1'::json::int",
    "select e.key, sum((e.value)::int) from docs, jsonb_each(b) e where jsonb_typeof(b) = 'object'"
    " and jsonb_typeof(e.value) = 'number' group by e.key order by 1",
    "select distinct jsonb_object_keys(b) from docs where jsonb_typeof(b) = 'object' order by 1",
    # jsonb's order and equality (compareJsonbContainers): numbers as numbers, then by kind and size
    "select '10'::jsonb > '9'::jsonb, '1.0'::jsonb = '1'::jsonb, '{\"a\":1}'::jsonb = '{\"a\":1.00}'::jsonb,"
    " '[1]'::jsonb > '{}'::jsonb, '\"a\"'::jsonb < '1'::jsonb, 'null'::jsonb < '\"a\"'::jsonb",
    "select '{\"b\":1}'::jsonb < '{\"aa\":1}'::jsonb, '{\"a\":1,\"b\":2}'::jsonb > '{\"c\":1}'::jsonb,"
    " '[1,2]'::jsonb > '[3]'::jsonb, 'true'::jsonb > 'false'::jsonb, '[]'::jsonb < '[null]'::jsonb,"
    " '[]'::jsonb < 'null'::jsonb, '{\"aa\":1,\"c\":1}'::jsonb > '{\"b\":1,\"d\":1}'::jsonb",
    "create table jo (id int primary key, b jsonb)",
    "insert into jo values (1, '10'), (2, '9'), (3, '\"a\"'), (4, 'null'), (5, '[1]'), (6, '{}'),"
    " (7, 'true'), (8, '1.5'), (9, '[]'), (10, '{\"aa\":1,\"c\":1}'), (11, '{\"b\":1,\"d\":1}'),"
    " (12, '1.0'), (13, '1')",
    "select id, b from jo order by b, id",
    "select b, count(*) from jo group by b order by b",
    "select distinct b from jo order by b desc",
    "select id from jo where b = '1' or b in ('\"a\"', '[1.0]') order by id",
    "select id from jo where b > '9' and b < '[2]' order by id",
    "select a.id, b.id from jo a join jo b on a.b = b.b and a.id < b.id order by 1, 2",
    "select count(distinct x) from (values ('1'::jsonb), ('1.0'), ('1.00')) v(x)",
    "select max(b) from jo",
    "select case when true then jsonb_array_elements_text('[\"a\",\"b\"]') end",
    "select coalesce(jsonb_array_elements_text('[\"a\",\"b\"]'), 'x')",
    "select count(distinct x), count(distinct y) from (values (1.0::numeric, '1'::jsonb), (1.00, '1.0'),"
    " (2, '[]')) v(x, y)",
    "select distinct b -> 'a' from jo order by 1",
    "create table o (id int, items jsonb)",
    "insert into o values (1, '[{\"sku\": \"a\", \"qty\": 2}, {\"sku\": \"b\", \"qty\": 1}]'), (2,"
    " '[]'), (3, null)",
    "select o.id, i.sku, i.qty from o left join lateral jsonb_to_recordset(o.items) as i(sku text,"
    " qty int) on true"
    " order by 1, 2",
    "select o.id, e.value ->> 'sku' from o join lateral jsonb_array_elements(o.items) e"
    " on (e.value ->> 'qty')::int > 1 order by 1",
    "select x.key, y.value from jsonb_each('{\"a\":1}') x full join jsonb_each('{\"a\":2,\"b\":3}') y"
    " on x.key = y.key order by 2",
    "select x.*, y.* from jsonb_to_record('{\"a\":1}') as x(a int)"
    " right join jsonb_each_text('{\"a\":\"1\",\"b\":\"2\"}') y on x.a::text = y.value order by y.key",
    # with the functions that build json
    "select jsonb_set(coalesce(b, '{}'), '{n}', to_jsonb(id)) - 'a' from docs order by id",
    "select jsonb_agg(e order by e desc), json_agg(e) from jsonb_array_elements('[3, 1, \"a\", null]') e",
    "select jsonb_object_agg(key, value) from jsonb_each('{\"b\": 1, \"a\": 2}')",
    # jsonpath is not built
    "select jsonb_path_query('{\"a\":1}', '$.a')",
    "select '{}'::jsonb @? '$.a'",
    # assignments through jsonb subscripts (of an array: not built)
    "update sj set b['a'] = '2'",
    "create table s_t (id int, b jsonb, a int[], j json)",
    "insert into s_t values (1, '{\"a\": 1}'), (2, null), (3, '[0]'), (4, '5'), (5, null)",
    "update s_t set b['x']['y'] = '2' where id = 1 returning b",
    "update s_t set b[2] = '\"v\"' where id = 3 returning b",
    "update s_t set b[-5] = '1' where id = 3 returning b",
    "update s_t set b['a'] = '1' where id = 2 returning b",
    "update s_t set b[1] = '1' where id = 5 returning b",
    "update s_t set b['k'] = '1' where id = 4 returning b",
    "update s_t set b['a']['z'] = '1' where id = 1 returning b",
    "update s_t set b['n'][1]['m'] = '1' where id = 1 returning b",
    "update s_t set b['p'] = '1', b['q'] = '2' where id = 1 returning b",
    "update s_t set b['r'] = null where id = 1 returning b",
    "update s_t set b[0][1] = '1' where id = 3 returning b",
    "update s_t set b[-1] = '\"last\"', id = 3 where id = 3 returning id, b",
    "update s_t set b['a'] = 1 where id = 1",
    "update s_t set b[1::int8] = '1' where id = 3",
    "update s_t set j['a'] = '1' where id = 1",
    "update s_t set b['x'] = to_jsonb(id) where id = 2 returning b",
    "update s_t set b[id] = '7' where id = 3 returning b",
    "select id, b from s_t order by id",
    "update s_t set a[1] = 1 where id = 1",
    "create table up (id int primary key, b jsonb)",
    "insert into up values (1, '{\"n\": 1}')",
    "insert into up values (1, '{}') on conflict (id) do update"
    " set b['n'] = to_jsonb((up.b ->> 'n')::int + 1) returning b",
    "insert into up values (1, '{\"m\": 5}') on conflict (id) do update set b['m'] = excluded.b -> 'm',"
    " b['k'][0] = '\"z\"' returning b",
]

# statements whose error message the engine words otherwise (the SQLSTATE still agrees)
_REFUSED = {"select jsonb_path_query('{\"a\":1}', '$.a')", "select '{}'::jsonb @? '$.a'",
            "update s_t set a[1] = 1 where id = 1"}

reference = reference_database("differential_json_processing")
engine_session = engine_store("differential_json_processing")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    if sql in _REFUSED:
        assert engine_outcome(engine_session, sql)[:2] == ("error", "0A000")
        return
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
