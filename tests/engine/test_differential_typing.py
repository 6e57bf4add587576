"""Differential script for PostgreSQL's type resolution: the common type of UNION / INTERSECT /
EXCEPT, VALUES, CASE, COALESCE and ARRAY branches (select_common_type, unknown literals as text,
42804 / 42846 naming the construct), the branches converted so duplicates are found by value,
recursive WITH terms; assignment of typed values to columns (42804 where PostgreSQL has no
assignment cast); UPDATE ... SET column = DEFAULT; type modifiers of array types. Runs against the
engine and a real PostgreSQL 15; outcome, column types, messages and notices must agree. Skipped
without PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heliosdb_lite.engine.passthrough import SQLiteEngine, SQLiteSession
from tests.engine.test_differential import engine_step_with_messages, reference_step_with_messages
from tests.pg_reference import reference_pg

__all__ = ["reference_pg"]

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    # set operations, VALUES, CASE, COALESCE, ARRAY: the common type of their branches
    'select 1 union select 1.0',
    'select 1 union select 1.0 union select 1::float8',
    'select 1 intersect select 1.0',
    'select 1.0 except select 1',
    "select 1, 'x' union select 1.0, 'x'",
    "select 1 union select '1'",
    "select 1.5 union select '1' order by 1",
    'select 1 as a union select 1.0 order by a',
    'select x from (select 1 as x union select 1.0) s',
    'select 1 union select 2 union select 3.5 order by 1',
    'select x from (select 1 union select 2) s(x) union select 1.5 order by 1',
    'select 0.1000000000000000001 union select 0.1 union all select 1::float8 order by 1',
    "select 1 union all select 'a'",
    "select 'a' union all select 1",
    'select 1 union select true',
    'select 1 union all select null::text',
    'select null union select 1 order by 1',
    'select null union select null',
    "select 'a' union select 'b' order by 1",
    "select 'a' union select null order by 1",
    'select 1 union select 1::oid',
    "select 'a'::varchar union select 'b'::text order by 1",
    "select 'a'::char(3) union select 'a  '::varchar",
    "select 'a'::varchar(3) union select 'b'::varchar(5) order by 1",
    "select 'a'::varchar(3) union all select 'b'::varchar(3) order by 1",
    "select 'a'::varchar(3) union select 'b' order by 1",
    'select 1::numeric(5,2) union select 2 order by 1',
    'select 1::numeric(5,2) union select 2::numeric(5,2) order by 1',
    'select 1::int2 union select 70000 order by 1',
    "select date '2024-01-01' union select timestamptz '2024-01-01 00:00+00'",
    "select time '10:00' union select timestamp '2024-01-01'",
    "select true union select 'yes'",
    'select array[1] union select array[1.0]',
    "select array[1] union select array['a'::text]",
    'select array[1] union select 1',
    'select 1, 2 union select 1',
    'select 1 union values (1.0), (2) order by 1',
    '(select 1 union select 2) intersect select 2',
    'select 1 union select 2 intersect select 2.0 order by 1',
    'values (1), (1.5)',
    "values (1), ('a')",
    "values ('a'), (1)",
    'values (true), (1)',
    "select * from (values ('a'::varchar(3)), ('bb'::varchar(3))) v",
    "select * from (values ('a'::varchar(3)), ('bb')) v",
    'select * from (values (null), (null)) v',
    'select distinct a from (values (1), (1.0), (2)) v(a) order by 1',
    'select case when true then 1 else 1.5 end',
    'select case when false then 1.5 else 1 end',
    'select case when true then 1 else true end',
    "select case when true then 'a'::varchar else 'b'::text end",
    'select coalesce(1, 1.5), coalesce(null, 2::int2, 3)',
    'select coalesce(1, true)',
    'select greatest(1, true)',
    'select array[1, true]',
    "select array[array[1], array['a'::text]]",
    'with recursive c(n) as (select 1 union all select n + 1.5 from c where n < 5) select * from c',
    'with recursive c(n) as (select 1::numeric union all select n + 1 from c where n < 3) select * from c',
    "with recursive c(n) as (select 'a'::varchar(3) union all select n || 'b' from c where "
    'length(n) < 3) select * from c',
    'with recursive c(n) as (select 1 union select n + 1 from c where n < 3) select * from c',
    'create table p (id int primary key, n numeric(6,2), s varchar(5), f float8)',
    "insert into p values (1, 1.50, 'a', 1.5), (2, 2.00, 'b', 2)",
    "select * from p union select 3, 3, 'c', 3 order by 1",
    'select * from p union all select * from p order by 1',
    'select n from p union select f from p order by 1',
    'select n from p union select id from p order by n',
    "select s from p union select 'zz' order by s desc",
    "select s from p union select 'zz'::text order by 1 limit 2",
    "select s from p union select 'zz'::text order by 1 limit 1 offset 1",
    'select id, n from p where id = 1 union select id, f from p order by 1, 2',
    'select 1 in (select id from p union select 1.0)',
    'select (select 1 union select 1.0)',
    'select * from (select n from p union select 1.5) x order by 1',
    'with u as (select n from p union select 1.5) select * from u order by 1',
    'create view pv as select n from p union select 2',
    'select * from pv order by 1',
    'create table p2 as select n from p union select 2',
    'select * from p2 order by 1',
    'insert into p (id, n) select id + 10, n from p union select 20, 1.005 on conflict (id) do nothing',
    'select id, n from p order by id',
    'select n from p except select 2 order by 1',
    'select count(*) from (select n from p union select 1.5) x',
    'select n::text from p union select s from p order by 1',
    'select 1 union select 2 union all select 2 order by 1',
    'select distinct n from p union all select 1.5 order by 1',
    'select n from p union all (select f from p order by f limit 1) order by 1',
    'select n from p intersect select 2.00 order by 1',
    'with recursive a as (select 1 union select 1.0) select * from a',
    'with recursive a(n) as (select 1 union all select 2.5) select * from a order by 1',
    'with recursive c(n) as (select 1 union all select n + 1 from c where n < 3), d as (select 1 '
    'union select 1.0) select (select count(*) from c), (select count(*) from d)',
    'create table q (a int, b text, v varchar(3))',
    "insert into q values (1, 'x', 'abc'), (2, 'y', null), (2, 'y', null)",
    "select * from q union select 1.0, 'x' order by 1, 2",
    "select * from q union select 1.0, 'x', 'v' order by 1, 2, 3",
    "select * from q union all select 1.5, 'z' order by 1, 2",
    'select a, count(*) from q group by a union select 2.0, 2 order by 1, 2',
    'select a, count(*) from q group by 1 union all select 2.5, 2 order by 1, 2',
    '(select a from q order by a desc limit 1) union select 1.5 order by 1',
    'select distinct a from q union all select 2.0 order by 1',
    'select a from q union all select a from q union select 1.0 order by 1',
    'select a from q union select a from q union all select 1.0 order by 1',
    'select a from q except select 1.0 order by 1',
    'select 1.0 union select a from q intersect select 2 order by 1',
    'select a::int2 from q union select a::int8 from q order by 1',
    'select sum(a) from q union select 5.5 order by 1',
    'select a, b from q union select null, null order by 1, 2',
    "select b from q union select 'x'::char(3) order by 1",
    "select b::char(3) from q union select 'y' order by 1",
    'select row_number() over () from q union select 1.5 order by 1',
    'select a::int8, a::oid, b::varchar, v::text, v::varchar(5), b::name from q',
    'select a::int8 from q union all select 1 ',
    'create table q2 (a int, b text)',
    "insert into q2 values (1, 'x'), (2, 'y')",
    'select a, (select a union select 1.5 order by 1 limit 1) from q2 order by 1',
    'select a, (select count(*) from (select a union select 1) s) from q2 order by 1',
    'select a from q2 where a in (select a union select 2.0) order by 1',
    'select a, exists (select a intersect select 1.0) from q2 order by 1',
    # assignment to columns: 42804 without an assignment cast, the value converted otherwise
    'create table w (id serial primary key, x numeric[], i int, s text, b bool, v varchar(3), c '
    'numeric(5,1), a int[], ch char(3), d date, ts timestamptz, j jsonb, n int2)',
    "insert into w (x) select array['1','2']::text[]",
    "insert into w (x) values (array['1','2']::text[])",
    "insert into w (x) values ('{1,2.5}'), (array[1,2]) returning x",
    "insert into w (i) select '12'::text",
    "insert into w (i) values ('12'::text)",
    "insert into w (i) values ('12') returning i",
    'insert into w (i) values (true)',
    'insert into w (b) values (1)',
    "insert into w (b) select 'yes' returning b",
    "insert into w (s) values (12), (1.5), (true), ('2024-01-02'::date) returning s",
    'insert into w (s) select 12 returning s',
    'insert into w (s) select array[1,2] returning s',
    'insert into w (i) values (1.5), (2.5::float8) returning i',
    'insert into w (i) select 2.5 returning i',
    'insert into w (n) select 70000',
    'insert into w (c) select 1.25 returning c',
    'insert into w (c) values (12345.6)',
    "insert into w (v) select 'abcd'::text",
    "insert into w (v) select 'abc  '::text returning v",
    'insert into w (v) values (12345)',
    'insert into w (ch) values (12) returning ch',
    "insert into w (a) values (array['1'])",
    'insert into w (a) select array[1.5] returning a',
    'insert into w (i) values (now())',
    'insert into w (d) values (now()) returning d is not null',
    "insert into w (ts) values ('2024-01-02'::date) returning ts",
    'insert into w (d) values (1)',
    'insert into w (j) values (\'{"a": 1}\'::json) returning j',
    "insert into w (j) values ('{}'::text)",
    'insert into w (i, s) select 1, 2 union select 1.0, 2 returning i, s',
    'insert into w (i) select distinct x from (values (1.4), (1.3)) v(x) returning i',
    'insert into w (s) select * from (values (1), (2)) v returning s',
    'insert into w (i) select x from (values (3), (1), (2)) v(x) order by x returning i',
    "update w set i = 'x'::text",
    'update w set i = true',
    "update w set x = array['1']::text[]",
    'update w set b = 0',
    'update w set s = 1 where id = 1 returning s',
    'update w set i = 2.5 where id = 1 returning i',
    'insert into w (i) values (1) on conflict (id) do update set i = true',
    'insert into w (id, i) values (1, 1) on conflict (id) do update set s = excluded.i returning s',
    'create table hv (a int)',
    'insert into hv values (1), (2)',
    'insert into hv (a) select sum(a) as s from hv having sum(a) > 1 returning a',
    'select sum(a) as s from hv having sum(a) > 1 union select 2.5 order by 1',
    'create table hn (n numeric)',
    'insert into hn (n) select sum(a) as s from hv having sum(a) > 100 returning n',
    # UPDATE ... SET column = DEFAULT
    "create table g (id int generated always as identity, d int default 7, e text default 'x', f "
    'int, ts date default now())',
    'insert into g (f) values (1), (2)',
    'update g set id = default where f = 1 returning id, d, e, f',
    'update g set id = 5 where f = 1',
    'update g set d = default, f = 9 where f = 2 returning id, d, f',
    'update g set d = 3 returning id, d',
    'update g set d = default returning id, d',
    'update g set e = default, d = default, ts = default where f = 9 returning e, d, ts = current_date',
    'update g set f = default returning id, f',
    'alter table g alter column d set default 40 + 2',
    'update g set d = default returning d',
    'alter table g alter column d drop default',
    'update g set d = default returning d',
    'alter table g add column z numeric(5,1) default 1.25',
    'update g set z = 3 returning z',
    'update g set z = default returning z',
    'create table h (id serial primary key, d int default 5)',
    'insert into h (d) values (1)',
    'update h set id = default, d = default returning *',
    'insert into h (d) values (2) returning *',
    "select currval('h_id_seq')",
    'create table bd (id bigint generated by default as identity primary key, d int)',
    'insert into bd (d) values (1)',
    'update bd set id = default returning *',
    'insert into bd (id, d) values (2, 2) on conflict (id) do update set d = default returning *',
    'insert into h (id, d) values (2, 9) on conflict (id) do update set d = default returning *',
    "create table m (id serial primary key, a int default 7, b text default 'x', c numeric(5,1) "
    'default 1.25)',
    "insert into m (a, b) values (1, default), (default, 'y') returning *",
    'insert into m values (default, default, default, default) returning *',
    "insert into m values (default, 2, default, 3.33), (default, default, 'q', default) returning *",
    'insert into m (id, a) values (default, 1), (default, 2) returning *',
    'insert into m (a) values (1) returning id',
    'create table mg (id int generated always as identity, v int)',
    'insert into mg (id, v) values (default, 1), (default, 2) returning *',
    'insert into mg (id, v) values (default, 1), (5, 2) returning *',
    'insert into mg (v, id) values (3, default), (4, default) returning *',
    'insert into mg values (default, default) returning *',
    # type modifiers of array types
    'create table ga (k int primary key, n numeric(5,1)[], v varchar(2)[], c char(2)[], ts '
    'timestamp(0)[], plain numeric[])',
    'insert into ga (k, n) values (1, array[1.25, 2.35]) returning n',
    "insert into ga (k, n) values (2, '{1.25,NULL,2.35}') returning n",
    'insert into ga (k, n) select 3, array[1.25] returning n',
    'insert into ga (k, n) values (4, array[12345.6])',
    "insert into ga (k, n) values (4, '{{1.25,2},{3,4.44}}') returning n",
    "insert into ga (k, v) values (5, array['abc'])",
    "insert into ga (k, v) values (5, '{abc}')",
    "insert into ga (k, v) values (5, array['ab ', 'x']) returning v",
    "insert into ga (k, c) values (6, array['a']) returning c",
    "insert into ga (k, ts) values (7, array['2024-01-01 10:00:00.6'::timestamp]) returning ts",
    'insert into ga (k, plain) values (8, array[1.25]) returning plain',
    'update ga set n = array[9.99] where k = 1 returning n',
    'update ga set n = n where k = 2 returning n',
    "update ga set v = array['xyz'] where k = 5",
    "update ga set v = '{p,q}' where k = 5 returning v",
    'select k, n, v, c, ts, plain from ga order by k',
    'select n, v from ga where k = 1',
    "select array['abc', 'de']::varchar(2)[]",
    "select '{abc,de}'::varchar(2)[]",
    'select array[1.25, 2.35]::numeric(5,1)[]',
    "select '{1.25}'::numeric(5,1)[]",
    'select array[12345.6]::numeric(5,1)[]',
    "select array['2024-01-01 10:00:00.6'::timestamp]::timestamp(0)[]",
    "select array['a']::char(3)[]",
    'create table ga2 as select n, v from ga',
    'select n, v from ga2 order by n',
    'select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = '
    "'ga'::regclass and attnum > 0 and attname <> 'ts' order by attnum",
]


@pytest.fixture(scope="module")
def reference(reference_pg: str) -> Iterator[Any]:
    with psycopg.connect(reference_pg, autocommit=True) as admin:
        admin.execute("drop database if exists differential_typing")
        admin.execute("create database differential_typing")
    with psycopg.connect(reference_pg.replace("dbname=postgres", "dbname=differential_typing"),
                         autocommit=True) as connection:
        connection.execute("set timezone = 'Etc/UTC'")
        yield connection


@pytest.fixture(scope="module")
def engine_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteSession]:
    engine = SQLiteEngine(Path(tmp_path_factory.mktemp("differential_typing")) / "data")
    yield engine.open_session("postgres", "postgres", {})
    engine.close()


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, column types, error message and
    notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
