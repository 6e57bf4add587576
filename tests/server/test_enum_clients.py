"""Enum types through the drivers, over TCP: psycopg's EnumInfo.fetch and register_enum (values and
arrays as parameters and results, text and binary), asyncpg (its type introspection finds the enum
and its array type; enum columns round-trip), and pg8000; invalid labels as 22P02. The tests pass
against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

import asyncpg
import asyncpg.exceptions
import pg8000.native
import psycopg
import psycopg.errors
import pytest
from psycopg import sql
from psycopg.types.enum import EnumInfo, register_enum

from tests.server.conftest import Target

TIMEOUT = 10.0


class Mood(enum.Enum):
    SAD = "sad"
    OK = "ok"
    HAPPY = "happy"


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        yield connection


def _make_enum(connection: psycopg.Connection[Any], name: str, labels: list[str]) -> None:
    connection.execute(sql.SQL("drop type if exists {} cascade").format(sql.Identifier(name)))
    connection.execute(sql.SQL("create type {} as enum ({})").format(
        sql.Identifier(name), sql.SQL(", ").join(map(sql.Literal, labels))))


def test_psycopg_enum_info_and_adapters(conn: psycopg.Connection[Any]) -> None:
    _make_enum(conn, "mood", ["sad", "ok", "happy"])
    info = EnumInfo.fetch(conn, "mood")
    assert info is not None
    assert (info.name, info.labels) == ("mood", ["sad", "ok", "happy"])
    assert 0 < info.oid != info.array_oid > 0
    register_enum(info, conn, Mood, mapping={member: member.value for member in Mood})
    for binary in (False, True):
        row = conn.execute("select %s, %s::mood[], 'ok'::mood < 'happy'::mood, %s::text",
                           [Mood.HAPPY, [Mood.OK, None, Mood.SAD], Mood.SAD], binary=binary).fetchone()
        assert row == (Mood.HAPPY, [Mood.OK, None, Mood.SAD], True, "sad")
        typed = conn.execute("select %b::mood, %t::mood", ["ok", "sad"], binary=binary).fetchone()
        assert typed == (Mood.OK, Mood.SAD)
    conn.execute("create table moods (id int, m mood)")
    with conn.cursor() as cursor:
        cursor.executemany("insert into moods values (%s, %s)",
                           [(1, Mood.HAPPY), (2, Mood.SAD), (3, Mood.OK)])
    with conn.cursor().copy("copy moods from stdin") as copy:
        copy.write("4\tok\n")
    ordered = conn.execute("select m from moods order by m, id").fetchall()
    assert ordered == [(Mood.SAD,), (Mood.OK,), (Mood.OK,), (Mood.HAPPY,)]
    with conn.cursor().copy("copy (select id, m from moods order by m, id) to stdout") as copy:
        assert b"".join(bytes(chunk) for chunk in copy) == b"2\tsad\n3\tok\n4\tok\n1\thappy\n"
    with pytest.raises(psycopg.errors.InvalidTextRepresentation), \
            conn.cursor().copy("copy moods from stdin") as copy:
        copy.write("5\tmeh\n")
    with pytest.raises(psycopg.errors.InvalidTextRepresentation) as refused:
        conn.execute("select %s::mood", ["meh"])
    assert refused.value.diag.message_primary == 'invalid input value for enum mood: "meh"'


def test_psycopg_quoted_name(conn: psycopg.Connection[Any]) -> None:
    _make_enum(conn, "CamelMood", ["Up", "Down"])
    info = EnumInfo.fetch(conn, sql.Identifier("CamelMood"))
    assert info is not None
    assert (info.name, info.labels) == ("CamelMood", ["Up", "Down"])
    assert conn.execute("""select %s::regtype::text, 'Down'::"CamelMood" > 'Up'""",
                        [info.oid]).fetchone() == ('"CamelMood"', True)



async def test_asyncpg_enum_columns(aconn: asyncpg.Connection) -> None:
    await aconn.execute("drop type if exists weather cascade")
    await aconn.execute("create type weather as enum ('rain', 'cloud', 'sun')")
    await aconn.execute("create table forecasts (day int, w weather, ws weather[])")
    await aconn.executemany("insert into forecasts values ($1, $2, $3)",
                            [(1, "sun", ["rain", "sun"]), (2, "rain", []), (3, "cloud", None)])
    rows = await aconn.fetch("select day, w, ws from forecasts order by w")
    assert [tuple(row) for row in rows] == [(2, "rain", []), (3, "cloud", None), (1, "sun", ["rain", "sun"])]
    assert await aconn.fetchval("select $1::weather > 'rain'", "cloud") is True
    assert await aconn.fetchval("select enum_range(null::weather)") == ["rain", "cloud", "sun"]
    with pytest.raises(asyncpg.exceptions.InvalidTextRepresentationError):
        await aconn.execute("insert into forecasts (day, w) values ($1, $2)", 4, "snow")


def test_pg8000_enum_values(target: Target) -> None:
    connection = pg8000.native.Connection("postgres", host=target.host, port=target.port,
                                          database="postgres", timeout=int(TIMEOUT))
    try:
        connection.run("drop type if exists size cascade")
        connection.run("create type size as enum ('small', 'medium', 'large')")
        connection.run("create table shirts (n int, s size)")
        for n, label in ((1, "large"), (2, "small"), (3, "medium")):
            connection.run("insert into shirts values (:n, cast(:s as size))", n=n, s=label)
        ordered = connection.run("select n, s from shirts order by s")
        assert ordered == [[2, "small"], [3, "medium"], [1, "large"]]
        assert connection.run("select enum_first(null::size), enum_last(null::size)") == [["small", "large"]]
        with pytest.raises(pg8000.native.DatabaseError) as refused:
            connection.run("select cast(:s as size)", s="huge")
        assert refused.value.args[0]["C"] == "22P02"
    finally:
        connection.close()


def test_psycopg_enum_made_again_after_rollbacks(target: Target) -> None:
    """psycopg's test_change_type_execute: each transaction makes the enum and a table of its array
    type and inserts through a prepared statement, then rolls back; the schema version comes back
    to the same number each time, with an enum of another OID."""
    with psycopg.connect(target.dsn) as connection:
        connection.prepare_threshold = 0
        for _ in range(3):
            connection.execute("create type prepenum as enum ('foo', 'bar')")
            connection.execute("create table preptable (id int, bar prepenum[])")
            connection.execute("insert into preptable (bar) values (%s::prepenum[])", [["foo", "bar"]])
            assert connection.execute("select bar::text from preptable").fetchone() == ("{foo,bar}",)
            connection.rollback()
