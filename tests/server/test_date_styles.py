"""DateStyle and IntervalStyle over the wire, the server beside a real PostgreSQL 15 (skipped
without it): the ParameterStatus each SET sends, psycopg's own date and timestamp loaders reading
every DateStyle's text (and binary results untouched by it), text parameters and COPY TO in a
non-ISO style, and the text rows of dates, timestamps, timestamptz and intervals in each style."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.server.conftest import Connections

DATE_STYLES = [f"{date_format}, {order}" for date_format in ("ISO", "SQL", "Postgres", "German")
               for order in ("MDY", "DMY", "YMD")]
SPELLINGS = ["German", "SQL, DMY", "YMD", "Euro", "US", "NonEuropean", "postgres", "ISO, DMY", "default"]
ROWS = ("select date '2024-07-01' as d, timestamp '2024-07-01 12:34:56.789' as ts, "
        "timestamp '1999-12-31 23:59:59' as ts2, date '2024-12-31' as d2")


@pytest.fixture(scope="module")
def connections(connections: Connections) -> Connections:
    """conftest's (server, PostgreSQL) connections, TimeZone America/New_York."""
    for connection in connections:
        connection.execute("set timezone = 'America/New_York'")
    return connections


def _both(connections: Connections, sql: str) -> list[object]:
    return [connection.execute(sql).fetchall() for connection in connections]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_parameter_status_after_set(connections: Connections,
                                    spelling: str) -> None:
    """Each SET reports PostgreSQL's normalised text (`German, DMY`) as the new DateStyle."""
    reported = []
    for connection in connections:
        connection.execute(f"set datestyle = '{spelling}'")
        reported.append(connection.info.parameter_status("DateStyle"))
    assert reported[0] == reported[1]
    assert reported[0] is not None and ", " in reported[0]


@pytest.mark.parametrize("interval_style", ["postgres_verbose", "sql_standard", "iso_8601", "postgres"])
def test_interval_style_reported_and_written(connections: Connections,
                                             interval_style: str) -> None:
    sql = ("select (interval '-1 year 2 days -3 hours 4.5 sec')::text, "
           "(interval '-1 2:03:04')::text, (interval '0')::text")
    for connection in connections:
        connection.execute(f"set intervalstyle = {interval_style}")
    assert [c.info.parameter_status("IntervalStyle") for c in connections] == [interval_style] * 2
    ours, theirs = _both(connections, sql)
    assert ours == theirs


@pytest.mark.parametrize("date_style", DATE_STYLES)
def test_psycopg_loaders_read_every_date_style(connections: Connections,
                                               date_style: str) -> None:
    """psycopg parses the text of each style itself: it must get back the very values it would from
    PostgreSQL, and the text must be PostgreSQL's."""
    for connection in connections:
        connection.execute(f"set datestyle = '{date_style}'")
    expected = [(dt.date(2024, 7, 1), dt.datetime(2024, 7, 1, 12, 34, 56, 789000),
                 dt.datetime(1999, 12, 31, 23, 59, 59), dt.date(2024, 12, 31))]
    ours, theirs = _both(connections, ROWS)
    assert ours == theirs == expected
    texts = [connection.execute(ROWS.replace(" as ", "::text as ")).fetchall() for connection in connections]
    assert texts[0] == texts[1]
    binary = [connection.cursor(binary=True).execute(ROWS).fetchall() for connection in connections]
    assert binary == [expected, expected]


@pytest.mark.parametrize("date_style", ["SQL, DMY", "Postgres, MDY", "German, YMD"])
def test_text_rows_parameters_and_copy(connections: Connections,
                                       date_style: str) -> None:
    """The raw text of rows (timestamptz with the zone's abbreviation), a text parameter read in
    the DateStyle's order, and COPY TO's lines, all as PostgreSQL's."""
    for connection in connections:
        connection.execute(f"set datestyle = '{date_style}'")
    raw = []
    for connection in connections:
        cursor = connection.cursor()
        cursor.execute("select timestamptz '2024-07-01 12:00+00', timestamptz '2024-01-01 12:00+00', "
                       "%s::date, %s::timestamp", ["01/02/03", "03/04/05 06:07:08.5"])
        assert cursor.pgresult is not None
        raw.append([cursor.pgresult.get_value(0, column) for column in range(4)])
    assert raw[0] == raw[1]
    copied = []
    for connection in connections:
        with connection.cursor().copy("copy (select date '2024-07-01', timestamptz '2024-07-01 12:00+00', "
                                      "interval '1 day') to stdout") as copy:
            copied.append(b"".join(bytes(block) for block in copy))
    assert copied[0] == copied[1]


def test_a_set_applies_to_the_statements_after_it_at_once(
        connections: Connections) -> None:
    """Within one simple query (and in a pipeline before its Sync) the statements after a SET of
    DateStyle or TimeZone are written in the new style, though ParameterStatus comes at the end."""
    sql = (b"set datestyle = 'SQL, DMY'; set timezone = 'Asia/Tokyo'; "
           b"select timestamptz '2024-07-01 12:00+00', date '2024-07-01'")
    simple = []
    for connection in connections:
        result = connection.pgconn.exec_(sql)
        simple.append([result.get_value(0, column) for column in range(2)])
    assert simple[0] == simple[1] == [b"01/07/2024 21:00:00 JST", b"01/07/2024"]
    piped = []
    for connection in connections:
        with connection.pipeline():
            connection.execute("set datestyle = 'Postgres, MDY'")
            connection.execute("set timezone = 'America/Sao_Paulo'")
            cursor = connection.execute("select timestamptz '2024-07-01 12:00+00', %s::date", ["01/02/03"])
        assert cursor.pgresult is not None
        piped.append([cursor.pgresult.get_value(0, column) for column in range(2)])
        connection.execute("set timezone = 'America/New_York'")
    assert piped[0] == piped[1] == [b"Mon Jul 01 09:00:00 2024 -03", b"01-02-2003"]
