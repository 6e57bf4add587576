"""time with time zone (timetz) and the time 24:00:00 through the drivers over TCP: psycopg's aware
datetime.time values in text and binary (parameters and results, arrays, a table's column ordered
and filtered in timetz_cmp's order, COPY in both formats), the bytes of 24:00:00 in both formats,
the 22009 of an offset of 16 hours, and asyncpg's timetz codec (parameters, results, arrays).
Run against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres): every answer here is
PostgreSQL's."""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterator
from typing import Any

import asyncpg
import psycopg
import pytest

from tests.server.conftest import Target

TIMEOUT = 10


def _zone(hours: int, minutes: int = 0, seconds: int = 0) -> dt.timezone:
    sign = -1 if hours < 0 else 1
    return dt.timezone(sign * dt.timedelta(hours=abs(hours), minutes=minutes, seconds=seconds))


# (value sent, the text PostgreSQL writes for it)
ROUND_TRIPS: list[tuple[dt.time, str]] = [
    (dt.time(12, 34, 56, 789000, tzinfo=_zone(5, 30)), "12:34:56.789+05:30"),
    (dt.time(0, 0, tzinfo=_zone(-10)), "00:00:00-10"),
    (dt.time(10, 20, 30, 40, tzinfo=dt.UTC), "10:20:30.00004+00"),
    (dt.time(23, 59, 59, 999999, tzinfo=_zone(-12)), "23:59:59.999999-12"),
    (dt.time(4, 5, 6, tzinfo=_zone(-8, 0, 30)), "04:05:06-08:00:30"),
    (dt.time(1, 2, 3, tzinfo=_zone(15, 59, 59)), "01:02:03+15:59:59"),
]


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True, connect_timeout=TIMEOUT) as connection:
        yield connection


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize(("sent", "output"), ROUND_TRIPS, ids=[output for _, output in ROUND_TRIPS])
def test_psycopg_parameters_and_results(conn: psycopg.Connection[Any], binary: bool, sent: dt.time,
                                        output: str) -> None:
    cursor = conn.cursor(binary=binary)
    row = cursor.execute("select %s, pg_typeof(%s)::text, %s::text, %s = %s::timetz",
                         (sent, sent, sent, sent, output)).fetchone()
    assert row == (sent, "time with time zone", output, True)
    assert row[0].utcoffset() == sent.utcoffset()  # the same offset, not only the same UTC time
    result = conn.pgconn.exec_(f"select '{output}'::timetz".encode())
    assert result.get_value(0, 0) == output.encode()


def test_psycopg_session_zone_and_24_hours(conn: psycopg.Connection[Any]) -> None:
    conn.execute("set timezone to '-02:00'")  # POSIX: hours west, so two hours east of UTC
    assert conn.execute("select '03:04:05'::timetz").fetchone() == (dt.time(3, 4, 5, tzinfo=_zone(2)),)
    text = conn.pgconn.exec_(b"select '24:00'::time, '24:00'::timetz, '23:59:60'::time")
    assert [text.get_value(0, column) for column in range(3)] == [b"24:00:00", b"24:00:00+02", b"24:00:00"]
    binary = conn.pgconn.exec_params(b"select '24:00'::time, '24:00+05'::timetz", [], result_format=1)
    assert binary.get_value(0, 0) == struct.pack(">q", 86_400_000_000)
    assert binary.get_value(0, 1) == struct.pack(">qi", 86_400_000_000, -5 * 3600)
    with pytest.raises(psycopg.DataError):  # datetime.time holds no 24:00: psycopg's own refusal
        conn.execute("select '24:00'::timetz").fetchone()
    with pytest.raises(psycopg.errors.InvalidTimeZoneDisplacementValue):
        conn.execute("select '12:00+16'::timetz")


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_psycopg_column_order_array_and_copy(conn: psycopg.Connection[Any], binary: bool) -> None:
    conn.execute("drop table if exists shifts")
    conn.execute("create table shifts (id int primary key, starts timetz, breaks timetz[])")
    noon_paris = dt.time(12, 0, tzinfo=_zone(1))
    eleven_utc = dt.time(11, 0, tzinfo=dt.UTC)  # the same instant, a smaller offset west: after it
    late_ny = dt.time(23, 0, tzinfo=_zone(-5))  # 04:00 UTC the next day: last
    rows = [(1, noon_paris, [eleven_utc, None]), (2, late_ny, []), (3, eleven_utc, [noon_paris, late_ny])]
    cursor = conn.cursor(binary=binary)
    cursor.executemany("insert into shifts values (%s, %s, %s)", rows[:2])
    with cursor.copy(f"copy shifts from stdin (format {'binary' if binary else 'text'})") as copy:
        copy.set_types(["int4", "timetz", "timetz[]"])
        copy.write_row(rows[2])
    assert cursor.execute("select * from shifts order by starts").fetchall() == [rows[0], rows[2], rows[1]]
    assert cursor.execute("select id from shifts where starts > %s order by id",
                          (noon_paris,)).fetchall() == [(2,), (3,)]
    assert cursor.execute("select id from shifts where starts = %s", (eleven_utc,)).fetchall() == [(3,)]
    with cursor.copy(f"copy (select starts from shifts order by id) to stdout "
                     f"(format {'binary' if binary else 'text'})") as copy:
        copy.set_types(["timetz"])
        assert [row[0].utcoffset() for row in copy.rows()] == \
            [noon_paris.utcoffset(), late_ny.utcoffset(), eleven_utc.utcoffset()]


async def test_asyncpg_timetz(aconn: asyncpg.Connection) -> None:
    value = dt.time(12, 34, 56, 789, tzinfo=_zone(-4, 30))
    assert await aconn.fetchval("select '12:34:56.000789-04:30'::timetz") == value
    returned = await aconn.fetchval("select $1::timetz", value)
    assert (returned, returned.utcoffset()) == (value, value.utcoffset())
    assert await aconn.fetchval("select $1::timetz::text", dt.time(1, 2, tzinfo=_zone(9))) == "01:02:00+09"
    assert await aconn.fetchval("select $1::timetz[]", [value, None]) == [value, None]
    assert await aconn.fetchval("select $1::timetz < $2::timetz", dt.time(12, tzinfo=_zone(1)),
                                dt.time(11, tzinfo=dt.UTC)) is True
    with pytest.raises(asyncpg.InvalidDatetimeFormatError):
        await aconn.fetchval("select $1::text::timetz", "12:00 America/New_York")
