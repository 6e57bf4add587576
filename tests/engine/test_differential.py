"""The same statements against the engine and a real PostgreSQL 15: column names, type OIDs,
typmods, values (compared in text form) and SQLSTATEs must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_outcome,
    engine_script_step,
    reference_outcome,
    reference_script_step,
)

psycopg = pytest.importorskip("psycopg")

SCHEMA = [
    "create table items (id serial primary key, name varchar(20) not null, price numeric(10,2), qty int2, "
    "big bigint, ratio float8, made timestamptz, day date, active boolean, tag uuid, doc jsonb, "
    "code char(4), span interval, tags text[])",
    "insert into items (name, price, qty, big, ratio, made, day, active, tag, doc, code, span, tags) values "
    "('apple', 1.50, 3, 10000000000, 0.25, '2024-01-02 03:04:05.5+00', '2024-01-02', true, "
    "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2.50], \"s\": \"x\"}', 'ab', '1 day 02:00', "
    "'{a,b}'), "
    "('pear', 20.05, 1, -5, 1e10, '2023-12-31 23:59:59+02', '2023-12-31', false, null, '[]', 'xyz', "
    "'-3 mons', '{}'), "
    "('fig', null, null, null, null, null, null, null, null, null, null, null, null)",
    "create table tiny (k int primary key, v text unique, n numeric check (n >= 0))",
    "insert into tiny values (1, 'one', 1.0), (2, 'two', 2.25)",
]

QUERIES = [
    "select 1, 2147483648, 9223372036854775808, 1.5, 1e3, 'x', null, true, -7",
    "select 7 / 2, -7 / 2, -7 % 3, 7.0 / 2, 1::numeric / 3, 2 ^ 10, 10 / 4.0, 0.1 + 0.2, 0.1::float8 + 0.2",
    "select 1.5::int, 2.5::int, -2.5::int, 2.5::float8::int, 3.5::float8::int, '42'::int8, ' 7 '::int",
    "select true::text, 12::text || 'x', 1.5::float8::text, 'a'::varchar(5), 'abcdef'::varchar(3), "
    "'x'::char(3)",
    "select 't'::boolean, 'off'::bool, '2024-01-02'::date, '10:00'::time, 'Yes'::boolean",
    "select E'a\\nb', E'\\x41\\101', E'\\v', 'it''s', $$dollar$$",
    "select * from items order by id",
    "select id, name, price from items where price > 2 order by id",
    "select id from items where price between 1 and 2",
    "select name from items where name like 'a%' or name ilike 'P%' order by name",
    "select name from items where name ~ '^f' or name !~ 'a'",
    "select count(*), count(price), sum(qty), sum(big), sum(price), avg(qty), avg(price), avg(ratio) "
    "from items",
    "select min(price), max(price), min(name), max(made), min(day), max(span) from items",
    "select avg(distinct qty), sum(distinct big), avg(distinct big), count(distinct qty) from items",
    "select avg(distinct x), sum(distinct x) from (values (1), (1), (2), (null)) v(x)",
    "select avg(distinct x), sum(distinct x) from (values (1::int8), (1), (9223372036854775807)) v(x)",
    "select x % 2, avg(distinct x) from (values (1), (1), (3), (4)) v(x) where x > 0 group by 1 order by 1",
    "select active, count(*) from items group by active order by active nulls first",
    "select price * 2, price + qty, qty + qty, qty * 1.5, big * 2, ratio * 2, -price from items order by id",
    "select made + interval '1 day', day + 7, day - date '2023-01-01', made - made, span * 2 from items "
    "order by id",
    "select timestamp '2024-01-31 10:00' + interval '1 month', date '2024-03-01' - 1, "
    "timestamp '2024-01-02 01:00' - timestamp '2024-01-01', interval '1 day' * 1.5, "
    "time '23:00' + interval '2h'",
    "select extract(year from day), extract(epoch from made), date_trunc('month', made), "
    "date_trunc('day', timestamp '2024-05-06 07:08:09') from items order by id",
    "select upper(name), lower('AB'), length(name), substring(name from 2 for 2), substr(name, 2), "
    "position('p' in name), strpos(name, 'e'), trim('  x  '), replace(name, 'p', 'P') from items order by id",
    "select concat(name, '-', qty), concat_ws('/', name, price), name || qty, coalesce(price, 0), "
    "nullif(qty, 3), greatest(qty, 2), least(price, 5) from items order by id",
    "select case when price > 10 then 'high' when price > 1 then 'mid' else 'none' end, "
    "case qty when 1 then 'one' else 'other' end from items order by id",
    "select case price when 1.500 then 'a' when 20.05 then 'b' else 'c' end, "
    "case span when '26 hours' then 'day' when '-3 mons' then 'months' end, "
    "case code when 'ab' then 'padded' else code end, case 2.0 when 2 then 'int' end from items order by id",
    "select round(price), round(price, 1), trunc(price), ceil(price), floor(price), abs(-price), sign(price) "
    "from items order by id",
    "select round(2.5::float8), round(-0.5), sqrt(16::float8), mod(-7, 3), mod(7.5, 2), power(2, 3)",
    "select 10::numeric ^ 20, 0.1 ^ 3, 123.456 ^ 2, 1.5 ^ -2, 0.5 ^ 10, 2.0 ^ 0.5, 7::numeric ^ 0",
    "select sqrt(2::numeric), sqrt(0.0001), ln(10::numeric), ln(1.0001), ln(0.5), exp(1::numeric), "
    "exp(-2::numeric), log(100::numeric), log(12345678.9)",
    "select doc -> 'k', doc ->> 's', doc #> '{k,1}', doc #>> '{k}', doc -> 'k' -> 0 from items order by id",
    "select doc ? 'k', doc ?| array['s', 'z'], doc ?& array['k', 's'], doc ?| '{}', doc ?& array['k', null], "
    "doc @> '{\"k\": [2.5]}', doc <@ '{\"s\": \"x\", \"k\": [1, 2.50], \"z\": 0}', doc @> '{}' "
    "from items order by id",
    "select '[\"a\", 1]'::jsonb ? 'a', '\"a\"'::jsonb ? 'a', '[[\"a\"]]'::jsonb ? 'a', "
    "'{\"x\": {\"a\": 1}}'::jsonb ? 'a', '{\"a\": 1}' ? 'a', '{}'::jsonb ? null",
    "select '{\"a\": 1, \"b\": [1, 2, {\"c\": 3}]}'::jsonb @> '{\"b\": [{\"c\": 3}]}', "
    "'{\"a\": 1}'::jsonb @> '{\"a\": 1.0}', '[1, 2, 3]'::jsonb @> '[3, 1, 1]', '[1, 2]'::jsonb @> '1', "
    "'1'::jsonb @> '[1]', '{\"a\": true}'::jsonb @> '{\"a\": 1}', '[[1, 2]]'::jsonb @> '[1]', "
    "'[[1, 2]]'::jsonb @> '[[1]]', '{\"a\": {\"b\": 1}}'::jsonb @> '{\"a\": {}}', "
    "'{\"a\": [1]}'::jsonb @> '{\"a\": 1}', '[null]'::jsonb @> 'null', '[]'::jsonb @> '[]'",
    "select tags, tags[1], tags[5], array[1, 2], '{3,4}'::int[] from items order by id",
    "select 2 = any(array[1, 2]), 3 <> all(array[1, 2]), name = any('{apple,fig}') from items order by id",
    "select id, row_number() over (order by id desc), rank() over (order by active), "
    "sum(price) over (order by id) from items order by id",
    "select exists (select 1 from tiny), (select max(k) from tiny), k in (select k from tiny) from tiny",
    "with recursive c(n) as (select 1 union all select n + 1 from c where n < 5) "
    "select sum(n), count(*) from c",
    "select x from generate_series(1, 10, 3) as g(x)",
    "select * from generate_series(3, 1, -1)",
    "select a, b from (values (1, 'x'), (2, null)) as v(a, b) order by a desc",
    "select column1, column2 from (values (1.5, true)) v",
    "select k, v from tiny union select 3, 'three' order by 1",
    "select k from tiny intersect select 1 except select 5",
    "select i.name, t.v from items i left join tiny t on t.k = i.qty order by i.id",
    "select distinct active from items order by 1",
    "select id from items order by price desc nulls last, id limit 2 offset 1",
    "select code, code = 'ab', length(code), code || '|' from items order by id",
    "select made at time zone 'UTC', timestamp '2024-06-01 12:00' at time zone 'Europe/Paris' from items "
    "order by id",
    "select string_agg(name, ',' order by name), array_agg(id) from items",
    "select name, doc from items where doc ->> 's' = 'x'",
    "select 1 as \"Mixed Case\", 2 as lower_case",
    "select '1 year 2 mons 3 days 04:05:06.5'::interval, '2024-02-29'::date + interval '1 year'",
    "select to_timestamp(86400.5), now() > '2020-01-01', current_date > '2020-01-01'",
    "show transaction isolation level",
    "show standard_conforming_strings",
    "select current_setting('TimeZone'), current_schema(), current_user, session_user",
    "select id, name from items where made > '2024-01-01' order by id",
    "select id from items where day = '2024-01-02'::date",
    "select id from items where made::date = '2024-01-02'",
    "select made::date, made::time, day::timestamp, day::timestamptz, '2024-01-02 "
    "03:04'::timestamp::date from items order by id",
    "select span > interval '1 day', span < '0', span = interval '26 hours' from items order by id",
    "select span from items order by span nulls first",
    "select price from items order by price desc",
    "select distinct n from (values (1.0), (1.00), (2)) v(n) order by n",
    "select 1.0 = 1.00, 1.5 > 1, 10 > 9.5, 2.5 between 2 and 3",
    "select null = null, null is null, 1 in (1, null), 2 in (1, null), 2 not in (1, null)",
    "select 'a%b' like 'a\\%b', 'a%b' like 'a!%b' escape '!', 'ab' like 'a_', 'ABC' ilike '%b%'",
    "select active, not active, active and true, active or false, active is true, active is not "
    "false from items order by id",
    "select k, sum(n) from tiny group by k having sum(n) > 1 order by k",
    "select count(*) filter (where price > 1), count(distinct active) from items",
    "select 1 union select 2.5",
    "select 'a' union all select 'b' order by 1 desc",
    "select coalesce(null, null, 3), coalesce(null::int, 2.5)",
    "select -7 / 2.0, 7 % -3, -7.5 % 2, abs(-2147483647)",
    "select round(-2.5), round(2.4999), round(1234.5678, -2), trunc(-1.99, 1)",
    "select 9.99::numeric(3,1), 1.25::numeric(3,1), 1.35::numeric(3,1), '-0.05'::numeric(3,1)",
    "select 100::int2 * 300::int2",
    "select 1::int2 + 1::int8, 1::int4 + 1::float4, 1::float4 * 2::float4",
    "select id::numeric / 3, id::float8 / 3 from items order by id",
    "select length('héllo'), octet_length('héllo'), upper('abc'), lower('ABC'), initcap('hello world')",
    "select left('hello', 2), right('hello', 2), repeat('ab', 3), reverse('abc'), lpad('x', 3, '*')",
    "select md5('a'), split_part('a,b,c', ',', 2), chr(65), ascii('A')",
    "select date_part('year', date '2024-05-06'), extract(dow from date '2024-05-05'), extract(doy "
    "from date '2024-12-31')",
    "select extract(hour from time '10:11:12.5'), extract(second from time '10:11:12.5'), "
    "extract(epoch from interval '1 day 1 second')",
    "select extract(month from interval '14 months'), extract(minute from timestamptz '2024-01-01 "
    "10:30:00+00')",
    "select date_trunc('year', date '2024-05-06'), date_trunc('week', timestamp '2024-05-08 10:00'), "
    "date_trunc('quarter', timestamp '2024-05-08')",
    "select now() - now(), clock_timestamp() >= now(), transaction_timestamp() = now(), "
    "statement_timestamp() >= now()",
    "select '{\"a\": {\"b\": 1}}'::jsonb -> 'a' -> 'b', '[1,2,3]'::jsonb -> -1, '{\"a\": \"x\"}'::json ->> "
    "'a'",
    "select '{\"b\": 1, \"a\": 2}'::jsonb, '{\"b\": 1, \"a\": 2}'::json, '  [1, 2]  '::jsonb",
    "select array[1, null, 3], array['a', 'b c'], array[1.5, 2], (array[1,2,3])[2]",
    "select gen_random_uuid() is not null, random() < 1, version() like 'PostgreSQL 15%'",
    "select x, x * 2 from generate_series(-2, 2) x where x % 2 = 0",
    "select string_agg(v, '|') from tiny",
    "select max(k) over (), min(v) over (order by k) from tiny order by k",
    "select k, lag(k) over (order by k), lead(v, 1, 'none') over (order by k) from tiny order by k",
    "select i.id, t.k from items i cross join tiny t where i.id = t.k order by 1",
    "select i.id, t.k from items i full join tiny t on i.id = t.k + 1 order by 1 nulls last, 2",
    "select id from items i where exists (select 1 from tiny t where t.k = i.id) order by id",
    "select (select count(*) from tiny t where t.k <= i.id) from items i order by id",
    "select name, price from items where price is not distinct from null",
    "select cast('12.5' as numeric(4,1)), cast(12.56 as decimal(4,1)), cast('1' as boolean), cast(1 as text)",
    "select 'x'::varchar || 'y'::char(3) || 'z'",
    "select trim(both 'x' from 'xxaxx'), trim(leading from '  a'), btrim('xyx', 'x'), ltrim('aab', "
    "'a'), rtrim('baa', 'a')",
    "select 2147483647::int4 + 0, -32768::int2, 32767::int2 + 0::int2",
    "select 1e-3, 1.5e2, 0.000001, 123456789012345678901234567890.123",
    "select '2024-01-01 00:00:00+05'::timestamptz, '2024-07-01 12:00 Europe/Berlin'::timestamptz",
    "select interval '1 month' - interval '1 day', interval '-1 day 02:00', interval '1.5 days'",
    "select time '12:00' - time '10:30', date '2024-03-01' + time '10:00'",
    "select greatest('b', 'a', 'c'), least(date '2024-01-01', '2023-01-01')",
    "select left('hello', -2), right('hello', -2), right('hello', 0), lpad('hello', 2), rpad('hi', "
    "5, 'ab'), lpad('hi', 5, '')",
    "select initcap('hELLO wORLD-foo bar_baz 3rd'), split_part('a,b,c', ',', -1), split_part('a,b', "
    "',', 5), split_part('abc', '', 1)",
    "select translate('12345', '143', 'ax'), starts_with('alphabet', 'alph'), "
    "quote_literal('it''s'), quote_literal(E'a\\\\b'), quote_nullable(null), ascii('')",
    "select md5(''), repeat('x', -1), reverse(''), chr(233)",
    "select like('abc', 'a%'), like('abc', 'b%'), pg_catalog.like('xyz', '%z')",
    "select '5'::\"pg_catalog\".\"int8\", 'x'::pg_catalog.text",
]

FAILURES = [
    "select '{\"a\": 1}'::json ? 'a'",
    "select '{\"a\": 1}'::jsonb ? 1",
    "select '{\"a\": 1}'::jsonb ?| array[1]",
    "select '{\"a\": 1}'::json @> '{}'",
    "select '{\"a\": 1}'::jsonb @> array[1]",
    "select '1'::\"public\".\"int4\"", "select '1'::\"pg_catalog\".\"nosuch\"",
    "select 1 / 0", "select 1.5 / 0", "select 5 % 0", "select 2147483647 + 1",
    "select 9223372036854775807 + 1", "select 'abc'::int", "select 'a' + 'b'", "select now() + 1",
    "select * from missing", "select nope from tiny",
    "select no_such_function(1)", "create table tiny (a int)", "insert into tiny values (1, 'x', 1)",
    "insert into tiny values (9, 'one', 1)", "insert into tiny values (9, 'nine', -1)",
    "insert into tiny (v) values ('ten')", "select current_setting('no_such_setting')", "show no_such",
    "set no_such = 1", "set server_version = '1'", "selec 1", "select (1", "select '{}'::json = '{}'::json",
    "insert into items (name) values ('this name is far too long for it')",
    "insert into items (name, qty) values ('x', 40000)",
]


PREPARED = [
    "select * from items where id = $1",
    "select * from items where $1 = name",
    "select * from items where price < $1 and made >= $2 and day <> $3",
    "select * from items where id in ($1, $2) and active = $3",
    "select * from items where qty between $1 and $2",
    "insert into items (name, price, day, tag, doc) values ($1, $2, $3, $4, $5)",
    "update items set price = $1, span = $2 where id = $3",
    "select * from items limit $1 offset $2",
    "select id + $1, big * $2, $3::int + 1, $4::numeric(5, 1) from items",
    "select $1",
    "select $2::text, $1::int8",
    "select length($1), upper($1)",
    "select made + $1 from items",
    "select 2 = any($1)",
    "select pg_sleep($1)",
    "select doc ->> $1 from items",
    "select coalesce(price, $1) from items",
    "select name from items where name like $1",
]


def prepared_description(connection: Any, sql: str) -> tuple[list[int], list[tuple[str, int, int]] | None]:
    connection.pgconn.prepare(b"probe", sql.encode())
    try:
        result = connection.pgconn.describe_prepared(b"probe")
        params = [result.param_type(i) for i in range(result.nparams)]
        columns = [(result.fname(i).decode(), result.ftype(i), result.fmod(i)) for i in range(result.nfields)]
    finally:
        connection.execute("deallocate probe")
    return params, columns or None


@pytest.fixture(scope="module")
def reference(reference_pg: str) -> Iterator[Any]:
    with psycopg.connect(reference_pg, autocommit=True) as connection:
        connection.execute("set timezone = 'Etc/UTC'")
        connection.execute("drop table if exists items, tiny")
        for statement in SCHEMA:
            connection.execute(statement)
        yield connection


@pytest.fixture(scope="module")
def engine_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteSession]:
    engine = SQLiteEngine(Path(tmp_path_factory.mktemp("differential")) / "data")
    session = engine.open_session("postgres", "postgres", {})
    for statement in SCHEMA:
        session.execute(session.prepare(statement, ()), [])
    yield session
    engine.close()


@pytest.mark.parametrize("sql", QUERIES)
def test_same_answer(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_outcome(engine_session, sql) == reference_outcome(reference, sql)


@pytest.mark.parametrize("sql", FAILURES)
def test_same_error(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    expected = reference_outcome(reference, sql)
    assert expected[0] == "error", expected
    assert engine_outcome(engine_session, sql) == expected


@pytest.mark.parametrize("sql", PREPARED)
def test_same_description_before_execution(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    statement = engine_session.prepare(sql, ())
    columns = None
    if statement.columns:
        columns = [(c.name, c.type_oid, c.type_modifier) for c in statement.columns]
    assert (list(statement.param_oids), columns) == prepared_description(reference, sql)


SCRIPT = [
    "create table acct (id serial primary key, owner text not null unique, balance numeric(12,2) default 0, "
    "opened date default '2024-01-01', flags int[])",
    "insert into acct (owner, balance) values ('ann', 10.5), ('bob', 20) returning id, owner, balance",
    "insert into acct (owner) values ('cy') returning *",
    "insert into acct (owner) values ('ann')",
    "insert into acct (owner, balance) values ('ann', 1) on conflict (owner) do nothing",
    "insert into acct (owner, balance) values ('ann', 1) on conflict (owner) do update "
    "set balance = acct.balance + excluded.balance returning balance",
    "update acct set balance = balance * 2 where owner = 'bob' returning owner, balance",
    "update acct set flags = '{1,2}' where owner = 'cy'",
    "delete from acct where owner = 'nobody'",
    "select owner, balance, opened, flags from acct order by id",
    "begin",
    "update acct set balance = 0",
    "savepoint s1",
    "delete from acct",
    "select count(*) from acct",
    "rollback to savepoint s1",
    "select count(*), sum(balance) from acct",
    "release s1",
    "commit",
    "select sum(balance) from acct",
    "begin",
    "insert into acct (owner) values ('dee')",
    "select 1 / 0",
    "select 1",
    "commit",
    "select count(*) from acct",
    "start transaction read only",
    "insert into acct (owner) values ('eve')",
    "rollback",
    "create table snapshot as select owner, balance from acct where balance = 0",
    "select * from snapshot order by owner",
    "alter table snapshot add column note varchar(10) default 'n/a'",
    "select * from snapshot order by owner",
    "truncate snapshot",
    "select count(*) from snapshot",
    "drop table snapshot",
    "create index acct_balance_idx on acct (balance)",
    "drop index acct_balance_idx",
    "create view rich as select owner from acct where balance > 1",
    "select * from rich order by owner",
    "drop view rich",
    "set application_name = 'differential'",
    "show application_name",
    "reset application_name",
    "show application_name",
    "select setval('acct_id_seq', 100)",
]


def test_same_script(reference: Any, engine_session: SQLiteSession) -> None:
    """A sequence of writes, transactions and DDL: the same tags, rows and errors in order."""
    reference.execute("drop table if exists acct, snapshot cascade")
    expected = [reference_script_step(reference, sql) for sql in SCRIPT]
    assert [engine_script_step(engine_session, sql) for sql in SCRIPT] == expected


def test_distinct_sum_and_average_of_numerics_are_refused(engine_session: SQLiteSession) -> None:
    """numeric is stored as text: 1.0 and 1.00 are two distinct texts but one number, so SQLite's
    DISTINCT would count both; refused instead of answered wrong (integers are exact, above)."""
    for name in ("avg", "sum"):
        assert_refused_clearly(engine_session, f"select {name}(distinct x) from (values (1.0), (1.00)) v(x)",
                               f"{name}(DISTINCT")
