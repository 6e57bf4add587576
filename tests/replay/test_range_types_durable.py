"""Range types a database defines are journaled like any DDL: CREATE TYPE ... AS RANGE (its
multirange, pg_range row, OIDs and constructors), RENAME TO, DROP TYPE and the columns of the range, its
multirange and their arrays survive a SIGKILL (recovery replays the journal into the store), and a
restore from the journal rebuilds the same store."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

_OIDS = ("select typname, oid::text, typarray::text from pg_type "
         "where typname in ('floatrange', 'floatmultirange', 'words', 'textmultirange') order by typname")


def test_range_types_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        before = rows_of(server,
                         "create type floatrange as range (subtype = float8, subtype_diff = float8mi)",
                         "create type textrange as range (subtype = text, collation = \"C\")",
                         "create table spans (id int primary key, r floatrange, m floatmultirange, "
                         "rs floatrange[], t textrange)",
                         "insert into spans values (1, '[3,4]', '{[1,2],[5,6]}', '{\"[1,2]\"}', '[a,b)'), "
                         "(2, '(1,2]', '{}', '{}', 'empty')",
                         "alter type textrange rename to words",
                         "create type doomed as range (subtype = int4)",
                         "drop type doomed",
                         _OIDS)
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              "select id, r::text, m::text, rs::text, t::text from spans order by r",
                              "select rngsubtype::regtype::text, rngmultitypid::regtype::text, rngcollation, "
                              "rngsubdiff::oid from pg_range where rngtypid = 'floatrange'::regtype",
                              "select floatrange(1, 2) * '[1.5,3]', floatmultirange(floatrange(5, 6))::text",
                              "select to_regtype('doomed'), to_regtype('doomedmultirange'), "
                              "'[x,y]'::words::text",
                              _OIDS,
                              "insert into spans values (3, 'empty', null, null, null)",
                              "select min(id) from spans where r = 'empty'",
                              "select '[2,1]'::floatrange",
                              "select textrange('p', 'q')::text, to_regtype('textrange')")
        assert after_crash == [
            [(2, "(1,2]", "{}", "{}", "empty"), (1, "[3,4]", "{[1,2],[5,6]}", '{"[1,2]"}', "[a,b)")],
            [("double precision", "floatmultirange", 0, 219)],
            [("[1.5,2)", "{[5,6)}")],
            [(None, None, "[x,y]")],
            before[-1],  # the same OIDs: clients that cached them still read the columns right
            None,
            [(3,)],
            "22000",
            [("[p,q)", None)],  # the constructor keeps the name the type had when it was made
        ]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
