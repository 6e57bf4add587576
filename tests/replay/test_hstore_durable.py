"""hstore is journaled like any DDL and data: CREATE EXTENSION hstore (its types with their OIDs),
a table of hstore and hstore[] values and its UNIQUE constraint on an hstore column (hstore_cmp's
order), and DROP EXTENSION survive a SIGKILL (recovery replays the journal into the store), and a
restore from the journal rebuilds the same store."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

_TYPES = "select typname, oid::text from pg_type where typname in ('hstore', '_hstore') order by 1"
_ROWS = "select id, h::text, hs::text, h -> 'a' from maps order by id"


def test_hstore_survives_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        before = rows_of(server,
                         "create extension hstore",
                         "create table maps (id int primary key, h hstore unique, hs hstore[])",
                         """insert into maps values (1, 'b=>2, a=>"x y"', '{"k=>v",NULL}'), """
                         "(2, 'a=>NULL', null)",
                         "update maps set h = h || 'c=>3' where id = 1",
                         _TYPES, _ROWS)
        server.kill()
        server.start()
        after_crash = rows_of(server, _TYPES, _ROWS,
                              "insert into maps values (3, 'c=>3, a=>\"x y\", b=>2', null)",
                              "select count(*) from maps where h @> 'a=>\"x y\"'")
        assert after_crash == [before[-2], before[-1], "23505", [(1,)]]
        assert before[-1] == [(1, '"a"=>"x y", "b"=>"2", "c"=>"3"', '{"\\"k\\"=>\\"v\\"",NULL}', "x y"),
                              (2, '"a"=>NULL', None, None)]
        rows_of(server, "drop table maps", "drop extension hstore")
        server.kill()
        server.start()
        assert rows_of(server, "select extname from pg_extension", _TYPES) == [[("plpgsql",)], []]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
