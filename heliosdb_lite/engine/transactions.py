"""PostgreSQL transaction blocks on one SQLite connection: status I/T/E, savepoints, lazy writes.

A PostgreSQL transaction block does not open a SQLite transaction at once. Under READ COMMITTED
each statement before the first write reads the latest committed state (SQLite autocommit); the
first writing statement issues `BEGIN IMMEDIATE` (waiting up to the busy timeout for the single
SQLite writer, else 55P03), and the block then holds it until COMMIT/ROLLBACK. REPEATABLE READ
and SERIALIZABLE open a deferred SQLite transaction at their first statement, so they read one
snapshot; a later write on a stale snapshot fails with 40001. Savepoints taken before the SQLite
transaction exists are recorded and created when it opens. Outside a block, a writing statement
runs in its own `BEGIN IMMEDIATE ... COMMIT`.

With the server's writer slot (`server/writer_slot.py`) and the commit protocol (`replay/commit.py`,
called through `interface.TransactionLog`), this is the single writer of docs/design.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol, TypeVar

import apsw

from heliosdb_lite.engine import deferred_constraints
from heliosdb_lite.engine.cursors import Cursors
from heliosdb_lite.engine.interface import (
    CommitAlreadyDecided,
    Cursor,
    RoleChange,
    TransactionLog,
    TransactionStatus,
)
from heliosdb_lite.engine.notifications import Notifications
from heliosdb_lite.engine.settings import PRIMARY_HOST_SETTING, SessionSettings
from heliosdb_lite.engine.sql.quoting import quote_name
from heliosdb_lite.engine.sql.utility import TransactionModes
from heliosdb_lite.engine.store.sqlite_errors import database_error
from heliosdb_lite.errors import (
    ACTIVE_SQL_TRANSACTION,
    INVALID_SAVEPOINT_SPECIFICATION,
    NO_ACTIVE_SQL_TRANSACTION,
    READ_ONLY_SQL_TRANSACTION,
    SERIALIZATION_FAILURE,
    SUCCESSFUL_COMPLETION,
    DatabaseError,
)

T = TypeVar("T")
# Statement answers kept for the committing transaction's outcome (the last ones count: a client
# that lost its answer needs those of the request that committed).
MAX_RESPONSES = 64


class TransactionParticipant(Protocol):
    """What ends with a transaction block besides SQLite's work: it learns of the block's begin, end
    and savepoints (numbered from 0, the outermost)."""

    def begin(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def savepoint(self) -> None: ...

    def release(self, depth: int) -> None: ...

    def rollback_to(self, depth: int) -> None: ...


class Transactions:
    """The transaction state of one session."""

    def __init__(self, connection: apsw.Connection, settings: SessionSettings,
                 log: TransactionLog | None = None) -> None:
        self._connection = connection
        self._settings = settings
        self._log = log
        self.notices: list[DatabaseError] = []  # NOTICE/WARNING messages for the client
        self.block: str | None = None  # None, "implicit" or "explicit"
        self.failed = False
        self.implicit_mode = False
        self.started_at = dt.datetime.now(dt.UTC)
        # SET heliosdb.transaction_timestamp: the next transaction's timestamp (a replay keeps the
        # value its client saw), cleared when that transaction ends
        self.pinned_timestamp: dt.datetime | None = None
        self.responses: list[tuple[str, int | None]] = []  # (command tag, rows or None) per statement
        self._sqlite_open = False
        self._writing = False
        self._isolation = "read committed"
        self._read_only = False
        self._savepoints: list[str] = []
        self._materialized = 0
        self._constraints_deferred = False
        # what ends with the block: LISTEN/NOTIFY (sent or dropped) and cursors (closed or held)
        self.notifications = Notifications()
        self.cursors = Cursors()
        self._participants: list[TransactionParticipant] = [self.notifications, self.cursors]
        # the committing transaction's role changes, when the log journals them (`engine.roles`)
        self.take_roles: Callable[[], list[RoleChange]] = list

    @property
    def status(self) -> TransactionStatus:
        if self.block is None:
            return "I"
        return "E" if self.failed else "T"

    @property
    def explicit(self) -> bool:
        return self.block == "explicit"

    @property
    def upgrades_snapshot(self) -> bool:
        """Whether the next write must turn the block's open read snapshot into a write transaction."""
        return self._sqlite_open and not self._writing

    @property
    def writing(self) -> bool:
        """Whether the block has written (its COMMIT runs the commit protocol)."""
        return self._writing

    # --- blocks ----------------------------------------------------------------------------------------

    def begin(self, *, explicit: bool, modes: TransactionModes | None = None) -> None:
        """Start a block (BEGIN, or an implicit one); BEGIN inside a block only sets its modes."""
        if self.block is None:
            self.block = "explicit" if explicit else "implicit"
            self.failed = False
            self.started_at = self.pinned_timestamp or dt.datetime.now(dt.UTC)
            self.responses = []
            self._settings.begin()
            for participant in self._participants:
                participant.begin()
            self._isolation = self._settings.get("default_transaction_isolation") or "read committed"
            self._read_only = self._settings.get("default_transaction_read_only") == "on"
        elif explicit:
            if self.block == "explicit":
                self.notices.append(DatabaseError(ACTIVE_SQL_TRANSACTION,
                                                  "there is already a transaction in progress",
                                                  severity="WARNING"))
            self.block = "explicit"
        if modes is not None:
            self.set_modes(modes)

    def set_modes(self, modes: TransactionModes) -> None:
        """SET TRANSACTION ... (or BEGIN's modes) for the current block."""
        if modes.isolation is not None:
            self._isolation = modes.isolation
        if modes.read_only is not None:
            self._read_only = modes.read_only
        for mode, value in modes.settings().items():
            self._settings.set(f"transaction_{mode}", value, local=True)

    def set_constraints(self, *, deferred: bool) -> None:
        """SET CONSTRAINTS ALL DEFERRED: every foreign key written from now on is checked at COMMIT
        (SQLite's `defer_foreign_keys`, which SQLite turns off when the transaction ends). IMMEDIATE:
        the pending ones are checked now (23503). SQLite cannot make a deferred key immediate again
        (turning `defer_foreign_keys` off forgets the pending violations, so it is never done): keys
        deferred before stay deferred, and a later violation of one fails at COMMIT instead of at
        its statement (docs/sql.md)."""
        if deferred:
            self._constraints_deferred = True
            if self._writing:
                self._connection.execute("PRAGMA defer_foreign_keys = ON")
        elif self._writing:
            deferred_constraints.check(self._connection)
        else:
            self._constraints_deferred = False

    def commit(self, *, statement: bool = False) -> str:
        """COMMIT (statement: the client's own, which warns when no block was begun, even when it
        ends an implicit one, as PostgreSQL does); the tag is ROLLBACK when the block had failed."""
        if statement and not self.explicit:
            self._no_transaction()
        if self.block is None:
            return "COMMIT"
        if self.failed:
            self.rollback()
            return "ROLLBACK"
        try:
            self._finish("COMMIT")
        except BaseException:
            self._settings.rollback()
            self._participants_end(committed=False)
            self._reset()
            raise
        self._settings.commit()
        self._reset()
        self._participants_end(committed=True)  # after the block: they may run statements of their own
        return "COMMIT"

    def notices_add(self, notice: DatabaseError) -> None:
        """A NOTICE or WARNING for the client, from outside this class (the list is replaced when read)."""
        self.notices.append(notice)

    def join(self, participant: TransactionParticipant) -> None:
        self._participants.append(participant)

    def _participants_end(self, *, committed: bool) -> None:
        for participant in self._participants:
            if committed:
                participant.commit()
            else:
                participant.rollback()

    def _no_transaction(self) -> None:
        self.notices.append(DatabaseError(NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress",
                                          severity="WARNING"))

    def rollback(self, *, statement: bool = False) -> None:
        """ROLLBACK (statement: the client's own, which warns when no block was begun)."""
        if statement and not self.explicit:
            self._no_transaction()
        if self.block is None:
            return
        self._finish("ROLLBACK")
        self._settings.rollback()
        self._participants_end(committed=False)
        self._reset()

    def responded(self, cursor: Cursor) -> None:
        """A statement of the transaction was answered with `cursor` (all its rows)."""
        self.responses.append((cursor.complete_tag(), None if cursor.columns is None else len(cursor.rows)))
        if len(self.responses) > MAX_RESPONSES:
            del self.responses[0]

    def _reset(self) -> None:
        self.pinned_timestamp = None
        self.block = None
        self.failed = False
        self._savepoints.clear()
        self._materialized = 0
        self._constraints_deferred = False

    def _finish(self, command: str) -> None:
        if self._sqlite_open:
            writing = self._writing
            self._sqlite_open = self._writing = False
            if writing and command == "COMMIT":
                self._commit_writes()
                return
            if self._connection.in_transaction:
                self._connection.execute(command)
            self._log_finished(False, writing)

    def _start_writing(self) -> None:
        self._writing = True
        if self._constraints_deferred:
            self._connection.execute("PRAGMA defer_foreign_keys = ON")
        if self._log is not None:
            self._log.opened(self._connection)

    def _log_finished(self, committed: bool, writing: bool = True) -> None:
        if self._log is not None and writing:
            self._log.finished(committed)
            if self._settings.get("heliosdb.gtid", missing_ok=True) != "":  # each change empties caches
                self._settings.set("heliosdb.gtid", "")

    def _commit_writes(self) -> None:
        """COMMIT a SQLite write transaction through the commit protocol (docs/design.md steps 1-4): what
        SQLite would refuse at COMMIT is refused before the journal append, as 23503."""
        connection = self._connection
        roles = self.take_roles()
        try:
            deferred_constraints.check(connection)
            if self._log is not None:
                self._log.committing(connection, self._settings.get("heliosdb.gtid", missing_ok=True) or None,
                                     self.responses, roles)
        except CommitAlreadyDecided as decided:
            connection.execute("ROLLBACK")  # the recorded outcome stands: COMMIT, nothing applied twice
            self._log_finished(False)
            self.notices.append(DatabaseError(SUCCESSFUL_COMPLETION, decided.notice, severity="NOTICE"))
            return
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            self._log_finished(False)
            raise
        try:
            connection.execute("COMMIT")
        except apsw.Error as error:
            if self._log is not None:
                self._log.commit_refused(connection, error)  # returns only if the entry was aborted
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            self._log_finished(False)
            raise database_error(error) from None
        except BaseException:
            self._log_finished(False)  # after a journal append this ends the process (see replay.commit)
            raise
        self._log_finished(True)

    def fail(self) -> None:
        """A statement failed: a block enters the failed state; SQLite may have rolled back on its own."""
        if self.block is not None:
            self.failed = True
        if self._sqlite_open and not self._connection.in_transaction:
            self._log_finished(False, self._writing)
            self._sqlite_open = self._writing = False
            self._materialized = 0

    # --- savepoints ------------------------------------------------------------------------------------

    def _require_block(self, command: str) -> None:
        if not self.explicit:
            raise DatabaseError(NO_ACTIVE_SQL_TRANSACTION,
                                f"{command} can only be used in transaction blocks")

    def savepoint(self, name: str) -> None:
        self._require_block("SAVEPOINT")
        self._savepoints.append(name)
        for participant in self._participants:
            participant.savepoint()
        if self._sqlite_open:
            self._connection.execute(f"SAVEPOINT {quote_name(name)}")
            self._materialized = len(self._savepoints)

    def _find(self, name: str) -> int:
        for index in range(len(self._savepoints) - 1, -1, -1):
            if self._savepoints[index] == name:
                return index
        raise DatabaseError(INVALID_SAVEPOINT_SPECIFICATION, f'savepoint "{name}" does not exist')

    def release(self, name: str) -> None:
        self._require_block("RELEASE SAVEPOINT")
        index = self._find(name)
        if index < self._materialized:
            self._connection.execute(f"RELEASE SAVEPOINT {quote_name(name)}")
            self._materialized = index
        del self._savepoints[index:]
        for participant in self._participants:
            participant.release(index)

    def rollback_to(self, name: str) -> None:
        self._require_block("ROLLBACK TO SAVEPOINT")
        index = self._find(name)
        if index < self._materialized:
            self._connection.execute(f"ROLLBACK TO SAVEPOINT {quote_name(name)}")
            self._materialized = index + 1
        del self._savepoints[index + 1:]
        for participant in self._participants:
            participant.rollback_to(index)
        self.failed = False

    # --- statements ------------------------------------------------------------------------------------

    def before_statement(self, writes: bool, command: str) -> None:
        """Open what the block needs before a statement: the write lock for a writer, a snapshot
        for REPEATABLE READ / SERIALIZABLE."""
        if writes and self.block is not None and self._read_only:
            primary = self._settings.get(PRIMARY_HOST_SETTING, missing_ok=True)
            raise DatabaseError(READ_ONLY_SQL_TRANSACTION,
                                f"cannot execute {command} in a read-only transaction",
                                hint=f"This server is a hot standby: send writes to the primary at {primary}."
                                if primary else None)
        if self.block is None:
            return
        if writes and not self._writing:
            if not self._sqlite_open:
                self._open("BEGIN IMMEDIATE")
            self._start_writing()
        elif not self._sqlite_open and self._isolation in ("repeatable read", "serializable"):
            self._open("BEGIN")

    def run_in_block(self, writes: bool, command: str, run: Callable[[], T]) -> T:
        """Run a statement inside the block. A write that must upgrade a REPEATABLE READ snapshot
        while another session holds the SQLite writer cannot wait (SQLite refuses at once, and the
        snapshot would be stale once that writer commits): it fails with 40001, as PostgreSQL's
        does when the concurrent writer commits."""
        upgrading = writes and self._sqlite_open and not self._writing
        self.before_statement(writes, command)
        try:
            return run()
        except apsw.BusyError:
            if not upgrading:
                raise
            raise DatabaseError(SERIALIZATION_FAILURE,
                                "could not serialize access due to concurrent update") from None

    def _open(self, command: str) -> None:
        try:
            self._connection.execute(command)
        except apsw.Error as error:
            raise database_error(error) from None
        self._sqlite_open = True
        for name in self._savepoints:
            self._connection.execute(f"SAVEPOINT {quote_name(name)}")
        self._materialized = len(self._savepoints)

    def autocommit(self, writes: bool, run: Callable[[], T]) -> T:
        """Run a statement outside any block: writers in their own immediate transaction."""
        if not writes:
            return run()
        self.responses = []
        try:
            self._connection.execute("BEGIN IMMEDIATE")
        except apsw.Error as error:
            raise database_error(error) from None
        try:
            if self._log is not None:
                self._log.opened(self._connection)
            result = run()
        except BaseException:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            self._log_finished(False)
            raise
        self._commit_writes()
        return result
