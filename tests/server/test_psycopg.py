"""psycopg 3 against the server over TCP: text and binary formats, auto-prepared statements,
pipelined executemany and explicit pipelines, COPY in both directions, SQLSTATE-bearing errors and
transaction status, type round trips, cancellation of a running statement, server-side cursors, and
the parameters reported at startup."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import psycopg.errors
import pytest
from psycopg.pq import ExecStatus, TransactionStatus
from psycopg.types.json import Json

from tests.server.cancelling import run_and_cancel
from tests.server.conftest import Target

CONNECT_TIMEOUT = 10


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT) as connection:
        yield connection


@pytest.fixture
def autocommit(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as connection:
        yield connection


# startup ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("time_zone", "hours_east"), [("+03:00", -3), ("UTC-2", 2), ("Europe/Paris", 1)])
def test_time_zone_as_a_posix_offset_or_a_name(target: Target, time_zone: str, hours_east: int) -> None:
    """TimeZone at startup (`options=-c TimeZone=...`, as JDBC and psql's PGTZ send it) as a zone
    name or a POSIX fixed offset, whose hours are west of Greenwich (it was refused, 22023); both
    text results show that offset (psycopg itself gives a zone it cannot name UTC), and wall-clock
    input is read there."""
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True,
                         options=f"-c TimeZone={time_zone}") as connection:
        assert connection.info.parameter_status("TimeZone") == time_zone
        moment = dt.datetime(2024, 1, 15, 12, 0, tzinfo=dt.UTC)
        for binary in (False, True):
            [(value,)] = connection.execute("select %s::timestamptz", (moment,), binary=binary).fetchall()
            assert value == moment, binary
        [(text, instant)] = connection.execute("select %s::timestamptz::text, "
                                               "'2024-01-15 12:00'::timestamptz", (moment,)).fetchall()
        assert text == f"{moment + dt.timedelta(hours=hours_east):%Y-%m-%d %H:%M:%S}{hours_east:+03d}"
        assert instant == moment - dt.timedelta(hours=hours_east)


def test_startup_reports_server_version_and_session_id(target: Target,
                                                       autocommit: psycopg.Connection[Any]) -> None:
    assert (autocommit.info.parameter_status("server_version") or "").startswith("15")
    assert 150000 <= autocommit.info.server_version < 160000
    assert autocommit.info.parameter_status("client_encoding") == "UTF8"
    assert autocommit.info.parameter_status("standard_conforming_strings") == "on"
    target.skip_unless_heliosdb("heliosdb.session_id ParameterStatus")
    session_id = autocommit.info.parameter_status("heliosdb.session_id")
    assert session_id is not None and len(session_id) == 16
    int(session_id, 16)


def test_each_connection_gets_its_own_session_id(target: Target) -> None:
    target.skip_unless_heliosdb("heliosdb.session_id ParameterStatus")
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT) as first, \
            psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT) as second:
        ids = {c.info.parameter_status("heliosdb.session_id") for c in (first, second)}
    assert len(ids) == 2


# queries, formats, prepared statements -------------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_select_with_parameters(conn: psycopg.Connection[Any], binary: bool) -> None:
    table = f"pg3_select_{'bin' if binary else 'text'}"
    cur = conn.cursor(binary=binary)
    cur.execute(f"create table {table} (id integer primary key, name text, score float8)")
    cur.executemany(f"insert into {table} (id, name, score) values (%s, %s, %s)",
                    [(1, "one", 1.5), (2, "two", None), (3, "three", -2.25)])
    cur.execute(f"select id, name, score from {table} where id >= %s order by id desc", (2,))
    assert cur.fetchall() == [(3, "three", -2.25), (2, "two", None)]
    assert [d.name for d in cur.description or ()] == ["id", "name", "score"]
    assert cur.pgresult is not None and cur.pgresult.fformat(0) == int(binary)
    conn.commit()


def test_statement_is_auto_prepared_after_threshold(autocommit: psycopg.Connection[Any]) -> None:
    assert autocommit.prepare_threshold == 5
    autocommit.execute("create table pg3_prepared (id integer primary key, doubled integer)")
    query = "insert into pg3_prepared (id, doubled) values (%s, %s * 2)"
    for i in range(12):
        autocommit.execute(query, (i, i))
    # psycopg keeps the names of the statements it prepared on the server (Parse with a name).
    assert len(autocommit._prepared._names) == 1
    select = "select doubled from pg3_prepared where id = %s"
    assert [autocommit.execute(select, (i,)).fetchone() for i in range(12)] == [(2 * i,) for i in range(12)]
    assert len(autocommit._prepared._names) == 2


def test_explicitly_prepared_statement_binary(autocommit: psycopg.Connection[Any]) -> None:
    cur = autocommit.cursor(binary=True)
    for i in range(3):
        cur.execute("select %s::int8 + 1, %s::text", (i, f"v{i}"), prepare=True)
        assert cur.fetchone() == (i + 1, f"v{i}")


def test_executemany_thousand_rows_pipelined(autocommit: psycopg.Connection[Any]) -> None:
    assert psycopg.Pipeline.is_supported()  # executemany pipelines its statements when supported
    autocommit.execute("create table pg3_many (a integer primary key, b text)")
    cur = autocommit.cursor()
    cur.executemany("insert into pg3_many (a, b) values (%s, %s)", [(i, f"row {i}") for i in range(1000)])
    cur.execute("select count(*), sum(a), max(b) from pg3_many")
    assert cur.fetchone() == (1000, 499500, "row 999")


def test_explicit_pipeline(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table pg3_pipeline (id integer primary key, v text)")
    with autocommit.pipeline() as pipeline:
        inserts = autocommit.cursor()
        for i in range(5):
            inserts.execute("insert into pg3_pipeline (id, v) values (%s, %s)", (i, str(i)))
        pipeline.sync()
        select = autocommit.cursor()
        select.execute("select id, v from pg3_pipeline where id > %s order by id", (2,))
        count = autocommit.cursor()
        count.execute("select count(*) from pg3_pipeline")
    assert select.fetchall() == [(3, "3"), (4, "4")]
    assert count.fetchone() == (5,)


def test_error_inside_pipeline_then_connection_usable(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table pg3_pipeline_error (id integer primary key)")
    with pytest.raises(psycopg.errors.UniqueViolation), autocommit.pipeline():
        autocommit.execute("insert into pg3_pipeline_error values (1)")
        autocommit.execute("insert into pg3_pipeline_error values (1)")
        autocommit.execute("insert into pg3_pipeline_error values (2)")
    assert autocommit.info.transaction_status == TransactionStatus.IDLE
    # Everything up to the Sync is one implicit transaction: the failure rolled back the first row.
    assert autocommit.execute("select id from pg3_pipeline_error order by id").fetchall() == []


def test_only_the_database_postgres_exists(target: Target, autocommit: psycopg.Connection[Any]) -> None:
    assert autocommit.execute("select current_database()").fetchone() == ("postgres",)
    dsn = target.dsn.replace("dbname=postgres", "dbname=%s")
    with pytest.raises(psycopg.OperationalError, match='database "pg3_made_up" does not exist'):
        psycopg.connect(dsn % "pg3_made_up", connect_timeout=CONNECT_TIMEOUT)
    with pytest.raises(psycopg.OperationalError, match='database "Postgres" does not exist'):
        psycopg.connect(dsn % "Postgres", connect_timeout=CONNECT_TIMEOUT)
    with pytest.raises(psycopg.OperationalError,
                       match='database "template0" is not currently accepting connections'):
        psycopg.connect(dsn % "template0", connect_timeout=CONNECT_TIMEOUT)
    target.skip_unless_heliosdb("template1 is not served")
    with pytest.raises(psycopg.OperationalError, match='connecting to database "template1" is not supported'):
        psycopg.connect(dsn % "template1", connect_timeout=CONNECT_TIMEOUT)


# COPY ----------------------------------------------------------------------------------------------

COPY_ROWS = [(1, "plain"), (2, "tab\there"), (3, "new\nline"), (4, "back\\slash"), (5, None), (6, "")]


def test_copy_from_stdin_write_row_and_copy_to_text(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table pg3_copy (a integer primary key, b text)")
    cur = autocommit.cursor()
    with cur.copy("COPY pg3_copy (a, b) FROM STDIN") as copy:
        for row in COPY_ROWS:
            copy.write_row(row)
    assert cur.rowcount == len(COPY_ROWS)
    assert cur.execute("select a, b from pg3_copy order by a").fetchall() == COPY_ROWS
    with cur.copy("COPY pg3_copy (a, b) TO STDOUT") as copy:
        text = b"".join(bytes(chunk) for chunk in copy)
    assert sorted(text.decode().splitlines()) == [
        "1\tplain", "2\ttab\\there", "3\tnew\\nline", "4\tback\\\\slash", "5\t\\N", "6\t"]


def test_copy_csv_both_directions(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table pg3_copy_csv (a integer primary key, b text)")
    cur = autocommit.cursor()
    with cur.copy("COPY pg3_copy_csv (a, b) FROM STDIN (FORMAT csv)") as copy:
        copy.write('1,"comma, inside"\n2,\n3,"quote "" inside"\n4,""\n')
    assert cur.execute("select a, b from pg3_copy_csv order by a").fetchall() == [
        (1, "comma, inside"), (2, None), (3, 'quote " inside'), (4, "")]
    with cur.copy("COPY pg3_copy_csv TO STDOUT (FORMAT csv, HEADER)") as copy:
        lines = b"".join(bytes(chunk) for chunk in copy).decode().splitlines()
    assert lines[0] == "a,b"
    assert sorted(lines[1:]) == ['1,"comma, inside"', "2,", '3,"quote "" inside"', '4,""']


def test_copy_rows_with_types(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table pg3_copy_types (id integer, amount numeric, day date, flag boolean)")
    cur = autocommit.cursor()
    rows = [(1, Decimal("12.50"), dt.date(2024, 2, 29), True), (2, None, None, False)]
    with cur.copy("COPY pg3_copy_types (id, amount, day, flag) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    assert cur.execute("select id, amount, day, flag from pg3_copy_types order by id").fetchall() == rows


def test_copy_failure_reported_and_nothing_inserted(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table pg3_copy_bad (a integer)")
    cur = autocommit.cursor()
    with pytest.raises(psycopg.errors.InvalidTextRepresentation), \
            cur.copy("COPY pg3_copy_bad (a) FROM STDIN") as copy:
        copy.write("1\nnot a number\n")
    assert autocommit.info.transaction_status == TransactionStatus.IDLE
    assert cur.execute("select count(*) from pg3_copy_bad").fetchone() == (0,)


class ClientGaveUp(Exception):
    """Raised inside `cursor.copy()`: psycopg answers it with CopyFail and raises it again."""


def _fail_copy(cur: psycopg.Cursor[Any], failure: str) -> None:
    """COPY FROM STDIN into pg3_copy_txn that fails: the client sends CopyFail, or a row is bad."""
    expected = ClientGaveUp if failure == "client CopyFail" else psycopg.errors.InvalidTextRepresentation
    with pytest.raises(expected), cur.copy("COPY pg3_copy_txn (a) FROM STDIN") as copy:
        copy.write_row((2,))
        if failure == "client CopyFail":
            raise ClientGaveUp
        copy.write("not a number\n")


@pytest.mark.parametrize("failure", ["client CopyFail", "bad row"])
def test_failed_copy_inside_a_transaction_fails_the_transaction(conn: psycopg.Connection[Any],
                                                                failure: str) -> None:
    """A COPY FROM STDIN that fails inside a transaction block puts the block in the failed state,
    as any failed statement does: a later COMMIT rolls back the statements before the COPY."""
    conn.execute("create table if not exists pg3_copy_txn (a integer)")
    conn.execute("delete from pg3_copy_txn")
    conn.commit()
    cur = conn.cursor()
    conn.execute("insert into pg3_copy_txn values (1)")
    _fail_copy(cur, failure)
    assert conn.info.transaction_status == TransactionStatus.INERROR
    with pytest.raises(psycopg.errors.InFailedSqlTransaction):
        conn.execute("select 1")
    conn.rollback()
    conn.execute("insert into pg3_copy_txn values (3)")
    _fail_copy(cur, failure)
    assert conn.execute("commit").statusmessage == "ROLLBACK"
    assert conn.execute("select count(*) from pg3_copy_txn").fetchone() == (0,)


# errors and transactions -------------------------------------------------------------------------


def test_errors_carry_sqlstate(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table pg3_errors (id integer primary key)")
    autocommit.execute("insert into pg3_errors values (1)")
    with pytest.raises(psycopg.errors.UniqueViolation) as unique:
        autocommit.execute("insert into pg3_errors values (1)")
    assert unique.value.sqlstate == "23505"
    with pytest.raises(psycopg.errors.UndefinedTable) as undefined:
        autocommit.execute("select * from pg3_no_such_table")
    assert undefined.value.sqlstate == "42P01"
    assert undefined.value.diag.severity == "ERROR"
    assert 'relation "pg3_no_such_table" does not exist' in (undefined.value.diag.message_primary or "")
    with pytest.raises(psycopg.errors.SyntaxError) as syntax:
        autocommit.execute("selec 1")
    assert syntax.value.sqlstate == "42601"
    assert autocommit.info.transaction_status == TransactionStatus.IDLE
    assert autocommit.execute("select 1").fetchone() == (1,)


def test_failed_transaction_rejects_statements_until_rollback(conn: psycopg.Connection[Any]) -> None:
    conn.execute("create table pg3_txn (id integer primary key)")
    conn.commit()
    conn.execute("insert into pg3_txn values (1)")
    assert conn.info.transaction_status == TransactionStatus.INTRANS
    with pytest.raises(psycopg.errors.UndefinedTable):
        conn.execute("select * from pg3_txn_missing")
    assert conn.info.transaction_status == TransactionStatus.INERROR
    with pytest.raises(psycopg.errors.InFailedSqlTransaction) as failed:
        conn.execute("select 1")
    assert failed.value.sqlstate == "25P02"
    conn.rollback()
    assert conn.info.transaction_status == TransactionStatus.IDLE
    assert conn.execute("select count(*) from pg3_txn").fetchone() == (0,)


def test_commit_and_rollback_visible_to_another_connection(target: Target,
                                                           conn: psycopg.Connection[Any]) -> None:
    conn.execute("create table pg3_visibility (id integer primary key)")
    conn.commit()
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as other:
        conn.execute("insert into pg3_visibility values (1)")
        conn.commit()
        conn.execute("insert into pg3_visibility values (2)")
        conn.rollback()
        with conn.transaction():
            conn.execute("insert into pg3_visibility values (3)")
        assert other.execute("select id from pg3_visibility order by id").fetchall() == [(1,), (3,)]


# types -------------------------------------------------------------------------------------------

TYPED_COLUMNS = ("i integer, b bigint, f double precision, n numeric, t text, by bytea, bo boolean, "
                 "d date, ts timestamp, tz timestamptz, u uuid, j json")
TYPED_ROW = (
    2_147_483_647,
    -9_007_199_254_740_993,
    1 / 3,
    Decimal("12345678901234567890.123456789012345678"),
    'héllo ☃ "quoted" \\ back\tslash',
    b"\x00\x01\xfe\xff'\\",
    True,
    dt.date(2024, 2, 29),
    dt.datetime(2024, 2, 29, 13, 45, 30, 123456),
    dt.datetime(2024, 2, 29, 13, 45, 30, 654321, tzinfo=dt.UTC),
    uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    {"a": [1, 2.5, {"b": None}], "s": "x"},
)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_types_round_trip(autocommit: psycopg.Connection[Any], binary: bool) -> None:
    table = f"pg3_types_{'bin' if binary else 'text'}"
    placeholder = "%b" if binary else "%t"
    autocommit.execute(f"create table {table} (k integer, {TYPED_COLUMNS})")
    cur = autocommit.cursor(binary=binary)
    values = ", ".join([placeholder] * (len(TYPED_ROW) + 1))
    params = [*TYPED_ROW[:-1], Json(TYPED_ROW[-1])]
    cur.execute(f"insert into {table} values ({values})", [1, *params])
    cur.execute(f"insert into {table} values ({values})", [2] + [None] * len(TYPED_ROW))
    cur.execute(f"select i, b, f, n, t, by, bo, d, ts, tz, u, j from {table} order by k")
    assert cur.fetchall() == [TYPED_ROW, (None,) * len(TYPED_ROW)]
    assert cur.pgresult is not None
    assert [cur.pgresult.fformat(i) for i in range(len(TYPED_ROW))] == [int(binary)] * len(TYPED_ROW)
    types = [d.type_code for d in cur.description or ()]
    assert types == [23, 20, 701, 1700, 25, 17, 16, 1082, 1114, 1184, 2950, 114]


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_literal_casts(autocommit: psycopg.Connection[Any], binary: bool) -> None:
    cur = autocommit.cursor(binary=binary)
    cur.execute("select 42::int2, 42::int4, 42::int8, 2.5::float4, 1.25::numeric(10,3), 'x'::varchar, "
                "true, false, null::text, '2000-01-01'::date")
    assert cur.fetchone() == (42, 42, 42, 2.5, Decimal("1.250"), "x", True, False, None, dt.date(2000, 1, 1))


def test_void_result_of_pg_sleep(autocommit: psycopg.Connection[Any]) -> None:
    cur = autocommit.execute("select pg_sleep(0)")  # simple query protocol
    assert cur.fetchall() == [("",)]
    assert [d.type_code for d in cur.description or ()] == [2278]
    assert autocommit.execute("select pg_sleep(0.01)").fetchall() == [("",)]  # numeric literal
    assert autocommit.execute("select pg_sleep(%s)", (0.01,)).fetchall() == [("",)]  # extended protocol


# cancel --------------------------------------------------------------------------------------------


def test_cancel_long_running_statement(autocommit: psycopg.Connection[Any]) -> None:
    began = time.monotonic()
    error = run_and_cancel(autocommit, "select pg_sleep(30)")
    assert time.monotonic() - began < 20
    assert isinstance(error, psycopg.errors.QueryCanceled), error
    assert error.sqlstate == "57014"
    assert autocommit.info.transaction_status == TransactionStatus.IDLE
    assert autocommit.execute("select 1").fetchone() == (1,)


# what the server sends besides rows ------------------------------------------------------------------


@pytest.mark.parametrize("prepare", [False, True], ids=["simple", "extended"])
@pytest.mark.parametrize("query", ["", ";", "  -- nothing\n /* at all */ ;"])
def test_empty_query_gets_empty_query_response(autocommit: psycopg.Connection[Any], query: str,
                                               prepare: bool) -> None:
    cur = autocommit.execute(query, prepare=prepare)
    assert cur.pgresult is not None and cur.pgresult.status == ExecStatus.EMPTY_QUERY
    assert cur.description is None
    assert autocommit.execute("select 1").fetchone() == (1,)


def test_commit_and_rollback_without_begin_warn(autocommit: psycopg.Connection[Any]) -> None:
    """25P01 WARNING for COMMIT or ROLLBACK outside a transaction block, over both protocols and
    when they end the implicit transaction of a multi-statement query."""
    notices: list[tuple[str | None, str | None, str | None]] = []
    autocommit.add_notice_handler(lambda d: notices.append((d.severity, d.sqlstate, d.message_primary)))
    for statement, prepare in [("rollback", False), ("commit", False), ("rollback", True), ("commit", True),
                               ("select 1; commit", False), ("select 1; rollback", False)]:
        notices.clear()
        autocommit.execute(statement, prepare=prepare)
        assert notices == [("WARNING", "25P01", "there is no transaction in progress")], statement
    notices.clear()
    autocommit.execute("begin; select 1; commit")
    autocommit.execute("begin", prepare=True)
    autocommit.execute("rollback", prepare=True)
    assert notices == []


def test_row_description_names_table_oid_and_column_number(autocommit: psycopg.Connection[Any]) -> None:
    """A result column that is a table's column reports the table's pg_class OID and the column's
    pg_attribute attnum, through aliases, subqueries, CTEs, joins and RETURNING; expressions and
    set operations report 0."""
    autocommit.execute("create table pg3_origin_a (id integer, label text, amount numeric)")
    autocommit.execute("create schema if not exists pg3_origin_s")
    autocommit.execute("create table pg3_origin_s.b (x integer, y integer)")
    oids = dict(autocommit.execute(
        "select relname::text, oid::bigint from pg_class where relname in ('pg3_origin_a', 'b')").fetchall())
    a, b = oids["pg3_origin_a"], oids["b"]

    def origins(query: str) -> list[tuple[int, int]]:
        cur = autocommit.execute(query)
        result = cur.pgresult
        assert result is not None
        return [(result.ftable(i), result.ftablecol(i)) for i in range(result.nfields)]

    assert origins("select * from pg3_origin_a") == [(a, 1), (a, 2), (a, 3)]
    assert origins("select amount as m, id + 1, label from pg3_origin_a t") == [(a, 3), (0, 0), (a, 2)]
    assert origins("select id from (select id from pg3_origin_a) s") == [(a, 1)]
    assert origins("with w as (select label from pg3_origin_a) select label from w") == [(a, 2)]
    assert origins("select t.label, u.y from pg3_origin_a t join pg3_origin_s.b u on t.id = u.x") == [
        (a, 2), (b, 2)]
    assert origins("insert into pg3_origin_a values (1, 'x', 2) returning amount, id * 2") == [(a, 3), (0, 0)]
    assert origins("select id from pg3_origin_a union all select x from pg3_origin_s.b") == [(0, 0)]
    assert origins("select count(*), 1 as one from pg3_origin_a") == [(0, 0), (0, 0)]
    attnums = autocommit.execute("select attname::text, attnum::int from pg_attribute "
                                 "where attrelid = %s and attnum > 0 order by attnum", (a,)).fetchall()
    assert attnums == [("id", 1), ("label", 2), ("amount", 3)]


def test_insert_returning_into_a_temporary_serial_table(autocommit: psycopg.Connection[Any]) -> None:
    """It crashed the server (SIGSEGV) while result origins were collected with an authorizer."""
    autocommit.execute("create temp table pg3_temp_serial (id serial, v text)")
    inserted = autocommit.execute("insert into pg3_temp_serial (v) values ('a') returning id").fetchall()
    assert inserted == [(1,)]
    assert autocommit.execute("insert into pg3_temp_serial (v) values ('b') returning id, v").fetchall() == [
        (2, "b")]
    assert autocommit.execute("select count(*) from pg3_temp_serial").fetchone() == (2,)


# server-side cursor ----------------------------------------------------------------------------------


def test_server_side_cursor_fetchmany(conn: psycopg.Connection[Any]) -> None:
    """psycopg's named cursor: DECLARE ... CURSOR FOR with bound parameters, Describe of the cursor
    as a portal, FETCH FORWARD n, CLOSE (tests/server/test_cursors.py has the SQL forms)."""
    conn.execute("create table pg3_named_cursor (a integer)")
    conn.cursor().executemany("insert into pg3_named_cursor values (%s)", [(i,) for i in range(25)])
    conn.commit()
    with conn.cursor(name="pg3_cursor") as cur:
        cur.execute("select a from pg3_named_cursor where a >= %s order by a", (0,))
        assert cur.description is not None and cur.description[0].name == "a"
        assert cur.fetchmany(10) == [(i,) for i in range(10)]
        assert cur.fetchmany(10) == [(i,) for i in range(10, 20)]
        assert cur.fetchall() == [(i,) for i in range(20, 25)]
    conn.commit()
