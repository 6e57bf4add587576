"""A driver's Parse of a text it sent before (psycopg's unnamed statements, pgbench -M extended) is
answered from the shared statement cache without parsing; these check that the answer is still
what a fresh parse gives, against PostgreSQL 15 too: after the schema changed, in a failed
transaction, for several statements, and under standard_conforming_strings = off."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors

from tests.server.conftest import DRIVER_TIMEOUT, Target

REPEATS = 3  # the first Parse fills the cache; the later ones are answered from it


@pytest.fixture
def unnamed(target: Target) -> Iterator[psycopg.Connection]:
    """A psycopg connection that sends every statement as an unnamed Parse (never a named one)."""
    with psycopg.connect(target.dsn, autocommit=True, connect_timeout=int(DRIVER_TIMEOUT)) as connection:
        connection.prepare_threshold = None
        yield connection


def test_a_repeated_text_sees_the_schema_as_it_is_now(unnamed: psycopg.Connection) -> None:
    unnamed.execute("DROP TABLE IF EXISTS reparse")
    unnamed.execute("CREATE TABLE reparse (a integer)")
    unnamed.execute("INSERT INTO reparse VALUES (1)")
    for _ in range(REPEATS):
        assert unnamed.execute("SELECT * FROM reparse WHERE a = %s", (1,)).fetchall() == [(1,)]
    unnamed.execute("ALTER TABLE reparse ADD COLUMN b text DEFAULT 'x'")
    cursor = unnamed.execute("SELECT * FROM reparse WHERE a = %s", (1,))
    assert cursor.fetchall() == [(1, "x")]
    assert cursor.description is not None and [column.name for column in cursor.description] == ["a", "b"]
    unnamed.execute("DROP TABLE reparse")
    with pytest.raises(errors.UndefinedTable):
        unnamed.execute("SELECT * FROM reparse WHERE a = %s", (1,))


def test_a_repeated_text_in_a_failed_transaction_is_refused(unnamed: psycopg.Connection) -> None:
    for _ in range(REPEATS):
        assert unnamed.execute("SELECT %s::integer + 1", (1,)).fetchone() == (2,)
    with unnamed.transaction():
        with pytest.raises(errors.DivisionByZero):
            unnamed.execute("SELECT 1 / 0")
        with pytest.raises(errors.InFailedSqlTransaction):
            unnamed.execute("SELECT %s::integer + 1", (1,))
        raise psycopg.Rollback()
    assert unnamed.execute("SELECT %s::integer + 1", (1,)).fetchone() == (2,)


def test_several_statements_in_one_parse_are_refused_every_time(unnamed: psycopg.Connection) -> None:
    for _ in range(REPEATS):
        with pytest.raises(errors.SyntaxError, match="cannot insert multiple commands"):
            unnamed.execute("SELECT %s::integer; SELECT 2", (1,))


def test_a_repeated_text_follows_standard_conforming_strings(unnamed: psycopg.Connection) -> None:
    text = r"SELECT 'a\nb' || %s::text"
    for _ in range(REPEATS):
        assert unnamed.execute(text, ("",)).fetchone() == ("a\\nb",)
    unnamed.execute("SET standard_conforming_strings = off")
    unnamed.execute("SET escape_string_warning = off")
    for _ in range(REPEATS):
        assert unnamed.execute(text, ("",)).fetchone() == ("a\nb",)
    unnamed.execute("RESET standard_conforming_strings")
    assert unnamed.execute(text, ("",)).fetchone() == ("a\\nb",)
