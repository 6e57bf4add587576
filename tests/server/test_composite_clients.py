"""Row values and composite types through the drivers, over TCP: psycopg reads `record` results in
text and binary (binary records carry each field's OID), asyncpg decodes them as tuples;
psycopg's CompositeInfo.fetch and register_composite (values and arrays of a composite type as
parameters and results, text and binary), asyncpg's introspection of a composite type (parameters
and results). The tests pass against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import asyncpg
import psycopg
import pytest
from psycopg.types.composite import CompositeInfo, register_composite

from tests.server.conftest import Target

RECORD_OID = 2249


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        yield connection


def test_psycopg_records_text_and_binary(conn: psycopg.Connection[Any]) -> None:
    query = ("select row(1, 'a b'::text, null::int, 2.5::numeric, 'x'), row(row(1, 2), 'q\"'::text), "
             "array[row(3)]")
    text = conn.execute(query).fetchone()
    assert text == (("1", "a b", None, "2.5", "x"), (("(1,2)", 'q"')), [("3",)])
    cursor = conn.cursor(binary=True)
    binary = cursor.execute(query).fetchone()
    assert binary == ((1, "a b", None, Decimal("2.5"), b"x"), ((1, 2), 'q"'), [(3,)])
    assert cursor.description is not None
    assert [column.type_code for column in cursor.description] == [RECORD_OID, RECORD_OID, 2287]


def _make_card_type(connection: psycopg.Connection[Any]) -> None:
    connection.execute("drop table if exists cards")
    connection.execute("drop type if exists card cascade")
    connection.execute("create type card as (value int, suit text, weight numeric(5,2))")
    connection.execute("create table cards (id int, c card, cs card[])")


def test_psycopg_composite_info_and_adapters(conn: psycopg.Connection[Any]) -> None:
    _make_card_type(conn)
    info = CompositeInfo.fetch(conn, "card")
    assert info is not None
    assert (info.name, info.field_names, info.field_types) == \
        ("card", ("value", "suit", "weight"), (23, 25, 1700))
    assert 0 < info.oid != info.array_oid > 0
    register_composite(info, conn)
    card = info.python_type
    assert card is not None
    for number, binary in enumerate((False, True), start=1):
        cursor = conn.cursor(binary=binary)
        cursor.execute("insert into cards values (%s, %s, %s)",
                       [number, card(8, 'hearts, "big"', Decimal("1.50")), [card(1, None, None)]])
        cursor.execute("select c, cs, (c).suit, %s::card from cards where id = %s",
                       [card(2, "x y", Decimal("3.25")), number])
        assert cursor.fetchone() == (card(8, 'hearts, "big"', Decimal("1.50")), [card(1, None, None)],
                                     'hearts, "big"', card(2, "x y", Decimal("3.25")))
    text = conn.execute("select c::text from cards where id = 1").fetchone()
    assert text == ('(8,"hearts, ""big""",1.50)',)


async def test_asyncpg_records(aconn: asyncpg.Connection) -> None:
    row = await aconn.fetchrow("select row(1, 'a'::text, null::date) r, row(row(1, 2), 'x'::text) n, "
                               "x from generate_series(1, 2) x order by x limit 1")
    assert row is not None
    assert (tuple(row["r"]), tuple(row["n"][0]), row["n"][1], row["x"]) == ((1, "a", None), (1, 2), "x", 1)


async def test_asyncpg_composite_columns(aconn: asyncpg.Connection) -> None:
    await aconn.execute("drop table if exists hands")
    await aconn.execute("drop type if exists hand cascade")
    await aconn.execute("create type hand as (value int, suit text)")
    await aconn.execute("create table hands (id int, h hand, hs hand[])")
    await aconn.executemany("insert into hands values ($1, $2, $3)",
                            [(1, (4, "spades"), [(5, "a b"), None]), (2, None, [])])
    rows = await aconn.fetch("select id, h, hs from hands order by id")
    assert [(row["id"], None if row["h"] is None else tuple(row["h"]),
             [None if item is None else tuple(item) for item in row["hs"]]) for row in rows] == \
        [(1, (4, "spades"), [(5, "a b"), None]), (2, None, [])]
    assert tuple(await aconn.fetchval("select $1::hand", (1, None))) == (1, None)
    assert rows[0]["h"]["suit"] == "spades"
