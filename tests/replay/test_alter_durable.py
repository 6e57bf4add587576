"""What ALTER TABLE / INDEX / VIEW record beside SQLite's own schema (added and changed defaults,
CHECK constraints as triggers, re-created indexes and views) survives a SIGKILL and a restore."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess


def test_altered_tables_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        setup = rows_of(server,
                        "create table items (name text, qty int default 1)",
                        "insert into items (name) values ('a'), ('b')",
                        "alter table items add column id serial",
                        "alter table items add primary key (id)",
                        "alter table items alter column qty set default 5",
                        "alter table items add constraint qty_positive check (qty > 0)",
                        "create index items_name on items (name)",
                        "alter index items_name rename to items_by_name",
                        "create view item_names as select name from items",
                        "alter view item_names rename to names",
                        "create table orders (item int, note text)",
                        "insert into orders values (1, 'x'), (2, 'y'), (2, 'z')",
                        "alter table orders add foreign key (item) references items (id) on delete cascade",
                        "delete from items where id = 2")
        assert [result for result in setup if isinstance(result, str)] == []  # no statement failed
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              "insert into items (name) values ('c') returning id, qty",
                              "select name from names order by name",
                              "select item, note from orders",
                              "insert into orders values (9, 'orphan')")
        assert after_crash == [[(3, 5)], [("a",), ("c",)], [(1, "x")], "23503"]
        with pytest.raises(psycopg.errors.CheckViolation), psycopg.connect(server.dsn) as connection:
            connection.execute("insert into items (name, qty) values ('d', 0)")
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
