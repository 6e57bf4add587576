"""Sequence state is journaled like data: nextval/setval called from a SELECT run as writers, and
serial high-water marks (SQLite's sqlite_sequence) survive a SIGKILL and a restore, so no id is
ever handed out twice."""

from __future__ import annotations

from pathlib import Path

import psycopg

from heliosdb_lite.replay.restore import restore
from tests.replay.store_contents import read_store
from tests.server_process import ServerProcess


def _run(server: ServerProcess, *statements: str) -> list[object]:
    results: list[object] = []
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
            results.append(cursor.fetchone()[0] if cursor.description else None)
    return results


def test_sequences_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        _run(server,
             "create table orders (id serial primary key, item text)",
             "select setval('orders_id_seq', 100)",
             "insert into orders (item) values ('a')",
             "insert into orders (item) values ('b')",
             "delete from orders where id = 102",
             "create sequence tickets",
             "select nextval('tickets')",
             "select nextval('tickets')")
        server.kill()
        server.start()
        after_crash = _run(server,
                           "insert into orders (item) values ('c') returning id",
                           "select nextval('tickets')")
        assert after_crash == [103, 3]  # neither 102 (deleted) nor ticket 2 is issued again
        server.terminate()
    finally:
        server.stop()
    restore(tmp_path / "data" / "journal", tmp_path / "restored", show_progress=False)
    live = read_store(tmp_path / "data" / "store.db")
    assert read_store(tmp_path / "restored" / "store.db") == live
