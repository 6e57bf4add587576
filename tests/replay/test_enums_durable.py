"""Enum types are journaled like any DDL: CREATE TYPE ... AS ENUM, ALTER TYPE ADD VALUE / RENAME
VALUE / RENAME TO, DROP TYPE and the enum columns that use them survive a SIGKILL (recovery replays
the journal into the store), and a restore from the journal rebuilds the same store."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess


def test_enums_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        before = rows_of(server,
                         "create type mood as enum ('sad', 'happy')",
                         "create table feelings (id int primary key, m mood, ms mood[])",
                         "insert into feelings values (1, 'happy', '{sad}'), (2, 'sad', '{happy,sad}')",
                         "alter type mood add value 'ok' before 'happy'",
                         "alter type mood add value 'ecstatic'",
                         "insert into feelings values (3, 'ok', '{ok}')",
                         "alter type mood rename value 'sad' to 'blue'",
                         "create type doomed as enum ('x')",
                         "drop type doomed",
                         "create type color as enum ('red')",
                         "alter type color rename to colour",
                         "select oid::text from pg_type where typname in ('mood', '_mood', 'colour') "
                         "order by typname")
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              "select id, m::text, ms::text from feelings order by m",
                              "select enum_range(null::mood)::text",
                              "select enumlabel, enumsortorder from pg_enum "
                              "where enumtypid = 'mood'::regtype order by enumsortorder",
                              "select 'sad'::mood",
                              "select to_regtype('doomed'), 'red'::colour::text",
                              "select oid::text from pg_type where typname in ('mood', '_mood', 'colour') "
                              "order by typname",
                              "insert into feelings values (4, 'ecstatic', null)",
                              "select max(m)::text from feelings")
        assert after_crash == [
            [(2, "blue", "{happy,blue}"), (3, "ok", "{ok}"), (1, "happy", "{blue}")],
            [("{blue,ok,happy,ecstatic}",)],
            [("blue", 1.0), ("ok", 1.5), ("happy", 2.0), ("ecstatic", 3.0)],
            "22P02",
            [(None, "red")],
            before[-1],  # the same OIDs: clients that cached them still read the columns right
            None,
            [("ecstatic",)],
        ]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
