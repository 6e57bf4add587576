"""PEP 249 conformance of `heliosdb_lite.connect`: module globals, the exception hierarchy, type
objects and constructors, Connection and Cursor behaviour (transactions, fetch*, description,
rowcount, executemany, closing), placeholders and value types."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

import heliosdb_lite as hdb
from tests.api.conftest import OpenConnection


def test_module_globals() -> None:
    assert hdb.apilevel == "2.0"
    assert hdb.threadsafety == 1
    assert hdb.paramstyle == "qmark"
    assert issubclass(hdb.Warning, Exception)
    assert issubclass(hdb.Error, Exception)
    assert not issubclass(hdb.Warning, hdb.Error)
    assert issubclass(hdb.InterfaceError, hdb.Error)
    assert issubclass(hdb.DatabaseError, hdb.Error)
    for cls in (hdb.DataError, hdb.OperationalError, hdb.IntegrityError, hdb.InternalError,
                hdb.ProgrammingError, hdb.NotSupportedError):
        assert issubclass(cls, hdb.DatabaseError)
    assert issubclass(hdb.ReplayError, hdb.OperationalError)


def test_type_objects_and_constructors() -> None:
    assert hdb.STRING == 25 and hdb.STRING == 1043 and hdb.STRING != 23
    assert hdb.NUMBER == 23 and hdb.NUMBER == 1700 and hdb.NUMBER == 701
    assert hdb.DATETIME == 1184 and hdb.BINARY == 17 and hdb.ROWID == 26
    assert hdb.Date(2024, 2, 29) == dt.date(2024, 2, 29)
    assert hdb.Time(1, 2, 3) == dt.time(1, 2, 3)
    assert hdb.Timestamp(2024, 1, 1, 12) == dt.datetime(2024, 1, 1, 12)
    assert hdb.DateFromTicks(0) == dt.date.fromtimestamp(0)
    assert isinstance(hdb.TimestampFromTicks(0), dt.datetime)
    assert isinstance(hdb.TimeFromTicks(0), dt.time)
    assert hdb.Binary(bytearray(b"ab")) == b"ab"


def test_connection_exposes_the_exceptions(open_connection: OpenConnection) -> None:
    connection = open_connection()
    assert connection.Error is hdb.Error and connection.ProgrammingError is hdb.ProgrammingError


def test_cursor_fetch_description_and_rowcount(open_connection: OpenConnection) -> None:
    connection = open_connection(autocommit=True)
    cursor = connection.cursor()
    assert cursor.description is None and cursor.rowcount == -1
    cursor.execute("CREATE TABLE items (id integer PRIMARY KEY, name varchar(20), price numeric(8,2))")
    assert cursor.description is None and cursor.rowcount == -1
    cursor.executemany("INSERT INTO items VALUES (?, ?, ?)",
                       [(1, "one", Decimal("1.50")), (2, "two", 2), (3, "three", 3.25)])
    assert cursor.rowcount == 3
    cursor.execute("UPDATE items SET price = price + 1 WHERE id > ?", (1,))
    assert cursor.rowcount == 2 and cursor.statusmessage == "UPDATE 2"
    cursor.execute("SELECT id, name, price FROM items ORDER BY id")
    assert cursor.rowcount == 3
    assert cursor.description is not None
    assert [d[0] for d in cursor.description] == ["id", "name", "price"]
    assert cursor.description[0][1] == hdb.NUMBER and cursor.description[1][1] == hdb.STRING
    assert cursor.description[2][4:6] == (8, 2)
    assert cursor.fetchone() == (1, "one", Decimal("1.50"))
    cursor.arraysize = 1
    assert cursor.fetchmany() == [(2, "two", Decimal("3.00"))]
    assert cursor.fetchall() == [(3, "three", Decimal("4.25"))]
    assert cursor.fetchone() is None and cursor.fetchmany(5) == [] and cursor.fetchall() == []
    assert list(cursor.execute("SELECT id FROM items WHERE id < 3 ORDER BY id")) == [(1,), (2,)]
    cursor.execute("DELETE FROM items WHERE id = 3")
    assert cursor.rowcount == 1
    with pytest.raises(hdb.ProgrammingError):
        cursor.fetchone()
    cursor.close()
    with pytest.raises(hdb.InterfaceError):
        cursor.execute("SELECT 1")


def test_a_transaction_opens_until_commit_or_rollback(open_connection: OpenConnection) -> None:
    connection = open_connection()
    assert connection.autocommit is False
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE t (a integer)")
    assert connection.in_transaction
    connection.commit()
    assert not connection.in_transaction
    cursor.execute("INSERT INTO t VALUES (1)")
    connection.rollback()
    cursor.execute("SELECT count(*) FROM t")
    assert cursor.fetchone() == (0,)
    cursor.execute("INSERT INTO t VALUES (2)")
    connection.commit()
    cursor.execute("INSERT INTO t VALUES (3)")
    connection.close()  # closing rolls back what was not committed
    assert connection.closed
    connection.close()  # idempotent
    with pytest.raises(hdb.InterfaceError):
        connection.cursor()
    with pytest.raises(hdb.InterfaceError):
        cursor.execute("SELECT 1")
    with open_connection() as again:
        assert again.execute("SELECT a FROM t").fetchall() == [(2,)]


def test_context_manager_commits_or_rolls_back(open_connection: OpenConnection) -> None:
    with open_connection() as connection:
        connection.execute("CREATE TABLE t (a integer)")
    with pytest.raises(ZeroDivisionError), open_connection() as connection:
        connection.execute("INSERT INTO t VALUES (1)")
        raise ZeroDivisionError
    with open_connection() as connection:
        assert connection.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_errors_carry_the_sqlstate_and_leave_the_transaction_failed(open_connection: OpenConnection) -> None:
    connection = open_connection()
    connection.execute("CREATE TABLE t (a integer PRIMARY KEY)")
    connection.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(hdb.IntegrityError) as duplicate:
        connection.execute("INSERT INTO t VALUES (1)")
    assert duplicate.value.sqlstate == "23505"
    assert duplicate.value.detail == "Key (a)=(1) already exists."
    with pytest.raises(hdb.InternalError) as aborted:
        connection.execute("SELECT 1")
    assert aborted.value.sqlstate == "25P02"
    connection.rollback()
    for sql, cls, sqlstate in (("SELECT * FROM missing", hdb.ProgrammingError, "42P01"),
                               ("SELECT 1/0", hdb.DataError, "22012"),
                               ("SELEC 1", hdb.ProgrammingError, "42601")):
        with pytest.raises(cls) as raised:
            connection.execute(sql)
        assert raised.value.sqlstate == sqlstate
        connection.rollback()


def test_placeholder_styles(open_connection: OpenConnection) -> None:
    connection = open_connection(autocommit=True)
    assert connection.execute("SELECT ?::int + ?, 'a?%s', %s", (1, 2, 3)).fetchone() == (3, "a?%s", 3)
    assert connection.execute("SELECT %(x)s::int * %(y)s, %(x)s", {"x": 3, "y": 4}).fetchone() == (12, 3)
    assert connection.execute("SELECT $2::int - $1", (1, 5)).fetchone() == (4,)
    assert connection.execute("SELECT 7 %% ?", (4,)).fetchone() == (3,)
    assert connection.execute("SELECT 7 % 4").fetchone() == (3,)
    with pytest.raises(hdb.ProgrammingError, match="2 placeholders but 1"):
        connection.execute("SELECT ?, ?", (1,))
    with pytest.raises(hdb.ProgrammingError, match="mix placeholder styles"):
        connection.execute("SELECT ?, %(a)s", {"a": 1})
    with pytest.raises(hdb.ProgrammingError, match="no value for the placeholder"):
        connection.execute("SELECT %(a)s", {"b": 1})


def test_values_round_trip_as_psycopg_types_them(open_connection: OpenConnection) -> None:
    connection = open_connection(autocommit=True)
    moment = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
    key = uuid.uuid4()
    row = connection.execute(
        "SELECT ?::int8, ?::float8, ?::numeric, ?::text, ?::bool, ?::bytea, ?::date, ?::timestamptz, "
        "?::uuid, ?::int[], ?::text, '{\"a\": [1, 2]}'::jsonb, interval '1 day 2 hours'",
        (2**40, 1.5, Decimal("12.345"), "héllo", True, b"\x00\xff", dt.date(2024, 2, 29), moment, key,
         [1, None, 3], None)).fetchone()
    assert row == (2**40, 1.5, Decimal("12.345"), "héllo", True, b"\x00\xff", dt.date(2024, 2, 29), moment,
                   key, [1, None, 3], None, {"a": [1, 2]}, dt.timedelta(days=1, hours=2))


def test_several_statements_in_autocommit_are_one_transaction(open_connection: OpenConnection) -> None:
    connection = open_connection(autocommit=True)
    cursor = connection.execute("CREATE TABLE t (a integer CHECK (a > 0)); INSERT INTO t VALUES (1); "
                                "SELECT a FROM t")
    assert cursor.fetchall() == [(1,)]
    with pytest.raises(hdb.IntegrityError):
        connection.execute("INSERT INTO t VALUES (2); INSERT INTO t VALUES (-1)")
    assert not connection.in_transaction
    assert connection.execute("SELECT a FROM t").fetchall() == [(1,)]
    connection.execute("BEGIN; INSERT INTO t VALUES (5)")
    assert connection.in_transaction
    connection.execute("COMMIT")
    assert connection.execute("SELECT sum(a) FROM t").fetchone() == (6,)
    assert connection.execute("").description is None


def test_statements_are_split_as_standard_conforming_strings_says(open_connection: OpenConnection) -> None:
    """With standard_conforming_strings off, 'a\\'; select 2; --' is one string (the backslash
    escapes the quote): one statement; with it on, the string ends at the second quote."""
    connection = open_connection(autocommit=True)
    text = "select 'a\\'; select 2; --'"
    assert connection.execute(text).fetchall() == [(2,)]
    connection.execute("set standard_conforming_strings = off")
    assert connection.execute(text).fetchall() == [("a'; select 2; --",)]
