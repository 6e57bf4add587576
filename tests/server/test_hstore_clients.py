"""hstore through the drivers, over TCP: asyncpg with its built-in hstore codec (binary, hstore_send /
hstore_recv) and as text, hstore arrays and an hstore field of a composite; psycopg's register_hstore
(its HstoreInfo finds the type, values as dicts in text); a NULL key refused (22004). The tests pass
against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import psycopg
import pytest
from psycopg.types.hstore import register_hstore
from psycopg.types.string import TextLoader

from tests.server.conftest import Target

VALUES: list[dict[str, str | None]] = [
    {"ham": "spam", "nada": None}, {}, {"": "", 'quote"s': "back\\slash", "é": "ü, =>"},
    {"k" * 300: "v" * 1000, "NULL": "NULL"},
]


@pytest.fixture
async def hstore_conn(aconn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    await aconn.execute("create extension if not exists hstore")
    try:
        yield aconn
    finally:
        await aconn.execute("drop table if exists hstore_rows; drop type if exists hstore_rec; "
                            "drop extension if exists hstore")


async def test_asyncpg_binary_codec(hstore_conn: asyncpg.Connection) -> None:
    await hstore_conn.set_builtin_type_codec("hstore", codec_name="pg_contrib.hstore")
    statement = await hstore_conn.prepare("select $1::hstore as h, $1::hstore -> 'ham' as ham")
    for value in VALUES:
        assert await statement.fetchrow(value) == (value, value.get("ham"))
    assert await hstore_conn.fetchval("select $1::hstore", (("foo", "2"), ("bar", "3"))) == \
        {"foo": "2", "bar": "3"}
    assert await hstore_conn.fetchval("select array['a=>1'::hstore, null, '']") == [{"a": "1"}, None, {}]
    await hstore_conn.execute("create type hstore_rec as (n int, h hstore)")
    assert await hstore_conn.fetchval("select (7, 'b=>2, a=>NULL')::hstore_rec") == (7, {"a": None, "b": "2"})
    with pytest.raises(asyncpg.DataError, match="null value not allowed"):
        await hstore_conn.fetchval("select $1::hstore", {None: "1"})


async def test_asyncpg_text_and_storage(hstore_conn: asyncpg.Connection) -> None:
    await hstore_conn.execute("create table hstore_rows (id int primary key, h hstore)")
    await hstore_conn.executemany("insert into hstore_rows values ($1, $2::text::hstore)",
                                  [(1, 'a=>1, "b c"=>NULL'), (2, "a=>2"), (3, "")])
    rows = await hstore_conn.fetch("select id, h::text, h -> 'a', h ? 'b c', akeys(h) from hstore_rows "
                                   "where h <> '' order by h")
    assert [tuple(row) for row in rows] == [(1, '"a"=>"1", "b c"=>NULL', "1", True, ["a", "b c"]),
                                            (2, '"a"=>"2"', "2", False, ["a"])]
    with pytest.raises(asyncpg.PostgresError) as refused:
        await hstore_conn.execute("drop extension hstore")
    assert refused.value.sqlstate == "2BP01"


@pytest.fixture
def psycopg_conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        connection.execute("create extension if not exists hstore")
        try:
            yield connection
        finally:
            connection.execute("drop extension if exists hstore")


def test_psycopg_register_hstore(psycopg_conn: psycopg.Connection[Any]) -> None:
    info = psycopg.types.TypeInfo.fetch(psycopg_conn, "hstore")
    assert info is not None and info.name == "hstore" and 0 < info.oid != info.array_oid > 0
    register_hstore(info, psycopg_conn)
    for value in VALUES:
        assert psycopg_conn.execute("select %s, %s::hstore -> 'ham'", [value, value]).fetchone() == \
            (value, value.get("ham"))
    psycopg_conn.adapters.register_loader("hstore", TextLoader)
    assert psycopg_conn.execute("select 'b=>1, a=>2'::hstore").fetchone() == ('"a"=>"2", "b"=>"1"',)


async def test_asyncpg_parameters_typed_by_operators_and_functions(hstore_conn: asyncpg.Connection) -> None:
    await hstore_conn.set_builtin_type_codec("hstore", codec_name="pg_contrib.hstore")
    value = {"a": "1", "b": None}
    cases = [("select $1::hstore -> $2", (value, "a"), ["hstore", "text"], "1"),
             ("select $1::hstore ?| $2", (value, ["x", "b"]), ["hstore", "text[]"], True),
             ("select $1::hstore @> $2", (value, {"a": "1"}), ["hstore", "hstore"], True),
             ("select $1::hstore - $2", (value, {"a": "1"}), ["hstore", "hstore"], {"b": None}),
             ("select akeys($1)", (value,), ["hstore"], ["a", "b"]),
             ("select delete($1, $2)", (value, "a"), ["hstore", "text"], {"b": None}),
             ("select hstore($1, $2)", ("k", None), ["text", "text"], {"k": None})]
    for sql, arguments, parameters, expected in cases:
        statement = await hstore_conn.prepare(sql)
        assert ([parameter.name for parameter in statement.get_parameters()],
                await statement.fetchval(*arguments)) == (parameters, expected), sql
    rows = await hstore_conn.fetch("select key, value from each($1)", value)
    assert [tuple(row) for row in rows] == [("a", "1"), ("b", None)]
