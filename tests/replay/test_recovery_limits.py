"""max_replay_time_seconds: recovery that runs out of time stops between batches, says how much is
left, and the commit service then refuses every write and outcome lookup (25006) until a restart."""

from __future__ import annotations

from pathlib import Path

import apsw
import pytest

from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.journal import CommitPayload, EntryType, Journal, WriteSet, encode_payload
from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.replay.recovery import BATCH_ENTRIES, recover

ENTRIES = BATCH_ENTRIES + 500
CREATE = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"


def _journal_of_inserts(directory: Path) -> Journal:
    """A journal whose entries create t and insert one row each, built from real changesets."""
    scratch = apsw.Connection(":memory:")
    scratch.execute(CREATE)
    journal = Journal.open(directory)
    for number in range(1, ENTRIES + 1):
        capture = apsw.Session(scratch, "main")
        capture.attach()
        scratch.execute("INSERT INTO t VALUES (?, ?)", (number, f"row {number}"))
        changeset = capture.changeset()
        capture.close()
        payload = CommitPayload(write_set=WriteSet(tables=["t"], changeset=memoryview(changeset),
                                                   schema_sql=[CREATE] if number == 1 else []))
        journal.append(EntryType.COMMIT, number.to_bytes(16, "big"), encode_payload(payload))
    journal.sync_durable(journal.last_lsn)
    return journal


def _rows(engine: SQLiteEngine) -> int:
    connection = engine.maintenance_connection()
    try:
        return next(iter(connection.execute("SELECT count(*) FROM t")))[0]
    finally:
        connection.close()


def test_recovery_out_of_time_stops_after_a_batch_and_finishes_on_the_next_start(tmp_path: Path) -> None:
    journal = _journal_of_inserts(tmp_path / "journal")
    engine = SQLiteEngine(tmp_path / "data")
    try:
        stopped = recover(journal, engine.maintenance_connection(), max_seconds=1e-9)
        assert (stopped.applied, stopped.remaining) == (BATCH_ENTRIES, ENTRIES - BATCH_ENTRIES)
        assert _rows(engine) == BATCH_ENTRIES

        finished = recover(journal, engine.maintenance_connection())
        assert (finished.store_lsn, finished.applied, finished.remaining) == (
            BATCH_ENTRIES, ENTRIES - BATCH_ENTRIES, 0)
        assert _rows(engine) == ENTRIES
    finally:
        engine.close()
        journal.close_sync()


def test_refused_writes_fail_with_the_reason(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "journal")
    engine = SQLiteEngine(tmp_path / "data")
    service = CommitService(journal, engine.store_path)
    session = engine.open_session("postgres", "postgres", {},
                                  service.recorder(b"\x01" * 8, "postgres", "postgres"))
    try:
        session.execute(session.prepare("create table w (id int)", ()), [])
        service.refuse_writes("recovery stopped early")
        with pytest.raises(DatabaseError) as refused:
            session.execute(session.prepare("insert into w values (1)", ()), [])
        assert refused.value.sqlstate == "25006"
        assert "recovery stopped early" in refused.value.message
        with pytest.raises(DatabaseError) as lookup:
            service.outcome("00000000-0000-0000-0000-000000000001")
        assert lookup.value.sqlstate == "25006"
        rows = session.execute(session.prepare("select count(*) from w", ()), [])
        assert rows.fetch(0) == [(0,)]
    finally:
        session.close()
        service.close()
        engine.close()
        journal.close_sync()
