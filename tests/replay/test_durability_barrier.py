"""I1 and I2 at the wire: while the journal's fsync is held back, neither the writer's
acknowledgement nor any reader's result that could show the new row leaves the server; both
arrive once the fsync completes. In-process server, journal on a gated syscall layer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import apsw
import psycopg

from heliosdb_lite.config import load_config
from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.journal import Journal
from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.server.app import Server
from tests.journal.fakes import GatedSyscalls

WITHHELD_FOR = 0.5  # how long a withheld reply is watched for not arriving
TIMEOUT = 10.0


async def _row_visible_in_store(store: Path) -> None:
    connection = apsw.Connection(str(store))
    try:
        for _ in range(1000):
            if connection.execute("SELECT count(*) FROM t").fetchone() == (1,):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the insert never committed in the store")
    finally:
        connection.close()


async def test_no_reply_shows_data_before_the_journal_is_durable(tmp_path: Path) -> None:
    syscalls = GatedSyscalls()
    journal = Journal.open(tmp_path / "journal", syscalls=syscalls)
    engine = SQLiteEngine(tmp_path / "data")
    service = CommitService(journal, engine.store_path)
    config = load_config(None, overrides={"server.port": "0", "database.path": str(tmp_path / "data")},
                         environ={})
    server = Server(config, engine, service)
    (host, port), *_ = await server.start()
    dsn = f"host={host} port={port} user=postgres dbname=postgres"
    writer = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    reader = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    try:
        await writer.execute("CREATE TABLE t (id integer)")
        syscalls.gate.clear()
        syscalls.entered.clear()
        insert = asyncio.create_task(writer.execute("INSERT INTO t VALUES (1)"))
        assert await asyncio.to_thread(syscalls.entered.wait, TIMEOUT), "no fsync started"
        await _row_visible_in_store(engine.store_path)  # committed in SQLite, not yet durable
        select = asyncio.create_task(reader.execute("SELECT count(*) FROM t"))
        done, _ = await asyncio.wait({insert, select}, timeout=WITHHELD_FOR)
        assert not done, "a reply left the server before the journal was durable"
        syscalls.gate.set()
        await asyncio.wait_for(insert, TIMEOUT)
        cursor = await asyncio.wait_for(select, TIMEOUT)
        assert await cursor.fetchone() == (1,)
    finally:
        syscalls.gate.set()
        await writer.close()
        await reader.close()
        await server.shutdown()
        service.close()
        engine.close()
        await journal.close()
