"""The same statements against the engine and a real PostgreSQL 15: column names, type OIDs,
typmods, values (compared in text form) and SQLSTATEs must agree. Skipped without PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heliosdb_lite.engine.passthrough import SQLiteEngine, SQLiteSession
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import codecs
from tests.pg_reference import reference_pg

__all__ = ["reference_pg"]

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
    "select round(price), round(price, 1), trunc(price), ceil(price), floor(price), abs(-price), sign(price) "
    "from items order by id",
    "select round(2.5::float8), round(-0.5), sqrt(16::float8), mod(-7, 3), mod(7.5, 2), power(2, 3)",
    "select doc -> 'k', doc ->> 's', doc #> '{k,1}', doc #>> '{k}', doc -> 'k' -> 0 from items order by id",
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
]

FAILURES = [
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


Outcome = tuple[Any, ...]


def reference_outcome(connection: Any, sql: str) -> Outcome:
    try:
        cursor = connection.execute(sql, prepare=False)
    except psycopg.Error as error:
        return ("error", error.sqlstate)
    result = cursor.pgresult
    if result is None or result.nfields == 0:
        return ("ok", None, None)
    columns = [(result.fname(i).decode(), result.ftype(i), result.fmod(i)) for i in range(result.nfields)]
    rows = [[result.get_value(r, c) for c in range(result.nfields)] for r in range(result.ntuples)]
    return ("ok", columns, rows)


def engine_outcome(session: SQLiteSession, sql: str) -> Outcome:
    try:
        statement = session.prepare(sql, ())
        cursor = session.execute(statement, [])
    except DatabaseError as error:
        return ("error", error.sqlstate)
    if statement.columns is None:
        return ("ok", None, None)
    columns = [(c.name, c.type_oid, c.type_modifier) for c in statement.columns]
    oids = [c.type_oid for c in statement.columns]
    rows = [[None if value is None else codecs.encode_text(oid, value, tz=dt.UTC)
             for oid, value in zip(oids, row, strict=True)] for row in cursor.fetch(0)]
    return ("ok", columns, rows)


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
