"""SQLite's errors reach the client as PostgreSQL's SQLSTATEs and messages."""

from __future__ import annotations

import pytest

from heliosdb_lite.engine.session import SQLiteSession

from .helpers import error, run


@pytest.fixture
def tables(session: SQLiteSession) -> SQLiteSession:
    run(session, "create table parent (id int primary key, code text unique, qty int check (qty >= 0), "
                 "note text not null default '')")
    run(session, "create table child (id serial primary key, parent_id int references parent (id))")
    run(session, "insert into parent (id, code, qty) values (1, 'a', 1)")
    return session


def test_unique_violations_name_the_constraint_and_key(tables: SQLiteSession) -> None:
    failure = error(tables, "insert into parent (id, code) values (1, 'b')")
    assert failure.sqlstate == "23505"
    assert failure.message == 'duplicate key value violates unique constraint "parent_pkey"'
    assert failure.detail == "Key (id)=(1) already exists."
    failure = error(tables, "insert into parent (id, code) values ($1, $2)", [2, "a"])
    assert failure.message == 'duplicate key value violates unique constraint "parent_code_key"'
    assert failure.detail == "Key (code)=(a) already exists."


@pytest.mark.parametrize(("sql", "sqlstate", "message"), [
    ("insert into parent (id, code, note) values (5, 'n', null)", "23502",
     'null value in column "note" of relation "parent" violates not-null constraint'),
    ("insert into child (parent_id) values (99)", "23503", None),
    ("insert into parent (id, code, qty) values (6, 'q', -1)", "23514",
     'new row for relation "parent" violates check constraint "parent_qty_check"'),
    ("select * from missing", "42P01", 'relation "missing" does not exist'),
    ("insert into missing values (1)", "42P01", 'relation "missing" does not exist'),
    ("select nope from parent", "42703", 'column "nope" does not exist'),
    ('select "Nope" from parent', "42703", 'column "Nope" does not exist'),
    ("select no_such_function(1)", "42883", None),
    ("create table parent (a int)", "42P07", 'relation "parent" already exists'),
    ("select 1 / 0", "22012", "division by zero"),
    ("select id / 0 from parent", "22012", "division by zero"),
    ("select 1.5 / 0", "22012", "division by zero"),
    ("select 5 % 0", "22012", "division by zero"),
    ("select 2147483647 + 1", "22003", "integer out of range"),
    ("select 9223372036854775807 + 1", "22003", "bigint out of range"),
    ("select 'abc'::int", "22P02", 'invalid input syntax for type integer: "abc"'),
    ("select E'\\0'", "22021", 'invalid byte sequence for encoding "UTF8": 0x00'),
    ("select E'\\377'", "22021", None),
    ("select 1 + 'x'", "22P02", None),
    ("select 'a' + 'b'", "42725", None),
    ("select now() + 1", "42883", None),
    ("select current_setting('no_such_setting')", "42704", None),
    ("select x from parent", "42703", None),
    # Python's and SQLite's exceptions from functions, as PostgreSQL's errors (were XX000)
    ("select exp(1000::float8)", "22003", "value out of range: overflow"),
    ("select (-9223372036854775808)::int8 / -1", "22003", "bigint out of range"),
    ("select exp(1050000000000::numeric)", "22003", "value overflows numeric format"),
    ("select format('%*s', 2147483647, 'x')", "54000", "requested length too large"),
    # refused before the text is built (it took seconds and gigabytes before SQLite refused it)
    ("select repeat('ab', 1000000000)", "54000", "requested length too large"),
    ("select lpad('x', 2147483647)", "54000", "requested length too large"),
    ("select rpad('x', 300000000, 'y')", "54000", "requested length too large"),
    ("select ntile(0) over ()", "22014", "argument of ntile must be greater than zero"),
    ("select nth_value(1, 0) over ()", "22016", "argument of nth_value must be greater than zero"),
    ("select 1 where max(1) > 0", "42803", None),
])
def test_sqlstates(tables: SQLiteSession, sql: str, sqlstate: str, message: str | None) -> None:
    failure = error(tables, sql)
    assert failure.sqlstate == sqlstate, failure
    if message is not None:
        assert failure.message == message


def test_unsupported_constructs_are_refused_not_mistranslated(session: SQLiteSession) -> None:
    for sql in ("select distinct on (a) a, a from (select 1 as a) s", "select jsonb_path_query('{}', '$')",
                "copy t to '/tmp/file'", "explain (format xml) select 1", "create unlogged sequence s",
                "create table child () inherits (t)", "create table p (a int) partition by range (a)",
                "select U&'d\\0061t'", "select log(2, 8)", "select printf('%d', 1)", "select date('now')"):
        assert error(session, sql).sqlstate == "0A000", sql


def test_roles_need_the_server(session: SQLiteSession) -> None:
    """CREATE ROLE changes the server's users file; the embedded API has none."""
    refused = error(session, "create user bob password 'x'")
    assert (refused.sqlstate, refused.message) == ("0A000", "CREATE ROLE needs the server's users file")


@pytest.mark.parametrize(("sql", "named"), [
    ("create group bob", "statement CREATE GROUP"),
    ("alter domain positive drop not null", "statement ALTER DOMAIN"),
    ("alter group bob add user alice", "statement ALTER GROUP"),
    ("create temp table t on commit drop as select 1", "statement CREATE TEMP TABLE"),
])
def test_a_refused_command_is_named_by_its_leading_words(session: SQLiteSession, sql: str,
                                                         named: str) -> None:
    """A statement sqlglot keeps as a bare command was refused as "statement CREATE is not supported",
    which does not say what is refused (make compat counted 52 such refusals)."""
    refused = error(session, sql)
    assert (refused.sqlstate, refused.message) == ("0A000", f"{named} is not supported")
