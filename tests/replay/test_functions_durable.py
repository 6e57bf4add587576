"""User-defined functions are journaled like any DDL: CREATE FUNCTION, CREATE OR REPLACE and DROP
FUNCTION survive a SIGKILL (recovery replays the journal into the store), and a restore from the
journal rebuilds the same store."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess


def test_functions_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        before = rows_of(server,
                         "create type mood as enum ('sad', 'happy')",
                         "create function cheer(m mood default 'sad') returns mood language plpgsql "
                         "as $$ begin return 'happy'::mood; end $$",
                         "create function scaled(a int, b int default 10) returns bigint strict language sql "
                         "as 'select a * b'",
                         "create or replace function scaled(a int, b int default 10) returns bigint strict "
                         "language sql as 'select a * b + 1'",
                         "create function doomed() returns int language sql as 'select 1'",
                         "drop function doomed()",
                         "select oid::text, proname from pg_proc where proname in ('cheer', 'scaled') "
                         "order by proname")
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              "select cheer()::text, scaled(4), scaled(4, 2), scaled(null)",
                              "select proname, prosrc from pg_proc "
                              "where proname in ('cheer', 'scaled', 'doomed') order by proname",
                              "select oid::text, proname from pg_proc where proname in ('cheer', 'scaled') "
                              "order by proname")
        assert after_crash == [
            [("happy", 41, 9, None)],
            [("cheer", " begin return 'happy'::mood; end "), ("scaled", "select a * b + 1")],
            before[-1],  # the same OIDs
        ]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
