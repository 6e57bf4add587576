"""Sequence state is journaled like data: nextval/setval called from a SELECT run as writers, and
serial high-water marks (SQLite's sqlite_sequence) survive a SIGKILL and a restore, so no id is
ever handed out twice."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, values_of
from testsupport.server_process import ServerProcess


def test_sequences_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        values_of(server,
             "create table orders (id serial primary key, item text)",
             "select setval('orders_id_seq', 100)",
             "insert into orders (item) values ('a')",
             "insert into orders (item) values ('b')",
             "delete from orders where id = 102",
             "create sequence tickets",
             "select nextval('tickets')",
             "select nextval('tickets')")
        server.kill()
        server.start()
        after_crash = values_of(server,
                           "insert into orders (item) values ('c') returning id",
                           "select nextval('tickets')")
        assert after_crash == [103, 3]  # neither 102 (deleted) nor ticket 2 is issued again
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
