"""citext through the drivers, over TCP: asyncpg's text fallback for a type it has no codec for
(citext values, a domain over citext, citext[] with nested and quoted elements, its own codec set
by set_type_codec), binary parameters and results (citext's binary form is text's) with a
case-insensitive primary key; psycopg with text and binary results and TypeInfo; pg8000. The tests
pass against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pg8000.native
import psycopg
import pytest
from psycopg.types.string import TextBinaryLoader, TextLoader

from tests.server.conftest import Target

ARRAYS: list[list[Any]] = [["a", "B"], [None, "b"], [], ["  a", "  b"], ['"a', r'\""'],
                           [['"a', r'\""'], [",", '",']]]


@pytest.fixture
async def citext_conn(aconn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    await aconn.execute("create extension if not exists citext")
    try:
        yield aconn
    finally:
        await aconn.execute("drop table if exists citext_rows; drop domain if exists citext_dom; "
                            "drop extension if exists citext")


async def test_asyncpg_text_fallback(citext_conn: asyncpg.Connection) -> None:
    await citext_conn.execute("create domain citext_dom as citext")
    assert await citext_conn.fetchval("select $1::citext", "MiXed") == "MiXed"
    assert await citext_conn.fetchval("select $1::citext_dom", "x") == "x"
    for value in ARRAYS:
        assert await citext_conn.fetchval("select $1::citext[]", value) == value
    assert await citext_conn.fetchval("select $1::citext = 'mixed'", "MiXed") is True
    await citext_conn.set_type_codec("citext", encoder=lambda d: d, decoder=lambda d: f"CI: {d}")
    assert await citext_conn.fetchval("select $1::citext[]", ["a", "b"]) == ["CI: a", "CI: b"]


async def test_asyncpg_rows_and_key(citext_conn: asyncpg.Connection) -> None:
    await citext_conn.execute("create table citext_rows (name citext primary key, n int)")
    await citext_conn.executemany("insert into citext_rows values ($1, $2)", [("Alice", 1), ("bob", 2)])
    with pytest.raises(asyncpg.UniqueViolationError):
        await citext_conn.execute("insert into citext_rows values ($1, 3)", "ALICE")
    statement = await citext_conn.prepare("select name, n from citext_rows where name = $1")
    assert [tuple(row) for row in await statement.fetch("BOB")] == [("bob", 2)]
    assert await citext_conn.fetchval("select name from citext_rows where name::text = $1", "BOB") is None
    rows = await citext_conn.fetch("select name from citext_rows where name like $1 order by name", "A%")
    assert [row["name"] for row in rows] == ["Alice"]
    with pytest.raises(asyncpg.PostgresError) as refused:
        await citext_conn.execute("drop extension citext")
    assert refused.value.sqlstate == "2BP01"


@pytest.fixture
def psycopg_conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        connection.execute("create extension if not exists citext")
        try:
            yield connection
        finally:
            connection.execute("drop table if exists citext_rows; drop extension if exists citext")


def test_psycopg_text_and_binary(psycopg_conn: psycopg.Connection[Any]) -> None:
    info = psycopg.types.TypeInfo.fetch(psycopg_conn, "citext")
    assert info is not None and info.name == "citext" and 0 < info.oid != info.array_oid > 0
    psycopg_conn.adapters.register_loader(info.oid, TextLoader)  # its text form is text's
    psycopg_conn.adapters.register_loader(info.oid, TextBinaryLoader)  # and so is its binary form
    psycopg_conn.execute("create table citext_rows (name citext unique)")
    psycopg_conn.execute("insert into citext_rows values (%s), (%s)", ["Ünïcode", "Plain"])
    for binary in (False, True):
        cursor = psycopg_conn.cursor(binary=binary)
        assert cursor.execute("select name, name = %s from citext_rows order by name",
                              ["PLAIN"]).fetchall() == [("Plain", True), ("Ünïcode", False)]
        assert cursor.description is not None and cursor.description[0].type_code == info.oid
    with pytest.raises(psycopg.errors.UniqueViolation):
        psycopg_conn.execute("insert into citext_rows values (%s)", ["plain"])


def test_other_session_sees_it(target: Target) -> None:
    """A session open before CREATE EXTENSION in another uses the type, case-insensitively, at once."""
    with psycopg.connect(target.dsn, autocommit=True) as creator, \
            psycopg.connect(target.dsn, autocommit=True) as other:
        assert other.execute("select count(*) from pg_extension where extname = 'citext'").fetchone() == (0,)
        creator.execute("create extension citext")
        try:
            creator.execute("create table citext_rows (name citext primary key)")
            creator.execute("insert into citext_rows values ('Alice')")
            assert other.execute("select name::text from citext_rows where name = 'ALICE'").fetchall() == \
                [("Alice",)]
            with pytest.raises(psycopg.errors.UniqueViolation):
                other.execute("insert into citext_rows values ('alice')")
        finally:
            creator.execute("drop table if exists citext_rows; drop extension citext")


def test_pg8000(native: pg8000.native.Connection) -> None:
    native.run("create extension if not exists citext")
    try:
        assert native.run("select :v::citext::text, :v::citext = 'abc'", v="ABC") == [["ABC", True]]
        assert native.run("select array['x', 'Y']::citext[] = array['X', 'y']::citext[]") == [[True]]
    finally:
        native.run("drop extension if exists citext")
