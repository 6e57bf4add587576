"""Differential scripts for age(), to_char(), pg_typeof(), the planner/resource settings,
generate_series over time stamps and ordered aggregates: each statement runs against the engine
and a real PostgreSQL 15 in order (state carries over), and the tag, column names/OIDs/typmods,
rows (text form), SQLSTATE and transaction status must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_script_step,
    engine_store,
    reference_database,
    reference_script_step,
)

SETTINGS = [
    "show work_mem",
    "set work_mem = '1.5MB'",
    "show work_mem",
    "set work_mem = 65536",
    "show work_mem",
    "set work_mem = '100000B'",
    "show work_mem",
    "set work_mem = '1 GB'",
    "show work_mem",
    "set work_mem = '10kB'",
    "set work_mem = '64mb'",
    "set work_mem = 'abc'",
    "set work_mem = '3000000000'",
    "reset work_mem",
    "select current_setting('work_mem'), current_setting('maintenance_work_mem'), "
    "current_setting('temp_buffers'), current_setting('effective_cache_size'), "
    "current_setting('temp_file_limit')",
    "set effective_cache_size = 1000",
    "show effective_cache_size",
    "set maintenance_work_mem = '0.5GB'",
    "show maintenance_work_mem",
    "set temp_buffers = '1kB'",
    "select current_setting('random_page_cost'), current_setting('seq_page_cost'), "
    "current_setting('effective_io_concurrency'), current_setting('max_parallel_workers_per_gather'), "
    "current_setting('default_statistics_target'), current_setting('jit')",
    "set random_page_cost = 1.1",
    "show random_page_cost",
    "set random_page_cost = '1e2'",
    "show random_page_cost",
    "set random_page_cost = -1",
    "set random_page_cost = 'cheap'",
    "set max_parallel_workers_per_gather = 2000",
    "set max_parallel_workers_per_gather = '2.6'",
    "show max_parallel_workers_per_gather",
    "set effective_io_concurrency = '5MB'",
    "set default_statistics_target = 0",
    "set jit = maybe",
    "set jit = off",
    "show jit",
    "set synchronous_commit = bogus",
    "set synchronous_commit = TRUE",
    "show synchronous_commit",
    "set synchronous_commit = remote_apply",
    "show synchronous_commit",
    "set enable_seqscan = off",
    "show enable_seqscan",
    "begin",
    "set local work_mem = '256MB'",
    "show work_mem",
    "rollback",
    "show work_mem",
    "show transaction_deferrable",
    "show default_transaction_deferrable",
    "set default_transaction_deferrable = on",
    "show default_transaction_deferrable",
    "set default_transaction_deferrable = maybe",
    "begin isolation level serializable, read only, deferrable",
    "show transaction_deferrable",
    "commit",
    "reset default_transaction_deferrable",
    "show default_transaction_deferrable",
]

AGGREGATES = [
    "create table agg (n numeric, s text, g int)",
    "insert into agg values (10, 'a', 1), (9, 'b', 1), (null, 'c', 2), (1.5, null, 2)",
    "select array_agg(s order by n) from agg",
    "select array_agg(n order by n desc nulls last) from agg",
    "select g, array_agg(n order by s desc), array_agg(s order by n nulls first, s) from agg group by g "
    "order by g",
    "select array_agg(s order by n * 2) from agg where false",
    "select array_agg(n::text order by -n) from agg",
    "select string_agg(s, ',' order by n desc nulls last), string_agg(s, '' order by s desc) from agg",
    "select g, string_agg(n::text, ';' order by n) from agg group by g order by g",
    "select string_agg(s, ',' order by -n), string_agg(s, ',' order by -n nulls first) from agg",
    "select string_agg(s, '' order by n * 2 desc, s) from agg",
]

AGE = [
    "select age(timestamp '2024-03-01', timestamp '2024-01-31'), age(timestamp '2024-01-31', "
    "timestamp '2024-03-01')",
    "select age(date '2023-03-01', date '2023-01-31'), age(date '2024-02-29', date '2025-02-28')",
    "select age(timestamp '2024-03-31 10:00', timestamp '2024-02-29 23:59:59.5'), "
    "age(timestamp '2020-02-29 23:59:59.5', timestamp '2024-03-31 10:00')",
    "select age(timestamp '1999-12-31 23:59:59.999999', timestamp '2000-01-01'), "
    "age(timestamp '2024-05-31', timestamp '2024-05-31')",
    "select age(timestamptz '2024-03-10 12:00+00', timestamptz '2024-03-09 00:00+05')",
    "select age(null::timestamp, timestamp '2020-01-01'), age(null::date)",
    "select age('2024-01-01', '2023-12-25 13:00'), age(timestamp '2024-01-01', '2023-06-30 23:00')",
    "select age(current_date::timestamp), age(current_date), age(date '2024-01-01') > interval '0'",
    "select age(1)",
    "select age(timestamp '2024-01-01', 'x')",
    "set timezone = 'America/New_York'",
    "select age(timestamptz '2024-03-11 00:30', timestamptz '2024-03-10 00:30'), "
    "age(timestamptz '2024-11-03 12:00-05', timestamptz '2024-11-02 12:00-04')",
    "reset timezone",
]

SERIES = [
    "select * from generate_series(timestamp '2024-01-31', timestamp '2024-06-01', interval '1 month')",
    "select g from generate_series(timestamp '2024-01-01 00:00', '2024-01-01 02:00', '45 minutes') g",
    "select * from generate_series(timestamptz '2024-01-03', timestamptz '2024-01-01', interval '-1 day')",
    "select * from generate_series(timestamp '2024-01-01', timestamp '2024-01-02', interval '0')",
    "select * from generate_series(timestamp '2024-01-01', null, interval '1 day')",
    "select count(*) from generate_series(timestamp '2024-01-01', timestamp '2024-12-31', '1 week')",
    "select x, x + interval '1 hour' from generate_series(timestamp '2024-02-28', '2024-03-01', "
    "interval '1 day') x order by x desc",
    "select * from generate_series(timestamp '9999-12-30', timestamp '9999-12-31 12:00', interval '1 day')",
    "select * from generate_series(timestamp '2024-01-31', timestamp '2025-03-01', "
    "interval '1 month -1 day')",
    "select * from generate_series(1, 3, interval '1 day')",
    "select * from generate_series(timestamp '2024-01-01', timestamp '2024-01-03')",
    "set timezone = 'America/New_York'",
    "select * from generate_series(timestamptz '2024-11-03 00:30', timestamptz '2024-11-03 03:00', "
    "interval '30 minutes')",
    "select * from generate_series(timestamptz '2024-03-10 00:30', timestamptz '2024-03-10 04:00', "
    "interval '1 hour')",
    "select * from generate_series(timestamptz '2024-11-02 01:30', timestamptz '2024-11-05', "
    "interval '1 day')",
    "select * from generate_series(timestamptz '2024-03-09 02:30', timestamptz '2024-03-12', "
    "interval '1 day')",
    "select * from generate_series(date '2024-11-02', date '2024-11-04', interval '12 hours')",
    "select * from generate_series(timestamptz '2024-11-05', timestamptz '2024-11-01', "
    "interval '-1 day -1 hour')",
    "reset timezone",
]

TO_CHAR = [
    "select to_char(timestamp '2024-05-06 13:07:09.123456', 'Day DD Month YYYY HH12:MI:SS AM US MS')",
    "select to_char(timestamp '2024-05-06 13:07:09.123456', "
    "'FMDay, FMDDth \"of\" FMMonth YYYY HH12:MI:SS am')",
    "select to_char(timestamp '2024-01-01 00:00', '\"yyyy\" YYYY \"YYYY\" yyyy'), "
    "to_char(timestamp '2024-01-01 00:00', '\"YYYY\"')",
    "select to_char(timestamp '2024-03-01 00:05', 'DDD IDDD D ID W WW IW Q CC J RM rm Y,YYY YYY YY Y IYYY')",
    "select to_char(timestamp '2024-12-31 23:59:59.987654', 'HH24 HH12 PM p.m. SSSS FF1 FF3 FF6 MON Mon mon "
    "DY Dy dy A.D. b.c.')",
    "select to_char(timestamp '2023-11-21 08:00', 'DDth DDTH MMth HH12th \"\\\"quoted\\\"\" \\\"x')",
    "select to_char(timestamptz '2024-07-01 12:00+00', 'YYYY-MM-DD HH24:MI:SS TZ OF')",
    "set timezone = 'America/New_York'",
    "select to_char(timestamptz '2024-07-01 12:00+00', 'YYYY-MM-DD HH24:MI:SS TZ tz OF TZH:TZM'), "
    "to_char(date '2024-12-25', 'Dy DD Mon YYYY TZ')",
    "set timezone = 'Asia/Kolkata'",
    "select to_char(timestamptz '2024-01-01 00:00+00', 'HH24:MI TZ OF TZH TZM')",
    "reset timezone",
    "select to_char(interval '1 day 03:04:05.678', 'DD HH24:MI:SS.MS'), "
    "to_char(interval '-3 days -04:05:06.5', 'HH12 MI SS AM'), "
    "to_char(interval '-1 year -2 mons', 'YYYY MM YY')",
    "select to_char(interval '1 year', 'Month')",
    "select to_char(timestamp '2024-05-06', ''), to_char(null::timestamp, 'YYYY'), "
    "to_char(timestamp '2024-05-06', null)",
    "select to_char('2024-01-01', 'YYYY')",
    "select to_char(true, 'YYYY')",
    "select to_char(1234.5, '9G999D99'), to_char(-1234.5, 'FM9,999.00'), to_char(0.5, '9.99'), "
    "to_char(0, '999'), to_char(0.5, 'FM9.99'), to_char(5, 'FM999.99')",
    "select to_char(12345, '999'), to_char(-7, 'S999'), to_char(7, '999S'), to_char(-7, '999MI'), "
    "to_char(-7, '999PR'), to_char(7, 'FM999PR'), to_char(7, 'SG999PL')",
    "select to_char(3.14159::float8, 'FM990.0000'), to_char(2.5::float4, '0.0'), "
    "to_char(1e20::float8, '9.99'), to_char(5::int2, '00'), to_char(-0.004::numeric, '0.00')",
    "select to_char(123, '\"Total: \"999'), to_char(12, 'FM99th'), to_char(-12, '99TH'), "
    "to_char(11, '99th'), to_char(1.5, '9.9th'), to_char(9, '09.9DMI')",
    "select to_char(x, '999.9'), to_char(x * 1000, '9G999') from generate_series(1, 3) x",
    "select to_char(1, '9.9.9')",
    "select to_char(ts, fmt) from (values (timestamp '2024-02-29 23:59:59', 'YYYY-MM-DD'), "
    "(timestamp '2000-01-01', 'Mon YYYY')) v(ts, fmt)",
]

USERS = [  # user and current_role: reserved words for current_user, even beside a column "user"
    "select user, current_role, current_user, session_user",
    "select user = current_user as same, upper(user) as shout",
    'create table who ("user" text, n int)',
    "insert into who values ('someone', 1)",
    'select user, "user", who.user from who',
]

ALL_STEPS = [*SETTINGS, *AGGREGATES, *AGE, *SERIES, *TO_CHAR, *USERS]


reference = reference_database("differential_functions")
engine_session = engine_store("differential_functions")


@pytest.mark.parametrize("sql", ALL_STEPS)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)


# Not differential: PostgreSQL answers these, the engine refuses them with 0A000 naming what is missing.
REFUSED = [
    ("select to_char(1, 'RN')", '"RN"'),
    ("select to_char(1.5, '9.9EEEE')", '"EEEE"'),
    ("select to_char(timestamp '2024-05-06', 'DDSP')", '"SP"'),
    ("select to_char(interval '1 year', 'Q')", '"Q"'),
    ("select string_agg(distinct x::text, ',') from generate_series(1, 3) x", "string_agg(DISTINCT"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    """An unsupported template piece is refused with 0A000 and a message naming it."""
    assert_refused_clearly(engine_session, sql, named)
