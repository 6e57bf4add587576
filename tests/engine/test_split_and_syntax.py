"""split() of simple queries and syntax errors (42601 with a position)."""

from __future__ import annotations

import pytest

from heliosdb_lite.engine.session import SQLiteSession

from .helpers import error, value


@pytest.mark.parametrize(("sql", "expected"), [
    ("", []),
    ("   ", []),
    (";;", []),
    ("-- only a comment", []),
    ("select 1", ["select 1"]),
    ("select 1;", ["select 1"]),
    ("select 1; select 2", ["select 1", "select 2"]),
    ("select 1;; ;select 2;", ["select 1", "select 2"]),
    ("select ';'; select 'a;b'", ["select ';'", "select 'a;b'"]),
    ("select $$x;y$$; select 2", ["select $$x;y$$", "select 2"]),
    ('select 1 as ";"; select 2', ['select 1 as ";"', "select 2"]),
    ("select 1 /* ; */ + 1; select 2", ["select 1 /* ; */ + 1", "select 2"]),
    ("select E'\\';'; select 2", ["select E'\\';'", "select 2"]),
    ("create table t(a int); create index on t(a);", ["create table t(a int)", "create index on t(a)"]),
])
def test_split(session: SQLiteSession, sql: str, expected: list[str]) -> None:
    assert session.split(sql) == expected


def test_split_statements_run(session: SQLiteSession) -> None:
    statements = session.split("select 'a;b' as x; select 2")
    assert value(session, statements[0]) == "a;b"
    assert value(session, statements[1]) == 2


def test_syntax_error_has_position(session: SQLiteSession) -> None:
    failure = error(session, "select * fromm t where")
    assert failure.sqlstate == "42601"
    assert failure.message == 'syntax error at or near "t"'
    assert failure.position == 16


def test_syntax_error_at_end_of_input(session: SQLiteSession) -> None:
    failure = error(session, "select (1")
    assert (failure.sqlstate, failure.message) == ("42601", "syntax error at end of input")


def test_unknown_statement_is_a_syntax_error(session: SQLiteSession) -> None:
    assert error(session, "frobnicate the table").sqlstate == "42601"


def test_unterminated_string(session: SQLiteSession) -> None:
    assert error(session, "select 'abc").sqlstate == "42601"


def test_several_statements_cannot_be_prepared(session: SQLiteSession) -> None:
    failure = error(session, "select 1; select 2")
    assert failure.sqlstate == "42601"
    assert "multiple commands" in failure.message
