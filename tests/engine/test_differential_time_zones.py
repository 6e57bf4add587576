"""Differential script for local times across daylight-saving changes: casts of timestamp, text and
date to timestamptz, AT TIME ZONE both ways (the zone named by an abbreviation, an IANA name or a
POSIX offset), interval arithmetic (months and days on the wall clock, the time part as elapsed
time), timestamptz differences, age, date_trunc and generate_series, in America/New_York,
Europe/London and Australia/Sydney, at both transitions of each (the spring-forward gap and the
fall-back overlap); and pg_typeof, whose answer is a regtype. Runs against the engine and a real
PostgreSQL 15; outcome, messages and notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from heliosdb_lite.errors import DatabaseError
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

NEW_YORK = [
    "set timezone = 'America/New_York'",
    # fall back 2024-11-03 02:00 EDT -> 01:00 EST: 01:xx happens twice, PostgreSQL takes standard time
    "select timestamp '2024-11-03 01:30' at time zone 'America/New_York'",
    "select '2024-11-03 01:30'::timestamp::timestamptz, '2024-11-03 01:30'::timestamptz",
    "select timestamptz '2024-11-03 01:30', timestamptz '2024-11-03 01:30-04', "
    "timestamptz '2024-11-03 00:59'",
    "select timestamptz '2024-11-03 01:30-04' + interval '1 hour', timestamptz '2024-11-03 01:30-04' "
    "+ interval '30 minutes', timestamptz '2024-11-03 00:30' + interval '2 hours'",
    "select timestamptz '2024-11-03 01:30-05' - interval '1 hour', timestamptz '2024-11-03 03:00' "
    "- interval '3 hours'",
    "select timestamptz '2024-11-02 01:30' + interval '1 day', "
    "timestamptz '2024-11-02 12:00' + interval '24 hours', "
    "timestamptz '2024-11-02 12:00' + interval '1 day'",
    "select timestamptz '2024-11-03 01:30-04' + interval '1 day', timestamptz '2024-11-03 01:30-04' "
    "+ interval '0 days'",
    "select timestamptz '2024-10-03 01:30' + interval '1 month', timestamptz '2024-12-03 01:30' "
    "- interval '1 month 1 hour'",
    "select timestamptz '2024-11-04 00:00' - timestamptz '2024-11-03 00:00', "
    "timestamptz '2024-11-03 01:30-05' - timestamptz '2024-11-03 01:30-04'",
    "select age(timestamptz '2024-11-04 00:00', timestamptz '2024-11-03 00:00'), "
    "age(timestamptz '2024-11-03 01:10-05', timestamptz '2024-11-03 01:50-04')",
    "select date_trunc('day', timestamptz '2024-11-03 12:00'), date_trunc('hour', "
    "timestamptz '2024-11-03 01:30-04'), "
    "date_trunc('hour', timestamptz '2024-11-03 01:30-05')",
    "select date_trunc('minute', timestamptz '2024-11-03 01:30:40-04'), date_trunc('month', "
    "timestamptz '2024-11-03 01:30-04'), date_trunc('week', timestamptz '2024-11-05 10:00')",
    "select x from generate_series(timestamptz '2024-11-03 00:00', timestamptz '2024-11-03 03:00', "
    "interval '30 minutes') x",
    "select x from generate_series(timestamptz '2024-11-01 01:30', timestamptz '2024-11-05 01:30', "
    "interval '1 day') x",
    "select date '2024-11-03'::timestamptz, date '2024-03-10'::timestamptz",
    # spring forward 2024-03-10 02:00 EST -> 03:00 EDT: 02:xx does not exist, PostgreSQL reads it as EST
    "select timestamp '2024-03-10 02:30' at time zone 'America/New_York', '2024-03-10 02:30'::timestamptz",
    "select '2024-03-10 02:30'::timestamp::timestamptz, timestamptz '2024-03-10 01:59:59.5'",
    "select timestamptz '2024-03-10 01:30' + interval '1 hour', "
    "timestamptz '2024-03-10 03:30' - interval '1 hour'",
    "select timestamptz '2024-03-09 02:30' + interval '1 day', timestamptz '2024-02-10 02:30' "
    "+ interval '1 month', timestamptz '2024-02-10 02:30' + interval '1 month 1 day'",
    "select timestamptz '2024-03-09 02:30' + interval '1 day 1 hour', timestamptz '2024-03-11 02:30' "
    "- interval '1 day'",
    "select timestamptz '2024-03-11 00:00' - timestamptz '2024-03-10 00:00', "
    "age(timestamptz '2024-03-11 00:00', timestamptz '2024-03-10 00:00')",
    "select date_trunc('day', timestamptz '2024-03-10 12:00'), date_trunc('hour', "
    "timestamptz '2024-03-10 03:30')",
    "select x from generate_series(timestamptz '2024-03-10 00:00', timestamptz '2024-03-10 04:00', "
    "interval '1 hour') x",
    "select x from generate_series(timestamptz '2024-03-09 02:30', timestamptz '2024-03-12 02:30', "
    "interval '1 day') x",
    "select timestamptz '2024-11-03 06:30+00' at time zone 'America/New_York', "
    "timestamptz '2024-11-03 05:30+00' at time zone 'America/New_York'",
    "select timestamptz '2024-03-10 07:30+00' at time zone 'America/New_York', "
    "timestamptz '2024-03-10 06:59+00' at time zone 'America/New_York'",
    "select extract(hour from timestamptz '2024-11-03 01:30-05'), "
    "extract(epoch from timestamptz '2024-11-03 01:30')",
    "select to_char(timestamptz '2024-11-03 01:30', 'YYYY-MM-DD HH24:MI TZ OF')",
    "select timestamptz '2024-11-03 01:30-04' < timestamptz '2024-11-03 01:10-05', "
    "timestamptz '2024-11-03 01:30' = timestamptz '2024-11-03 06:30+00'",
    "select timestamp '2024-11-03 01:30' + interval '1 hour', "
    "timestamp '2024-03-10 02:30' + interval '1 day'",
    "select interval '1 hour' + timestamptz '2024-11-03 01:30-04', "
    "interval '1 day' + timestamptz '2024-03-09 02:30'",
    "select timestamptz 'infinity' + interval '1 day', timestamptz '-infinity' - interval '1 hour'",
    "select timestamptz '2024-04-10 02:30' - interval '1 month', timestamptz '2024-11-03 01:30-05' "
    "- interval '1 day 1 hour'",
    "select timestamptz '2024-11-03 01:30-04' between timestamptz '2024-11-03 01:00-04' "
    "and timestamptz '2024-11-03 01:00-05'",
    "select date_trunc('day', timestamptz 'infinity'), date_trunc('hour', timestamp '-infinity'), "
    "date_trunc('day', date 'infinity')",
    "select date 'infinity'::timestamptz, date '-infinity'::timestamp, timestamptz 'infinity'::date, "
    "timestamp 'infinity'::timestamptz",
    "create table stamps (id int, at timestamptz)",
    "insert into stamps values (1, '2024-11-03 01:30'), (2, '2024-03-10 02:30'), (3, '2024-11-03 01:30-04')",
    "insert into stamps select 4, timestamp '2024-11-03 01:45'",
    "select id, at, at + interval '1 hour', at::timestamp, at::date from stamps order by id",
    "select id, at - lag(at) over (order by at) from stamps order by at",
]

LONDON = [
    "set timezone = 'Europe/London'",
    # fall back 2024-10-27 02:00 BST -> 01:00 GMT
    "select timestamp '2024-10-27 01:30' at time zone 'Europe/London', '2024-10-27 01:30'::timestamptz",
    "select timestamptz '2024-10-27 01:30+01' + interval '1 hour', timestamptz '2024-10-27 00:30' "
    "+ interval '1 hour', timestamptz '2024-10-27 01:30' - interval '1 hour'",
    "select timestamptz '2024-10-26 01:30' + interval '1 day', timestamptz '2024-09-27 01:30' "
    "+ interval '1 month', timestamptz '2024-10-26 01:30+01' + interval '24 hours'",
    # spring forward 2024-03-31 01:00 GMT -> 02:00 BST
    "select timestamp '2024-03-31 01:30' at time zone 'Europe/London', '2024-03-31 01:30'::timestamptz",
    "select timestamptz '2024-03-31 00:30' + interval '1 hour', "
    "timestamptz '2024-03-30 01:30' + interval '1 day'",
    "select timestamptz '2024-04-01 00:00' - timestamptz '2024-03-31 00:00', "
    "timestamptz '2024-10-28 00:00' - timestamptz '2024-10-27 00:00'",
    "select date_trunc('day', timestamptz '2024-10-27 12:00'), date_trunc('hour', "
    "timestamptz '2024-10-27 01:30+01')",
    "select x from generate_series(timestamptz '2024-10-27 00:00', timestamptz '2024-10-27 03:00', "
    "interval '1 hour') x",
    "select x from generate_series(timestamptz '2024-03-30 01:30', timestamptz '2024-04-01 01:30', "
    "interval '1 day') x",
    "select timestamp '2024-11-03 01:30' at time zone 'America/New_York', "
    "timestamp '2024-03-10 02:30' at time zone 'America/New_York'",
    "select timestamptz '2024-10-27 01:30+00' at time zone 'Australia/Sydney'",
]

SYDNEY = [
    "set timezone = 'Australia/Sydney'",
    # fall back 2024-04-07 03:00 AEDT -> 02:00 AEST
    "select timestamp '2024-04-07 02:30' at time zone 'Australia/Sydney', '2024-04-07 02:30'::timestamptz",
    "select timestamptz '2024-04-07 02:30+11' + interval '1 hour', timestamptz '2024-04-07 01:30' "
    "+ interval '2 hours', timestamptz '2024-04-06 02:30' + interval '1 day'",
    "select timestamptz '2024-03-07 02:30' + interval '1 month', timestamptz '2024-04-08 02:30' "
    "- interval '1 day 1 hour'",
    # spring forward 2024-10-06 02:00 AEST -> 03:00 AEDT
    "select timestamp '2024-10-06 02:30' at time zone 'Australia/Sydney', '2024-10-06 02:30'::timestamptz",
    "select timestamptz '2024-10-06 01:30' + interval '1 hour', "
    "timestamptz '2024-10-05 02:30' + interval '1 day', "
    "timestamptz '2024-09-06 02:30' + interval '1 month'",
    "select timestamptz '2024-10-07 00:00' - timestamptz '2024-10-06 00:00', "
    "age(timestamptz '2024-10-07 00:00', timestamptz '2024-10-06 00:00')",
    "select date_trunc('day', timestamptz '2024-10-06 12:00'), date_trunc('month', "
    "timestamptz '2024-04-07 12:00')",
    "select x from generate_series(timestamptz '2024-10-06 00:00', timestamptz '2024-10-06 04:00', "
    "interval '1 hour') x",
    "select x from generate_series(timestamptz '2024-04-06 02:30', timestamptz '2024-04-08 02:30', "
    "interval '1 day') x",
    "select date '2024-10-06'::timestamptz, timestamptz '2024-10-06 02:30'::date",
    "select timestamp '2024-04-07 02:30' at time zone 'Europe/London', "
    "timestamptz '2024-04-06 15:30+00' at time zone 'Australia/Sydney'",
    "set timezone = 'UTC'",
    "select timestamp '2024-11-03 01:30' at time zone 'America/New_York', "
    "timestamptz '2024-11-03 01:30-04' + interval '1 hour'",
]

ZONE_NAMES = [
    # AT TIME ZONE reads an abbreviation first (MET is +01 all year, MSK +03 even in 1990's summer), then
    # an IANA name in any case, then a POSIX offset (hours west)
    "set timezone = 'America/New_York'",
    "select timestamp '2024-07-01 12:00' at time zone 'MET', "
    "timestamp '2024-07-01 12:00' at time zone 'CET', timestamp '2024-07-01 12:00' at time zone 'EET', "
    "timestamp '2024-07-01 12:00' at time zone 'WET'",
    "select timestamptz '2024-07-01 12:00+00' at time zone 'MET', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'CET'",
    "select timestamptz '2024-07-01 12:00+00' at time zone 'EST', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'utc', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'GMT'",
    "select timestamptz '2024-07-01 12:00+00' at time zone 'Z', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'nosuchzone'",
    "select timestamptz '2024-07-01 12:00+00' at time zone '-05', "
    "timestamptz '2024-07-01 12:00+00' at time zone '5', "
    "timestamptz '2024-07-01 12:00+00' at time zone '+05:30', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'UTC+5', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'foo+3'",
    "select timestamptz '2024-07-01 12:00+00' at time zone 'z', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'EST5EDT'",
    "select timestamptz '2024-07-01 12:00+00' at time zone 'msk', "
    "timestamptz '1990-07-01 12:00+00' at time zone 'MSK', "
    "timestamp '1990-07-01 12:00' at time zone 'msk'",
    "select timestamptz '2024-07-01 12:00+00' at time zone 'America/new_york', "
    "timestamptz '2024-07-01 12:00+00' at time zone 'europe/LONDON'",
    "select timestamptz '2024-07-01 12:00+00' at time zone ' UTC'",
    "select timestamptz '2024-07-01 12:00+00' at time zone ''",
    "select timestamp '2024-07-01 12:00' at time zone 'Europe/Paris+01', "
    "timestamp '2024-11-03 01:30' at time zone 'EDT', timestamp '2024-11-03 01:30' at time zone 'EST'",
    "select timestamp '2024-11-03 01:30' at time zone 'America/New_York', "
    "timestamptz '2024-11-03 05:30+00' at time zone 'EDT'",
    "select timestamp 'infinity' at time zone 'UTC', timestamptz '-infinity' at time zone 'Europe/London'",
    "select timestamptz '2024-07-01 12:00+00' at time zone null, null::timestamp at time zone 'UTC'",
    "select timezone('America/New_York', timestamp '2024-11-03 01:30'), "
    "timezone('Europe/London', timestamptz '2024-10-27 00:30+00'), "
    "timezone('MET', timestamp '2024-07-01 12:00')",
    "select timezone('UTC', date '2024-11-03'), timezone('nosuch', timestamp '2024-07-01 12:00')",
]

FIXED_OFFSETS = [
    # TimeZone as a fixed offset: a POSIX string (hours west, the name optional) kept as written; a
    # number (hours east) shown as PostgreSQL shows it
    "set timezone = '+02:00'",
    "show timezone",
    "select timestamptz '2020-01-01 00:00+00', timestamptz '2020-06-01 12:00', "
    "timestamptz '2020-06-01 12:00'::text, timestamp '2020-06-01 12:00' at time zone 'UTC'",
    "set timezone = 'UTC+2'",
    "show timezone",
    "select timestamptz '2020-01-01 00:00+00'",
    "set timezone = -5",
    "show timezone",
    "select timestamptz '2020-01-01 00:00+00'",
    "set time zone 3.5",
    "show timezone",
    "select timestamptz '2020-01-01 00:00+00'",
    "set timezone = '<+0530>-05:30'",
    "show timezone",
    "select timestamptz '2020-01-01 00:00+00', timestamptz '2020-01-01 00:00' at time zone 'UTC'",
    "set timezone = 'nosuch+'",
    # a number in a string is hours east too (check_timezone's strtod), not a POSIX string
    *(step for value in ("-05", "5.5", "+3", "-7.25", "1e1", " 5", "20", "-0", ".5", "5.")
      for step in (f"set timezone = '{value}'", "show timezone",
                   "select timestamptz '2020-01-01 00:00+00', timestamptz '2020-06-01 12:00'")),
    "set timezone = 'UTC'",
]

TYPE_OF = [
    "select pg_typeof(1::int2 + 1::int2), pg_typeof(1), pg_typeof(1.5), pg_typeof('a'::text)",
    "select pg_typeof(now()), pg_typeof('x'::varchar(3)), pg_typeof(array['a'::text]), pg_typeof(null)",
    "select pg_typeof(1::int8 * 2), pg_typeof(2.0::float8), pg_typeof(true), pg_typeof(current_date)",
    "select pg_typeof(timestamp '2024-01-01' - timestamp '2023-01-01'), pg_typeof('{1}'::int[])",
    "select pg_typeof(1) = 'integer'::regtype, pg_typeof(1)::text, pg_typeof(1.5)::text || '!'",
    "select pg_typeof('x'::char(2)), pg_typeof('{}'::jsonb), pg_typeof(interval '1 day'), pg_typeof('x')",
    "select pg_typeof(1) = 'integer', pg_typeof(1) <> 'text'::regtype, pg_typeof(1)::oid",
    "select pg_typeof(pg_typeof(1)), pg_typeof(1) in ('integer'::regtype, 'text'::regtype)",
    "select pg_typeof(count(*)), pg_typeof(sum(id)), pg_typeof(avg(id)) from stamps",
    "select distinct pg_typeof(at) from stamps",
    "select pg_typeof(id), pg_typeof(at), pg_typeof(at - at), pg_typeof(at::date) from stamps where id = 1",
    "select to_regtype('varchar(2)'), to_regtype('nosuchtype'), to_regtype('int4')::text",
    "select 'nosuchtype'::regtype",
    "select typname from pg_type where oid = 'int4'::regtype",
    "select 'int4'::regtype::text as a, 23::regtype::text as b, pg_typeof(1) in ('integer', 'int4')",
    "select typname from pg_type where oid in ('int4'::regtype, 'text'::regtype) order by 1",
    "select pg_typeof(1) = any(array['integer'::regtype])",
    "select pg_typeof(x) from (select 'a' as x) s",
    "select pg_typeof(coalesce('a', 'b')), pg_typeof(case when true then 'a' end), "
    "pg_typeof(greatest(1, 2.5))",
    "select pg_typeof(('x')), pg_typeof((null)), pg_typeof(null::text), pg_typeof(E'x'), pg_typeof($$x$$)",
    "select pg_typeof(1 + 1.5::float4), pg_typeof(1::int2 * 1::int4), pg_typeof(10 / 3), pg_typeof(2 ^ 3)",
    "select pg_typeof(sum(1::int2)), pg_typeof(sum(1::int8)), pg_typeof(avg(1.5::float4)), "
    "pg_typeof(count(1))",
    "select pg_typeof(date '2024-01-01' + 1), pg_typeof(date '2024-01-01' - date '2023-01-01'), "
    "pg_typeof(date '2024-01-01' + interval '1 day'), pg_typeof(extract(year from now()))",
    "select pg_typeof(t) from generate_series(1, 2) t",
    "select 'integer'::regtype, 'int4'::regtype as x, 'int4'::regtype::text, 23::regtype::text as y",
    "select oid::regtype, typname::regtype::text from pg_type where oid = 23",
    "select 'int4'::regtype from pg_type where oid = 23",
    "select cast('int4' as regtype), cast(cast('int4' as regtype) as text), to_regtype('int4')",
    # format_type, whose naming regtype shares: -1 given for bpchar is bpchar; char alone is char(1)
    "create table bp (c bpchar, d char, e char(3), f bpchar[], g varchar, h character, i char[])",
    "select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'bp'::regclass "
    "and attnum > 0 order by attnum",
    "insert into bp (d) values ('abc')",
    "insert into bp (c, d, h) values ('abc', 'x', 'y') returning c, d, h, pg_typeof(d)",
    "select 'abc'::char, 'abc'::character, cast('abc' as char), 'abc'::bpchar",
    "select format_type(1042, -1), format_type(1042, null), format_type(1014, -1), format_type(1043, -1)",
    "select format_type(1184, 3), format_type(1114, 0), format_type(1083, 2), format_type(1186, -1), "
    "format_type(null, 1), format_type(23, null)",
    "create table kinds (r regtype)",
    "insert into kinds values ('integer'), (pg_typeof(1.5)), ('text'), (pg_typeof(now())), ('int8')",
    "select r, r::text as name, pg_typeof(r) from kinds order by r",
    "select r from kinds where r = 'numeric'::regtype or r in ('int4', 'text') order by r desc",
    "create table kinds_copy as select r, pg_typeof(r) as k from kinds",
    "select * from kinds_copy order by r",
]


reference = reference_database("differential_time_zones")
engine_session = engine_store("differential_time_zones")


BEYOND_YEAR_9999 = [  # results outside the years datetime holds (test_differential_far_dates.py has more)
    "select timestamp '9999-12-31 12:00' + interval '1 day'",
    "select timestamptz '9999-12-31 12:00+00' + interval '1 month'",
    "select timestamp '0001-01-01 00:00' at time zone 'Asia/Tokyo'",
    "select timestamptz '9999-12-31 23:00+00' at time zone 'Asia/Tokyo', timestamp '10000-01-01 03:00' at "
    "time zone 'MSK', timestamptz '1000-01-01 12:00+00 BC' at time zone 'Europe/Paris'",
]


@pytest.mark.parametrize("sql", NEW_YORK + LONDON + SYDNEY + ZONE_NAMES + FIXED_OFFSETS + TYPE_OF
                         + BEYOND_YEAR_9999)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


@pytest.mark.parametrize("value", ["24", "-100", "UTC+30", "<+30>-30"])
def test_an_offset_of_a_day_or_more_is_refused(engine_session: SQLiteSession, value: str) -> None:
    """PostgreSQL takes fixed offsets up to a week; Python's tzinfo up to a day: 22023 with
    PostgreSQL's detail for an offset out of range (it was accepted, then every timestamptz
    output failed with XX000)."""
    with pytest.raises(DatabaseError) as refused:
        engine_session.execute(engine_session.prepare(f"set timezone = '{value}'", ()), [])
    assert (refused.value.sqlstate, refused.value.detail) == ("22023", "UTC timezone offset is out of range.")
    shown = engine_session.prepare("select timestamptz '2020-01-01 00:00+00'::text", ())
    assert engine_session.execute(shown, []).fetch(0)[0][0].startswith("2020-")


