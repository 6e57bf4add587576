"""What ALTER TABLE / INDEX / VIEW record beside SQLite's own schema (added and changed defaults,
CHECK constraints as triggers, re-created indexes and views) survives a SIGKILL and a restore."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from heliosdb_lite.replay.restore import restore
from tests.replay.store_contents import read_store
from tests.server_process import ServerProcess


def _run(server: ServerProcess, *statements: str) -> list[object]:
    results: list[object] = []
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
            results.append(cursor.fetchall() if cursor.description else None)
    return results


def test_altered_tables_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        _run(server,
             "create table items (name text, qty int default 1)",
             "insert into items (name) values ('a'), ('b')",
             "alter table items add column id serial",
             "alter table items alter column qty set default 5",
             "alter table items add constraint qty_positive check (qty > 0)",
             "create index items_name on items (name)",
             "alter index items_name rename to items_by_name",
             "create view item_names as select name from items",
             "alter view item_names rename to names")
        server.kill()
        server.start()
        after_crash = _run(server,
                           "insert into items (name) values ('c') returning id, qty",
                           "select name from names order by name")
        assert after_crash == [[(3, 5)], [("a",), ("b",), ("c",)]]
        with pytest.raises(psycopg.errors.CheckViolation), psycopg.connect(server.dsn) as connection:
            connection.execute("insert into items (name, qty) values ('d', 0)")
        server.terminate()
    finally:
        server.stop()
    restore(tmp_path / "data" / "journal", tmp_path / "restored", show_progress=False)
    assert read_store(tmp_path / "restored" / "store.db") == read_store(tmp_path / "data" / "store.db")
