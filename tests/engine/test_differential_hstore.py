"""Differential script for hstore (CREATE EXTENSION hstore, PostgreSQL 15's hstore 1.8; asyncpg's
test_custom_codec_* and test_introspection_no_stmt_cache_* use it): hstore_in's syntax and its XX000
errors, hstore_out's quoting and key order, a column of hstore, the operators (-> ? ?| ?& @> <@ || -,
= and <>, no <), the functions, casts, ORDER BY and DISTINCT (hstore_cmp), DROP EXTENSION's dependency
check. Each statement runs against the engine and a real PostgreSQL 15 (with the extension created
there too) in order; the outcome (tag, columns with a type the database defines named, rows, SQLSTATE,
messages, transaction status) must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_same_step_user_types_named,
    engine_store,
    gap,
    reference_database,
)

psycopg = pytest.importorskip("psycopg")

INPUTS = [
    'a=>1, "b c"=>NULL, a=>2, bb=>3, b=>x', "a => 1", ' "a"=>""', "a=>,b=>1", "a=>=,b=>1", '""=>1',
    "é=>1, ab=>2, b=>3, aa=>4", 'a=>null, b=>NuLl, c=>nul, d=>"null"', "", "  ", "a=>1,", "a>b=>1",
    'a\\"b=>"c\\\\d\\"e"', ",a=>1", "a=>1 ,b=>2", "a=>b\\ c", "a=>b\t,\nc=>d", "x=>1, x=>2, x=>3",
    "a=>b=c", "a=>>", 'k=>"v,w"', "NULL=>1", "a=>NULL,",
]
INVALID = ["=>1", "a=>1 b", "a=b", 'a=>"x', "a\\", " a = > 1", "a b=>1", "a=>1,,", '"a"b=>1', 'a=>"b"c',
           'a="b', ",", "a=>\\", "é b=>1", "a=>1 é", "a", "a=", "a=>"]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


SCRIPT = [
    "create extension hstore",
    "create extension hstore",
    "create extension if not exists hstore",
    *(f"select {_literal(text)}::hstore" for text in INPUTS),
    *(f"select {_literal(text)}::hstore" for text in INVALID),
    "create table hs (id int primary key, h hstore)",
    "insert into hs values (1, 'a=>1, b=>2'), (2, 'a=>NULL'), (3, ''), (4, null), (5, 'b=>2, a=>1'), "
    "(6, 'aa=>1'), (7, 'a=>\"\"')",
    "select id, h from hs order by id",
    "select h from hs order by h, id",
    "select h from hs order by h desc, id",
    "select distinct h from hs order by h",
    "select h, count(*) from hs group by h order by h",
    "select id, h -> 'a', h -> 'zz' from hs order by id",
    "select id, h -> array['a', 'b', 'z', null] from hs order by id",
    "select id, h -> '{{a,b},{b,a}}'::text[] from hs order by id",
    "select id, h ? 'a', h ?| array['b', 'z'], h ?& array['a', 'b'], h ?& '{}', h ?| '{}' from hs "
    "order by id",
    "select id from hs where h @> 'a=>1' order by id",
    "select id from hs where 'a=>1' <@ h order by id",
    "select id from hs where h <@ 'a=>1, b=>2, c=>3' order by id",
    "select id, h || 'c=>3, a=>x' from hs order by id",
    "select id, h || h from hs order by id",
    "select id, h - 'a'::text, h - array['a', 'zz'], h - 'a=>1'::hstore from hs order by id",
    "select id, h - 'a=>NULL' from hs order by id",
    "select id from hs where h = 'b=>2,a=>1' order by id",
    "select id from hs where h <> 'a=>1,b=>2' order by id",
    "select h - '{a}' from hs",
    "select h < h from hs",
    "select greatest('a=>1'::hstore, 'b=>1', null), least('a=>1'::hstore, '', 'a=>NULL')",
    "select max(h) from hs",
    "select min(h) from hs",
    "select array_agg(h order by h desc) from hs",
    "select h from hs where h in ('a=>1, b=>2', '') order by h",
    "select h = any(array['a=>NULL'::hstore, 'aa=>1']) from hs order by id",
    "select coalesce(h, 'z=>0'), case when h ? 'a' then h else '' end from hs order by id",
    "select array['a=>1'::hstore] < array['b=>1'::hstore], array['a=>1'::hstore] = array['a=>1'::hstore]",
    "select a from (values (array['b=>1'::hstore]), (array['a=>1'::hstore, ''])) v(a) order by a",
    "select array['a=>1'::hstore] @> array['a=>1'::hstore], unnest(array['a=>1'::hstore, 'b=>2'])",
    "select array_position(array['a=>1'::hstore, 'b=>2'], 'b=>2')",
    "select h -> 1 from hs",
    "select h ? 1 from hs",
    "select h - 1 from hs",
    "select h @> 'a=>1'::text from hs",
    "select h ->> 'a' from hs",
    "select id, akeys(h), avals(h), hstore_to_array(h), hstore_to_matrix(h) from hs order by id",
    "select id, hstore_to_json(h), hstore_to_jsonb(h) from hs order by id",
    "select hstore_to_json_loose('a=>1, b=>t, c=>01, d=>1.5e3, e=>-0, f=>\"1 \", g=>f, h=>NULL')",
    "select hstore_to_jsonb_loose('a=>1, b=>t, c=>01, d=>1.5e3, e=>-0, f=>\"1 \", g=>f, h=>NULL')",
    r"""select hstore_to_json(E'"a\\"b"=>"x\ty"')""",
    "select id, exist(h, 'a'), isexists(h, 'b'), defined(h, 'a'), isdefined(h, 'b') from hs order by id",
    "select id, exists_any(h, array['b']), exists_all(h, array['a', 'b']) from hs order by id",
    "select id, fetchval(h, 'a'), slice_array(h, array['b', 'a']), slice(h, array['b', 'zz']) from hs "
    "order by id",
    "select id, delete(h, 'a'), delete(h, array['b']), delete(h, 'a=>1'::hstore), delete(h, '{a}') from hs "
    "order by id",
    "select id, hs_concat(h, 'z=>1'), hs_contains(h, 'a=>1'), hs_contained(h, 'a=>1') from hs order by id",
    "select akeys('a=>1')",
    "select hstore('a', 'b'), hstore('a', NULL), hstore(NULL, 'a'), tconvert('k', 'v')",
    "select hstore(array['a', 'b'], array['1', '2']), hstore(array['a', 'b'], NULL)",
    "select hstore(array['b', 'a', 'b'], array['1', '2', '3'])",
    "select hstore(array['a', 'b'], array['1'])",
    "select hstore(array[['a', 'b']], array['1', '2'])",
    "select hstore(array['a', null], array['1', '2'])",
    "select hstore(array['a', '1', 'b', null]), hstore(array[['a', '1'], ['b', '2']]), hstore('{}'::text[])",
    "select hstore(array['a', 'b', 'c'])",
    "select hstore(array[['a', 'b', 'c']])",
    "select hstore(array[[['a', 'b']]])",
    "select hstore(array[null, 'b'])",
    "select hstore('{}'::text[], '{}'::text[])",
    "select hstore('a=>1')",
    "select hstore(1, 2)",
    "select h::text, h::varchar from hs order by id",
    "select 'a=>1'::varchar::hstore, ('a=>1'::hstore)::text::hstore, cast('b=>2' as hstore)",
    "select 1::hstore",
    "select id, h::json, h::jsonb, cast(h as json) from hs order by id",
    "select '{a,1,b,2}'::text[]::hstore, array[['k', 'v']]::hstore, '{a}'::text[]::hstore",
    "select '{a=>1}'::hstore[], array['a=>1'::hstore, null, '']",
    "select ('a=>1, b=>2'::hstore -> 'b')::int + 1",
    "select 'a=>1'::hstore = 'a=>1', 'a=>1'::hstore = 'a=>2'",
    "select 'a=>1'::hstore::text || 'x'",
    "insert into hs values (8, 'a=>')",
    "select hstore(row(1, 'x')), hstore(row(1, null::int)), hstore(row())",
    "select hstore(row(1.50, '2026-01-02'::date, '{1,2}'::int[], true, 'x'::char(3), 'q'))",
    "select hstore(t) from hs t order by id",
    "select hstore(x) from (select 1 as a, 'b' as b) x",
    "select hstore(b) from hs a left join hs b on false order by a.id limit 1",
    "create type hs_rec as (n int, s text, b bool)",
    "select hstore(row(1, 'x', false)::hs_rec)",
    "select populate_record(null::hs_rec, 'n=>1, s=>x, z=>9'), populate_record(null::hs_rec, NULL)",
    "select populate_record(row(5, 'a', true)::hs_rec, 's=>NULL, b=>f'), "
    "populate_record(row(5, 'a', true)::hs_rec, '')",
    "select (populate_record(null::hs_rec, 'n=>7')).n + 1",
    "select populate_record(null::hs_rec, 'n=>x')",
    "select populate_record(1, 'n=>1')",
    "drop type hs_rec",
    "select id, skeys(h) from hs order by id, 2",
    "select id, svals(h) as v from hs order by id, 2",
    "select id, each(h) from hs order by id, 2",
    "select (each(h)).key, (each(h)).value from hs order by 1, 2",
    "select id, upper((each(h)).key) from hs order by 1, 2",
    "select skeys('a=>1, bb=>2')",
    gap("select count(*), skeys(h) from hs group by 2 order by 2",
        "a set-returning function beside GROUP BY or aggregates is not built (0A000)"),
    "select * from each('b=>1, a=>NULL, aa=>\"\"'::hstore)",
    "select id, e.key, e.value from hs, each(h) e order by id, e.key",
    "select id, k from hs cross join lateral skeys(h) as k order by id, k",
    "select s.* from hs, svals(h) with ordinality s order by id, s.ordinality",
    "select * from each('a=>1') as e(k, v)",
    "select * from skeys('a=>1, b=>2') x(y)",
    "select * from each(1)",
    "select id, count(v) from hs left join svals(h) v on true group by id order by id",
    "drop extension hstore",
    "drop table hs",
    "drop extension hstore",
    "select 'a=>1'::hstore",
    "drop extension hstore",
    "drop extension if exists hstore",
]


reference = reference_database("differential_hstore")
engine_session = engine_store("differential_hstore")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert_same_step_user_types_named(reference, engine_session, sql)
