"""A transaction that mixes row changes and DDL (rows written, then their table renamed or dropped;
a column added between inserts) and one that rolls back to a savepoint over DDL commit as on
PostgreSQL, and replay redoes them in their order: after a SIGKILL the server shows the same, and a
restore from the journal rebuilds the same store (nothing rolled back reappears)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

TRANSACTIONS = [
    ["create table renamed (x int)", "insert into renamed values (1)", "alter table renamed rename to kept",
     "insert into kept values (2)"],
    ["create table scratch (x int)", "insert into scratch values (1)", "drop table scratch"],
    ["create table wide (x int, y int)", "insert into wide values (1, 2)", "alter table wide drop column y",
     "insert into wide values (3)"],
    ["create table grown (x int)", "insert into grown values (1)",
     "alter table grown add column y int default 7", "insert into grown values (2, 8)",
     "update grown set x = x * 10"],
    ["insert into kept values (3)", "savepoint a", "create table ghost (x int)",
     "insert into kept values (4)", "insert into ghost values (1)", "rollback to savepoint a",
     "insert into kept values (5)"],
    ["savepoint outer_sp", "insert into kept values (6)", "savepoint inner_sp",
     "alter table kept add column z int", "release savepoint inner_sp", "rollback to savepoint outer_sp",
     "insert into kept values (7)"],
    ["insert into grown values (3, 9)", "savepoint b", "alter table grown rename to moved",
     "insert into moved values (4, 10)", "release savepoint b"],
]
CHECKS = ["select x from kept order by x", "select x from wide order by x",
          "select x, y from moved order by x",
          "select count(*) from pg_class where relname in ('ghost', 'scratch', 'renamed', 'grown')"]
EXPECTED = [[(1,), (2,), (3,), (5,), (7,)], [(1,), (3,)], [(3, 9), (4, 10), (10, 7), (20, 8)], [(0,)]]


def test_mixed_transactions_replay_in_order(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        with psycopg.connect(server.dsn, autocommit=True) as connection:
            for statements in TRANSACTIONS:
                with connection.transaction():
                    for statement in statements:
                        connection.execute(statement)
        assert rows_of(server, *CHECKS) == EXPECTED
        server.kill()
        server.start()
        assert rows_of(server, *CHECKS) == EXPECTED
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
