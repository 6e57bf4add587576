"""Start-up recovery: reconcile the store with the journal before any connection is accepted.

The store's `max(_helios_txn.lsn)` is the last journal entry it contains (its row commits with the
data). Then:
- journal ahead (kill -9 between append and COMMIT, or a power loss that dropped store writes):
  apply every later entry — SQLite DDL, then the changeset, then its `_helios_txn` row — in large
  SQLite transactions, each entry exactly once (I3);
- store ahead (a power loss dropped journal writes the store kept): write those transactions back
  into the journal from the payload kept in `_helios_txn`, then fsync (I4).
Checksums are verified as entries are read (I6). Progress is logged with counts and an ETA.
A commit entry directly followed by an abort entry naming it (`replay.commit`: SQLite refused its
COMMIT) is not applied; the abort entry's `_helios_txn` row records its GTID as not committed.
A commit entry's role changes go to the server's roles (the users file) as the entry is applied,
each entry's once (`replay.roles`); first, the role changes the users file holds of entries past
the journal's end (written before the journal synced them, then lost with it) are undone.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import apsw

from heliosdb_lite.engine.interface import RoleStore
from heliosdb_lite.errors import DATA_CORRUPTED, DatabaseError
from heliosdb_lite.journal import (
    AbortPayload,
    CommitPayload,
    EntryType,
    EntryView,
    FencePayload,
    Journal,
    decode_payload,
    encode_payload,
)
from heliosdb_lite.replay import metrics, txn_table
from heliosdb_lite.replay.roles import replay_roles
from heliosdb_lite.replay.txn_table import ABORTED, COMMITTED, FENCED
from heliosdb_lite.replay.write_capture import AUTOINCREMENT_TABLE

log = logging.getLogger("heliosdb.recovery")
BATCH_ENTRIES = 5000
PROGRESS_EVERY_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    applied: int
    written_back: int
    store_lsn: int
    journal_lsn: int
    seconds: float
    remaining: int = 0  # entries not applied because max_replay_time_seconds ran out


def _conflict(reason: int, change: apsw.TableChange) -> int:
    raise DatabaseError(DATA_CORRUPTED, f"journal entry does not apply to the store: conflict {reason} on "
                                 f"{change.name} ({change.op})")


class _Batch:
    """Entries applied together: their changesets merged into one (one apply call per batch), their
    `_helios_txn` rows inserted in bulk. DDL flushes the batch first, since a merged changeset must
    apply against one schema."""

    def __init__(self, connection: apsw.Connection, roles: RoleStore | None) -> None:
        self._connection = connection
        self._roles = roles
        self._changes = apsw.ChangesetBuilder()
        self._has_changes = False
        self._records: list[txn_table.TxnRow] = []
        self._autoincrement: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._records)

    def add(self, entry: EntryView, aborted: bool) -> None:
        if aborted:
            return
        if entry.entry_type == EntryType.COMMIT:
            payload = decode_payload(EntryType.COMMIT, entry.payload)
            assert isinstance(payload, CommitPayload)
            write_set = payload.write_set
            if write_set.schema_sql or write_set.steps:
                self.flush()
                for sql in write_set.schema_sql:
                    self._connection.execute(sql)
                for step in write_set.steps:
                    apsw.Changeset.apply(bytes(step.changeset), self._connection, conflict=_conflict)
                    for sql in step.schema_sql:
                        self._connection.execute(sql)
            if len(payload.write_set.changeset):
                self._changes.add(bytes(payload.write_set.changeset))
                self._has_changes = True
            self._autoincrement = dict(payload.write_set.autoincrement)
            replay_roles(self._roles, entry, payload)
            outcome = COMMITTED
            tags = txn_table.format_command_tags([(response.tag, response.rows)
                                                  for response in payload.responses])
        elif entry.entry_type == EntryType.FENCE:
            outcome, tags = FENCED, None
        elif entry.entry_type == EntryType.ABORT:
            outcome, tags = ABORTED, None
        else:
            return
        self._records.append((entry.lsn, bytes(entry.gtid), outcome, entry.timestamp_us, None, tags))

    def flush(self) -> None:
        if self._has_changes:
            apsw.Changeset.apply(self._changes.output(), self._connection, conflict=_conflict)
            self._changes.close()
            self._changes = apsw.ChangesetBuilder()
            self._has_changes = False
        if self._records:
            txn_table.insert_many(self._connection, self._records)
            self._records = []
        if self._autoincrement is not None:
            _set_autoincrement(self._connection, self._autoincrement)
            self._autoincrement = None


def _set_autoincrement(connection: apsw.Connection, marks: dict[str, int]) -> None:
    """Make sqlite_sequence what it was after the last applied transaction."""
    if not connection.table_exists("main", AUTOINCREMENT_TABLE):
        return
    connection.execute(f"DELETE FROM {AUTOINCREMENT_TABLE}")
    connection.executemany(f"INSERT INTO {AUTOINCREMENT_TABLE} (name, seq) VALUES (?, ?)",
                           list(marks.items()))


def _with_aborts(entries: Iterable[EntryView]) -> Iterator[tuple[EntryView, bool]]:
    """Each entry, and whether an abort entry right after it says it does not count."""
    held: EntryView | None = None
    for entry in entries:
        if held is not None:
            yield held, entry.entry_type == EntryType.ABORT and _aborted_lsn(entry) == held.lsn
        held = entry
    if held is not None:
        yield held, False


def _aborted_lsn(entry: EntryView) -> int:
    payload = decode_payload(EntryType.ABORT, entry.payload)
    assert isinstance(payload, AbortPayload)
    return payload.aborted_lsn


def apply_entries(connection: apsw.Connection, entries: Iterable[EntryView], *, to_lsn: int | None = None,
                  total: int = 0, deadline: float | None = None, roles: RoleStore | None = None) -> int:
    """Apply commit and fence entries to the store in batches of BATCH_ENTRIES, each batch one
    SQLite transaction, and their role changes to `roles`; returns how many entries were applied
    (each exactly once: I3). Past `deadline` (time.monotonic()), stops after the current batch."""
    applied = 0
    started = last_report = time.monotonic()
    batch = _Batch(connection, roles)
    # the changesets hold what the transactions' triggers did (a cascade's deletes, ...): firing the
    # triggers again while applying them would do it twice
    connection.config(apsw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0)
    connection.execute("BEGIN IMMEDIATE")
    try:
        for entry, aborted in _with_aborts(entries):
            if to_lsn is not None and entry.lsn > to_lsn:
                break
            batch.add(entry, aborted)
            applied += 1
            if len(batch) >= BATCH_ENTRIES:
                batch.flush()
                connection.execute("COMMIT")
                connection.execute("BEGIN IMMEDIATE")
                now = time.monotonic()
                if now - last_report >= PROGRESS_EVERY_SECONDS:
                    last_report = now
                    rate = applied / (now - started)
                    eta = f", ETA {(total - applied) / rate:.1f} s" if total > applied else ""
                    log.info("replay: %d of %d entries applied (%.0f/s)%s", applied, total, rate, eta)
                if deadline is not None and now > deadline:
                    break
        batch.flush()
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.config(apsw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 1)
    return applied


def recover(journal: Journal, connection: apsw.Connection, *, max_seconds: float = 0,
            roles: RoleStore | None = None) -> RecoveryReport:
    """Bring store and journal into agreement (see module docstring) and `roles` up to the journal;
    closes the connection. With max_seconds > 0, redo stops once that time has passed (`remaining`
    says how much is left)."""
    started = time.monotonic()
    deadline = started + max_seconds if max_seconds > 0 else None
    try:
        connection.execute("PRAGMA foreign_keys=OFF")  # changesets replay rows in write-set order
        txn_table.ensure(connection)
        store_lsn = txn_table.last_lsn(connection)
        journal_lsn = journal.last_lsn
        applied = written_back = 0
        if store_lsn > journal_lsn:
            written_back = _write_back(connection, journal, journal_lsn)
        if roles is not None:
            _undo_lost_roles(roles, journal.last_lsn)
        if journal_lsn > store_lsn:
            total = journal_lsn - store_lsn
            log.info("replay: store at LSN %d, journal at LSN %d: applying %d entries",
                     store_lsn, journal_lsn, total)
            applied = apply_entries(connection, journal.read_from(store_lsn + 1), total=total,
                                    deadline=deadline, roles=roles)
    except Exception:
        metrics.record_replay(succeeded=False, seconds=time.monotonic() - started, applied=0,
                              finished_at=_now_text())
        raise
    finally:
        connection.close()
    seconds = time.monotonic() - started
    metrics.record_replay(succeeded=True, seconds=seconds, applied=applied, finished_at=_now_text())
    if applied or written_back:
        log.info("replay: %d entries applied, %d written back in %.3f s", applied, written_back, seconds)
    remaining = max(0, journal.last_lsn - store_lsn - applied)
    return RecoveryReport(applied, written_back, store_lsn, journal.last_lsn, seconds, remaining)


def _undo_lost_roles(roles: RoleStore, journal_lsn: int) -> None:
    undone = roles.undo_after(journal_lsn)
    if undone:
        log.warning("recovery: the users file held role changes of journal entries after LSN %d, which a "
                    "power loss took before they were synced: roles set back: %s", journal_lsn,
                    ", ".join(undone))


_WRITTEN_BACK_AS = {COMMITTED: EntryType.COMMIT, FENCED: EntryType.FENCE, ABORTED: EntryType.ABORT}


def _write_back(connection: apsw.Connection, journal: Journal, journal_lsn: int) -> int:
    count = 0
    for record in txn_table.records_after(connection, journal_lsn):
        if record.payload is None:
            raise DatabaseError(DATA_CORRUPTED,
                                f"the store holds transaction LSN {record.lsn} that the journal lacks, "
                                "and its payload is gone: cannot write it back")
        if record.outcome == ABORTED and journal.next_lsn == record.lsn - 1:
            # the aborted commit entry was lost with the journal's tail: the abort must follow an
            # entry at its LSN, and one that commits nothing stands in for it
            stand_in = encode_payload(FencePayload(reason="aborted commit"))
            journal.append(EntryType.FENCE, record.gtid, stand_in, expect_lsn=record.lsn - 1,
                           timestamp_us=record.decided_us)
            count += 1
        kind = _WRITTEN_BACK_AS[record.outcome]
        journal.append(kind, record.gtid, record.payload, expect_lsn=record.lsn,
                       timestamp_us=record.decided_us)
        count += 1
    if count:
        journal.sync_durable(journal.last_lsn)
        metrics.WRITTEN_BACK.inc(count)
        log.warning("recovery: %d store-ahead transactions written back into the journal", count)
    return count


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat()
