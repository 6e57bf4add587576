"""asyncpg against the server over TCP: binary codecs, arrays, prepared statements, pipelined executemany,
errors with their SQLSTATE classes, transactions, cancellation by timeout, and COPY."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import time
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import asyncpg.exceptions
import pytest

from tests.server.conftest import Target

TIMEOUT = 10.0
SLOW_TIMEOUT = 300.0  # a statement of 32767 parameters takes seconds to translate


@pytest.fixture
async def conn(target: Target) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(host=target.host, port=target.port, user="postgres",
                                       database="postgres", timeout=TIMEOUT, command_timeout=TIMEOUT)
    try:
        yield connection
    finally:
        await connection.close(timeout=TIMEOUT)


BINARY_VALUES = [
    ("int4", -2_147_483_648),
    ("int8", 9_223_372_036_854_775_807),
    ("float8", 0.1 + 0.2),
    ("numeric", Decimal("-98765432109876543210.0123456789")),
    ("text", "snow ☃ and\nnewline"),
    ("bool", False),
    ("bytea", b"\x00\xffbinary\x00"),
    ("date", dt.date(1999, 12, 31)),
    ("timestamp", dt.datetime(2000, 1, 1, 0, 0, 0, 1)),
    ("timestamptz", dt.datetime(2021, 6, 15, 8, 30, 0, 500000, tzinfo=dt.UTC)),
    ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
]


ARRAY_VALUES = [
    ("int4[]", [1, None, -3]),
    ("int4[]", []),
    ("int4[]", [[1, 2], [3, 4]]),
    ("int2[]", [1]),
    ("int8[]", [2**40]),
    ("text[]", ["a", "b,c", 'q"uote', None, ""]),
    ("varchar[]", ["x"]),
    ("float8[]", [0.5, -1.25]),
    ("bool[]", [True, False]),
    ("numeric[]", [Decimal("1.5")]),
    ("bytea[]", [b"\x00"]),
    ("date[]", [dt.date(2000, 1, 1)]),
    ("timestamptz[]", [dt.datetime(2020, 1, 1, tzinfo=dt.UTC)]),
    ("uuid[]", [uuid.UUID(int=5)]),
    ("jsonb[]", ['{"a": 1}']),
]


async def test_arrays_as_parameters_and_results(conn: asyncpg.Connection) -> None:
    """asyncpg learns every type outside its built-in map, arrays among them, from a recursive query
    over pg_type and pg_range whose parameter is cast to oid[]; that failed with 42601, so no array
    could be sent or received."""
    for type_name, value in ARRAY_VALUES:
        assert await conn.fetchval(f"select $1::{type_name}", value) == value, type_name
    assert await conn.fetchval("select array[1, 2, 3]") == [1, 2, 3]


async def test_array_columns(conn: asyncpg.Connection) -> None:
    await conn.execute("create table apg_arrays (id int primary key, tags text[], counts int[])")
    await conn.execute("insert into apg_arrays values ($1, $2, $3)", 1, ["x", "y"], [1, 2])
    rows = await conn.fetch("select tags, counts from apg_arrays where id = $1", 1)
    assert [tuple(row) for row in rows] == [(["x", "y"], [1, 2])]
    assert await conn.fetchval("select $1 = any(counts) from apg_arrays", 2) is True


async def test_binary_codecs_through_parameters(conn: asyncpg.Connection) -> None:
    casts = ", ".join(f"${i}::{type_name}" for i, (type_name, _) in enumerate(BINARY_VALUES, start=1))
    rows = await conn.fetch(f"select {casts}", *(value for _, value in BINARY_VALUES))
    assert [tuple(row) for row in rows] == [tuple(value for _, value in BINARY_VALUES)]


async def test_parameters_written_without_spaces(conn: asyncpg.Connection) -> None:
    """`$1,$2` is two parameters (sqlglot read `$1,$` as the start of a dollar-quoted string)."""
    assert [tuple(row) for row in await conn.fetch("select $1::int,$2::text", 7, "x")] == [(7, "x")]
    assert await conn.fetchval("select 3 in ($1,$2,$3)", 1, 2, 3) is True
    assert await conn.fetchval("select $tag$ $1,$2 $tag$") == " $1,$2 "


async def test_more_parameters_than_sqlite_binds(conn: asyncpg.Connection) -> None:
    """32767 parameters (asyncpg's own limit) are more than SQLite binds: 54000 naming the limit,
    at Parse, where PostgreSQL (up to 65535) runs the statement (was XX000 quoting SQLite)."""
    count = 32767
    sql = "select array[" + ",".join(f"${i}" for i in range(1, count + 1)) + "]"
    try:
        values = await conn.fetchval(sql, *(str(i) for i in range(count)), timeout=SLOW_TIMEOUT)
    except asyncpg.exceptions.ProgramLimitExceededError as refused:
        assert refused.sqlstate == "54000"
        assert refused.message == "statements with more than 32766 parameters are not supported"
    else:
        assert len(values) == count
    assert await conn.fetchval("select 1") == 1


async def test_explain_in_json_is_refused_rather_than_answered_in_text(conn: asyncpg.Connection) -> None:
    """asyncpg's PreparedStatement.explain() asks for FORMAT JSON and parses the answer: the text
    plan HeliosDB-Lite has is no answer to that (it failed in json.loads)."""
    statement = await conn.prepare("select 1")
    try:
        plan = await statement.explain()
    except asyncpg.exceptions.FeatureNotSupportedError as refused:
        assert refused.message == "EXPLAIN (FORMAT JSON) is not supported"
    else:
        assert "Plan" in plan[0]
    assert await conn.fetchval("explain (format text) select 1") is not None


async def test_binary_codecs_through_table(conn: asyncpg.Connection) -> None:
    columns = ", ".join(f"c{i} {type_name}" for i, (type_name, _) in enumerate(BINARY_VALUES))
    await conn.execute(f"create table apg_types (k integer primary key, {columns})")
    placeholders = ", ".join(f"${i}" for i in range(2, len(BINARY_VALUES) + 2))
    insert = f"insert into apg_types values ($1, {placeholders})"
    await conn.execute(insert, 1, *(value for _, value in BINARY_VALUES))
    await conn.execute(insert, 2, *([None] * len(BINARY_VALUES)))
    rows = await conn.fetch("select * from apg_types order by k")
    assert [tuple(r)[1:] for r in rows] == [tuple(v for _, v in BINARY_VALUES), (None,) * len(BINARY_VALUES)]


async def test_fetchval_and_fetch(conn: asyncpg.Connection) -> None:
    assert await conn.fetchval("select 1") == 1
    assert await conn.fetchval("select $1::int8 * 2", 21) == 42
    await conn.execute("create table apg_fetch (id integer primary key, name text)")
    await conn.execute("insert into apg_fetch values (1, 'a'), (2, 'b'), (3, null)")
    rows = await conn.fetch("select id, name from apg_fetch where id > $1 order by id", 1)
    assert [(r["id"], r["name"]) for r in rows] == [(2, "b"), (3, None)]


async def test_prepared_statement_reused(conn: asyncpg.Connection) -> None:
    await conn.execute("create table apg_prepared (id integer primary key, label text)")
    insert = await conn.prepare("insert into apg_prepared (id, label) values ($1, $2)")
    assert [t.name for t in insert.get_parameters()] == ["int4", "text"]
    for i in range(20):
        await insert.fetch(i, f"label {i}")
    select = await conn.prepare("select label from apg_prepared where id = $1")
    assert [a.name for a in select.get_attributes()] == ["label"]
    assert [await select.fetchval(i) for i in range(0, 20, 5)] == [f"label {i}" for i in range(0, 20, 5)]
    assert await select.fetchval(999) is None


async def test_executemany_thousand_rows(conn: asyncpg.Connection) -> None:
    await conn.execute("create table apg_many (a integer primary key, b text)")
    await conn.executemany("insert into apg_many (a, b) values ($1, $2)", [(i, f"r{i}") for i in range(1000)])
    totals = await conn.fetch("select count(*), sum(a) from apg_many")
    assert [tuple(row) for row in totals] == [(1000, 499500)]


async def test_errors_carry_sqlstate(conn: asyncpg.Connection) -> None:
    await conn.execute("create table apg_errors (id integer primary key)")
    await conn.execute("insert into apg_errors values (1)")
    with pytest.raises(asyncpg.exceptions.UniqueViolationError) as unique:
        await conn.execute("insert into apg_errors values ($1)", 1)
    assert unique.value.sqlstate == "23505"
    with pytest.raises(asyncpg.exceptions.UndefinedTableError) as undefined:
        await conn.fetch("select * from apg_no_such_table")
    assert undefined.value.sqlstate == "42P01"
    with pytest.raises(asyncpg.exceptions.PostgresSyntaxError):
        await conn.fetch("selec 1")
    assert await conn.fetchval("select 2") == 2


async def test_transactions_commit_and_roll_back(conn: asyncpg.Connection) -> None:
    await conn.execute("create table apg_txn (id integer primary key)")
    async with conn.transaction():
        await conn.execute("insert into apg_txn values (1)")
        assert conn.is_in_transaction()

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with conn.transaction():
            await conn.execute("insert into apg_txn values (2)")
            raise Abort
    with pytest.raises(asyncpg.exceptions.UniqueViolationError):
        async with conn.transaction():
            await conn.execute("insert into apg_txn values (3)")
            await conn.execute("insert into apg_txn values (1)")
    assert not conn.is_in_transaction()
    assert [r["id"] for r in await conn.fetch("select id from apg_txn order by id")] == [1]


async def test_cancel_by_timeout_then_connection_usable(conn: asyncpg.Connection) -> None:
    began = time.monotonic()
    with pytest.raises((TimeoutError, asyncpg.exceptions.QueryCanceledError)):
        await asyncio.wait_for(conn.fetch("select pg_sleep(30)"), timeout=0.5)
    # The next statement runs only once the cancelled one has ended.
    assert await asyncio.wait_for(conn.fetchval("select 7"), timeout=TIMEOUT) == 7
    assert time.monotonic() - began < 15
    assert not conn.is_in_transaction()


async def test_copy_to_table_and_from_table_csv(conn: asyncpg.Connection) -> None:
    await conn.execute("create table apg_copy (a integer primary key, b text)")
    status = await conn.copy_to_table("apg_copy", source=io.BytesIO(b'1,one\n2,"t,wo"\n3,\n'),
                                      columns=["a", "b"], format="csv")
    assert status == "COPY 3"
    assert [tuple(r) for r in await conn.fetch("select a, b from apg_copy order by a")] == [
        (1, "one"), (2, "t,wo"), (3, None)]
    output = io.BytesIO()
    status = await conn.copy_from_table("apg_copy", output=output, columns=["a", "b"], format="csv")
    assert status == "COPY 3"
    assert sorted(output.getvalue().decode().splitlines()) == ["1,one", '2,"t,wo"', "3,"]


async def test_copy_records_to_table(conn: asyncpg.Connection) -> None:
    await conn.execute("create table apg_copy_records (a integer, b text)")
    status = await conn.copy_records_to_table("apg_copy_records", records=[(1, "x"), (2, None)],
                                              columns=["a", "b"])  # COPY ... (FORMAT binary)
    assert status == "COPY 2"
    assert [tuple(r) for r in await conn.fetch("select a, b from apg_copy_records order by a")] == [
        (1, "x"), (2, None)]
