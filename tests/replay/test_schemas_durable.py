"""Schemas are journaled like any DDL: CREATE/ALTER/DROP SCHEMA and the objects in a schema survive a
SIGKILL, and a restore from the journal rebuilds the same store."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess


def test_schemas_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        rows_of(server,
             "create schema sales",
             "create table sales.orders (id serial primary key, item text unique)",
             "create index on sales.orders (item)",
             "create view sales.items as select item from sales.orders",
             "insert into sales.orders (item) values ('a'), ('b')",
             "create schema staging",
             "create table staging.loads (n int)",
             "insert into staging.loads values (1)",
             "alter schema sales rename to archive",
             "create schema scratch",
             "create table scratch.t (a int)",
             "drop schema scratch cascade",
             "create sequence archive.tickets",
             "select nextval('archive.tickets')")
        server.kill()
        server.start()
        after_crash = rows_of(server,
                           "select nspname from pg_namespace where nspname in "
                           "('archive', 'sales', 'staging', 'scratch') order by 1",
                           "select item from archive.items order by item",
                           "insert into archive.orders (item) values ('c') returning id",
                           "select n from staging.loads",
                           "select nextval('archive.tickets')")
        assert after_crash == [[("archive",), ("staging",)], [("a",), ("b",)], [(3,)], [(1,)], [(2,)]]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
