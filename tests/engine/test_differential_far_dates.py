"""Differential script for dates and time stamps outside years 1..9999 (BC, and years of five or
more digits), up to PostgreSQL's limits: text input and output in every DateStyle, stored in a
table and read back, ordered and compared with values inside those years and with ±infinity,
min/max, GREATEST/LEAST, date ± integer, date - date, timestamp[tz] ± interval (months clamped),
timestamp - timestamp, casts between date, timestamp and timestamptz (in a zone with local mean
time and one with a rule for the future), AT TIME ZONE, generate_series, EXTRACT, date_trunc,
timestamp(p), to_timestamp, to_char, age, range bounds, and 22008 at PostgreSQL's limits. Each
statement runs against the engine and a real PostgreSQL 15 in order; the outcome (tag, columns,
rows, SQLSTATE, transaction status) must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_script_step,
    engine_store,
    reference_database,
    reference_script_step,
)

psycopg = pytest.importorskip("psycopg")

_VALUES = ("select '10000-01-01'::date, '1000-01-01 BC'::date, '0001-01-01 BC'::date,"
           " '10000-01-01 12:00'::timestamp, '1000-06-01 12:00:05.5 BC'::timestamp,"
           " '1000-01-01 12:00+00 BC'::timestamptz, '20000-06-01 12:00+00'::timestamptz,"
           " '9999-12-31 23:59:59-06'::timestamptz")
STYLES = ["ISO, MDY", "Postgres, MDY", "Postgres, DMY", "SQL, MDY", "SQL, DMY", "German, DMY"]

SCRIPT = [
    _VALUES,
    "set timezone = 'America/Chicago'",
    _VALUES,
    *[step for style in STYLES for step in (f"set datestyle = '{style}'", _VALUES)],
    "set datestyle = 'ISO, MDY'",
    "select '4714-11-24 BC'::date, '5874897-12-31'::date, '4714-11-24 00:00 BC'::timestamp,"
    " '294276-12-31 23:59:59.999999'::timestamp",
    "select '4714-11-23 BC'::date",
    "select '5874898-01-01'::date",
    "select '294277-01-01'::timestamp",
    "select '4714-11-23 23:59 BC'::timestamp",
    "select '294276-12-31 23:59:59.999999-01'::timestamptz",
    "select '0044-03-15 BC'::date, 'March 15, 44 BC'::date, '44-03-15 BC'::date",
    "select '9999-12-31'::date + 1, '0001-01-01'::date - 1, 1 + '10000-01-01'::date",
    "select '10000-01-01'::date - '2000-01-01'::date, '0001-01-01 BC'::date - '0001-01-01'::date",
    "select '5874897-12-31'::date + 1",
    "select '4714-11-24 BC'::date - 1",
    "select '9999-12-31 23:59:59'::timestamp + interval '1 second',"
    " '10000-01-31'::timestamp + interval '1 month', '0001-03-31 BC'::timestamp - interval '1 month'",
    "select '10000-01-01'::date + interval '1 day 2 hours', '10000-01-01'::date + '12:30'::time",
    "select '9999-12-31 23:59:59-06'::timestamptz + interval '1 day',"
    " '9999-12-31 23:59:59-06'::timestamptz + interval '1 month'",
    "select '0001-01-01 00:00+00'::timestamptz - interval '1 hour 30 minutes',"
    " '0001-01-01'::timestamptz - interval '1 year'",
    "select '294276-12-31 23:59:59'::timestamp + interval '1 second'",
    "select '4714-11-24 BC'::timestamptz - interval '1 day'",
    "select '10000-01-01 12:00'::timestamp - '2000-01-01'::timestamp,"
    " '1000-01-01 BC'::timestamp - '1000-01-02 12:00 BC'::timestamp",
    "select '10000-01-01'::date::timestamp, '1000-01-01 BC'::date::timestamptz,"
    " '10000-01-01 23:00'::timestamp::date, '10000-01-01 03:00+00'::timestamptz::date",
    "select '10000-01-01 03:00+00'::timestamptz::timestamp, '1000-01-01 12:00 BC'::timestamp::timestamptz,"
    " '10000-01-01 03:00:01.5'::timestamp::time",
    "select '5874897-12-31'::date::timestamp",
    "select '9999-12-31 23:00+00'::timestamptz::timestamp, '9999-12-31 23:00+00'::timestamptz::date",
    "select '10000-01-01'::date::text, '1000-01-01 12:00 BC'::timestamp::varchar",
    "create table far (id int, d date, ts timestamp, tz timestamptz)",
    "insert into far values (1, '10000-01-01', '10000-01-01 12:00', '10000-01-01 12:00+00'),"
    " (2, '1000-01-01 BC', '1000-01-01 BC', '1000-01-01 BC'), (3, '2000-01-01', '2000-01-01', '2000-01-01'),"
    " (4, 'infinity', '-infinity', 'infinity'), (5, '200-06-01 BC', '20000-01-01', '0001-01-01 00:00+09'),"
    " (6, '9999-12-31', '9999-12-31 23:59:59.5', '9999-12-31 23:59:59.5-06'), (7, null, null, null),"
    " (8, '0001-01-01', '0001-01-01 BC', '100000-02-29 12:00+00')",
    "select * from far order by id",
    "select id from far order by d, id",
    "select id from far order by ts desc, id",
    "select id from far order by tz, id",
    "select id from far where d > '9999-12-31' order by id",
    "select id from far where ts < '0001-01-01' order by id",
    "select id from far where tz = '10000-01-01 06:00-06' order by id",
    "select id from far where d < ts order by id",
    "select min(d), max(d), min(ts), max(ts), min(tz), max(tz) from far",
    "select distinct d from far where id in (1, 1, 2) order by d",
    "select id, d + 1, ts + interval '1 day', tz - interval '1 month' from far where id in (1, 2, 5, 8)"
    " order by id",
    "update far set d = d - 2 where id = 1",
    "select d from far where id = 1",
    "select extract(year from d), extract(month from d), extract(day from d), extract(dow from d),"
    " extract(doy from d), extract(century from d), extract(millennium from d), extract(decade from d),"
    " extract(epoch from d), extract(isoyear from d), extract(week from d), extract(quarter from d)"
    " from far where id in (1, 2, 5) order by id",
    "select extract(year from ts), extract(hour from ts), extract(second from ts), extract(epoch from ts),"
    " extract(isodow from ts) from far where id in (1, 2, 5, 8) order by id",
    "select extract(year from tz), extract(hour from tz), extract(epoch from tz), date_part('day', tz)"
    " from far where id in (1, 2, 5, 8) order by id",
    "select array['10000-01-01'::date, '1000-01-01 BC'], array['10000-01-01 12:00'::timestamp]",
    "select '10000-01-01 12:00:00.5'::timestamp(0), '1000-01-01 12:00:00.25 BC'::timestamptz(1),"
    " '1999-12-31 23:59:59.5'::timestamp(0), '2000-01-01 00:00:00.5'::timestamptz(0)",
    "create table far_p (ts timestamp(0))",
    "insert into far_p values ('20000-01-01 23:59:59.7')",
    "select ts from far_p",
    "select '10000-01-01 12:00'::timestamp at time zone 'UTC', '10000-01-01 12:00+00'::timestamptz at time"
    " zone 'Asia/Tokyo', '1000-01-01 BC'::timestamp at time zone 'America/New_York'",
    "select * from generate_series('10000-01-01'::timestamp, '10000-01-03', '1 day')",
    "select * from generate_series('9999-12-31 12:00+00'::timestamptz, '10000-01-02', '12 hours')",
    "select * from generate_series('1000-01-01 BC'::timestamp, '1001-01-01 BC', '-6 months')",
    "select to_timestamp(1.5e12), to_timestamp(-210866803200), to_timestamp('Infinity'), to_timestamp(0.5)",
    "select to_timestamp(-210866803201)",
    "select to_timestamp(1e15)",
    "select to_timestamp('NaN')",
    *[f"select date_trunc('{unit}', '10000-06-17 13:14:15.123456'::timestamp), date_trunc('{unit}',"
      f" '1001-06-17 13:14:15.5 BC'::timestamp), date_trunc('{unit}', '0001-06-17 BC'::date),"
      f" date_trunc('{unit}', '20000-06-17 13:14:15+00'::timestamptz), date_trunc('{unit}',"
      f" '0005-03-01 13:14'::timestamp), date_trunc('{unit}', '0001-01-01 00:30'::timestamptz)"
      for unit in ("microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month",
                   "quarter", "year", "decade", "century", "millennium")],
    "select date_trunc('millennium', '4714-11-24 BC'::date)",
    "select '[10000-01-01,10000-02-01]'::daterange, daterange('1000-01-01 BC', '2000-01-01'),"
    " tsrange('10000-01-01', '20000-01-01'), tstzrange('1000-01-01 BC', null),"
    " datemultirange('[10000-01-01,10000-02-01)', '[10000-01-15,10000-03-01)')",
    "select daterange('1000-01-01 BC', '2000-01-01') @> '1500-01-01 BC'::date,"
    " daterange('1000-01-01 BC', '2000-01-01') @> '1500-01-01'::date,"
    " '[10000-01-01,10000-02-01)'::daterange && '[10000-01-15,)'::daterange,"
    " lower(daterange('1000-01-01 BC', '2000-01-01')), upper('[,10000-01-01]'::daterange)",
    "select '[5874897-12-31,5874897-12-31]'::daterange",
    "select daterange('20000-01-01', '10000-01-01')",
    "create table far_ranges (r daterange)",
    "insert into far_ranges values ('[10000-01-01,)'), ('[1000-01-01 BC,2000-01-01)'),"
    " ('[2000-01-01,2001-01-01)'), ('[1000-01-01 BC,1000-06-01 BC)')",
    "select daterange('9999-12-31', '9999-12-31', '[]')",
    "select r from far_ranges order by r",
    "select range_agg(r) from far_ranges",
    "select age('10000-03-01'::timestamp, '2000-01-31 12:00'::timestamp), age('1000-01-01 BC'::timestamp,"
    " '2000-02-29'::timestamp), age('20000-06-01 00:00+00'::timestamptz,"
    " '1000-06-01 12:30+00 BC'::timestamptz), age('1000-03-01 BC'::date, '1000-01-31 BC'::date),"
    " age('0001-01-01 00:30'::timestamptz, '0001-12-31 BC')",
    "select to_char('1000-01-01 BC'::date, 'YYYY BC Y,YYY CC IYYY J DDD D Dy Mon DD WW W Q'),"
    " to_char('10000-06-17 13:14:15.5'::timestamp, 'YYYY-MM-DD HH24:MI:SS.MS AD CC Y,YYY IYYY IW J ID IDDD'),"
    " to_char('0001-12-31 BC'::date, 'YYYY B.C. CC YYY YY Y I'),"
    " to_char('0100-12-31 BC'::date, 'CC YYYY bc')",
    "select to_char('20000-06-01 12:00+00'::timestamptz, 'YYYY-MM-DD HH24:MI TZ OF'),"
    " to_char('1000-01-01 12:00+00 BC'::timestamptz, 'YYYY MM DD HH24:MI:SS TZ OF bc'),"
    " to_char('9999-12-31 23:59:59+00'::timestamptz, 'YYYY-MM-DD HH24 TZ')",
    "select json_build_object('d', '10000-01-01'::date, 'b', '1000-01-01 BC'::date)",
    "select greatest('10000-01-01'::date, '2000-01-01'), least('1000-01-01 BC'::date, '2000-01-01')",
]

reference = reference_database("differential_far_dates")
engine_session = engine_store("differential_far_dates")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)

