"""The statements sqlsmith (`make fuzz`) found faults with, replayed against a real server on the
fuzz schema: each runs as sqlsmith runs it (BEGIN, the statement, ROLLBACK) and must give the clean
outcome recorded here, a result or an ERROR with that SQLSTATE, leaving the session usable. Where
the engine answers, PostgreSQL 15 is asked too (same schema) and must agree on the SQLSTATE class;
a 0A000 (refused, naming the construct) is compared with nothing.

What each statement found is in its comment: a wrong-class error (42883, 42804, 42704 or 42601
for SQL PostgreSQL runs), a Python exception or an SQLite error passed on as XX000.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tests.fuzz.sqlsmith_run import SCHEMA
from testsupport.server_process import ServerProcess

DATABASE = "sqlsmith_corpus"
OK = "ok"


def _sql(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Case:
    found: str  # what the statement found
    sql: str
    outcome: str  # OK, or the SQLSTATE of the clean error


CORPUS = [
    Case("42883: a pg_catalog-qualified bool_or/bool_and (an Anonymous call SQLite lacks)", _sql("""
        select ref_0.ts as c0, pg_catalog.sqrt(cast(case when pg_catalog.bool_or(cast((select
        pg_catalog.bool_or(flag) from public.texts) as bool)) over (partition by ref_0.ts order by
        ref_0.ts,ref_0.tm) >= (select pg_catalog.bool_and(flag) from public.texts) then (select n from
        public.numbers limit 1 offset 5) else (select n from public.numbers limit 1 offset 5) end as
        "numeric")) as c1 from public.times as ref_0 where ref_0.id is NULL limit 119
        """), OK),
    Case("42883: pg_catalog.bool_and in an INSERT's scalar subquery", _sql("""
        insert into public.texts values (25, (select pg_catalog.min(t) from public.recent), default,
        cast(null as bpchar), cast(null as bytea), (select pg_catalog.bool_and(flag) from public.texts),
        default)
        """), OK),
    Case("42804: pg_catalog.regexp_like typed text (the qualified call missed RegexpLike)", _sql("""
        insert into public.texts values (65, default, default, case when (cast(null as bpchar) > cast(null
        as bpchar)) or ((26 < cast(null as int8)) or (true)) then cast(null as bpchar) else cast(null as
        bpchar) end, cast(null as bytea), cast(coalesce(true, pg_catalog.regexp_like(cast(cast(null as text)
        as text), cast(cast(null as text) as text))) as bool), default)
        """), OK),
    Case("42704: array typnames and \"char\" as sqlsmith casts to them", _sql("""
        select cast(null as _int4) as c0, cast(null as "char") as c1, cast(null as _text) as c2 from
        public.documents as ref_0 where cast(null as _int4) is null
        """), OK),
    Case("42601: a join nested in another's ON reached SQLite as it was written (now answered)", _sql("""
        select ref_1.c as c0, 99 as c1 from public.numbers as ref_0 inner join public.texts as ref_1 left
        join public.documents as ref_2 on (ref_2.id <= ref_1.id) on (((ref_0.n = ref_0.n) and (ref_0.i2 is
        not NULL)) or (ref_1.id <> ref_1.id)) where ref_2.id is NULL limit 69
        """), OK),
    Case("42601: a qualified call inside a qualified call kept positions of the re-parsed text", _sql("""
        select pg_catalog.to_timestamp(cast(pg_catalog.ceil(cast(1.5 as float8)) as float8))
        """), OK),
    Case("XX000: 'misuse of aggregate function MAX()' (qualified max() OVER; min(i2) made max)", _sql("""
        select pg_catalog.max( cast(cast(null as text) as text)) over (partition by ref_0.tz order by
        ref_0.tm,ref_0.tz) as c0, ref_0.id as c1 from public.times as ref_0 where pg_catalog.mod( cast(case
        when false then (select i2 from public.numbers limit 1 offset 2) else (select i2 from public.numbers
        limit 1 offset 2) end as int2), cast(pg_catalog.abs( cast(case when false then (select
        pg_catalog.min(i2) from public.numbers) else (select pg_catalog.max(i2) from public.numbers) end as
        int2)) as int2)) < pg_catalog.abs( cast(pg_catalog.abs( cast(pg_catalog.mod( cast(pg_catalog.abs(
        cast(cast(null as int2) as int2)) as int2), cast(cast(null as int2) as int2)) as int2)) as int2))
        limit 148
        """), OK),
    Case("42601: SQLite's syntax error near SET from a qualified mod(...) call", _sql("""
        select (select f4 from public.numbers limit 1 offset 87) as c0 from (select ref_0.v as c0, (select
        pg_catalog.min(f4) from public.numbers) as c1, (select jb from public.documents limit 1 offset 3) as
        c2, ref_0.c as c3, 21 as c4 from public.texts as ref_0 where 59 is NULL limit 28) as subq_0 inner
        join public.numbers as ref_1 on ((select f4 from public.numbers limit 1 offset 5) <= ref_1.f8) where
        pg_catalog.mod( cast(ref_1.i8 as int8), cast(pg_catalog.abs( cast(case when ((select ts from
        public.times limit 1 offset 5) <> (select pg_catalog.max(tz) from public.times) ) and ((true) and
        (((select pg_catalog.max(ts) from public.recent) <= (select tz from public.times limit 1 offset 4) )
        or (ref_1.f4 is not NULL))) then ref_1.i8 else ref_1.i8 end as int8)) as int8)) > ref_1.i8
        """), OK),
    Case("42883: mod(a, b) translated its arguments twice (a scalar subquery then typed text)", _sql("""
        select subq_0.c4 as c0, subq_0.c6 as c1, (select id from public.documents limit 1 offset 2) as c2
        from (select ref_0.iv as c0, pg_catalog.floor( cast( pg_catalog.max( cast(cast(null as float8) as
        float8)) over (partition by ref_0.tm,ref_0.id order by ref_0.ts) as float8)) as c1, ref_0.d as c2,
        ref_0.d as c3, ref_0.iv as c4, ref_0.id as c5, ref_0.id as c6, ref_0.iv as c7 from public.times as
        ref_0 where case when (select b from public.texts limit 1 offset 5) <= cast(null as bytea) then
        (select jb from public.documents limit 1 offset 5) else (select jb from public.documents limit 1
        offset 5) end >= cast(null as jsonb)) as subq_0 where pg_catalog.mod( cast((select
        pg_catalog.sum(i2) from public.numbers) as int8), cast(cast(nullif(case when case when subq_0.c2 is
        not NULL then (select pg_catalog.min(f4) from public.numbers) else (select pg_catalog.min(f4) from
        public.numbers) end <> subq_0.c1 then (select i8 from public.numbers limit 1 offset 62) else (select
        i8 from public.numbers limit 1 offset 62) end , cast(nullif((select i8 from public.numbers limit 1
        offset 5) , case when (select i8 from public.numbers limit 1 offset 3) >= subq_0.c5 then (select id
        from public.documents limit 1 offset 4) else (select id from public.documents limit 1 offset 4) end
        ) as int8)) as int8) as int8)) >= (select pg_catalog.min(i2) from public.numbers) limit 78
        """), OK),
    Case("22011: substring(NULL, start, negative length) raised where the strict function is NULL", _sql("""
        select subq_0.c6 as c0 from (select ref_0.i2 as c0, ref_0.f8 as c1, (select n from public.numbers
        limit 1 offset 2) as c2, pg_catalog.character_length( cast(cast(null as bpchar) as bpchar)) as c3,
        ref_0.id as c4, ref_0.i2 as c5, pg_catalog.substring( cast(cast(null as text) as text), cast((select
        pg_catalog.min(id) from public.times) as int4), cast(ref_0.i4 as int4)) as c6 from public.numbers as
        ref_0 where ((select tz from public.times limit 1 offset 1) <> cast(null as timestamptz)) or (true)
        limit 75) as subq_0 where pg_catalog.current_database() > pg_catalog.current_database() limit 36
        """), OK),
    Case("22007: nullif compared uuids with the interval collation of a CASE inside its argument", _sql("""
        select ref_0.j as c0 from public.documents as ref_0 where cast(coalesce(case when true then
        cast(nullif(case when (select iv from public.times limit 1 offset 41) <> cast(null as "interval")
        then (select u from public.texts limit 1 offset 4) else (select u from public.texts limit 1 offset
        4) end , (select u from public.texts limit 1 offset 4) ) as uuid) else cast(nullif(case when (select
        iv from public.times limit 1 offset 41) <> cast(null as "interval") then (select u from public.texts
        limit 1 offset 4) else (select u from public.texts limit 1 offset 4) end , (select u from
        public.texts limit 1 offset 4) ) as uuid) end , (select u from public.texts limit 1 offset 4) ) as
        uuid) <= cast(nullif(case when false then (select u from public.texts limit 1 offset 6) else (select
        u from public.texts limit 1 offset 6) end , cast(null as uuid)) as uuid) limit 90
        """), OK),
    Case("42804: a serial key set to NULL (SQLite's datatype mismatch) where PostgreSQL says 23502", _sql("""
        update public.numbers set id = pg_catalog.char_length( cast(case when public.numbers.i4 is not NULL
        then cast(null as bpchar) else cast(null as bpchar) end as bpchar)), i4 = public.numbers.i4, i8 =
        public.numbers.i8 returning public.numbers.i8 as c0, public.numbers.id as c1, 81 as c2,
        cast(nullif(public.numbers.id, public.numbers.id) as int4) as c3, public.numbers.i2 as c4,
        public.numbers.i8 as c5, pg_catalog.json_build_object() as c6, public.numbers.id as c7, case when
        pg_catalog.current_schema() is NULL then public.numbers.i4 else public.numbers.i4 end as c8,
        public.numbers.f8 as c9
        """), "23502"),
    Case("22007: text compared with a CASE that took the interval collation of its WHEN", _sql("""
        select ref_0.ts as c0 from public.times as ref_0 where pg_catalog.current_schema() >= case when
        EXISTS ( select ref_0.tm as c0, ref_0.tz as c1, ref_1.b as c2, pg_catalog.pi() as c3 from
        public.texts as ref_1 where cast(coalesce(ref_1.u, ref_1.u) as uuid) is NULL) then case when
        cast(null as "interval") = ref_0.iv then (select t from public.recent limit 1 offset 5) else (select
        t from public.recent limit 1 offset 5) end else case when cast(null as "interval") = ref_0.iv then
        (select t from public.recent limit 1 offset 5) else (select t from public.recent limit 1 offset 5)
        end end limit 20
        """), OK),
    Case("XX000: Python's decimal.Overflow from exp() of a large numeric (PostgreSQL: 22003)", _sql("""
        select ref_0.flag as c0, 39 as c1, ref_0.id as c2, ref_0.v as c3, ref_0.id as c4, ref_0.u as c5,
        cast(nullif(ref_0.b, ref_0.b) as bytea) as c6, case when case when pg_catalog.max( cast((select
        pg_catalog.max(d) from public.times) as date)) over (partition by ref_0.c,ref_0.t order by ref_0.v)
        < (select d from public.times limit 1 offset 1) then case when ref_0.c >= ref_0.c then
        pg_catalog.current_schema() else pg_catalog.current_schema() end else case when ref_0.c >= ref_0.c
        then pg_catalog.current_schema() else pg_catalog.current_schema() end end ~ case when cast(null as
        bpchar) > cast(null as bpchar) then ref_0.t else ref_0.t end then pg_catalog.pi() else
        pg_catalog.pi() end as c7, ref_0.b as c8 from public.texts as ref_0 where (select n from
        public.numbers limit 1 offset 3) <= case when (select id from public.documents limit 1 offset 3) <>
        case when ref_0.id <> cast(null as int8) then ref_0.id else ref_0.id end then pg_catalog.exp(
        cast((select pg_catalog.avg(i8) from public.numbers) as "numeric")) else pg_catalog.exp(
        cast((select pg_catalog.avg(i8) from public.numbers) as "numeric")) end limit 110
        """), "22003"),
    Case("XX000: decimal.Overflow from numeric ^ (a result past the numeric format)", _sql("""
        select 10::numeric ^ 100000000
        """), "22003"),
    Case("42601: a MERGE whose USING sqlglot cannot parse (MERGE is refused whole)", _sql("""
        MERGE INTO public.documents as target_0 USING (select sample_1.t as c0 from public.times as sample_0
        right join public.texts as sample_1 left join public.times as sample_2 on (true) on (sample_0.tz >=
        sample_0.tz) limit 54) as subq_0 left join public.numbers as sample_3 on (true) ON target_0.id =
        sample_3.i8 WHEN NOT MATCHED AND 47 is NULL THEN INSERT VALUES (cast(null as int8), cast(null as
        json), cast(null as jsonb), cast(null as _text), cast(null as _int4))
        """), "0A000"),
    Case("42804: TABLESAMPLE refused when rendered, its columns typed wrongly before (now answered)", _sql("""
        select sample_0.v as c0 from public.texts as sample_0 tablesample bernoulli (8.2) where case when
        (true) or (sample_0.u is NULL) then (select i2 from public.numbers limit 1 offset 5) else (select i2
        from public.numbers limit 1 offset 5) end <= pg_catalog.mod(cast(cast(coalesce(case when EXISTS
        (select 51 as c0, sample_1.tz as c1, sample_0.b as c2 from public.times as sample_1 tablesample
        system (7) where sample_0.flag is NULL limit 142) then (select i8 from public.numbers limit 1 offset
        6) else (select i8 from public.numbers limit 1 offset 6) end, cast(null as int8)) as int8) as int8),
        cast((select id from public.documents limit 1 offset 16) as int8)) limit 86
        """), OK),
]


@pytest.fixture(scope="module")
def heliosdb(shared_server: ServerProcess) -> Iterator[psycopg.Connection]:
    with psycopg.connect(shared_server.dsn, autocommit=True) as connection:
        connection.execute(SCHEMA)
        yield connection


@pytest.fixture(scope="module")
def postgres(reference_pg: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(reference_pg, autocommit=True) as admin:
        admin.execute(f"drop database if exists {DATABASE}")
        admin.execute(f"create database {DATABASE}")
    with psycopg.connect(reference_pg.replace("dbname=postgres", f"dbname={DATABASE}"),
                         autocommit=True) as connection:
        connection.execute(SCHEMA)
        yield connection


def outcome(connection: psycopg.Connection, sql: str) -> str:
    """OK or the SQLSTATE, of `sql` run as sqlsmith runs it."""
    connection.execute("begin")
    try:
        cursor = connection.execute(sql)
        if cursor.description is not None:
            cursor.fetchall()
        return OK
    except psycopg.Error as error:
        assert error.sqlstate is not None, error
        return error.sqlstate
    finally:
        connection.execute("rollback")


@pytest.mark.parametrize("case", CORPUS, ids=[f"{case.found[:5]}-{i}" for i, case in enumerate(CORPUS)])
def test_clean_outcome(heliosdb: psycopg.Connection, postgres: psycopg.Connection, case: Case) -> None:
    got = outcome(heliosdb, case.sql)
    assert heliosdb.execute("select 1").fetchone() == (1,)  # the session is still usable
    assert got == case.outcome
    if got != "0A000":
        expected = outcome(postgres, case.sql)
        assert got[:2] == expected[:2] if expected != OK else got == OK
