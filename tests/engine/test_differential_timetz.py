"""Differential script for time with time zone (timetz) and the time 24:00:00: text input (numeric
offsets in every spelling, Z, zone abbreviations, zone names with and without a date, the session
zone by default, 24:00:00) and its errors (22007, 22008, 22009), the output, casts between timetz,
time, timestamptz and text, the type modifier, comparison and ORDER BY / DISTINCT / min / max /
UNIQUE in timetz_cmp's order (UTC time, then offset), arrays, a table column, arithmetic with
intervals and dates, extract, current_time and pg_type. Each statement runs against the engine and
a real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction status), the
error message and the notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

_INPUTS = ["12:34:56.789+05:30", "00:00-10:00", "00:00+12", "10:20:30.000040Z", "04:05:06 -0800",
           "04:05:06-08:00:30", "040506+0730", "4:5:6.5 +3", "23:59:59.999999-12", "24:00:00+01",
           "24:00", "12:00 PST", "12:00 pdt", "1:00 pm UTC", "allballs", "12:00+15:59", "12:00-15:59:59",
           "2020-06-01 12:00 America/New_York", "2020-01-01 12:00 America/New_York", "12:00 Etc/GMT+5",
           "12:00 UTC", "t12:00:00+01", "12:00:00.1234567+01", "2020-06-01 12:00", "12:00 MSK"]
_BAD = ["", "abc", "25:00+01", "24:00:01", "12:60", "12:00+16", "12:00-16:00", "12:00 America/New_York",
        "12:00 Mars/Olympus", "12:00 +05 +06", "2020-06 12:00 -05", "12:00 +5:60"]
_SESSION_ZONES = ["'-02:00'", "'Asia/Kolkata'", "'UTC'", "'America/Sao_Paulo'", "'+05:45'"]

SCRIPT = [
    *(f"select '{text}'::timetz" for text in _INPUTS),
    *(f"select '{text}'::timetz" for text in _BAD),
    "select '24:00'::time, '24:00:00'::time, time '24:00', '23:59:59.999999'::time",
    "select '24:00:00.1'::time",
    "select '24:00:00'::time::interval, '24:00'::time = '24:00:00'::time, '24:00'::time > '23:59'::time",
    "select '23:59:59.7'::time(0), '23:59:59.7+03'::timetz(0), '12:00:00.555+01'::timetz(2)",
    *(stmt for zone in _SESSION_ZONES for stmt in (
        f"set timezone = {zone}",
        "select '12:00'::timetz, '2020-07-01 12:00'::timetz, '2020-01-01 12:00'::timetz, '24:00'::timetz",
        "select '03:04:05'::time::timetz, '2020-07-01 12:00:00+00'::timestamptz::timetz",
        "select extract(timezone from current_time) = extract(timezone from '12:00'::timetz)",
    )),
    "set timezone = 'UTC'",
    # output in every DateStyle: the same
    *(stmt for style in ("SQL, DMY", "Postgres, MDY", "German", "ISO, YMD") for stmt in (
        f"set datestyle = '{style}'",
        "select '12:34:56.5+05:30'::timetz, '01/02/2020 12:00 America/New_York'::timetz, '24:00'::time",
    )),
    "set datestyle = 'ISO, MDY'",
    # casts
    "select '12:34:56+05'::timetz::time, '12:34:56+05'::timetz::text, '12:34:56+05'::timetz::varchar",
    "select time with time zone '01:02:03-04', cast('01:02:03 +04' as time with time zone)",
    "select '12:34:56+05'::timetz::time(0) with time zone, '1:2:3.456789+1'::time(3) with time zone",
    "select '12:00+05'::timetz::timestamptz",
    "select '12:00+05'::timetz::interval",
    "select '12:00+05'::timetz::date",
    "select '2020-01-01 12:00'::timestamp::timetz",
    "select pg_typeof('12:00+05'::timetz), pg_typeof(current_time), pg_typeof(current_time(2))",
    "select format_type('timetz'::regtype, 3), format_type(1270, -1)",
    # comparison: by the UTC time, then the offset
    "select '12:00+01'::timetz = '11:00+00'::timetz, '12:00+01'::timetz < '11:00+00'::timetz, "
    "'12:00+01'::timetz > '11:00+00'::timetz",
    "select '23:00-05'::timetz > '01:00+00'::timetz, '00:00+12'::timetz < '23:59-12'::timetz",
    "select '12:00+01'::timetz = '12:00+01:00'::timetz, '12:00+01'::timetz <> '12:00+02'::timetz",
    "select '12:00+01'::timetz = '12:00'",
    "select '12:00+01'::timetz = '12:00'::time",
    # arrays
    "select '{12:00+01,\"13:30:00.5-04:30\",NULL}'::timetz[], array['01:00+00'::timetz, '24:00-01']",
    "select ('{12:00+01,13:00+02}'::timetz[])[2], array_length('{12:00+01}'::timetz[], 1)",
    # a table
    "create table shifts (id int primary key, starts timetz, ends time with time zone, "
    "precise time(2) with time zone, plain time)",
    "insert into shifts values (1, '12:00+01', '20:00+01', '12:00:00.555+01', '24:00'), "
    "(2, '11:00+00', '19:00:00-03', '06:07:08.999-07', '00:00'), (3, '23:00-05', '01:00+09', null, '12:00'), "
    "(4, '01:00+00', '24:00:00+14', '23:59:59.999+02', null), (5, null, null, null, '23:59:59.999999'), "
    "(6, '12:00+01', '11:00+00', '00:00+00', '01:00'), "
    "(7, '11:00:00.000001+00', '11:00-00:00:01', null, null)",
    "insert into shifts values (8, 'nonsense', null, null, null)",
    "insert into shifts values (8, '12:00+16', null, null, null)",
    "select id, starts, ends, precise, plain from shifts order by id",
    "select id, starts from shifts order by starts, id",
    "select id, ends from shifts order by ends desc nulls last, id",
    "select id, plain from shifts order by plain, id",
    "select distinct starts from shifts order by starts",
    "select starts, count(*) from shifts group by starts order by starts",
    "select min(starts), max(starts), min(ends), max(ends), min(plain), max(plain) from shifts",
    "select id from shifts where starts = '12:00+01' order by id",
    "select id from shifts where starts > '11:00+00' order by id",
    "select id from shifts where starts between '10:30+00' and '12:00+00' order by id",
    "select id from shifts where starts in ('11:00+00', '23:00-05') order by id",
    "select id from shifts where starts = any('{12:00+01,01:00+00}'::timetz[]) order by id",
    "select id, starts < ends, starts = ends, greatest(starts, ends), least(starts, ends) "
    "from shifts order by id",
    "select a.id, b.id from shifts a join shifts b on a.starts = b.ends order by 1, 2",
    "select starts from shifts union select ends from shifts order by 1",
    "create index shifts_starts on shifts (starts)",
    "select id from shifts where starts = '12:00+01:00' order by id",
    "select id from shifts where starts >= '11:00+00' and starts < '23:00-05' order by starts, id",
    "select id, starts from shifts where starts is not null order by starts desc limit 3",
    "update shifts set ends = '18:00:00.123456+01:30' where starts = '11:00+00'",
    "select id, ends, starts::time, ends::text from shifts where id = 2",
    "select array_agg(starts order by starts) from shifts",
    # arithmetic with intervals and dates
    "select '23:30+01'::timetz + interval '1 hour', interval '90 minutes' + '12:00-03'::timetz, "
    "'00:30+05'::timetz - interval '1 hour'",
    "select '12:00+01'::timetz + '1 day 2 hours', '12:00+01'::timetz - '30 minutes'",
    "select date '2020-06-01' + '12:00+05'::timetz, '23:00-07'::timetz + date '2020-12-31'",
    "select date '2020-06-01' + '24:00'::time, '24:00'::time + interval '1 minute'",
    "select '12:00+01'::timetz - '11:00+00'::timetz",
    "select '12:00+01'::timetz + 1",
    # AT TIME ZONE: the zone's offset now
    "select '12:00+01'::timetz at time zone 'UTC', '23:30-02'::timetz at time zone '+05:30', "
    "'00:15+00'::timetz at time zone 'Etc/GMT+3', '24:00+01'::timetz at time zone 'EST'",
    "select timezone('Etc/GMT-14', '12:00-12'::timetz), pg_typeof('12:00+01'::timetz at time zone 'UTC')",
    "select '12:00'::time at time zone 'Etc/GMT+1', pg_typeof('12:00'::time at time zone 'UTC')",
    "select extract(timezone from '12:00+01'::timetz at time zone 'America/New_York') = "
    "extract(epoch from (now() at time zone 'America/New_York') - (now() at time zone 'UTC'))",
    "select '12:00+01'::timetz at time zone 'Mars/Olympus'",
    # extract
    "select extract(hour from '12:34:56.789-04:30'::timetz), "
    "extract(minute from '12:34:56.789-04:30'::timetz), extract(second from '12:34:56.789-04:30'::timetz), "
    "extract(epoch from '12:34:56.789-04:30'::timetz)",
    "select extract(timezone from '12:00-04:30'::timetz), extract(timezone_hour from '12:00-04:30'::timetz), "
    "extract(timezone_minute from '12:00-04:30'::timetz), extract(milliseconds from '12:00:01.5+01'::timetz)",
    "select extract(day from '12:00+01'::timetz)",
    "select extract(foo from '12:00+01'::timetz)",
    "select extract(day from '12:00'::time)",
    "select extract(timezone from '12:00'::time)",
    "select extract(foo from '12:00'::time)",
    "select extract(microseconds from '12:00:01.5'::time), extract(milliseconds from '12:00:01.5'::time)",
    "select '24:00'::time - '00:00'::time, '24:00'::time + interval '0', '24:00+01'::timetz - interval '0'",
    "select date_part('hour', '24:00'::time), extract(epoch from '24:00'::time)",
    "select to_char('12:34'::time, 'HH24:MI'), to_char('24:00'::time, 'HH24:MI:SS')",
    "select to_char('12:34+01'::timetz, 'HH24:MI')",
    "select '12:34+01'::timetz::interval",
    "select max('12:00+01'::timetz), min('24:00'::time)",
    "select coalesce(null, '12:00+01'::timetz), nullif('12:00+01'::timetz, '11:00+00')",
    "select case when true then '12:00+01'::timetz else '12:00' end",
    "select array['12:00+01'::timetz] = array['12:00+01:00'::timetz], "
    "array['12:00+01'::timetz] < array['11:00+00'::timetz]",
    "select '12:00+01'::timetz in ('11:00+00', '12:00+01')",
    "select localtime(0) < '24:00'::time",
    "select current_time(0)::text ~ '^[0-9:]{8}[+-]'",
    "select row('24:00'::time, '12:00+01'::timetz), row('24:00'::time, '12:00:00.5+05:30'::timetz)::text",
    "select array_to_string(array['12:00+01'::timetz, '24:00-03'], ';'), '24:00'::time || '!', "
    "format('%s %s', '24:00'::time, '12:00+01'::timetz)",
    "select json_build_object('t', '24:00+00'::timetz, 'u', '24:00'::time, 'v', '12:00:00.5-03:30'::timetz)",
    "select length('12:00+01'::timetz::text), upper('24:00'::time::text)",
    "select '{12:00+01,11:00+00}'::timetz[] @> '{11:00+00}'::timetz[]",
    # UNIQUE: equal only with the same offset
    "create table unique_times (t timetz unique)",
    "insert into unique_times values ('12:00+01'), ('11:00+00')",
    "insert into unique_times values ('12:00:00+01:00')",
    "insert into unique_times values ('12:00+01') on conflict (t) do nothing",
    "select t from unique_times order by t",
    # pg_type and the catalog
    "select oid, typname, typlen, typarray, typcategory, typbyval from pg_type where oid in (1266, 1270) "
    "order by oid",
    "select column_name, data_type, datetime_precision from information_schema.columns "
    "where table_name = 'shifts' order by ordinal_position",
    "select attname, atttypid::regtype, atttypmod from pg_attribute where attrelid = 'shifts'::regclass "
    "and attnum > 0 order by attnum",
]

reference = reference_database("differential_timetz")
engine_session = engine_store("differential_timetz")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
