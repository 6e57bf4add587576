"""DROP COLUMN of a key column rebuilds the table (`engine/ddl/column_drops.py`): the rebuilt
tables, their rows, the keys, indexes and constraints left, a foreign key dropped by CASCADE (its
child rebuilt too) and a serial high-water mark survive a SIGKILL, and a restore from the journal
alone gives the same store; a drop rolled back leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

_READ = ("select (select string_agg(name, ',' order by name) from parents), code, qty from children "
         "order by qty")


def test_dropped_key_columns_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        setup = rows_of(server,
                        "create table parents (id serial primary key, code int unique, name text not null)",
                        "insert into parents (code, name) values (1, 'one'), (2, 'two'), (3, 'three')",
                        "create table children (code int references parents (code), qty int, "
                        "id int, primary key (id, qty))",
                        "insert into children values (1, 10, 1), (2, 20, 1), (2, 30, 2)",
                        "create index children_code_qty on children (code, qty)",
                        "alter table children add constraint qty_positive check (qty > 0)",
                        "alter table parents drop column id",
                        "alter table children drop column id",
                        "create table kept (id int primary key, v int)",
                        "insert into kept values (1, 1)",
                        "create table numbered (id serial primary key, a int unique, v int)",
                        "insert into numbered (a, v) values (1, 1), (2, 2), (3, 3)",
                        "delete from numbered where v = 3",
                        "alter table numbered drop column a")
        assert [result for result in setup if isinstance(result, str)] == []  # no statement failed
        with psycopg.connect(server.dsn) as connection:  # rolled back: nothing of it stays
            connection.execute("alter table kept drop column id")
            connection.rollback()
        assert rows_of(server, "alter table parents drop column code") == ["2BP01"]
        assert rows_of(server, "alter table parents drop column code cascade") == [None]
        expected = rows_of(server, _READ)[0]
        server.kill()
        server.start()
        after_crash = rows_of(server,
                              _READ,
                              "insert into children values (9, 40)",  # the foreign key went
                              "insert into children values (1, -1)",  # the CHECK stayed
                              "insert into children values (1, null)",  # qty keeps NOT NULL
                              "insert into parents (name) values (null)",
                              "select id, v from kept",
                              "insert into numbered (v) values (4) returning id",
                              "select indexname from pg_indexes where tablename in ('parents', 'children', "
                              "'kept', 'numbered') order by indexname")
        assert after_crash[0] == expected == [("one,three,two", 1, 10), ("one,three,two", 2, 20),
                                              ("one,three,two", 2, 30)]
        assert after_crash[1:] == [None, "23514", "23502", "23502", [(1, 1)], [(4,)],
                                   [("children_code_qty",), ("kept_pkey",), ("numbered_pkey",)]]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
