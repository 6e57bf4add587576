"""Composite types are journaled like any DDL: CREATE TYPE ... AS (...), ALTER TYPE ... ATTRIBUTE,
DROP TYPE and the composite columns that use them survive a SIGKILL (recovery replays the journal
into the store), and a restore from the journal rebuilds the same store."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess


def test_composites_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        before = rows_of(server,
                         "create type card as (value int, suit text)",
                         "alter type card add attribute weight numeric(5,2)",
                         "alter type card rename attribute suit to colour",
                         "create table hands (id int primary key, c card, cs card[])",
                         "insert into hands values (1, row(8, 'hearts', 1.5), "
                         "array[row(1, 'x y', null)::card])",
                         "create type doomed as (a int)",
                         "drop type doomed",
                         "select oid::text, typrelid::text from pg_type where typname in ('card', '_card') "
                         "order by typname")
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              "select id, c::text, cs::text, (c).colour from hands order by id",
                              "select a.attname, a.atttypid::regtype::text from pg_attribute a "
                              "join pg_type t on t.typrelid = a.attrelid where t.typname = 'card' "
                              "order by a.attnum",
                              "select to_regtype('doomed')",
                              "select oid::text, typrelid::text from pg_type "
                              "where typname in ('card', '_card') order by typname")
        assert after_crash == [
            [(1, "(8,hearts,1.50)", '{"(1,\\"x y\\",)"}', "hearts")],
            [("value", "integer"), ("colour", "text"), ("weight", "numeric")],
            [(None,)],
            before[-1],  # the same OIDs: clients that cached them still read the columns right
        ]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
