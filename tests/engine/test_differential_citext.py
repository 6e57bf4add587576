"""Differential script for citext (`engine/extensions/citext.py`): comparisons that ignore case
(=, <>, <, >, <=, >=, BETWEEN, IN, ANY), ORDER BY, DISTINCT, GROUP BY, UNION, min/max, UNIQUE and
PRIMARY KEY; citext against text and varchar compared as text (PostgreSQL resolves `citext = text`
through citext's implicit cast to text); LIKE, ILIKE and the regular expression operators
(case-insensitive on a citext value); casts both ways; the string functions of text, and citext's
own case-insensitive strpos, replace, split_part, translate and regexp_replace; domains, range types
and composite types over citext; arrays. Each statement runs against the engine and a real
PostgreSQL 15 (CREATE EXTENSION citext there too) in order; outcomes, messages and notices must
agree, a result column of citext compared by its type's name (its OID differs). Skipped without
PostgreSQL."""

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

SCRIPT = [
    "begin",
    "create extension citext",
    "select 'a'::citext = 'A'",
    "rollback",
    "select 'a'::citext",
    "select extname from pg_extension order by 1",
    "begin",
    "create extension citext",
    "create table r (c citext primary key)",
    "insert into r values ('x')",
    "savepoint s",
    "drop table r",
    "drop extension citext",
    "rollback to savepoint s",
    "insert into r values ('X')",
    "commit",
    "select c from r",
    "drop table r",
    "drop extension citext",
    "create extension citext",
    "create table t (id int, c citext, v varchar(10), x text)",
    "insert into t values (1, 'abc', 'ABC', 'Abc'), (2, 'ABC', 'abc', 'abc'), (3, 'Bcd', 'b', 'B'), "
    "(4, 'aBd', 'x', 'y'), (5, null, null, null), (6, 'b', 'B', 'b')",
    # comparisons of citext values
    "select id from t where c = 'ABC' order by id",
    "select id from t where c <> 'ABC' order by id",
    "select id from t where c < 'B' order by id",
    "select id from t where c > 'abc' order by id",
    "select id from t where c <= 'abc' order by id",
    "select id from t where c >= 'B' order by id",
    "select id from t where c between 'a' and 'B' order by id",
    "select id from t where c = 'ABC'::citext order by id",
    "select id from t where c in ('ABC', 'b') order by id",
    "select c = any('{ABC}'), c = all('{ABC,aBc}') from t where id = 1",
    "select c = any(array['ABC'::citext]) from t where id = 1",
    "select 'a'::citext = 'A'::citext, 'a'::citext < 'B'::citext, 'a'::citext is distinct from 'A'",
    "select a.id, b.id from t a join t b on a.c = b.c where a.id < b.id order by 1, 2",
    # citext against text and varchar: text's comparison
    "select id from t where c = x order by id",
    "select id from t where x = c order by id",
    "select id from t where c = v order by id",
    "select id from t where c < x order by id",
    "select id from t where c = 'ABC'::text order by id",
    "select id from t where c in ('ABC'::text, 'b') order by id",
    "select c = any(array['ABC']) from t where id = 1",
    "select id from t where c in (select x from t) order by id",
    "select id from t where c in (select x::citext from t) order by id",
    "select id from t where c = any(select x from t) order by id",
    "select id from t where c in (select 'abc') order by id",
    "select pg_typeof(coalesce(c, 'x'::text)), pg_typeof(coalesce(c, 'x')) from t where id = 1",
    "select x from t union select c from t order by 1",
    "select c = 1 from t",
    "select c = any(array['ABC'::citext, 'y']), c = any(array['ABC', 'y']) from t where id = 1",
    "select nullif(c, 'ABC'), nullif(c, 'ABC'::text), nullif(c, 'abc'::text) from t where id = 1",
    "create table chars (c citext, b char(3), n name)",
    "insert into chars values ('abc', 'ABC', 'ABC'), ('x', 'x', 'x')",
    "select c from chars where c = b",
    "select c from chars where b = c",
    "select c from chars where c = n",
    "select c from chars where c = 'ABC'::bpchar",
    "create table copied as select c from t",
    "select count(*) from copied where c = 'ABC'",
    "create view shown as select c from t",
    "select count(*) from shown where c = 'ABC'",
    "select c, count(*) over (partition by c) from t order by id",
    "select distinct on (c) c from t order by c, id",
    # order, grouping, duplicates
    "select c from t order by c, id",
    "select c from t order by c desc, id",
    "select distinct c from t order by 1",
    "select count(distinct c) from t",
    "select c, count(*) from t group by c order by 1",
    "select c from t union select 'ABC'::citext order by 1",
    "select c::text from t order by 1",
    "select x::citext from t order by 1, id",
    "select min(c), max(c) from t where id <> 1",
    "select min(c), max(c) from t",
    "select min(c), max(c) from (values ('A'::citext), ('b'), (null), ('B'), ('a')) v(c)",
    "select min(c) over (order by n), max(c) over (order by n rows between 1 preceding and current row) "
    "from (values (1, 'b'::citext), (2, 'A'), (3, 'a'), (4, 'B'), (5, null)) v(n, c) order by n",
    "select min(c), max(c) from t where false",
    "select max(c) filter (where c <> 'b'), min(distinct c) from t",
    "select pg_typeof(min(c)), pg_typeof(max(c)) from t",
    "select array_agg(c order by c, id) from t",
    "create table u (c citext unique)",
    "insert into u values ('x')",
    "insert into u values ('X')",
    "create table p (c citext primary key)",
    "insert into p values ('Key')",
    "insert into p values ('KEY')",
    "insert into p values ('key') on conflict (c) do nothing",
    "select c from p",
    "create table i (c citext)",
    "insert into i values ('a'), ('A')",
    gap("create unique index i_c on i (c)", "CREATE UNIQUE INDEX over duplicates: the engine's message "
        "names the constraint, as an INSERT's does (of any type)"),
    "select count(*) from i",
    # pattern matching
    "select c like 'A%', c ilike 'A%', c not like 'a%', c not ilike 'a%' from t where id = 1",
    "select c like 'A%'::text, c like 'A%'::citext from t where id = 1",
    "select x like 'a%'::citext from t where id = 1",
    "select 'ABC' like 'a%'::citext",
    "select id from t where c like 'a%' order by id",
    "select id from t where c ~ '^a' order by id",
    "select id from t where c !~ '^a' order by id",
    "select id from t where c ~* '^A' order by id",
    "select id from t where x ~ 'A'::citext order by id",
    "select id from t where c like 'A!%' escape '!' order by id",
    # casts
    "select c::text, c::varchar, c::varchar(2), 'x'::text::citext, pg_typeof(c::text) from t where id = 1",
    "select 'a  '::bpchar::citext || '|', true::citext, '1.2.3.4'::inet::citext",
    "select '12'::citext::int + 1",
    "select 'x'::citext::int",
    "insert into u values (true), ('y'::text), ('z'::varchar)",
    "select c from u order by c",
    # functions of text, and citext's own
    "select length(c), upper(c), lower(c), substr(c, 2), c || 'x', pg_typeof(upper(c)), "
    "pg_typeof(c || 'x') from t where id = 1",
    "select char_length('abc'::citext), octet_length('abc'::citext), left('abc'::citext, 2), "
    "md5('a'::citext), concat('a'::citext, 1), trim(' a '::citext), lpad('a'::citext, 3), "
    "initcap('ab cd'::citext), reverse('abc'::citext), repeat('a'::citext, 2), "
    "position('B' in 'abc'::citext), starts_with('abc'::citext, 'A')",
    "select string_agg(c, ',' order by id), pg_typeof(string_agg(c, ',')) from t",
    "select strpos('ABC'::citext, 'b'), replace('ABC'::citext, 'b', 'x'), split_part('aBc'::citext, 'b', 2), "
    "translate('abc'::citext, 'B', 'x')",
    "select strpos('ABC'::citext, 'b'::text), strpos('ABC'::text, 'b'::citext), strpos('ABC', 'b')",
    "select replace('a.b.A'::citext, '.', '-'), replace('aXbxc'::citext, 'x'::citext, 'y'), "
    "split_part('aXbxc'::citext, 'x', 3), split_part('aXbxc'::citext, 'x', 4)",
    "select pg_typeof(strpos('ABC'::citext, 'b')), pg_typeof(replace('ABC'::citext, 'b', 'x'))",
    "select regexp_replace('ABCb'::citext, 'b', 'x'), regexp_replace('ABCb'::citext, 'b', 'x', 'g'), "
    "regexp_replace('ABCb'::citext, 'b', 'x', 'c')",
    "select citext('x'), citext(true), citext('a  '::bpchar), citext('1.2.3.4'::inet), citext('abc'::text)",
    "select pg_typeof(citext('x'))",
    "select strpos(null::citext, 'b'), replace('a'::citext, null, 'x')",
    # types over citext, arrays
    "create domain citext_dom as citext",
    "create type citext_range as range (subtype = citext)",
    "create type citext_comp as (t citext)",
    "select 'a'::citext_dom = 'A', 'b'::citext_dom > 'A'",
    "select '[a,z]'::citext_range::text, rngcollation from pg_range where rngtypid = 'citext_range'::regtype",
    "select (row('x')::citext_comp).t = 'X'",
    "select '{\"a,b\",c,NULL}'::citext[], array['a', 'B']::citext[]",
    "select '{a,B}'::citext[] = '{A,b}'::citext[], '{a,B}'::citext[] < '{A,c}'::citext[]",
    gap("select 'É'::citext = 'é'::citext", "lower() lowers non-ASCII letters here (a UTF-8 ctype); the "
        "reference's C ctype lowers ASCII only"),
    "drop extension citext",
    "drop type citext_comp",
    "drop type citext_range",
    "drop type citext_dom",
    "drop view shown",
    "drop table t, u, p, i, chars, copied",
    "drop extension citext",
    "select 'a'::citext",
]


reference = reference_database("differential_citext")
engine_session = engine_store("differential_citext")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert_same_step_user_types_named(reference, engine_session, sql)
