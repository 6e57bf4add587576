"""Values round-trip exactly through storage; literals and operators give PostgreSQL's answers."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from heliosdb_lite.protocol.codecs import Interval

from .helpers import error, rows, run, value

ROUND_TRIPS: list[tuple[str, Any]] = [
    ("boolean", True),
    ("boolean", False),
    ("smallint", -32768),
    ("integer", 2147483647),
    ("bigint", -9223372036854775808),
    ("real", 1.5),
    ("double precision", 0.1),
    ("numeric", Decimal("12345678901234567890.123456789012345678901")),
    ("numeric(10,2)", Decimal("10.50")),
    ("numeric", Decimal("-0.000001")),
    ("text", "héllo\nworld 'quoted' \\ back"),
    ("varchar(5)", "abc"),
    ("bytea", b"\x00\xff binary \x01"),
    ("date", dt.date(2024, 2, 29)),
    ("time", dt.time(23, 59, 59, 999999)),
    ("timestamp", dt.datetime(2024, 1, 2, 3, 4, 5, 6)),
    ("timestamptz", dt.datetime(2024, 6, 1, 12, 30, tzinfo=ZoneInfo("Europe/Paris"))),
    ("interval", Interval(14, 3, 3_723_000_004)),
    ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ("json", '{"b": 1,   "a": [1, 2]}'),
    ("jsonb", '{"a": [1, 2], "b": 1}'),
    ("integer[]", [1, None, 3]),
    ("text[]", ["a", "b c", ""]),
]


@pytest.mark.parametrize(("pg_type", "stored"), ROUND_TRIPS)
def test_round_trip(session: SQLiteSession, pg_type: str, stored: Any) -> None:
    run(session, f"create table t (v {pg_type})")
    run(session, "insert into t values ($1)", [stored])
    run(session, "insert into t values (null)")
    (got,), (missing,) = rows(session, "select v from t")
    assert got == stored and type(got) is type(stored)
    assert missing is None
    if pg_type == "json":
        assert error(session, "select count(*) from t where v = $1", [stored]).sqlstate == "42883"
    else:
        assert value(session, "select count(*) from t where v = $1", [stored]) == 1


def test_numeric_keeps_scale_and_never_uses_floats(session: SQLiteSession) -> None:
    run(session, "create table m (v numeric(12,4))")
    run(session, "insert into m values (1.5), ('2.25'), ($1)", [Decimal("0.1")])
    assert [r[0] for r in rows(session, "select v from m order by v")] == [
        Decimal("0.1000"), Decimal("1.5000"), Decimal("2.2500")]
    assert value(session, "select sum(v) from m") == Decimal("3.8500")
    assert value(session, "select 0.1 + 0.2") == Decimal("0.3")
    assert value(session, "select 1::numeric / 3") == Decimal("0.33333333333333333333")
    assert value(session, "select avg(x) from (values (1), (2)) v(x)") == Decimal("1.5000000000000000")
    assert value(session, "select 12345678901234567890.5 * 2") == Decimal("24691357802469135781.0")


def test_numeric_orders_by_value(session: SQLiteSession) -> None:
    run(session, "create table m (v numeric)")
    run(session, "insert into m values (10), (9.5), (-2), (100.25)")
    assert [r[0] for r in rows(session, "select v from m order by v desc")] == [
        Decimal("100.25"), Decimal("10"), Decimal("9.5"), Decimal("-2")]
    assert [r[0] for r in rows(session, "select v from m where v > 9.75 order by v")] == [
        Decimal("10"), Decimal("100.25")]
    assert value(session, "select max(v) from m") == Decimal("100.25")


def test_numeric_typmod_rounds_and_overflows(session: SQLiteSession) -> None:
    run(session, "create table m (v numeric(5,2))")
    run(session, "insert into m values (1.005), ($1)", [Decimal("2.675")])
    assert [r[0] for r in rows(session, "select v from m order by v")] == [Decimal("1.01"), Decimal("2.68")]
    assert error(session, "insert into m values (1000)").sqlstate == "22003"


def test_integer_columns_keep_their_range(session: SQLiteSession) -> None:
    run(session, "create table i (small int2, normal int4, big int8)")
    run(session, "insert into i values (32767, 2147483647, 9223372036854775807)")
    for sql, message in [("update i set small = small + 1", "smallint out of range"),
                         ("update i set normal = normal + 1", "integer out of range"),
                         ("update i set big = big + 1", "bigint out of range"),
                         ("insert into i (normal) values (2147483648)", "integer out of range")]:
        failure = error(session, sql)
        assert (failure.sqlstate, failure.message) == ("22003", message), sql
    assert rows(session, "select * from i") == [(32767, 2147483647, 9223372036854775807)]


def test_char_n_pads_and_compares_without_trailing_spaces(session: SQLiteSession) -> None:
    run(session, "create table c (code char(5) primary key)")
    run(session, "insert into c values ('ab')")
    assert value(session, "select code from c") == "ab   "
    assert value(session, "select count(*) from c where code = 'ab'") == 1
    assert value(session, "select count(*) from c where code = $1", ["ab "]) == 1
    assert error(session, "insert into c values ('ab ')").sqlstate == "23505"


def test_varchar_length_is_checked_on_assignment(session: SQLiteSession) -> None:
    run(session, "create table s (v varchar(3))")
    assert error(session, "insert into s values ('abcd')").sqlstate == "22001"
    assert error(session, "insert into s values ($1)", ["abcd"]).sqlstate == "22001"
    assert value(session, "select 'abcd'::varchar(3)") == "abc"


@pytest.mark.parametrize(("sql", "expected"), [
    ("select 't'::boolean, 'no'::bool, true, false", (True, False, True, False)),
    ("select E'a\\nb\\tc\\\\', E'\\x41\\101'", ("a\nb\tc\\", "AA")),
    ("select E'\\v\\q', E'\\303\\251', E'\\u00e9\\uD83D\\uDE00', E'it''s \\'x\\''",
     ("vq", "é", "é😀", "it's 'x'")),
    ("select 'it''s', $$dollar 'quoted'$$", ("it's", "dollar 'quoted'")),
    ("select '2024-01-02'::date, date '2024-01-02' + 1", (dt.date(2024, 1, 2), dt.date(2024, 1, 3))),
    ("select '1.50'::numeric, 1.50, 1e3", (Decimal("1.50"), Decimal("1.50"), Decimal("1000"))),
    ("select 7 / 2, -7 / 2, -7 % 3, 7.0 / 2, 2 ^ 10", (3, -3, -1, Decimal("3.5000000000000000"), 1024.0)),
    ("select 1.5::int, 2.5::int, 2.5::float8::int, '42'::int8", (2, 3, 2, 42)),
    ("select true::text, 12::text || 'x', 1.5::float8::text", ("true", "12x", "1.5")),
    ("select 'abc' like 'a%', 'abc' like 'A%', 'abc' ilike 'A%', 'a_c' like 'a\\_c'",
     (True, False, True, True)),
    ("select 'abc' ~ '^a.c$', 'abc' ~* 'B', 'abc' !~ 'z'", (True, True, True)),
    ("select upper('éa'), lower('ÉA'), length('héllo'), substring('hello' from 2 for 3)",
     ("ÉA", "éa", 5, "ell")),
    ("select coalesce(null, 2), nullif(1, 1), greatest(1, null, 3), least(2.5, 1)",
     (2, None, 3, Decimal("1"))),
    ("select case when 1 > 2 then 'a' when 2 > 1 then 'b' end, case 2 when 1 then 'x' else 'y' end",
     ("b", "y")),
    ("select round(2.5), round(2.567, 2), trunc(-2.7), abs(-3), ceil(1.2), floor(-1.2)",
     (Decimal("3"), Decimal("2.57"), Decimal("-2"), 3, Decimal("2"), Decimal("-2"))),
    ("select round(2.5::float8), round(3.5::float8)", (2.0, 4.0)),
    ("select mod(-7, 3), mod(7.5, 2), octet_length('é'), char_length('é'), strpos('abc', 'c')",
     (-1, Decimal("1.5"), 2, 1, 3)),
    ("select to_timestamp(86400.5)", (dt.datetime(1970, 1, 2, 0, 0, 0, 500000, tzinfo=dt.UTC),)),
    ("select extract(year from date '2024-05-06'), extract(epoch from timestamp '1970-01-02 00:00:00')",
     (Decimal("2024"), Decimal("86400.000000"))),
    ("select date_trunc('month', timestamp '2024-05-06 07:08:09')", (dt.datetime(2024, 5, 1),)),
    ("select timestamp '2024-01-31 10:00' + interval '1 month', interval '1 day' * 2",
     (dt.datetime(2024, 2, 29, 10, 0), Interval(0, 2, 0))),
    ("select timestamp '2024-01-02 01:00' - timestamp '2024-01-01', '2024-03-01'::date - '2024-02-01'::date",
     (Interval(0, 1, 3_600_000_000), 29)),
    ("select 1 in (1, 2), 3 = any(array[1, 2]), 'b' between 'a' and 'c'", (True, False, True)),
    ("select 3 between symmetric 5 and 1, 3 between 5 and 1, 6 not between symmetric 5 and 1",
     (True, False, True)),
    ("select array[1, 2], '{3,4}'::int[]", ([1, 2], [3, 4])),
    ("select 2147483647::bigint + 1, -2147483648", (2147483648, -2147483648)),
])
def test_expressions(session: SQLiteSession, sql: str, expected: tuple[Any, ...]) -> None:
    assert rows(session, sql) == [expected]


def test_timestamptz_literals_use_the_session_time_zone(session: SQLiteSession) -> None:
    run(session, "set time zone 'America/New_York'")
    utc = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    assert value(session, "select '2024-01-01 12:00'::timestamptz") == utc
    assert value(session, "select '2024-01-01 12:00'::timestamptz::timestamp") == dt.datetime(2024, 1, 1, 12)
    run(session, "create table e (at timestamptz)")
    run(session, "insert into e values ('2024-01-01 12:00')")
    run(session, "set time zone 'UTC'")
    assert value(session, "select at from e") == utc
    assert value(session, "select count(*) from e where at = '2024-01-01 17:00:00+00'") == 1


def test_now_is_stable_within_a_transaction(session: SQLiteSession) -> None:
    run(session, "begin")
    first = value(session, "select now()")
    assert value(session, "select now() = $1", [first]) is True
    assert value(session, "select clock_timestamp() >= now()") is True
    run(session, "commit")
    assert value(session, "select now()") >= first


def test_serial_and_defaults(session: SQLiteSession) -> None:
    run(session, "create table s (id serial primary key, seq bigserial, name text not null default 'x', "
                 "at timestamptz default now(), flag boolean default true, amount numeric(6,2) default 0)")
    run(session, "insert into s default values")
    run(session, "insert into s (name) values ('b'), ('c')")
    got = rows(session, "select id, seq, name, flag, amount from s order by id")
    assert got == [(1, 1, "x", True, Decimal("0.00")), (2, 2, "b", True, Decimal("0.00")),
                   (3, 3, "c", True, Decimal("0.00"))]
    assert value(session, "insert into s (name) values ('d') returning id") == 4
    assert isinstance(value(session, "select at from s where id = 1"), dt.datetime)


def test_insert_tags_and_counts(session: SQLiteSession) -> None:
    run(session, "create table c (id int primary key, v text)")
    assert run(session, "insert into c values (1, 'a'), (2, 'b')").command_tag() == "INSERT 0 2"
    assert run(session, "insert into c values (1, 'z') on conflict do nothing").command_tag() == "INSERT 0 0"
    assert run(session, "insert into c values (1, 'z') on conflict (id) do update set v = excluded.v"
               ).command_tag() == "INSERT 0 1"
    assert run(session, "insert into c select id, 'w' from c on conflict (id) do nothing").command_tag() == \
        "INSERT 0 0"
    assert run(session, "update c set v = v || '!'").command_tag() == "UPDATE 2"
    cursor = run(session, "delete from c where id = $1 returning v", [1])
    assert cursor.fetch(0) == [("z!",)] and cursor.command_tag() == "DELETE 1"
    select = run(session, "select * from c")
    assert select.fetch(0) == [(2, "b!")] and select.command_tag() == "SELECT 1"


def test_ddl_tags(session: SQLiteSession) -> None:
    assert run(session, "create table d (a int, b int)").command_tag() == "CREATE TABLE"
    assert run(session, "create index on d (a)").command_tag() == "CREATE INDEX"
    assert run(session, "create unique index d_b on d (b) where b > 0").command_tag() == "CREATE INDEX"
    assert run(session, "create view dv as select a from d").command_tag() == "CREATE VIEW"
    assert run(session, "alter table d add column c text default 'x'").command_tag() == "ALTER TABLE"
    assert run(session, "truncate d").command_tag() == "TRUNCATE TABLE"
    assert run(session, "drop view dv").command_tag() == "DROP VIEW"
    assert run(session, "drop table if exists d, nothere").command_tag() == "DROP TABLE"
    assert error(session, "select * from d").sqlstate == "42P01"
