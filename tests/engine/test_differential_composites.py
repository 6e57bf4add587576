"""Differential script for row values and composite types: ROW(...) and (a, b) constructors as
`record` results (text output with PostgreSQL's quoting: empty strings, NULLs, quotes,
backslashes, commas, parentheses, white space; nested rows, arrays of rows), field selection
`(row).f1`, row comparisons (still SQLite's row values), and the errors. Each statement runs
against the engine and a real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE,
transaction status), the error message and the notices must agree, with the OIDs of the types the
database defines compared as the types' names. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_same_step_user_types_named,
    engine_store,
    reference_database,
)

SCRIPT = [
    # anonymous records
    "select (1, 'a')",
    "select row(1, 'a'), row(2)",
    "select row()",
    "select row(1, 'a b', null, '', 'x\"y', 'a,b', 'p(q)', 'a\\b', ' ', 'null', 'NULL', 2.5::numeric, true)",
    "select row(array[1, 2], '{\"a\": [1, 2]}'::jsonb, 'x'::bytea, 1.5::float8, interval '1 day 02:00')",
    "select row('2024-01-01 10:00+02'::timestamptz, date '2024-02-29', 12345678901234::int8)",
    "select row(row(1, 2), 'x'), row(row(row('a b')))",
    "select array[row(1, 2), row(3, 4)], array[row(1, 'x'), null]",
    "select row(array[row(1, 'a')], 3)",
    "select x, row(x, x * 2) from generate_series(1, 3) x order by x",
    "select r from (select row(1, 'a') r union all select row(2, 'b')) s",
    "select row(1, 2)::text, pg_typeof(row(1, 2))",
    "select (row(1, 'a')).f1, ((1, 'a')).f1",
    "select (row(1, 'a')).x",
    "select (1).x",
    "select 'x' as a, row(1)",
    # row comparisons
    "select row(1, 'a') = row(1, 'a'), (1, 2) < (1, 3), (1, 2) <> (1, 2)",
    "select 1 where (1, 2) in ((1, 2), (3, 4))",
    "select 1 where row(1, 2) in (row(3, 4))",
    "create table pairs (a int, b text)",
    "insert into pairs values (1, 'x'), (2, 'y z'), (3, null)",
    "select row(a, b) from pairs order by a",
    "select (a, b) from pairs where (a, b) = (2, 'y z')",
    "select a from pairs where (a, b) in (select 1, 'x') order by a",
    "select array_agg(row(a, b) order by a) from pairs",
    "select count(*) from pairs where row(a, b) is not null",
    "select count(*) from pairs where row(a, b) is null",
    "select row(null, null) is null, row(1, null) is null, row(1, null) is not null, row() is null",
    # composite types
    "create type comp as (a int, b text)",
    "create type comp as (x int)",
    "create type dup as (a int, a text)",
    "create type empty as ()",
    "create type nosuch.comp as (a int)",
    "create type pairs as (a int)",
    "create type money_like as (amount numeric(10, 2), label varchar(5), at timestamptz)",
    "select row(1, 'x')::comp, '(2,\"y z\")'::comp, cast(row(3, null) as comp), '(,)'::comp",
    "select (row(1, 'x')::comp).b, ('(2,y)'::comp).a, ('(2,y)'::comp).nope",
    "select row(1, 2, 3)::comp",
    "select row(1)::comp",
    "select '(1)'::comp",
    "select '1,a'::comp",
    "select '(1,a) x'::comp",
    "select '(x,a)'::comp",
    "select '( 1,a)'::comp",
    "select '(1,\"a\\\\b\"\"c\")'::comp, '(1,a\\,b)'::comp",
    "select row(12.345, 'abc', '2024-01-01 10:00+02')::money_like",
    "select row(1, 'abcdefg', null)::money_like",
    "select 'comp'::regtype, pg_typeof(row(1, 'a')::comp), row(1, 'a')::comp::text",
    "create table things (id int primary key, c comp, cs comp[])",
    "insert into things values (1, row(1, 'a'), array[row(2, 'b')::comp]), (2, '(3,\"x,y\")', "
    "'{\"(4,q)\"}'), (3, null, null), (4, '(1,)', '{}'), (5, '(1,b)', null)",
    "insert into things (id, c) values (6, row(5, 6))",
    "select * from things order by id",
    "select id, (c).a, (c).b, c is null from things order by id",
    "select id from things where c = row(1, 'a')::comp",
    "select id from things where row(1, 'a'::text) = c",
    "select id from things where c <> row(1, 'a')::comp order by id",
    "select id from things where (c).a > 1 order by id",
    "update things set c = row(9, 'z') where id = 3 returning c",
    "update things set c = null where id = 6",
    "select (c).b || '!' from things where id = 1",
    # order: field by field (a composite column collates with helios_composite_<oid>)
    "insert into things (id, c) values (7, '(10,a)'), (8, '(2,a)'), (9, '(1,b)')",
    "select id, c from things order by c, id",
    "select id, c from things order by c desc nulls last, id",
    "select id, cs from things order by cs, id",
    "select distinct c from things where c is not null order by c",
    "select id, c is null, c is not null, not c is null from things order by id",
    "select row(1, 'a')::comp is not null, '(,)'::comp is null, null::comp is null",
    "select c, count(*) from things group by c order by c",
    "select id from things where c > row(1, 'a')::comp order by id",
    "create index things_c on things (c)",
    "select id from things where c >= row(2, '')::comp order by c, id",
    "create type spans as (n numeric, iv interval)",
    "create table durations (id int, v spans)",
    "insert into durations values (1, '(1.0,\"1 day\")'), (2, '(1.00,\"24 hours\")'), "
    "(3, '(0.5,\"2 days\")')",
    "select count(distinct v), count(*) from durations",
    "select id from durations order by v, id",
    "drop table durations",
    "drop type spans",
    # the catalog drivers read
    "select typname, typtype, typcategory, typrelid <> 0, typlen, typdelim from pg_type "
    "where typname in ('comp', '_comp') order by typname",
    "select c.relname, c.relkind, c.relnatts, c.reltype = t.oid from pg_class c "
    "join pg_type t on t.typrelid = c.oid where t.typname = 'comp'",
    "select a.attname, a.atttypid::regtype, a.attnum, a.atttypmod from pg_attribute a "
    "join pg_type t on t.typrelid = a.attrelid where t.typname = 'money_like' order by a.attnum",
    "select t.typname, coalesce(a.fnames, '{}') from pg_type t left join (select attrelid, "
    "array_agg(attname order by attnum) as fnames from pg_attribute where attnum > 0 group by attrelid) a "
    "on a.attrelid = t.typrelid where t.oid = 'comp'::regtype",
    # ALTER TYPE ... ATTRIBUTE
    "alter type empty add attribute z int",
    "alter type empty add attribute y numeric(5,2)",
    "alter type empty add attribute y int",
    "alter type empty rename attribute z to w",
    "alter type empty alter attribute y type text",
    "alter type empty alter attribute nope type text",
    "alter type empty drop attribute w",
    "alter type empty drop attribute nope",
    "alter type empty drop attribute if exists nope",
    "select row('q')::empty",
    "alter type empty add value 'x'",
    "alter type mood_nosuch add attribute a int",
    "alter type comp rename attribute b to bb",
    "select (c).bb from things where id = 1",
    # DROP TYPE
    "drop type comp",
    "drop type comp cascade",
    "select * from things order by id",
    "drop type empty, money_like",
    "select count(*) from pg_type where typname in ('comp', 'empty', 'money_like')",
    # an attribute of a domain keeps the domain (asyncpg's test_extra_codec_alias reads pg_attribute)
    "create domain positive as numeric check (value > 0)",
    "create type with_domain as (n int, p positive)",
    "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a join pg_type t "
    "on t.typrelid = a.attrelid where t.typname = 'with_domain' order by a.attnum",
    "select row(1, 2.5)::with_domain, (row(1, 2.5)::with_domain).p + 1",
    "create table domain_rows (r with_domain)",
    "insert into domain_rows values (row(2, 10)), (row(1, 1.5))",
    "select r, (r).p from domain_rows order by r",
    "drop domain positive",
    "drop table domain_rows",
    "drop type with_domain",
    "drop domain positive",
]


reference = reference_database("differential_composites")
engine_session = engine_store("differential_composites")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert_same_step_user_types_named(reference, engine_session, sql)
