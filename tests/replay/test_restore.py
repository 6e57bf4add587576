"""`heliosdb-lite restore`: a real server runs a workload (several tables, numeric/text/bytea/boolean/
timestamptz values, create/alter/drop, indexes, explicit and rolled-back transactions), is stopped,
and the journal alone rebuilds its store: all of it, up to an LSN or up to a time.

The store is snapshotted once mid-workload (server stopped, store read, server restarted), which is
the exact state after that LSN and at that time. A `written` table gets row k in the k-th of a
series of transactions whose LSNs the client learns from `heliosdb_txn_outcome`, so a restore to
any LSN must hold exactly the rows written at or before it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from heliosdb_lite.replay.restore import restore
from tests.journal.fakes import write_journal
from tests.replay.store_contents import StoreContents, read_store
from testsupport.server_process import ServerProcess

FIRST_HALF = [
    "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2), "
    "qty integer DEFAULT 0)",
    "CREATE INDEX items_name ON items (name)",
    "INSERT INTO items (name, price, qty) VALUES ('bolt', 0.25, 100), ('nut', 0.10, 250), "
    "('gear ⚙', 12.50, 3), ('it''s', 1.00, 1), (E'two\\nlines', NULL, 7)",
    "CREATE TABLE events (id serial PRIMARY KEY, kind text NOT NULL, amount double precision, "
    "ok boolean, happened timestamptz DEFAULT now(), body bytea)",
    "INSERT INTO events (kind, amount, ok, body) VALUES ('start', 1.5, true, '\\x00ff10'), "
    "('stop', -2.25e10, false, NULL)",
    "ALTER TABLE items ADD COLUMN note text DEFAULT 'none'",
    "UPDATE items SET price = price * 2, note = 'doubled' WHERE qty > 50",
    "CREATE TABLE scratch (k text PRIMARY KEY, v bigint)",
    "INSERT INTO scratch VALUES ('a', 9223372036854775807), ('b', -1)",
]
SECOND_HALF = [
    "DELETE FROM items WHERE qty < 2",
    "DROP TABLE scratch",
    "CREATE UNIQUE INDEX events_kind_id ON events (kind, id)",
    "INSERT INTO events (kind, amount, ok) VALUES ('resume', 0, NULL)",
    "DROP INDEX items_name",
    "ALTER TABLE events ADD COLUMN tag varchar(8)",
    "UPDATE events SET tag = 'x' WHERE ok",
]
TRANSACTION = [
    "INSERT INTO items (name, price, qty) VALUES ('washer', 0.05, 1000)",
    "UPDATE items SET qty = qty - 1 WHERE name = 'bolt'",
    "INSERT INTO events (kind, amount) VALUES ('sold', 0.25)",
]


@dataclass(frozen=True)
class Recorded:
    journal_dir: Path
    final: StoreContents
    snapshot: StoreContents  # the store when the server was stopped mid-workload
    snapshot_time: str  # after every commit of the snapshot, before any later one
    written_lsns: list[int]  # the LSN of the transaction that wrote `written` row k+1

    @property
    def snapshot_lsn(self) -> int:
        return self.snapshot.transactions[-1][0]


def _write_in_order(connection: psycopg.Connection, written_lsns: list[int]) -> None:
    """Insert the next `written` row under a client-named GTID and learn its LSN."""
    gtid = str(uuid.uuid4())
    connection.execute(f"SET heliosdb.gtid = '{gtid}'")
    connection.execute("INSERT INTO written (n) VALUES (%s)", (len(written_lsns) + 1,))
    row = connection.execute("SELECT status, lsn FROM heliosdb_txn_outcome(%s)", (gtid,)).fetchone()
    assert row is not None
    status, lsn = row
    assert status == "committed"
    written_lsns.append(lsn)


def _run(connection: psycopg.Connection, statements: list[str], written_lsns: list[int]) -> None:
    for sql in statements:
        connection.execute(sql)
        _write_in_order(connection, written_lsns)
    with connection.transaction():
        for sql in TRANSACTION:
            connection.execute(sql)
    _write_in_order(connection, written_lsns)
    with pytest.raises(psycopg.errors.UniqueViolation), connection.transaction():
        connection.execute("INSERT INTO items (name) VALUES ('never')")
        connection.execute("INSERT INTO written (n) VALUES (1)")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    data_dir = tmp_path_factory.mktemp("restore") / "data"
    server = ServerProcess(data_dir)
    written_lsns: list[int] = []
    for half in (FIRST_HALF, SECOND_HALF):
        server.start()
        try:
            with psycopg.connect(server.dsn, autocommit=True) as connection:
                if half is FIRST_HALF:
                    connection.execute("CREATE TABLE written (n integer PRIMARY KEY)")
                _run(connection, half, written_lsns)
        finally:
            assert server.terminate() == 0
        if half is FIRST_HALF:
            snapshot = read_store(data_dir / "store.db")
            snapshot_time = dt.datetime.now(dt.UTC).isoformat()
    return Recorded(data_dir / "journal", read_store(data_dir / "store.db"), snapshot, snapshot_time,
                    written_lsns)


def heliosdb_restore(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "heliosdb_lite.cli", "restore", *map(str, args)],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_restore_rebuilds_the_whole_store(recorded: Recorded, tmp_path: Path) -> None:
    into = tmp_path / "restored"
    done = heliosdb_restore("--journal", recorded.journal_dir, "--into", into)
    assert done.returncode == 0, done.stderr
    last_lsn = recorded.final.transactions[-1][0]
    assert f"up to LSN {last_lsn}" in done.stdout
    restored = read_store(into / "store.db")
    assert {"items", "events", "written"} <= set(restored.user_tables)
    assert restored.user_tables == recorded.final.user_tables
    assert restored.schema == recorded.final.schema
    assert restored.tables == recorded.final.tables
    assert restored.transactions == recorded.final.transactions


def test_restore_to_lsn_is_the_state_after_that_entry(recorded: Recorded, tmp_path: Path) -> None:
    into = tmp_path / "restored"
    done = heliosdb_restore("--journal", recorded.journal_dir, "--into", into,
                            "--to-lsn", str(recorded.snapshot_lsn))
    assert done.returncode == 0, done.stderr
    restored = read_store(into / "store.db")
    assert restored.schema == recorded.snapshot.schema
    assert restored.tables == recorded.snapshot.tables
    assert restored.transactions == recorded.snapshot.transactions
    assert "scratch" in restored.user_tables and "scratch" not in recorded.final.user_tables


def test_restore_to_every_lsn_holds_exactly_what_was_written_by_then(recorded: Recorded,
                                                                      tmp_path: Path) -> None:
    last_lsn = recorded.final.transactions[-1][0]
    for lsn in range(1, last_lsn + 1):
        into = tmp_path / f"at-{lsn}"
        report = restore(recorded.journal_dir, into, to_lsn=lsn, show_progress=False)
        assert report.last_lsn == lsn
        restored = read_store(into / "store.db")
        expected = [(k + 1,) for k, written_at in enumerate(recorded.written_lsns) if written_at <= lsn]
        assert restored.tables.get("written", []) == expected, f"restore --to-lsn {lsn}"
        assert [row[0] for row in restored.transactions] == list(range(1, lsn + 1))


def test_restore_to_time_stops_at_the_last_commit_before_it(recorded: Recorded, tmp_path: Path) -> None:
    into = tmp_path / "restored"
    done = heliosdb_restore("--journal", recorded.journal_dir, "--into", into,
                            "--to-time", recorded.snapshot_time)
    assert done.returncode == 0, done.stderr
    restored = read_store(into / "store.db")
    assert restored.tables == recorded.snapshot.tables
    assert restored.transactions == recorded.snapshot.transactions


def test_restore_into_a_non_empty_directory_is_refused(recorded: Recorded, tmp_path: Path) -> None:
    into = tmp_path / "occupied"
    into.mkdir()
    (into / "keep.txt").write_text("precious")
    done = heliosdb_restore("--journal", recorded.journal_dir, "--into", into)
    assert done.returncode == 1
    assert "is not empty" in done.stderr and str(into) in done.stderr
    assert [path.name for path in into.iterdir()] == ["keep.txt"]


def test_restore_from_a_journal_missing_its_first_segment_is_refused(tmp_path: Path) -> None:
    journal_dir = tmp_path / "journal"
    write_journal(journal_dir, [bytes(300)] * 12, segment_size=1024)
    segments = sorted(journal_dir.glob("*.htj"))
    assert len(segments) > 2
    segments[0].unlink()
    into = tmp_path / "restored"
    done = heliosdb_restore("--journal", journal_dir, "--into", into)
    assert done.returncode == 1
    assert "starts at LSN" in done.stderr and "cannot rebuild" in done.stderr
    assert not (into / "store.db").exists()
