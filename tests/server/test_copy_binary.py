"""COPY in PostgreSQL's binary format over TCP: asyncpg's bulk load (copy_records_to_table) and
binary COPY out and back in, psycopg's binary COPY with typed rows, the very bytes PostgreSQL 15
sends for the same table, and the errors of a malformed stream or an option BINARY refuses."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import psycopg
import pytest

from testsupport.server_process import ServerProcess

TABLE = ("(a int, b text, c numeric, d timestamptz, e int[], f uuid, g bytea, h jsonb, i bool, j float8, "
         "k date, l interval, m int8, n varchar(5))")
RECORDS = [
    (1, "x", Decimal("1.50"), dt.datetime(2020, 1, 1, tzinfo=dt.UTC), [1, None, 2], uuid.UUID(int=3),
     b"\x00\x01", '{"a": 1}', True, 0.5, dt.date(2020, 2, 2), dt.timedelta(days=1, seconds=5), -2**40,
     "héllo"),
    (2, None, None, None, None, None, None, None, None, None, None, None, None, None),
]


@pytest.fixture
async def conn(shared_server: ServerProcess) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(host=shared_server.host, port=shared_server.port, user="postgres")
    try:
        yield connection
    finally:
        await connection.close()


async def test_asyncpg_bulk_load_and_binary_round_trip(conn: asyncpg.Connection) -> None:
    await conn.execute(f"create table bulk {TABLE}")
    assert await conn.copy_records_to_table("bulk", records=RECORDS) == "COPY 2"
    assert [tuple(row) for row in await conn.fetch("select * from bulk order by a")] == RECORDS
    out = io.BytesIO()
    assert await conn.copy_from_table("bulk", output=out, format="binary") == "COPY 2"
    await conn.execute(f"create table bulk_again {TABLE}")
    source = io.BytesIO(out.getvalue())
    assert await conn.copy_to_table("bulk_again", source=source, format="binary") == "COPY 2"
    assert [tuple(row) for row in await conn.fetch("select * from bulk_again order by a")] == RECORDS


async def test_malformed_binary_data_and_refused_options(conn: asyncpg.Connection) -> None:
    await conn.execute("create table bulk_bad (a int)")
    with pytest.raises(asyncpg.exceptions.BadCopyFileFormatError, match="signature not recognized"):
        await conn.copy_to_table("bulk_bad", source=io.BytesIO(b"garbage"), format="binary")
    with pytest.raises(asyncpg.exceptions.PostgresSyntaxError, match="cannot specify DELIMITER in BINARY"):
        await conn.execute("copy bulk_bad from stdin (format binary, delimiter ',')")
    with pytest.raises(asyncpg.exceptions.FeatureNotSupportedError, match="quote available only in CSV mode"):
        await conn.execute("copy bulk_bad from stdin (quote '\"')")
    assert await conn.fetchval("select count(*) from bulk_bad") == 0


def test_psycopg_binary_copy_with_typed_rows(shared_server: ServerProcess) -> None:
    with psycopg.connect(shared_server.dsn, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("create table typed (id int8, name text, price numeric, seen timestamptz)")
        rows = [(1, "a", Decimal("9.99"), dt.datetime(2021, 5, 6, 7, 8, 9, tzinfo=dt.UTC)),
                (2, None, None, None)]
        with cursor.copy("copy typed from stdin (format binary)") as copy:
            copy.set_types(["int8", "text", "numeric", "timestamptz"])
            for row in rows:
                copy.write_row(row)
        assert cursor.execute("select * from typed order by id").fetchall() == rows


def test_psycopg_reads_binary_copy_rows(shared_server: ServerProcess) -> None:
    """psycopg parses each CopyData of a binary COPY as a row and expects the header in the first
    one, as PostgreSQL sends it (a header of its own: "bad copy data: fields number truncated")."""
    with psycopg.connect(shared_server.dsn, autocommit=True) as connection, connection.cursor() as cursor:
        query = "copy (select 1 as a, 'x' as b union all select 2, null) to stdout (format binary)"
        with cursor.copy(query) as copy:
            copy.set_types(["int4", "text"])
            assert list(copy.rows()) == [(1, "x"), (2, None)]
        with cursor.copy("copy (select 1 as a where false) to stdout (format binary)") as copy:
            copy.set_types(["int4"])
            assert list(copy.rows()) == []


def test_an_abandoned_copy_out_is_cancelled(shared_server: ServerProcess) -> None:
    """A client leaving a COPY TO STDOUT early cancels it: 57014, the transaction failed (E), as
    PostgreSQL does (psycopg's test_copy_out_error_with_copy_not_finished)."""
    with psycopg.connect(shared_server.dsn) as connection, connection.cursor() as cursor:
        rows = "copy (select generate_series(1, 1000000)) to stdout"  # more than the sockets hold
        with pytest.raises(ZeroDivisionError), cursor.copy(rows) as copy:
            copy.read_row()
            raise ZeroDivisionError
        assert connection.info.transaction_status == psycopg.pq.TransactionStatus.INERROR


def _binary_copy_out(dsn: str) -> bytes:
    with psycopg.connect(dsn, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(f"create temp table same {TABLE}")
        with cursor.copy("copy same from stdin") as copy:
            for record in RECORDS:
                copy.write_row(record)
        with cursor.copy("copy same to stdout (format binary)") as copy:
            return b"".join(bytes(chunk) for chunk in copy)


def test_the_same_bytes_as_postgresql(shared_server: ServerProcess, reference_pg: str) -> None:
    assert _binary_copy_out(shared_server.dsn) == _binary_copy_out(reference_pg)

