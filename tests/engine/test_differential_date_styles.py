"""Differential script for DateStyle and IntervalStyle: every output format (ISO, SQL, Postgres,
German) in every field order (MDY, DMY, YMD) combined with every IntervalStyle (postgres,
postgres_verbose, sql_standard, iso_8601), each showing dates, timestamps with fractional seconds,
timestamptz in zones whose abbreviations differ (EDT, IST, -03, LMT, a POSIX name, none), times,
±infinity, arrays, `::text` casts and intervals with mixed signs, months, days and microseconds;
the input of ambiguous dates (`01/02/03`) in each order and of intervals in each style (a leading
minus under sql_standard); the spellings SET DateStyle accepts (aliases, a format or an order
alone, DEFAULT, conflicts, bad words and list syntax) and SET LOCAL. Runs against the engine and a
real PostgreSQL 15; outcome, messages and notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    gap,
    reference_database,
    reference_step_with_messages,
)

DATE_STYLES = [f"{date_format}, {order}" for date_format in ("ISO", "SQL", "Postgres", "German")
               for order in ("MDY", "DMY", "YMD")]
INTERVAL_STYLES = ["postgres", "postgres_verbose", "sql_standard", "iso_8601"]

DATE_OUTPUT = (
    "select date '2024-07-01', date '0099-12-31', timestamp '2024-07-01 12:34:56.789', "
    "timestamp '1999-01-09 00:00:00', timestamp '2024-02-29 23:59:59.000001', time '13:14:15.5', "
    "date 'infinity', timestamp '-infinity', timestamptz 'infinity', "
    "array[date '2024-01-02', date '2024-12-31'], array[timestamp '2024-01-02 03:04:05.6'], "
    "(date '2024-07-01')::text, (timestamp '2024-07-01 12:34:56')::text, "
    "timestamptz '2024-07-01 12:34:56.5+00', (timestamptz '2024-01-15 08:00:00+00')::text, "
    "array[timestamptz '2024-01-15 08:00:00+00'], 'at ' || date '2024-03-04', "
    "daterange('2024-01-02', '2024-03-04'), tstzrange('2024-01-02 03:04+00', null), "
    "'[2024-01-02 03:04:05.5, 2024-02-03)'::tsrange::text"
)
DATE_INPUT = (
    "select '01/02/03'::date, '1/2/2003'::date, '03/04/05 06:07'::timestamp, '10-11-12'::date, "
    "'02.01.2003'::date, 'Jan 2 03'::date, '2 Jan 03'::date, '03 Jan 02'::date, '2003-01-02'::date, "
    "'20030102'::date, '01/02/03 04:05:06+02'::timestamptz, '01/02/03 04:05'::time, "
    "'{01/02/03}'::date[], date '11/12/10', '[01/02/03, 01/03/03]'::daterange"
)
DATE_INPUT_ERRORS = [
    "select '13/01/03'::date",
    "select '01/13/03'::date",
    "select '31/12/2024'::timestamp",
    "select '2024/12/31'::date",
]
INTERVAL_OUTPUT = (
    "select interval '1 year 2 months 3 days 04:05:06.789', interval '-1 year -2 mons', "
    "interval '-1 days +02:03:00', interval '0', interval '-00:00:01', interval '1 day -1 second', "
    "interval '-1.5 seconds', interval '1 sec', interval '-1 min -1 sec', interval '3 mons', "
    "interval '-3 days', interval '1 year -1 day', interval '0.000001 sec', interval '-0.5 sec', "
    "interval '100 hours', array[interval '1 day', interval '-1 hour'], (interval '1 day 2 hours')::text, "
    "interval '-1 year 2 days -3 hours 4 min 5.5 sec', interval '1 hour 1 sec', interval '-1 day -1 hour', "
    "interval '1 min', interval '-1 mon 1 sec'"
)
INTERVAL_INPUT = (
    "select '-1 2:03:04'::interval, '-1 -2:03:04'::interval, '-1-2'::interval, '-1.5 days 2:00'::interval, "
    "'1-2 3 4:05:06'::interval, 'P1Y2M3DT4H5M6.5S'::interval, '@ 1 day 2 hours ago'::interval, "
    "'-1 day 2 hours ago'::interval, 'P-1Y2M'::interval, '-2:03'::interval, 'PT0S'::interval, "
    "'@ 0'::interval, '-1 year 1.5 months'::interval, '- 1 2:00'::interval, '-1 +2:00'::interval, "
    "'+1-2 -3 +4:05:06'::interval, '@ 1 year 2 mons -3 days ago'::interval"
)
ZONES = ["America/New_York", "Asia/Kolkata", "America/Sao_Paulo", "UTC+2", "<+0330>-3:30",
         "Europe/Paris+00:30", "+02:00", "Etc/UTC"]
ZONE_OUTPUT = (
    "select timestamptz '2024-07-01 12:34:56.5+00', timestamptz '2024-01-15 08:00:00+00', "
    "timestamptz '1900-01-01 00:00+00', timestamptz '1800-06-01 00:00+00', "
    "(timestamptz '2024-07-01 12:00+00')::text, '2024-03-04 05:06'::timestamptz, "
    "array_to_string(array[timestamptz '2024-07-01 12:00+00', null, date '2024-01-02'], ';', '*'), "
    "array_to_string(array[date '2024-07-01', date '2024-07-02'], ','), "
    "array_to_string(array[interval '1 day -2 hours', interval '-1 mon'], ' | ')"
)


def _style_steps() -> list[str]:
    steps = []
    for date_style in DATE_STYLES:
        steps += [f"set datestyle = '{date_style}'", "show datestyle", DATE_OUTPUT, DATE_INPUT,
                  *DATE_INPUT_ERRORS]
        for zone in ZONES:
            steps += [f"set timezone = '{zone}'", ZONE_OUTPUT]
        steps.append("set timezone = 'Etc/UTC'")
        for interval_style in INTERVAL_STYLES:
            steps += [f"set intervalstyle = '{interval_style}'", "show intervalstyle", INTERVAL_OUTPUT,
                      INTERVAL_INPUT, "select date '2024-07-01', interval '1 day -2 hours', "
                      "timestamp '2024-07-01 10:00' - timestamp '2024-06-01 09:00:00.5'"]
    return steps


TABLES = [
    "set datestyle = 'SQL, DMY'",
    "set intervalstyle = 'sql_standard'",
    "create table events (id int primary key, day date, at timestamp, stamp timestamptz, span interval)",
    "insert into events values (1, '01/02/03', '01/02/03 04:05:06.5', '01/02/03 04:05+01', '-1 2:03:04')",
    "insert into events values (2, '2003-02-01', '2003-02-01 04:05:06.5', '2003-02-01 04:05+01', '-1 day')",
    "select id, day, at, stamp, span, day::text, span::text from events order by id",
    "select id from events where day = '01/02/2003' order by id",
    "set datestyle = 'ISO, MDY'",
    "set intervalstyle = 'postgres'",
    "select id, day, at, stamp, span from events order by id",
    "select id from events where day = '02/01/2003' order by id",
    "set datestyle = 'German'",
    "insert into events values (1, '05.06.2007', null, null, null)",
    "select id, day, at, stamp from events where day < '05.06.2007' order by id",
]

SETTINGS = [
    "set datestyle = 'German'",
    "show datestyle",
    "set datestyle = 'SQL'",
    "show datestyle",
    "set datestyle = 'YMD'",
    "show datestyle",
    "set datestyle = 'Euro'",
    "show datestyle",
    "set datestyle = 'US'",
    "show datestyle",
    "set datestyle = 'NonEuropean, postgres'",
    "show datestyle",
    "set datestyle = 'European'",
    "show datestyle",
    "set datestyle = 'ymd, german'",
    "show datestyle",
    "set datestyle = ' Sql ,  \"DMY\" '",
    "show datestyle",
    "set datestyle = 'Default, dmy'",
    "show datestyle",
    "set datestyle = 'sql, default'",
    "show datestyle",
    "set datestyle = iso, ymd",
    "show datestyle",
    "set datestyle = ''",
    "show datestyle",
    "set datestyle = 'iso, sql'",
    "set datestyle = 'dmy, ymd'",
    "set datestyle = 'foo'",
    "set datestyle = 'iso dmy'",
    "set datestyle = 'sql,'",
    "set datestyle = '\"iso'",
    "set datestyle to default",
    "show datestyle",
    "begin",
    "set local datestyle = 'German'",
    "select date '2024-07-01', current_setting('DateStyle')",
    "commit",
    "show datestyle",
    "begin",
    "set datestyle = 'SQL, DMY'",
    "rollback",
    "show datestyle",
    "select set_config('datestyle', 'dmy', false), set_config('intervalstyle', 'iso_8601', false)",
    "select '01/02/03'::date, interval '1 day'",
    "reset datestyle",
    "reset intervalstyle",
    "show datestyle",
    "set intervalstyle = 'SQL_Standard'",
    "show intervalstyle",
    gap("set intervalstyle = 'verbose'", "an enumerated setting's error names the parameter in its "
        "canonical spelling (IntervalStyle), PostgreSQL as the statement wrote it (intervalstyle)"),
    "reset all",
    "show intervalstyle",
]


reference = reference_database("differential_date_styles")
engine_session = engine_store("differential_date_styles")


@pytest.mark.parametrize("sql", _style_steps() + TABLES + SETTINGS)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
