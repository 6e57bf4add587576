"""Range and multirange types through the drivers over TCP: psycopg's Range and Multirange in text
and binary (parameters and results, arrays of ranges, a table's column, COPY), asyncpg's Range
(its introspection finds the subtype in pg_range), pg8000's Range. Run against PostgreSQL 15 too
(HELIOSDB_CLIENT_TESTS_TARGET=postgres): every answer here is PostgreSQL's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import asyncpg
import pg8000.native
import psycopg
import pytest
from pg8000.types import Range as Pg8000Range
from psycopg.types.multirange import Multirange
from psycopg.types.range import Range

from tests.server.conftest import Target

TIMEOUT = 10
UTC = dt.UTC

# (type, value sent, value PostgreSQL answers with: discrete ranges in their canonical form)
ROUND_TRIPS: list[tuple[str, Any, Any]] = [
    ("int4range", Range(1, 5, "[]"), Range(1, 6, "[)")),
    ("int4range", Range(empty=True), Range(empty=True)),
    ("int4range", Range(None, None, "()"), Range(None, None, "()")),
    ("int4range", Range(1, 2, "()"), Range(empty=True)),
    ("int8range", Range(-(2**63), 2**62, "(]"), Range(-(2**63) + 1, 2**62 + 1, "[)")),
    ("numrange", Range(Decimal("1.50"), Decimal(3), "(]"), Range(Decimal("1.50"), Decimal(3), "(]")),
    ("numrange", Range(None, Decimal("-0.5"), "()"), Range(None, Decimal("-0.5"), "()")),
    ("daterange", Range(dt.date(2000, 1, 1), dt.date(2000, 1, 31), "[]"),
     Range(dt.date(2000, 1, 1), dt.date(2000, 2, 1), "[)")),
    ("tsrange", Range(dt.datetime(2000, 1, 1, 10), None), Range(dt.datetime(2000, 1, 1, 10), None)),
    ("tstzrange", Range(dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(2000, 1, 2, 12, tzinfo=UTC), "[]"),
     Range(dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(2000, 1, 2, 12, tzinfo=UTC), "[]")),
    ("int4multirange", Multirange([Range(1, 3), Range(2, 5), Range(7, 8, "()"), Range(10, 11)]),
     Multirange([Range(1, 5), Range(10, 11)])),
    ("nummultirange", Multirange(), Multirange()),
    ("datemultirange", Multirange([Range(dt.date(2000, 1, 1), dt.date(2000, 1, 5), "[]"),
                                   Range(dt.date(2000, 1, 6), dt.date(2000, 1, 9))]),
     Multirange([Range(dt.date(2000, 1, 1), dt.date(2000, 1, 9))])),
]


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True, connect_timeout=TIMEOUT) as connection:
        connection.execute("set timezone = 'UTC'")
        yield connection


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize(("pg_type", "sent", "answered"), ROUND_TRIPS)
def test_psycopg_parameters_and_results(conn: psycopg.Connection[Any], binary: bool, pg_type: str, sent: Any,
                                        answered: Any) -> None:
    cursor = conn.cursor(binary=binary)
    row = cursor.execute(f"select %s::{pg_type}, %s::{pg_type}::text", (sent, sent)).fetchone()
    assert row is not None
    assert row[0] == answered
    assert cursor.execute(f"select %s::{pg_type} = %s::{pg_type}", (sent, answered)).fetchone() == (True,)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_psycopg_column_array_and_copy(conn: psycopg.Connection[Any], binary: bool) -> None:
    conn.execute("drop table if exists booking")
    conn.execute("create table booking (id int primary key, during tstzrange, rooms int4range[], "
                 "days datemultirange)")
    day = dt.datetime(2024, 3, 1, tzinfo=UTC)
    rows = [(1, Range(day, day + dt.timedelta(hours=2)), [Range(1, 3), Range(empty=True)],
             Multirange([Range(dt.date(2024, 3, 1), dt.date(2024, 3, 3))])),
            (2, Range(day + dt.timedelta(hours=1), None), [], Multirange())]
    cursor = conn.cursor(binary=binary)
    cursor.executemany("insert into booking values (%s, %s, %s, %s)", rows[:1])
    with cursor.copy(f"copy booking from stdin (format {'binary' if binary else 'text'})") as copy:
        copy.set_types(["int4", "tstzrange", "int4range[]", "datemultirange"])
        copy.write_row(rows[1])
    assert cursor.execute("select * from booking order by during").fetchall() == rows
    overlapping = cursor.execute("select id from booking where during && %s order by id",
                                 (Range(day + dt.timedelta(minutes=90), day + dt.timedelta(hours=3)),))
    assert overlapping.fetchall() == [(1,), (2,)]
    assert cursor.execute("select id from booking where days @> %s::date",
                          (dt.date(2024, 3, 2),)).fetchall() == [(1,)]


def test_psycopg_range_info_from_pg_range(conn: psycopg.Connection[Any]) -> None:
    from psycopg.types.range import RangeInfo

    info = RangeInfo.fetch(conn, "tstzrange")
    assert info is not None
    assert (info.oid, info.array_oid, info.subtype_oid) == (3910, 3911, 1184)



async def test_asyncpg_ranges(aconn: asyncpg.Connection) -> None:
    statement = await aconn.prepare("select $1::int4range")
    assert await statement.fetchval((1, 9)) == asyncpg.Range(1, 10)
    exclusive_inclusive = asyncpg.Range(0, 9, lower_inc=False, upper_inc=True)
    assert await statement.fetchval(exclusive_inclusive) == asyncpg.Range(1, 10)
    assert await statement.fetchval(()) == asyncpg.Range(empty=True)
    assert await statement.fetchval((None, 2)) == asyncpg.Range(None, 3)  # a tuple's bounds are inclusive
    multirange = await aconn.fetchval("select $1::int4multirange", [(1, 9), (9, 11), (20, 30)])
    assert multirange == [asyncpg.Range(1, 12), asyncpg.Range(20, 31)]
    assert await aconn.fetchval("select $1::numrange[]", [(Decimal("1.5"), None)]) == \
        [asyncpg.Range(Decimal("1.5"), None)]
    january = (dt.date(2000, 1, 1), dt.date(2000, 1, 31))  # inclusive: [2000-01-01,2000-02-01)
    assert await aconn.fetchval("select upper($1::daterange)", january) == dt.date(2000, 2, 1)



@pytest.mark.parametrize(("pg_type", "value"), [
    ("int4range", Pg8000Range(3, 7)),
    ("numrange", Pg8000Range(Decimal("9.5"), Decimal("11.4"))),
    ("daterange", Pg8000Range(dt.date(1937, 6, 1), dt.date(2023, 5, 10))),
    ("tstzrange", Pg8000Range(dt.datetime(2001, 2, 3, 4, 5, tzinfo=UTC), dt.datetime(2023, 2, 3, tzinfo=UTC),
                              "(]")),
    ("int8multirange", [Pg8000Range(3, 7), Pg8000Range(8, 9)]),
])
def test_pg8000_round_trip(native: pg8000.native.Connection, pg_type: str, value: Any) -> None:
    assert native.run(f"select cast(:v as {pg_type})", v=value) == [[value]]
