"""asyncpg against the server over TCP: binary codecs, arrays, prepared statements, pipelined executemany,
errors with their SQLSTATE classes, transactions, cancellation by timeout, and COPY."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import time
import uuid
from decimal import Decimal

import asyncpg
import asyncpg.exceptions
import pytest

TIMEOUT = 10.0
SLOW_TIMEOUT = 300.0  # a statement of 32767 parameters takes seconds to translate



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


async def test_arrays_as_parameters_and_results(aconn: asyncpg.Connection) -> None:
    """asyncpg learns every type outside its built-in map, arrays among them, from a recursive query
    over pg_type and pg_range whose parameter is cast to oid[]; that failed with 42601, so no array
    could be sent or received."""
    for type_name, value in ARRAY_VALUES:
        assert await aconn.fetchval(f"select $1::{type_name}", value) == value, type_name
    assert await aconn.fetchval("select array[1, 2, 3]") == [1, 2, 3]


async def test_array_columns(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table apg_arrays (id int primary key, tags text[], counts int[])")
    await aconn.execute("insert into apg_arrays values ($1, $2, $3)", 1, ["x", "y"], [1, 2])
    rows = await aconn.fetch("select tags, counts from apg_arrays where id = $1", 1)
    assert [tuple(row) for row in rows] == [(["x", "y"], [1, 2])]
    assert await aconn.fetchval("select $1 = any(counts) from apg_arrays", 2) is True


async def test_binary_codecs_through_parameters(aconn: asyncpg.Connection) -> None:
    casts = ", ".join(f"${i}::{type_name}" for i, (type_name, _) in enumerate(BINARY_VALUES, start=1))
    rows = await aconn.fetch(f"select {casts}", *(value for _, value in BINARY_VALUES))
    assert [tuple(row) for row in rows] == [tuple(value for _, value in BINARY_VALUES)]


async def test_parameters_written_without_spaces(aconn: asyncpg.Connection) -> None:
    """`$1,$2` is two parameters (sqlglot read `$1,$` as the start of a dollar-quoted string)."""
    assert [tuple(row) for row in await aconn.fetch("select $1::int,$2::text", 7, "x")] == [(7, "x")]
    assert await aconn.fetchval("select 3 in ($1,$2,$3)", 1, 2, 3) is True
    assert await aconn.fetchval("select $tag$ $1,$2 $tag$") == " $1,$2 "


async def test_more_parameters_than_sqlite_binds(aconn: asyncpg.Connection) -> None:
    """32767 parameters (asyncpg's own limit) are more than SQLite binds: 54000 naming the limit,
    at Parse, where PostgreSQL (up to 65535) runs the statement (was XX000 quoting SQLite)."""
    count = 32767
    sql = "select array[" + ",".join(f"${i}" for i in range(1, count + 1)) + "]"
    try:
        values = await aconn.fetchval(sql, *(str(i) for i in range(count)), timeout=SLOW_TIMEOUT)
    except asyncpg.exceptions.ProgramLimitExceededError as refused:
        assert refused.sqlstate == "54000"
        assert refused.message == "statements with more than 32766 parameters are not supported"
    else:
        assert len(values) == count
    assert await aconn.fetchval("select 1") == 1


async def test_explain_in_json(aconn: asyncpg.Connection) -> None:
    """asyncpg's PreparedStatement.explain() asks for FORMAT JSON (with ANALYZE, VERBOSE) and reads
    PostgreSQL's shape (asyncpg's test_prepare_14_explain): the relation scanned, the actual time
    after ANALYZE, ModifyTable's operation; ANALYZE runs the statement, inside the transaction."""
    plan = await (await aconn.prepare("SELECT typname FROM pg_type")).explain()
    assert plan[0]["Plan"]["Relation Name"] == "pg_type"
    statement = await aconn.prepare("SELECT typname, typlen FROM pg_type WHERE typlen > $1")
    analyzed = (await statement.explain(2, analyze=True))[0]["Plan"]
    assert (analyzed["Relation Name"], "Actual Total Time" in analyzed) == ("pg_type", True)
    table = f"explained_{uuid.uuid4().hex[:8]}"
    await aconn.execute(f"CREATE TABLE {table} (a int)")
    try:
        transaction = aconn.transaction()
        await transaction.start()
        insert = await aconn.prepare(f"INSERT INTO {table} (a) VALUES (1), (2)")
        assert (await insert.explain(analyze=True))[0]["Plan"]["Operation"] == "Insert"
        assert await aconn.fetchval(f"SELECT count(*) FROM {table}") == 0  # asyncpg rolled it back
        await aconn.fetch(f"EXPLAIN ANALYZE INSERT INTO {table} (a) VALUES (1), (2)")
        assert await aconn.fetchval(f"SELECT count(*) FROM {table}") == 2
        await transaction.rollback()
        assert await aconn.fetchval(f"SELECT count(*) FROM {table}") == 0
    finally:
        await aconn.execute(f"DROP TABLE {table}")
    lines = [row[0] for row in await aconn.fetch("explain (analyze, format text) select 1")]
    assert lines[-1].startswith("Execution Time: ")


async def test_binary_codecs_through_table(aconn: asyncpg.Connection) -> None:
    columns = ", ".join(f"c{i} {type_name}" for i, (type_name, _) in enumerate(BINARY_VALUES))
    await aconn.execute(f"create table apg_types (k integer primary key, {columns})")
    placeholders = ", ".join(f"${i}" for i in range(2, len(BINARY_VALUES) + 2))
    insert = f"insert into apg_types values ($1, {placeholders})"
    await aconn.execute(insert, 1, *(value for _, value in BINARY_VALUES))
    await aconn.execute(insert, 2, *([None] * len(BINARY_VALUES)))
    rows = await aconn.fetch("select * from apg_types order by k")
    assert [tuple(r)[1:] for r in rows] == [tuple(v for _, v in BINARY_VALUES), (None,) * len(BINARY_VALUES)]


async def test_fetchval_and_fetch(aconn: asyncpg.Connection) -> None:
    assert await aconn.fetchval("select 1") == 1
    assert await aconn.fetchval("select $1::int8 * 2", 21) == 42
    await aconn.execute("create table apg_fetch (id integer primary key, name text)")
    await aconn.execute("insert into apg_fetch values (1, 'a'), (2, 'b'), (3, null)")
    rows = await aconn.fetch("select id, name from apg_fetch where id > $1 order by id", 1)
    assert [(r["id"], r["name"]) for r in rows] == [(2, "b"), (3, None)]


async def test_prepared_statement_reused(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table apg_prepared (id integer primary key, label text)")
    insert = await aconn.prepare("insert into apg_prepared (id, label) values ($1, $2)")
    assert [t.name for t in insert.get_parameters()] == ["int4", "text"]
    for i in range(20):
        await insert.fetch(i, f"label {i}")
    select = await aconn.prepare("select label from apg_prepared where id = $1")
    assert [a.name for a in select.get_attributes()] == ["label"]
    assert [await select.fetchval(i) for i in range(0, 20, 5)] == [f"label {i}" for i in range(0, 20, 5)]
    assert await select.fetchval(999) is None


async def test_executemany_thousand_rows(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table apg_many (a integer primary key, b text)")
    await aconn.executemany("insert into apg_many (a, b) values ($1, $2)",
                            [(i, f"r{i}") for i in range(1000)])
    totals = await aconn.fetch("select count(*), sum(a) from apg_many")
    assert [tuple(row) for row in totals] == [(1000, 499500)]


async def test_errors_carry_sqlstate(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table apg_errors (id integer primary key)")
    await aconn.execute("insert into apg_errors values (1)")
    with pytest.raises(asyncpg.exceptions.UniqueViolationError) as unique:
        await aconn.execute("insert into apg_errors values ($1)", 1)
    assert unique.value.sqlstate == "23505"
    with pytest.raises(asyncpg.exceptions.UndefinedTableError) as undefined:
        await aconn.fetch("select * from apg_no_such_table")
    assert undefined.value.sqlstate == "42P01"
    with pytest.raises(asyncpg.exceptions.PostgresSyntaxError):
        await aconn.fetch("selec 1")
    assert await aconn.fetchval("select 2") == 2


async def test_transactions_commit_and_roll_back(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table apg_txn (id integer primary key)")
    async with aconn.transaction():
        await aconn.execute("insert into apg_txn values (1)")
        assert aconn.is_in_transaction()

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with aconn.transaction():
            await aconn.execute("insert into apg_txn values (2)")
            raise Abort
    with pytest.raises(asyncpg.exceptions.UniqueViolationError):
        async with aconn.transaction():
            await aconn.execute("insert into apg_txn values (3)")
            await aconn.execute("insert into apg_txn values (1)")
    assert not aconn.is_in_transaction()
    assert [r["id"] for r in await aconn.fetch("select id from apg_txn order by id")] == [1]


async def test_cancel_by_timeout_then_connection_usable(aconn: asyncpg.Connection) -> None:
    began = time.monotonic()
    with pytest.raises((TimeoutError, asyncpg.exceptions.QueryCanceledError)):
        await asyncio.wait_for(aconn.fetch("select pg_sleep(30)"), timeout=0.5)
    # The next statement runs only once the cancelled one has ended.
    assert await asyncio.wait_for(aconn.fetchval("select 7"), timeout=TIMEOUT) == 7
    assert time.monotonic() - began < 15
    assert not aconn.is_in_transaction()


async def test_copy_to_table_and_from_table_csv(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table apg_copy (a integer primary key, b text)")
    status = await aconn.copy_to_table("apg_copy", source=io.BytesIO(b'1,one\n2,"t,wo"\n3,\n'),
                                      columns=["a", "b"], format="csv")
    assert status == "COPY 3"
    assert [tuple(r) for r in await aconn.fetch("select a, b from apg_copy order by a")] == [
        (1, "one"), (2, "t,wo"), (3, None)]
    output = io.BytesIO()
    status = await aconn.copy_from_table("apg_copy", output=output, columns=["a", "b"], format="csv")
    assert status == "COPY 3"
    assert sorted(output.getvalue().decode().splitlines()) == ["1,one", '2,"t,wo"', "3,"]


async def test_copy_records_to_table(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table apg_copy_records (a integer, b text)")
    status = await aconn.copy_records_to_table("apg_copy_records", records=[(1, "x"), (2, None)],
                                              columns=["a", "b"])  # COPY ... (FORMAT binary)
    assert status == "COPY 2"
    assert [tuple(r) for r in await aconn.fetch("select a, b from apg_copy_records order by a")] == [
        (1, "x"), (2, None)]
