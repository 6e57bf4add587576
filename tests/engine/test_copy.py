"""COPY FROM STDIN / TO STDOUT: the specs the server drives, rows in and out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from heliosdb_lite.engine.interface import Column, CopySpec
from heliosdb_lite.engine.session import SQLiteSession

from .helpers import error, rows, run


@pytest.fixture
def table(session: SQLiteSession) -> SQLiteSession:
    run(session, "create table c (id int primary key, name varchar(10), amount numeric(6,2))")
    return session


def spec(session: SQLiteSession, sql: str) -> CopySpec:
    statement = session.prepare(sql, ())
    assert statement.copy is not None
    return statement.copy


COLUMNS = (Column("id", 23), Column("name", 1043, 14), Column("amount", 1700, (6 << 16 | 2) + 4))


@pytest.mark.parametrize(("sql", "expected"), [
    ("copy c from stdin", CopySpec("in", COLUMNS)),
    ("COPY c (name, id) FROM STDIN", CopySpec("in", (COLUMNS[1], COLUMNS[0]))),
    ("copy c from stdin with (format csv, header true, delimiter '|', null 'NULL')",
     CopySpec("in", COLUMNS, "csv", "|", "NULL", True, '"', '"')),
    ("copy c from stdin (format csv, quote '''', escape '\\')",
     CopySpec("in", COLUMNS, "csv", ",", "", False, "'", "\\")),
    ("copy c from stdin csv header", CopySpec("in", COLUMNS, "csv", ",", "", True)),
    ("copy c from stdin with delimiter as ';' null as ''", CopySpec("in", COLUMNS, "text", ";", "")),
    ("copy public.c (id) to stdout", CopySpec("out", (COLUMNS[0],))),
    ("copy (select id, name from c) to stdout with (format csv, header)",
     CopySpec("out", (Column("id", 23), Column("name", 1043, 14)), "csv", ",", "", True)),
])
def test_specs(table: SQLiteSession, sql: str, expected: CopySpec) -> None:
    assert spec(table, sql) == expected


@pytest.mark.parametrize(("sql", "sqlstate"), [
    ("copy c from '/etc/passwd'", "0A000"),
    ("copy c to program 'ls'", "0A000"),
    ("copy c from stdin (format binary)", "0A000"),
    ("copy c from stdin (delimiter 'ab')", "22023"),
    ("copy missing from stdin", "42P01"),
    ("copy c (nope) from stdin", "42703"),
    ("copy (select 1) from stdin", "42601"),
])
def test_refused(table: SQLiteSession, sql: str, sqlstate: str) -> None:
    assert error(table, sql).sqlstate == sqlstate


def test_copy_in_then_out(table: SQLiteSession) -> None:
    statement = table.prepare("copy c (id, name, amount) from stdin", ())
    assert table.copy_in_rows(statement, [[1, "a", Decimal("1.5")], [2, None, None]]) == 2
    cursor = table.execute(table.prepare("copy c to stdout", ()), [])
    assert cursor.fetch(0) == [(1, "a", Decimal("1.50")), (2, None, None)]
    assert cursor.command_tag() == "COPY 2"


def test_copy_in_is_atomic_outside_a_block(table: SQLiteSession) -> None:
    statement = table.prepare("copy c (id) from stdin", ())
    with pytest.raises(Exception, match="23505"):
        table.copy_in_rows(statement, [[1], [2], [1]])
    assert rows(table, "select count(*) from c") == [(0,)]


def test_copy_in_inside_a_block(table: SQLiteSession) -> None:
    run(table, "begin")
    table.copy_in_rows(table.prepare("copy c (id) from stdin", ()), [[7]])
    run(table, "rollback")
    assert rows(table, "select count(*) from c") == [(0,)]


def test_copy_in_checks_lengths(table: SQLiteSession) -> None:
    with pytest.raises(Exception, match="22001"):
        table.copy_in_rows(table.prepare("copy c (id, name) from stdin", ()), [[1, "x" * 11]])
