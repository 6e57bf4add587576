"""ALTER COLUMN ... TYPE rebuilds tables (`engine/ddl/table_rebuild.py`): the rebuilt tables, their
converted rows, keys, indexes, constraints kept as triggers, foreign keys both ways, serial
high-water marks and a serial key made bigint (its sequence continuing) survive a SIGKILL, and a
restore from the journal alone gives the same store; a change rolled back or failing leaves
nothing behind."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

_READ = ("select p.id, p.code, pg_typeof(p.code)::text, c.qty::text, pg_typeof(c.qty)::text "
         "from parents p join children c on c.code = p.code order by p.id, c.qty")


def test_changed_column_types_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        setup = rows_of(server,
                        "create table parents (id serial primary key, code int unique, name varchar(20))",
                        "insert into parents (code, name) values (1, 'one'), (2, 'two'), (3, 'three')",
                        "delete from parents where code = 3",
                        "create table children (code int references parents (code) on delete cascade, "
                        "qty numeric(7,3))",
                        "insert into children values (1, 1.2345), (2, 2.5555), (2, 7)",
                        "create index children_qty on children (qty)",
                        "alter table children add constraint qty_positive check (qty > 0)",
                        "alter table parents alter code type bigint, alter name type text",
                        "alter table parents alter id type bigint",  # the serial key: a sequence now
                        "alter table children alter qty type numeric(6,1)",
                        "alter table children alter code type bigint using code")
        assert [result for result in setup if isinstance(result, str)] == []  # no statement failed
        with psycopg.connect(server.dsn) as connection:  # rolled back: nothing of it stays
            connection.execute("alter table parents alter name type varchar(3) using 'x'")
            connection.rollback()
        failed = rows_of(server, "alter table children alter qty type numeric(2,1) using qty * 10")
        assert failed == ["22003"]
        expected = rows_of(server, _READ)[0]
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              _READ,
                              "insert into parents (code, name) values (4, 'four') returning id",
                              "insert into children values (9, 1)",
                              "insert into children values (1, -1)",
                              "delete from parents where code = 1",
                              "select code, qty::text from children order by qty",
                              "select name from parents order by id")
        assert after_crash[0] == expected
        assert expected == [(1, 1, "bigint", "1.2", "numeric"), (2, 2, "bigint", "2.6", "numeric"),
                            (2, 2, "bigint", "7.0", "numeric")]
        assert after_crash[1:] == [[(4,)], "23503", "23514", None, [(2, "2.6"), (2, "7.0")],
                                   [("two",), ("four",)]]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
