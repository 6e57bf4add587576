"""Dates and time stamps outside years 1..9999 through the drivers over TCP: the binary form
(int32 days, int64 µs since 2000-01-01) in parameters and results, the text PostgreSQL writes in
two DateStyles, a table's column ordered with values inside those years, COPY out and in (text
and binary), psycopg's DataError when it loads one (its datetime stops at 9999 too: what its
tests/types/test_datetime.py expects from the server) and asyncpg's. Run against PostgreSQL 15
too (HELIOSDB_CLIENT_TESTS_TARGET=postgres): every answer here is PostgreSQL's."""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterator
from typing import Any

import asyncpg
import psycopg
import pytest
from psycopg import pq

from tests.server.conftest import Target

TIMEOUT = 10
_DAYS = struct.Struct(">i")
_USEC = struct.Struct(">q")
USECS_PER_DAY = 86_400_000_000
# (text, days since 2000-01-01): PostgreSQL's date2j
DATES = [("10000-01-01", 2921940), ("1000-01-01 BC", -1095362), ("294276-12-31", 106751982),
         ("4714-11-24 BC", -2451545)]


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True, connect_timeout=TIMEOUT) as connection:
        yield connection


def _binary(conn: psycopg.Connection[Any], sql: str, params: list[bytes], oids: list[int]) -> list[bytes]:
    """One row of `sql` with binary parameters and results, as bytes."""
    result = conn.pgconn.exec_params(sql.encode(), list(params), oids, [1] * len(params), result_format=1)
    assert result.status == pq.ExecStatus.TUPLES_OK, result.get_error_message()
    return [result.get_value(0, column) or b"" for column in range(result.nfields)]


@pytest.mark.parametrize(("text", "days"), DATES)
def test_binary_dates_and_timestamps(conn: psycopg.Connection[Any], text: str, days: int) -> None:
    as_date, as_timestamp, shown = _binary(
        conn, "select $1::date, $1::date::timestamp, $1::date::text", [_DAYS.pack(days)], [1082])
    assert (_DAYS.unpack(as_date)[0], shown.decode()) == (days, text)
    assert _USEC.unpack(as_timestamp)[0] == days * USECS_PER_DAY
    noon = days * USECS_PER_DAY + 12 * 3_600_000_000
    later, = _binary(conn, "select $1::timestamptz + interval '1 hour'", [_USEC.pack(noon)], [1184])
    assert _USEC.unpack(later)[0] == noon + 3_600_000_000


def test_text_in_date_styles_and_order(conn: psycopg.Connection[Any]) -> None:
    conn.execute("set timezone = 'UTC'")
    conn.execute("create temporary table far_dates (d date, ts timestamptz)")
    try:
        conn.execute("insert into far_dates values ('10000-01-01', '10000-01-01 12:00+00'), ('2000-01-01',"
                     " '2000-01-01'), ('1000-01-01 BC', '1000-01-01 12:00+00 BC'), (null, null)")
        iso = ["1000-01-01 BC|1000-01-01 12:00:00+00 BC", "2000-01-01|2000-01-01 00:00:00+00",
               "10000-01-01|10000-01-01 12:00:00+00"]
        german = ["01.01.1000 BC|01.01.1000 12:00:00 UTC BC", "01.01.2000|01.01.2000 00:00:00 UTC",
                  "01.01.10000|01.01.10000 12:00:00 UTC"]
        for style, expected in (("ISO", iso), ("German", german)):
            conn.execute(f"set datestyle = {style}")
            rows = conn.execute("select d::text || '|' || ts::text from far_dates where d is not null"
                                " order by d").fetchall()
            assert [row[0] for row in rows] == expected
    finally:
        conn.execute("drop table far_dates")
        conn.execute("reset datestyle")


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_psycopg_refuses_to_load_them(conn: psycopg.Connection[Any], binary: bool) -> None:
    cursor = conn.cursor(binary=binary)
    for sql, message in (("select '10000-01-01'::date", "date too large"),
                         ("select '1000-01-01 12:00 BC'::timestamp", "timestamp too small"),
                         ("select %s::date + 1", "date too large")):
        cursor.execute(sql, (dt.date(9999, 12, 31),) if "%s" in sql else None)
        with pytest.raises(psycopg.DataError, match=message):
            cursor.fetchone()


async def test_asyncpg_round_trips_and_refusals(aconn: asyncpg.Connection) -> None:
    assert await aconn.fetchval("select $1::date - 1", dt.date(1, 1, 2)) == dt.date(1, 1, 1)
    assert await aconn.fetchval("select ($1::date + 1 - 1) = $1", dt.date(9999, 12, 30)) is True
    assert await aconn.fetchval("select '10000-01-01'::date::text") == "10000-01-01"
    with pytest.raises(ValueError, match="year 10000 is out of range"):
        await aconn.fetchval("select '10000-01-01'::date")
    with pytest.raises(OverflowError):
        await aconn.fetchval("select '1000-01-01 BC'::timestamp")


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_copy_both_ways(conn: psycopg.Connection[Any], binary: bool) -> None:
    conn.execute("set timezone = 'UTC'")
    conn.execute("create temporary table far_copy (d date, ts timestamp, tz timestamptz)")
    try:
        suffix = " (format binary)" if binary else ""
        conn.execute("insert into far_copy values ('10000-01-01', '1000-01-01 12:00 BC',"
                     " '294276-12-31 23:59:59+00')")
        with conn.cursor().copy(f"copy far_copy to stdout{suffix}") as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
        if not binary:
            assert data == b"10000-01-01\t1000-01-01 12:00:00 BC\t294276-12-31 23:59:59+00\n"
        with conn.cursor().copy(f"copy far_copy from stdin{suffix}") as copy:
            copy.write(data)
        rows = conn.execute("select d::text, ts::text, tz::text, count(*) from far_copy"
                            " group by 1, 2, 3").fetchall()
        assert rows == [("10000-01-01", "1000-01-01 12:00:00 BC", "294276-12-31 23:59:59+00", 2)]
    finally:
        conn.execute("drop table far_copy")
