"""Range types a database defines (CREATE TYPE ... AS RANGE) through the drivers, over TCP:
psycopg's RangeInfo.fetch / MultirangeInfo.fetch and register_range / register_multirange (values
as parameters and results, text and binary, arrays, COPY), and asyncpg (its type introspection finds
the range, its multirange and their subtype; values round-trip as asyncpg.Range). The tests pass
against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import psycopg
import pytest
from psycopg.types.multirange import Multirange, MultirangeInfo, register_multirange
from psycopg.types.range import Range, RangeInfo, register_range

from tests.server.conftest import Target


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        yield connection


def test_psycopg_range_info_and_adapters(conn: psycopg.Connection[Any]) -> None:
    conn.execute("drop type if exists floatrange cascade")
    conn.execute("create type floatrange as range (subtype = float8)")
    info = RangeInfo.fetch(conn, "floatrange")
    multi = MultirangeInfo.fetch(conn, "floatmultirange")
    assert info is not None and multi is not None
    assert (info.name, info.subtype_oid) == ("floatrange", conn.adapters.types["float8"].oid)
    assert (multi.name, multi.range_oid, multi.subtype_oid) == ("floatmultirange", info.oid, info.subtype_oid)
    assert 0 < info.oid != info.array_oid > 0
    register_range(info, conn)
    register_multirange(multi, conn)
    value = Range(1.5, 2.5, "[]")
    for binary in (False, True):
        row = conn.execute("select %s::floatrange, %s, floatrange(1, 2) + %s, %s::floatrange[], "
                           "'{[1,2),[2,3)}'::floatmultirange",
                           [value, value, Range(2.0, 3.0), [value, None]], binary=binary).fetchone()
        assert row == (value, value, Range(1.0, 3.0), [value, None], Multirange([Range(1.0, 3.0)]))
    conn.execute("create table spans (id int, r floatrange)")
    with conn.cursor().copy("copy spans from stdin") as copy:
        copy.write_row((1, Range(0.5, None)))
    assert conn.execute("select r from spans").fetchone() == (Range(0.5, None),)
    with pytest.raises(psycopg.errors.DataException):
        conn.execute("select %s::floatrange", [Range(2.0, 1.0)])


def test_psycopg_text_range_quoting(conn: psycopg.Connection[Any]) -> None:
    conn.execute("drop type if exists textrange cascade")
    conn.execute('create type textrange as range (subtype = text, collation = "C")')
    info = RangeInfo.fetch(conn, "textrange")
    assert info is not None
    register_range(info, conn)
    for low, high in (("a b", "c,d"), ('"', "\\"), ("", "z")):
        got = conn.execute("select textrange(%s, %s, '[]')", [low, high], binary=True).fetchone()
        assert got == (Range(low, high, "[]"),)


async def test_asyncpg_range_introspection(aconn: asyncpg.Connection) -> None:
    await aconn.execute("drop type if exists daysrange cascade")
    await aconn.execute("create type daysrange as range (subtype = int8)")
    await aconn.execute("create table stays (id int, r daysrange, m daysmultirange)")
    await aconn.execute("insert into stays values ($1, $2, $3)", 1, asyncpg.Range(1, 5, upper_inc=True),
                        [asyncpg.Range(7, 9)])
    row = await aconn.fetchrow("select r, m, r * daysrange(2, 10) from stays")
    assert row is not None
    assert tuple(row) == (asyncpg.Range(1, 5, upper_inc=True), [asyncpg.Range(7, 9)],
                          asyncpg.Range(2, 5, upper_inc=True))
