"""Row values and composite types through the drivers, over TCP: psycopg reads `record` results in
text and binary (binary records carry each field's OID), asyncpg decodes them as tuples. The tests
pass against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import asyncpg
import psycopg
import pytest

from tests.server.conftest import Target

TIMEOUT = 10.0
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
    assert [column.type_code for column in cursor.description] == [RECORD_OID, RECORD_OID, 2287]


@pytest.fixture
async def aconn(target: Target) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(host=target.host, port=target.port, user="postgres",
                                       database="postgres", timeout=TIMEOUT, command_timeout=TIMEOUT)
    try:
        yield connection
    finally:
        await connection.close(timeout=TIMEOUT)


async def test_asyncpg_records(aconn: asyncpg.Connection) -> None:
    row = await aconn.fetchrow("select row(1, 'a'::text, null::date) r, row(row(1, 2), 'x'::text) n, "
                               "x from generate_series(1, 2) x order by x limit 1")
    assert (tuple(row["r"]), tuple(row["n"][0]), row["n"][1], row["x"]) == ((1, "a", None), (1, 2), "x", 1)
