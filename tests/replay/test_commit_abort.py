"""If SQLite refuses a COMMIT after the commit protocol journaled the transaction (the engine checks
deferred keys first, so here the recorder is driven on a bare connection that skips that check), an
abort entry directly follows the commit entry: the transaction rolls back, its GTID is not
committed, and recovery, write-back and restore never apply it; its role changes, applied to the
users file when it was journaled, are undone, and recovery does not apply them."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import apsw
import pytest

from heliosdb_lite.engine.interface import RoleChange
from heliosdb_lite.journal import EntryType, Journal
from heliosdb_lite.replay import txn_table
from heliosdb_lite.replay.commit import CommitService, TransactionRecorder
from heliosdb_lite.replay.recovery import recover
from heliosdb_lite.replay.restore import restore
from heliosdb_lite.server.users import Role, UsersFile

SESSION_ID = b"\x01" * 8


def _transaction(recorder: TransactionRecorder, connection: apsw.Connection, *statements: str,
                 roles: Sequence[RoleChange] = ()) -> None:
    """One write transaction (with `roles` changes) through the recorder; SQLite's refusal of
    COMMIT goes to commit_refused."""
    connection.execute("BEGIN IMMEDIATE")
    recorder.opened(connection)
    for statement in statements:
        connection.execute(statement)
    recorder.committing(connection, None, (), roles)
    try:
        connection.execute("COMMIT")
    except apsw.ConstraintError as error:
        recorder.commit_refused(connection, error)
        recorder.finished(False)
        raise
    recorder.finished(True)


def _violations_and_rows(store: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    connection = apsw.Connection(str(store))
    try:
        return (connection.execute("PRAGMA foreign_key_check").fetchall(),
                connection.execute("SELECT id FROM child ORDER BY id").fetchall())
    finally:
        connection.close()


@pytest.fixture
def aborted(tmp_path: Path) -> Path:
    """A data directory whose journal holds: the schema (1), an aborted commit (2) and its abort (3),
    a good commit (4)."""
    data = tmp_path / "data"
    data.mkdir()
    journal = Journal.open(data / "journal")
    store = data / "store.db"
    connection = apsw.Connection(str(store))
    connection.execute("PRAGMA journal_mode=WAL").fetchall()
    connection.execute("PRAGMA foreign_keys=ON")
    users = UsersFile(data / "users.toml")
    service = CommitService(journal, store, roles=users)
    recorder = service.recorder(SESSION_ID, "postgres", "postgres")
    recorder.attached(connection)
    _transaction(recorder, connection, "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
                 "CREATE TABLE child (id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
                 "INSERT INTO parent VALUES (1)")
    refused_gtid = recorder.next_gtid
    with pytest.raises(apsw.ConstraintError):
        _transaction(recorder, connection, "INSERT INTO child VALUES (99)",
                     roles=[RoleChange("create", "refused", None, True, True)])
    assert not connection.in_transaction
    assert users.roles() == {}  # undone
    assert recorder.next_gtid != refused_gtid  # the aborted GTID is never committed under again
    _transaction(recorder, connection, "INSERT INTO child VALUES (1)",
                 roles=[RoleChange("create", "kept", None, True, False)])
    assert users.roles() == {"kept": Role(None, False)}
    assert [(entry.lsn, entry.entry_type) for entry in journal.read_from(1)] == [
        (1, EntryType.COMMIT), (2, EntryType.COMMIT), (3, EntryType.ABORT), (4, EntryType.COMMIT)]
    refused = txn_table.lookup(connection, bytes.fromhex(refused_gtid.replace("-", "")))
    assert refused is not None and refused.outcome == "aborted"
    assert service.outcome(refused_gtid).status == "not committed"
    journal.sync_durable(journal.last_lsn)
    connection.close()
    service.close()
    journal.close_sync()
    return data


def test_abort_entry_keeps_the_refused_transaction_out(aborted: Path, tmp_path: Path) -> None:
    assert _violations_and_rows(aborted / "store.db") == ([], [(1,)])
    restore(aborted / "journal", tmp_path / "restored", show_progress=False)
    assert _violations_and_rows(tmp_path / "restored" / "store.db") == ([], [(1,)])


def test_recovery_skips_the_aborted_entry(aborted: Path, tmp_path: Path) -> None:
    """A store that lost everything after the schema (as after a power loss) replays the rest."""
    restore(aborted / "journal", tmp_path / "schema_only", to_lsn=1, show_progress=False)
    store = tmp_path / "schema_only" / "store.db"
    users = UsersFile(tmp_path / "users.toml")  # this node's file lacks both entries' roles
    journal = Journal.open(aborted / "journal")
    try:
        report = recover(journal, apsw.Connection(str(store)), roles=users)
    finally:
        journal.close_sync()
    assert (report.applied, report.remaining) == (3, 0)
    assert _violations_and_rows(store) == ([], [(1,)])
    assert users.roles() == {"kept": Role(None, False)}
    assert users.position() == (0, 4)


def test_write_back_of_an_abort_whose_commit_entry_was_lost(aborted: Path, tmp_path: Path) -> None:
    """The store kept the abort's row, the journal lost entries 2-4: write-back puts an entry that
    commits nothing at LSN 2 before the abort, and a restore from the result is still right."""
    short = tmp_path / "short_journal"
    source = Journal.open(aborted / "journal")
    target = Journal.open(short)
    try:
        first = next(iter(source.read_from(1)))
        target.append(first.entry_type, bytes(first.gtid), bytes(first.payload), expect_lsn=1,
                      timestamp_us=first.timestamp_us)
        target.sync_durable(1)
    finally:
        source.close_sync()
    store = tmp_path / "store.db"
    shutil.copy(aborted / "store.db", store)
    try:
        report = recover(target, apsw.Connection(str(store)))
        assert report.written_back == 3  # the stand-in at 2, the abort at 3, the commit at 4
        assert [entry.entry_type for entry in target.read_from(1)] == [
            EntryType.COMMIT, EntryType.FENCE, EntryType.ABORT, EntryType.COMMIT]
    finally:
        target.close_sync()
    restore(short, tmp_path / "restored", show_progress=False)
    assert _violations_and_rows(tmp_path / "restored" / "store.db") == ([], [(1,)])
