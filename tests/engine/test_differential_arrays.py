"""Differential scripts for arrays (|| and constructors, dimension functions, unnest), quantified
comparisons with subqueries (x op ANY|ALL (subquery)) and INSERT ... OVERRIDING for identity
columns: each statement runs against the engine and a real PostgreSQL 15 in order (state carries
over), and the tag, column names/OIDs/typmods, rows (text form), SQLSTATE and transaction status
must agree. Skipped without PostgreSQL."""

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

ARRAYS = [
    "select array[1, 2] || 3, 0 || array[1, 2], array[1] || array[2, 3]",
    "select array[1, 2] || 3::int8, array[1::int2] || 3, array[1, 2] || 2.5",
    "select array['a'] || 'b'::text, 'z'::text || array['a'], array['a'::varchar] || 'b'::varchar",
    "select array[1] || null::int, null::int || array[1], null::int[] || 1, 1 || null::int[]",
    "select null::int[] || null::int[], array[1] || null, null || array[1], null::int[] || array[2]",
    "select array[1] || '{2,3}', '{0}' || array[1], array[1, 2] || '{}', '{}'::int[] || array[1]",
    "select array[1] || '3'",
    "select '3' || array[1]",
    "select array['a'] || 'b'",
    "select array[1] || 'x'::text",
    "select 'x'::text || array[1]",
    "select array[1] || true",
    "select array[1] || array['a']",
    "select array[[1, 2]] || array[3, 4], array[1, 2] || array[[3, 4], [5, 6]]",
    "select array[[1, 2], [3, 4]] || array[[5, 6]], array[[1]] || array[[2]]",
    "select array[[1, 2]] || array[[[3, 4]]]",
    "select array[[1, 2]] || array[3]",
    "select array[[1, 2]] || array[[3]]",
    "select array[[1, 2], [3, 4]] || 5",
    "select 5 || array[[1]]",
    "select array[1, 2] || array[3] || 4 || array[5]",
    "select array[date '2024-01-01'] || date '2024-01-02', array[1.5] || 2",
    "select array[[1, 2], [3, 4]], array[array[1, 2], array[3, 4]], array[[[1]], [[2]]]",
    "select array[['a', 'b'], ['c', null]], array[[1, 2], [3.5, 4]]",
    "select array[array[1, 2], '{3,4}'], array['{1,2}', '{3,4}']",
    "select array[[1, 2], [3]]",
    "select array[array[1, 2], array[3]]",
    "select array[array[1, 2], null]",
    "select array[null::int[], null], array[array[]::int[], array[]::int[]], array['{}'::int[], '{}']",
    "select array['{}'::int[], array[1]]",
    "select array[1, array[2]]",
    "select array[[1, 2], [null, null]]",
    "select array[]",
    "select array[]::int[], array[]::text[] || 'a'::text, array[null], array[-1, null]",
    "select array[[1, 2], [3, 4]]::text, (array[[1, 2], [3, 4]])[1], array_length(array[[1, 2], [3, 4]], 2)",
    "select cardinality(array[[1, 2], [3, 4]]), array_ndims(array[[1], [2]]), "
    "array_dims(array[[1, 2], [3, 4]])",
    "select array_upper(array[1, 2, 3], 1), array_lower(array[1, 2, 3], 1), array_upper('{}'::int[], 1), "
    "array_lower(array[1], 2), array_upper(array[[1, 2]], 2), array_ndims('{}'::int[]), "
    "array_dims('{}'::int[])",
    "create table arr (id int, a int[], t text[])",
    "insert into arr values (1, array[1, 2], array['x']), (2, null, '{}'), (3, '{{1,2},{3,4}}', null)",
    "select id, a || 9, 0 || a, a || a, t || 'y'::text from arr where id < 3 order by id",
    "select id, array[id, id * 2], array[a, a] from arr where id <> 2 order by id",
    "select id, array[[id], [id + 1]], array_length(a, 1), array_upper(a, 2), array_dims(a) from arr "
    "order by id",
    "select a || array[5] from arr where id = 3",
    "insert into arr values (4, array[1] || 2 || array[3], array['p'] || 'q'::text) returning *",
    "update arr set a = a || 10 where id = 4 returning a",
    "select array[1]::text[], '{1,2}'::int[]::numeric[], array[1.7]::int[], array[[1, 2]]::float8[], "
    "array[true]::int[], array['2024-01-01 10:00']::timestamp[]::date[]",
    "select array['a']::int[]",
    "select '{{1,2,3},{4,5,6}}'::int[][], '{{{1,2},{3,4}},{{NULL,6},{7,8}}}'::int2[][][], "
    "cast('{{1}}' as int8[][]), '{{t,f}}'::bool[][], '{{1.5}}'::float4[][], '{1.5}'::float8[][]",
    # more items than one SQLite call takes
    "select array[" + ", ".join(f"{i} + 1" for i in range(1000)) + "]",
    "select array[" + ", ".join(f"array[{i}, {i} * 2]" for i in range(450)) + "]",
    "create table arr2 (a int[][], b text[][][])",
    "insert into arr2 values ('{{1,2},{3,4}}', '{a}') returning *",
    "select pg_typeof(a), pg_typeof(b), array_ndims(a) from arr2",
    "insert into arr (id, a) values (5, array[1.6]::int[]) returning a",
    "select array[1] = array[1.0]",
    "select array[1] = '{1}'::int8[]",
    "select array[1, 2] < array[1, 3], array[1] = '{1}', array[2] > array[10], "
    "'{a,b}'::text[] = array['a', 'b']",
    "select a from (values (array[1, 2]), (array[3]), (array[10]), (array[null::int]), (array[[1, 2]]), "
    "('{}')) v(a) order by a",
    "select max(a), min(a), array[2] > array[10], array[1, null] = array[1, null], "
    "array[1, null] < array[1, 2], array[[1, 2]] > array[1, 2] from (values (array[1, 2]), (array[3]), "
    "(array[10])) v(a)",
    "select distinct a from (values (array[1.0]), (array[1])) v(a)",
    "select a, count(*) from (values (array[1.0]), (array[1.00]), (array[2])) v(a) group by a order by a",
    "select coalesce(null::int[], array[1.5]), case when true then array[1] else array[2.5] end",
    "select array[1] union select array[2.5] order by 1",
    "select array[1] union select array['a']",
    "select array[1, 2, 3] @> array[1, 3], array[1] <@ array[1, 2], array[1, 2] && array[2, 5], "
    "array[1, null] @> array[null::int], array[[1, 2], [3, 4]] @> array[4], '{}'::int[] <@ array[1], "
    "array[1] && null, array[1, null] && array[null::int], array[1.0] @> array[1.00], array[1] @> '{1}', "
    "array[1, 1] @> array[1, 1, 1]",
    "select id from arr where a @> array[2] or t && '{y,x}' order by id",
    "select array['a'] @> array['a'::varchar]",
    "select '{a}' @> '{a}'",
    "select array[1] @> 1",
    # unnest in FROM
    "select * from unnest(array[1, 2]), unnest(array['a']) x",
    "select t.c, c + 1 from unnest(array[[1, 2], [3, null]]) as t(c) order by c nulls first",
    "select * from unnest(null::int[]) a, unnest('{}'::text[]) b",
    "select * from unnest('{}'::text[])",
    "select * from unnest('{1,2}')",
    "select * from unnest(1)",
    "select sum(x), count(*), count(x) from unnest(array[1.5, null, 2]) x",
    "select id, (select max(x) from unnest(a || id) x) from arr order by id",
    "select u.*, n from unnest(array['b', 'a']) u cross join (values (1)) t(n) order by u",
    "select * from unnest(array[5, 6]) with ordinality, unnest(array['x']) with ordinality as t(v, n)",
    "select t.*, x.* from unnest(array[[5, 6], [7, 8]]) with ordinality as t(v) "
    "cross join unnest(array[1]) with ordinality x",
    "select * from (values (array[1])) v(a), unnest(a) x",
    # the polymorphic array functions
    "select array_append(null, 1), array_append(null, null), array_append(array[1], '2'), "
    "array_append('{1}', 2), array_append(array[1.5], 2)",
    "select array_cat(array[1], '{2}'), array_cat(null, null::int[]), array_cat(array[[1]], array[2]), "
    "array_prepend('0', array[1]), array_prepend(1.5, array[1])",
    "select array_append(array[1], array[2])",
    "select array_cat(1, array[1])",
    "select array_append(array[1], 'x'::text)",
    "select array_position(array[1, 2, null, 2], 2), array_position(array[1, null], null), "
    "array_position(array[1, 2, 1], 1, 2), array_position(array[1.0, 2], 2), array_position('{a}', 'a'), "
    "array_position(array[1], '1'), array_position(array[1], 3)",
    "select array_position(array[[1]], 1)",
    "select array_remove(array[1, 2, null, 2], 2), array_remove(array[1, null], null), "
    "array_remove(null::int[], 1), array_remove(array['a', 'b'], 'a')",
    "select array_remove(array[[1]], 1)",
    "select array_replace(array[[1, 2], [2, null]], 2, 9), array_replace(array[1, null], null, 0)",
    "select string_to_array('a,b,,c', ','), string_to_array('abc', null), string_to_array('abc', ''), "
    "string_to_array('', ','), string_to_array('a,*,b', ',', '*'), string_to_array(null, ',')",
    "select id, array_append(a, id), array_position(a, 2), array_remove(a, 1) from arr where id < 3 "
    "order by id",
]

QUANTIFIED = [
    "select 2 > any(select 1 union select 3), 2 > all(select 1 union select 3), 2 < all(select 3)",
    "select 1 = any(select 1 where false), 1 = all(select 1 where false), "
    "null::int > any(select 1 where false)",
    "select null::int > all(select 1 where false), null::int = any(select 1), 1 = any(select null::int)",
    "select 2 = any(select null::int union all select 2), 2 <> all(select null::int union all select 3)",
    "select 2 <> all(select null::int union all select 2), 3 >= all(select 1 union select 3), "
    "3 > all(select 1 union select 3)",
    "select 1.0 = any(select 1), 1 = any(select 1.00), interval '1 day' < any(select interval '25 hours')",
    "select id from arr where id > any(select id from arr where id > 2) order by id",
    "select id from arr a1 where id >= all(select a2.id from arr a2 where a2.id <= a1.id + 1) order by id",
    "select id from arr where id <= some(select 2) order by id",
    "select 1.5 < any(select 1 union select 2), 'b' > any(select 'a' union select 'c'), "
    "date '2024-01-02' > all(select date '2024-01-01')",
    "select 1 = any(select 1, 2)",
    "select (values (2)), (values ('a')) as named, (select v from (values (3)) x(v))",
    "select a, count(*) > any(select 1), sum(a) >= all(select 2) from (values (1), (1), (2)) v(a) "
    "group by a order by a",
    "select a from (values (1), (1), (2)) v(a) group by a having count(*) > any(select 1) order by a",
    "select a from (values (1), (1), (2)) v(a) group by a having count(*) = any(select 2) order by a",
    "select 3 <> all(select 1 union select null), 'a' = any(select 'a'::varchar), "
    "'b'::varchar <> all(select 'a'), 1 = any(select 1::int8)",
    "select a, row_number() over (order by a) > any(select 1) from (values (5), (6)) v(a) order by a",
    "select 1 > any(select 'x'::text)",
    "select 1 = any(select '1')",
    "select 'a'::char(3) = any(select 'a'::char(5)), 'a'::text = any(select 'a'::char(3)), "
    "'a '::text = any(select 'a'::char(3)), 'b'::char(2) > all(select 'a'::text)",
    "select 1.5 = any('{1,2}'::int[]), 1.5 < all('{2,3}'::int[]), null::int = any('{}'::int[]), "
    "null::int = all('{}'::int[]), 'a'::char(3) = any('{a}'::char(3)[]), 'a'::char(3) = any('{a}'::text[])",
    "select 1 = any('{a}'::text[])",
]

OVERRIDING = [
    "create table ida (id int generated always as identity, v text)",
    "insert into ida values (7, 'a')",
    "insert into ida (id, v) values (7, 'a')",
    "insert into ida overriding system value values (10, 'b') returning *",
    "insert into ida overriding user value values (10, 'c') returning *",
    "insert into ida (v) values ('d') returning *",
    "insert into ida (id, v) overriding system value select 20, 'e' returning *",
    "insert into ida overriding system value values (default, 'f') returning *",
    "insert into ida overriding user value values (null, 'g'), (99, 'h') returning *",
    "insert into ida overriding system value values (null, 'i')",
    "insert into ida (v) overriding user value values ('j') returning *",
    "insert into ida overriding user value select 99, 'k' returning *",
    "insert into ida (v, id) overriding user value select 'l', 5 union all select 'm', 6 returning *",
    "insert into ida overriding user value with s as (select 1 a) select a, 'n' from s returning *",
    "create table idk (k int primary key, id int generated always as identity)",
    "insert into idk overriding user value select 1, 5 on conflict (k) do nothing returning *",
    "insert into idk overriding user value select 1, 5 on conflict (k) do update set k = excluded.k + 10 "
    "returning *",
    "insert into ida overriding value values (1, 'k')",
    "insert into ida overriding system values (1, 'k')",
    "update ida set id = 5 where v = 'b'",
    "select * from ida order by v",
    "create table idb (id bigint generated by default as identity, v text)",
    "insert into idb overriding system value values (40, 'a') returning *",
    "insert into idb values (41, 'b') returning *",
    "insert into idb (v) values ('c') returning *",
    "create table idn (k int, v text)",
    "insert into idn overriding user value values (1, 'a'), (2, 'b') returning *",
    "insert into idn overriding system value values (3, 'c') returning *",
    "create table ov_serial (id serial, v text)",
    "create table ov_default (id int generated by default as identity primary key, v text)",
    "insert into ov_serial overriding user value values (5, 'a') returning *",
    "insert into ov_default overriding user value values (5, 'a') returning *",
    "insert into idb overriding user value values (77, 'd') returning *",
    "insert into ov_default (v) overriding user value select 'b' returning *",
]

ALL_STEPS = [*ARRAYS, *QUANTIFIED, *OVERRIDING]


reference = reference_database("differential_arrays")
engine_session = engine_store("differential_arrays")


@pytest.mark.parametrize("sql", ALL_STEPS)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)


# Not differential: PostgreSQL accepts these, the engine refuses them with 0A000 naming the construct.
REFUSED = [
    ("create table ov_always (id int generated always as identity, v text)", None),
    ("insert into ov_always overriding user value select 5", "only identity columns"),
    ("select * from unnest(array[1, 2], array['a'])", "unnest"),
    ("select unnest(array[1, 2]), unnest(array[3])", "unnest"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    """An unsupported statement is refused with 0A000 and a message naming what is missing
    (named None: a setup step that must succeed)."""
    assert_refused_clearly(engine_session, sql, named)
