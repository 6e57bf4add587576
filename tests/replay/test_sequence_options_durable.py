"""A sequence's options (AS type, bounds, increment, CYCLE, CACHE, OWNED BY) and its state (last
value, is_called) are journaled with it: after a SIGKILL the server goes on where it was, a
restored store holds the same rows, and a store made before the option columns existed gets them
when it is opened."""

from __future__ import annotations

from pathlib import Path

import apsw

from heliosdb_lite.engine.store import initialise
from tests.replay.statements import assert_restore_rebuilds, values_of
from tests.replay.store_contents import read_store
from testsupport.server_process import ServerProcess


def test_sequence_options_and_values_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        values_of(server,
             "create sequence down as smallint increment by -2 minvalue -5 maxvalue 5 start 1 cycle cache 4",
             "select nextval('down')",
             "select nextval('down')",
             "create sequence capped maxvalue 3",
             "select setval('capped', 2, false)",
             "create table holder (id int)",
             "create sequence held owned by holder.id",
             "create sequence renamed_from increment 10",
             "select nextval('renamed_from')",
             "alter sequence renamed_from rename to renamed_to",
             "alter sequence renamed_to increment 5 maxvalue 100",
             "create temporary sequence scratch",
             "select nextval('scratch')")
        server.kill()
        server.start()
        after_crash = values_of(server,
                           "select nextval('down')",  # -1 was last: -3, -5, then CYCLE to 5
                           "select nextval('down')",
                           "select nextval('down')",
                           "select nextval('capped')",  # setval(.., false): 2 itself
                           "select nextval('capped')",
                           "select nextval('capped')",  # past MAXVALUE 3: 2200H
                           "select nextval('renamed_to')",
                           "select nextval('renamed_from')",
                           "drop table holder",
                           "select nextval('held')",  # dropped with its table: 42P01
                           "select nextval('scratch')")  # temporary: gone with its session
        assert after_crash == [-3, -5, 5, 2, 3, "2200H", 6, "42P01", None, "42P01", "42P01"]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
    options = read_store(tmp_path / "data" / "store.db").tables["_helios_sequence_options"]
    assert ("down", -5, 5, 4, 1, 21) in [row[:1] + row[3:8] for row in options]


def test_a_store_made_before_the_option_columns_gets_them(tmp_path: Path) -> None:
    """The first release's tables keep their rows and gain the new columns with their defaults: a
    sequence created then still counts from its last value by its increment."""
    tmp_path.mkdir(exist_ok=True)
    connection = apsw.Connection(str(tmp_path / "store.db"))
    connection.execute("CREATE TABLE _helios_sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                       "CREATE TABLE _helios_sequence_options (name TEXT PRIMARY KEY, "
                       "start INTEGER NOT NULL, increment INTEGER NOT NULL);"
                       "INSERT INTO _helios_sequences VALUES ('old', 7);"
                       "INSERT INTO _helios_sequence_options VALUES ('old', 1, 3)")
    connection.close()
    initialise(tmp_path, 1000)
    connection = apsw.Connection(str(tmp_path / "store.db"))
    rows = connection.execute("SELECT s.*, o.* FROM _helios_sequences s JOIN _helios_sequence_options o "
                              "USING (name)").fetchall()
    assert rows == [("old", 7, 1, "old", 1, 3, None, None, 1, 0, 20, None, None)]
