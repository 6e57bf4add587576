"""The commit protocol (docs/design.md steps 1-4) for one session, and GTID outcome lookups with fencing.

`CommitService` is shared by all sessions: it owns the journal and a private store connection for
outcome lookups. `TransactionRecorder` is one session's side; the engine calls it at the points of
a SQLite write transaction:

  opened(conn)     after BEGIN IMMEDIATE: attach an SQLite session (changeset capture, rowid
                   tables included) and start recording DDL the connection runs;
  committing(conn) before COMMIT, write lock held: changeset → payload; `_helios_txn` row with the
                   journal's next LSN; journal append (write(), no fsync) with that same LSN; the
                   transaction's role changes, if any, applied to the users file with the entry's
                   position (`replay.roles`: before COMMIT, so recovery, which redoes every entry
                   the store lacks, finds each one either applied or still to apply) and what
                   undoes them, which recovery uses when a power loss took the unsynced entry;
  commit_refused   SQLite's COMMIT raised after the append (see below);
  finished(ok)     after COMMIT or ROLLBACK.

Every journal append happens with SQLite's single write lock held, so LSN order is commit order.
Steps 5-6 (await `journal.durable`, then acknowledge) are the server's: `CommitService.visible()`.

What SQLite checks at COMMIT (deferred foreign keys) the engine checks before `committing`
(`engine.deferred_constraints`), so SQLite's COMMIT is not expected to fail after the append. If it
still refuses while the transaction stays open (a constraint: not the machine's fault), an ABORT
entry naming the commit entry is appended at once, write lock still held, so it directly follows
it; the transaction rolls back, the abort is recorded in `_helios_txn`, and recovery, restore and
standbys skip the aborted entry. Any other failure (I/O, a full disk, corruption, or a transaction
SQLite already ended) leaves the store's state unknown: the process exits at once, and recovery
applies the entry — a transaction nobody was told about, whose outcome lookup says committed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol

import apsw

from heliosdb_lite import fault_points
from heliosdb_lite.engine.functions import effects
from heliosdb_lite.engine.functions.heliosdb_table_functions import column_names
from heliosdb_lite.engine.interface import CommitAlreadyDecided, RoleChange, RoleStore
from heliosdb_lite.errors import (
    ACTIVE_SQL_TRANSACTION,
    INVALID_TEXT_REPRESENTATION,
    READ_ONLY_SQL_TRANSACTION,
    SERIALIZATION_FAILURE,
    TRANSACTION_FENCED,
    DatabaseError,
)
from heliosdb_lite.journal import (
    AbortPayload,
    CommitPayload,
    EntryType,
    FencePayload,
    Journal,
    SessionState,
    WriteSet,
)
from heliosdb_lite.journal.payload import CommandResponse, encode_payload
from heliosdb_lite.replay import metrics, txn_table
from heliosdb_lite.replay.roles import role_records
from heliosdb_lite.replay.txn_table import ABORTED, COMMITTED, FENCED, TxnRecord
from heliosdb_lite.replay.write_capture import AUTOINCREMENT_TABLE, WriteCapture

log = logging.getLogger("heliosdb.replay")

_EXIT_COMMIT_FAILED = 70
# COMMIT failures that are the machine's fault, after which SQLite's state is not to be trusted
_MACHINE_FAULTS = (apsw.IOError, apsw.FullError, apsw.CorruptError, apsw.NoMemError, apsw.NotADBError,
                   apsw.CantOpenError, apsw.ProtocolError)


def parse_gtid(text: str) -> bytes:
    try:
        return uuid.UUID(text.strip()).bytes
    except (ValueError, AttributeError) as error:
        raise DatabaseError(INVALID_TEXT_REPRESENTATION, f'invalid input syntax for type uuid: "{text}"',
                            hint="A GTID is a UUID.") from error


def autoincrement_marks(connection: apsw.Connection) -> dict[str, int]:
    """sqlite_sequence as a map: serial columns' high-water marks, which changesets cannot carry
    (SQLite updates that table internally, and merged changesets cancel an insert and its delete)."""
    if not connection.table_exists("main", AUTOINCREMENT_TABLE):
        return {}
    marks = connection.execute(f"SELECT name, seq FROM {AUTOINCREMENT_TABLE}")
    return {str(name): int(seq) for name, seq in marks}


def format_gtid(gtid: bytes) -> str:
    return str(uuid.UUID(bytes=gtid))


@dataclass(frozen=True, slots=True)
class Outcome:
    gtid: str
    status: str  # "committed" | "not committed"
    lsn: int | None
    decided_at_us: int | None
    command_tags: str | None = None  # txn_table's column: what the committing request was answered


class StandbyBarrier(Protocol):
    """The standby half of the durability barrier (`replication.node`)."""

    def replicated_now(self, lsn: int) -> bool: ...

    async def replicated(self, lsn: int) -> None: ...


class CommitService:
    """The journal and the store connection used for outcome lookups, shared by all sessions."""

    def __init__(self, journal: Journal, store_path: Path, *, busy_timeout_ms: int = 30_000,
                 roles: RoleStore | None = None) -> None:
        self.journal = journal
        self.roles = roles  # the server's roles, when this journal carries their changes (postgres's)
        self._store_path = store_path
        self._busy_timeout_ms = busy_timeout_ms
        self._lock = threading.Lock()
        self._closed = False
        self._checkpoint_running = threading.Lock()
        self.writes_refused: str | None = None  # why: start-up recovery did not finish, a standby, fenced
        self._refusal_hint = ""
        self.replication: StandbyBarrier | None = None
        self.connection_hooks: list[Callable[[apsw.Connection], None]] = []  # run on each session connection
        self._payloads_dropped_to = 0  # checkpoints dropped the payloads of every row up to this LSN
        self._connection = apsw.Connection(str(store_path))
        self._connection.set_busy_timeout(busy_timeout_ms)
        self._connection.execute("PRAGMA wal_autocheckpoint=0")

    def recorder(self, session_id: bytes, user: str, database: str) -> TransactionRecorder:
        return TransactionRecorder(self, session_id, user, database)

    def visible_now(self) -> bool:
        """Whether `visible` has nothing to wait for (the common case of a statement that did not
        commit: the event loop then runs no coroutine for it)."""
        lsn = self.journal.last_lsn
        return lsn <= self.journal.flushed_lsn and (self.replication is None
                                                     or self.replication.replicated_now(lsn))

    async def visible(self) -> None:
        """Wait until every journal entry appended so far is durable (I1 for our own commit, I2 for
        any data a statement could have read)."""
        lsn = self.journal.last_lsn
        if lsn > self.journal.flushed_lsn:
            await self.journal.durable(lsn)
        if self.replication is not None and not self.replication.replicated_now(lsn):
            await self.replication.replicated(lsn)

    def refuse_writes(self, reason: str, *, hint: str = "Restart the server to let recovery finish.") -> None:
        """From now on every write transaction and outcome lookup fails with 25006 and `reason`."""
        self.writes_refused = reason
        self._refusal_hint = hint

    def check_writable(self) -> None:
        if self.writes_refused is not None:
            raise DatabaseError(READ_ONLY_SQL_TRANSACTION, f"writes are refused: {self.writes_refused}",
                                hint=self._refusal_hint)

    def outcome(self, gtid_text: str) -> Outcome:
        """The GTID's outcome; a GTID not committed is fenced first, so it can never commit (I5)."""
        self.check_writable()
        gtid = parse_gtid(gtid_text)
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                record = txn_table.lookup(connection, gtid)
                if record is None:
                    record = self._fence(connection, gtid)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        metrics.OUTCOME_LOOKUPS.labels(record.outcome).inc()
        if record.outcome == COMMITTED:
            return Outcome(format_gtid(gtid), "committed", record.lsn, record.decided_us, record.command_tags)
        return Outcome(format_gtid(gtid), "not committed", None, None)

    def _fence(self, connection: apsw.Connection, gtid: bytes) -> TxnRecord:
        payload = encode_payload(FencePayload(reason="outcome lookup"))
        record = TxnRecord(self.journal.next_lsn, gtid, FENCED, time.time_ns() // 1000, payload)
        txn_table.insert(connection, record)
        self.journal.append(EntryType.FENCE, gtid, payload, expect_lsn=record.lsn,
                            timestamp_us=record.decided_us)
        return record

    def checkpoint(self, *, retention_hours: int) -> int | None:
        """Checkpoint the store once the journal is durable past everything in it; then let the
        journal release segments, drop payloads kept for write-back, and expire old outcomes.
        Returns the checkpointed LSN, or None when SQLite could not checkpoint everything.

        In the `async` sync mode `sync_durable` does not sync, so the store may become durable
        ahead of the journal: payloads are dropped, and segments released, only up to the LSN a
        completed journal sync covers, so a power loss can still write those transactions back."""
        with self._lock:
            if self._closed:  # a checkpoint the journal asked for before the database closed
                return None
            connection = self._connection
            store_lsn = txn_table.last_lsn(connection)
            self.journal.sync_durable(store_lsn)
            durable_lsn = min(store_lsn, self.journal.flushed_lsn)
            wal_frames, checkpointed = connection.wal_checkpoint(mode=apsw.SQLITE_CHECKPOINT_PASSIVE)
            if wal_frames != checkpointed:
                return None
            connection.execute("BEGIN IMMEDIATE")
            try:
                txn_table.drop_payloads(connection, self._payloads_dropped_to, durable_lsn)
                txn_table.drop_outcomes(connection, time.time_ns() // 1000 - retention_hours * 3_600_000_000)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            self._payloads_dropped_to = max(self._payloads_dropped_to, durable_lsn)
        self.journal.mark_checkpointed(durable_lsn)
        return store_lsn

    def checkpoint_soon(self, *, retention_hours: int) -> None:
        """Start a checkpoint in the background (the journal asks when it is full); never blocks."""
        if self._checkpoint_running.acquire(blocking=False):
            def work() -> None:
                try:
                    self.checkpoint(retention_hours=retention_hours)
                except Exception:
                    log.exception("checkpoint requested by a full journal failed")
                finally:
                    self._checkpoint_running.release()

            threading.Thread(target=work, name="checkpoint", daemon=True).start()

    def register_functions(self, connection: apsw.Connection, decided: Callable[[bytes], None]) -> None:
        """`heliosdb_txn_outcome(gtid)` as a table-valued function on a session connection; every
        GTID it reports is passed to `decided` (it is decided for good, committed or fenced)."""

        def outcome_rows(requested_gtid: str) -> Iterator[tuple[Any, ...]]:
            if connection.txn_state("main") == apsw.SQLITE_TXN_WRITE:
                raise DatabaseError(ACTIVE_SQL_TRANSACTION,
                                    "heliosdb_txn_outcome cannot run in a transaction that has written",
                                    hint="A lookup takes the writer slot this transaction holds: run it "
                                         "before the first write, or after COMMIT or ROLLBACK.")
            result = self.outcome(requested_gtid)
            decided(parse_gtid(result.gtid))
            yield (result.gtid, result.status, result.lsn, _timestamp_text(result.decided_at_us),
                   result.command_tags)

        def metrics_rows() -> Iterator[tuple[Any, ...]]:
            values = metrics.snapshot(sum(segment.size for segment in self.journal.segments))
            yield tuple(values[name] for name in column_names("heliosdb_replay_metrics"))

        for name, rows in (("heliosdb_txn_outcome", outcome_rows), ("heliosdb_replay_metrics", metrics_rows)):
            effects.table(connection, name, rows, column_names(name), waits=name == "heliosdb_txn_outcome")
        for hook in self.connection_hooks:
            hook(connection)

    def close(self) -> None:
        with self._lock:  # after a checkpoint running on another thread (DROP DATABASE, shutdown)
            self._closed = True
            self._connection.close()


def _timestamp_text(micros: int | None) -> str | None:
    if micros is None:
        return None
    seconds, fraction = divmod(micros, 1_000_000)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f".{fraction:06d}+00"


class TransactionRecorder:
    """One session's part of the commit protocol; called by the engine (see module docstring)."""

    def __init__(self, service: CommitService, session_id: bytes, user: str, database: str) -> None:
        assert len(session_id) == 8
        self._service = service
        self._session_id = session_id
        self._state = SessionState(user=user, database=database)
        self._capture: WriteCapture | None = None
        self._own_gtid_used = False
        self._appended = False
        self._appended_gtid = b""
        self._roles_undo: list[RoleChange] = []  # what undoes the appended entry's role changes
        self.next_sequence = 1
        self.last_commit_lsn = 0

    def attached(self, connection: apsw.Connection) -> None:
        """The session's store connection exists: continue its commit sequence, watch its DDL."""
        txn_table.ensure(connection)
        connection.execute("PRAGMA wal_autocheckpoint=0")
        self.next_sequence = txn_table.next_sequence(connection, self._session_id)
        self._service.register_functions(connection, self._decided)

    @property
    def journals_roles(self) -> bool:
        return self._service.roles is not None

    @property
    def next_gtid(self) -> str:
        return format_gtid(self._session_id + self.next_sequence.to_bytes(8, "big"))

    def _decided(self, gtid: bytes) -> None:
        """`gtid` is decided for good (committed, or fenced by a lookup): if it is this session's next
        GTID or a later one, the session's sequence moves past it, so it is never committed under."""
        if gtid[:8] == self._session_id:
            self.next_sequence = max(self.next_sequence, int.from_bytes(gtid[8:], "big") + 1)

    def opened(self, connection: apsw.Connection) -> None:
        self._service.check_writable()
        self._capture = WriteCapture(connection)

    def committing(self, connection: apsw.Connection, requested_gtid: str | None,
                   responses: Sequence[tuple[str, int | None]] = (),
                   roles: Sequence[RoleChange] = ()) -> None:
        """Record and journal the transaction with the `responses` of the committing request's
        statements and its role changes (applied once journaled); raises CommitAlreadyDecided,
        40P02 (fenced) or 40001."""
        capture = self._capture
        if capture is None:
            return
        write_set = capture.write_set(autoincrement_marks(connection))
        if write_set is None:
            if not roles:
                return
            write_set = WriteSet(autoincrement=autoincrement_marks(connection))
        self._own_gtid_used = requested_gtid is None
        gtid = parse_gtid(requested_gtid) if requested_gtid else \
            self._session_id + self.next_sequence.to_bytes(8, "big")
        answers = [CommandResponse(*response) for response in responses]
        payload = encode_payload(CommitPayload(write_set=write_set, session=self._state, responses=answers,
                                               roles=role_records(roles)))
        journal = self._service.journal
        record = TxnRecord(journal.next_lsn, gtid, COMMITTED, time.time_ns() // 1000, payload,
                           txn_table.format_command_tags(responses))
        existing = txn_table.insert_undecided(connection, record)
        if existing is not None:
            self._refuse(gtid, existing)
        journal.append(EntryType.COMMIT, gtid, payload, expect_lsn=record.lsn, timestamp_us=record.decided_us)
        fault_points.crash_if_hit("journal_appended")
        self._appended = True
        self._appended_gtid = gtid
        self.last_commit_lsn = record.lsn
        if roles:
            assert self._service.roles is not None
            self._roles_undo = self._service.roles.apply(roles, (journal.epoch, record.lsn),
                                                         journal.flushed_lsn)
            fault_points.crash_if_hit("roles_applied")
        metrics.COMMITS.inc()

    def has_room(self, size: int) -> bool:
        return self._service.journal.has_room(size)

    def _refuse(self, gtid: bytes, existing: TxnRecord) -> NoReturn:
        """`gtid` is already decided, so this transaction commits nothing. A client-named GTID that
        committed before is reported as committed (CommitAlreadyDecided). The session's own GTID was
        fenced by a lookup, or committed by a twin session resuming the same session id: the
        sequence moves past it and the transaction fails, since its client expects it to commit
        under that GTID."""
        if self._own_gtid_used:
            self._decided(gtid)
            if existing.outcome == COMMITTED:
                raise DatabaseError(SERIALIZATION_FAILURE,
                                    f"transaction {format_gtid(gtid)} was already committed by another "
                                    "session with the same session id; this transaction was rolled back",
                                    hint=f"Retry it: it commits as {self.next_gtid}.")
        elif existing.outcome == COMMITTED:
            raise CommitAlreadyDecided(
                f"transaction {format_gtid(gtid)} was already committed at LSN {existing.lsn}; "
                "nothing was applied again")
        raise DatabaseError(TRANSACTION_FENCED,
                            f"transaction {format_gtid(gtid)} was fenced by an outcome lookup "
                            "and can never commit",
                            hint="Its outcome was reported as not committed; retry it with a new GTID.")

    def commit_refused(self, connection: apsw.Connection, error: BaseException) -> None:
        """SQLite's COMMIT raised `error` after `committing` appended the entry (module docstring):
        abort the entry and roll back when SQLite refused with the transaction still open; exit
        otherwise."""
        if not self._appended:
            return
        if isinstance(error, _MACHINE_FAULTS) or not connection.in_transaction:
            self._exit_for_recovery(f"SQLite COMMIT failed ({error})")
        journal = self._service.journal
        gtid, aborted_lsn = self._appended_gtid, self.last_commit_lsn
        payload = encode_payload(AbortPayload(aborted_lsn=aborted_lsn, reason=str(error)))
        record = TxnRecord(journal.next_lsn, gtid, ABORTED, time.time_ns() // 1000, payload)
        assert record.lsn == aborted_lsn + 1, "the abort entry must directly follow the entry it aborts"
        journal.append(EntryType.ABORT, gtid, payload, expect_lsn=record.lsn, timestamp_us=record.decided_us)
        connection.execute("ROLLBACK")
        if self._roles_undo:
            assert self._service.roles is not None
            self._service.roles.apply(self._roles_undo)
            self._roles_undo = []
        connection.execute("BEGIN IMMEDIATE")
        txn_table.insert(connection, record)
        connection.execute("COMMIT")
        self._appended = False
        self._decided(gtid)
        metrics.COMMITS_ABORTED.inc()
        log.error("SQLite refused the COMMIT of journal entry %d (%s): abort entry %d appended, "
                  "transaction %s rolled back", aborted_lsn, error, record.lsn, format_gtid(gtid))

    def _exit_for_recovery(self, why: str) -> NoReturn:
        log.critical("%s after journal entry %d was appended: exiting so recovery applies it",
                     why, self.last_commit_lsn)
        os._exit(_EXIT_COMMIT_FAILED)

    def finished(self, committed: bool) -> None:
        """After SQLite's COMMIT/ROLLBACK; `committed` False after an appended entry is fatal."""
        if self._capture is not None:
            self._capture.close()
            self._capture = None
        if self._appended and not committed:
            self._exit_for_recovery("the transaction ended without SQLite's COMMIT")
        if self._appended and self._own_gtid_used:
            self.next_sequence += 1
        self._appended = self._own_gtid_used = False
        self._roles_undo = []
