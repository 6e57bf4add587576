"""Installed extensions are journaled like any DDL: CREATE EXTENSION citext (its pg_extension row,
its types with their OIDs), a citext column and its case-insensitive primary key, and DROP
EXTENSION survive a SIGKILL (recovery replays the journal into the store), and a restore from the
journal rebuilds the same store."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

_TYPES = "select typname, oid::text from pg_type where typname in ('citext', '_citext') order by 1"


def test_extensions_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        before = rows_of(server,
                         "create extension citext",
                         "create table people (name citext primary key, tags citext[])",
                         "insert into people values ('Alice', '{A,b}'), ('bob', null)",
                         _TYPES)
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              "select extname, extversion from pg_extension order by 1",
                              _TYPES,
                              "select name::text from people where name = 'ALICE'",
                              "insert into people values ('BOB', null)",
                              "create extension citext")
        assert after_crash == [
            [("citext", "1.6"), ("plpgsql", "1.0")],
            before[-1],  # the same OIDs: clients that cached them still read the columns right
            [("Alice",)],
            "23505",
            "42710",
        ]
        rows_of(server, "drop table people", "drop extension citext")
        server.kill()
        server.start()
        assert rows_of(server, "select extname from pg_extension", _TYPES) == [[("plpgsql",)], []]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
