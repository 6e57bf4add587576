"""The seam between the server and SQL: what a Session may ask of the engine.

The server knows nothing of SQL text beyond handing it over; the engine knows nothing of sockets.
Every method here is synchronous and may block (SQLite work): the server calls them from a worker
thread, one call at a time per session, except `cancel()` which may be called from any thread.

Values crossing the seam are Python objects in the codec value model (`protocol.codecs`): the
server decodes bound parameters by the statement's parameter type OIDs before `execute`, and
encodes result values by each `Column.type_oid`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.codecs.styles import TextStyle

TransactionStatus = Literal["I", "T", "E"]  # idle, in transaction, failed transaction


@dataclass(frozen=True, slots=True)
class Column:
    """One result column, as RowDescription reports it."""

    name: str
    type_oid: int
    type_modifier: int = -1
    table_oid: int = 0
    column_number: int = 0


@dataclass(frozen=True, slots=True)
class CopySpec:
    """A COPY statement the server must drive: rows flow over CopyData messages.

    direction "in": the server decodes incoming rows with `columns` types and calls
    `EngineSession.copy_in_rows`; "out": `Statement.execute` returns the rows to send.
    format is "text", "csv" or "binary"; delimiter/null/header/quote/escape as in PostgreSQL's COPY
    options (text and csv only); encoding is the text and csv data's encoding when COPY names one
    (None: the client encoding); force_quote, force_not_null and force_null flag the columns of
    CSV's FORCE_QUOTE (out), FORCE_NOT_NULL and FORCE_NULL (in), by position (empty: none).
    """

    direction: Literal["in", "out"]
    columns: tuple[Column, ...]
    format: Literal["text", "csv", "binary"] = "text"
    delimiter: str = "\t"
    null: str = "\\N"
    header: bool = False
    quote: str = '"'
    escape: str = '"'
    encoding: str | None = None
    force_quote: tuple[bool, ...] = ()
    force_not_null: tuple[bool, ...] = ()
    force_null: tuple[bool, ...] = ()
    relation: str = field(default="", compare=False)  # the table's name as written (errors' CONTEXT)


@dataclass(slots=True)
class Cursor:
    """The result of executing a statement.

    rows is consumed incrementally with `fetch(n)` so Execute with a row limit can suspend.
    command_tag(n_rows_sent) builds the CommandComplete tag once the rows are exhausted
    ("SELECT 3", "INSERT 0 1", "UPDATE 2", "BEGIN", ...).
    """

    columns: tuple[Column, ...] | None
    tag: str
    row_count: int | None = None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    position: int = 0

    def fetch(self, max_rows: int) -> list[tuple[Any, ...]]:
        """Up to max_rows rows (all remaining when max_rows <= 0)."""
        start = self.position
        end = len(self.rows) if max_rows <= 0 else min(len(self.rows), start + max_rows)
        self.position = end
        return self.rows[start:end]

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self.rows)

    def complete_tag(self) -> str:
        """The CommandComplete tag once every row is sent."""
        if self.row_count is None and self.tag == "SELECT":
            return f"SELECT {len(self.rows)}"
        return self.command_tag()

    def command_tag(self) -> str:
        """The CommandComplete tag: for row-returning statements the count is rows sent."""
        if self.row_count is not None:
            return f"{self.tag} {self.row_count}"
        if self.tag == "SELECT":
            return f"SELECT {self.position}"
        return self.tag


class Statement(Protocol):
    """A parsed statement (named or unnamed prepared statement, or one simple-query statement)."""

    @property
    def sql(self) -> str: ...

    @property
    def param_oids(self) -> tuple[int, ...]:
        """Parameter types, inferred where the client left them unspecified (0)."""
        ...

    @property
    def columns(self) -> tuple[Column, ...] | None:
        """Result columns, or None when the statement returns no rows (NoData)."""
        ...

    @property
    def copy(self) -> CopySpec | None:
        """Set for COPY ... FROM STDIN / TO STDOUT."""
        ...

    @property
    def writes(self) -> bool:
        """Whether running it writes the store (it needs the writer slot)."""
        ...


class EngineSession(Protocol):
    """One client session's view of the database (its own SQLite connection)."""

    @property
    def transaction_status(self) -> TransactionStatus: ...

    @property
    def transaction_writes(self) -> bool:
        """Whether the open transaction has written: its COMMIT goes through the commit protocol
        (journal append, durability wait); without writes a COMMIT only ends a read."""
        ...

    def split(self, sql: str) -> list[str]:
        """Split a simple-query string into statements ([] for an empty query)."""
        ...

    def prepare(self, sql: str, param_oids: Sequence[int]) -> Statement:
        """Parse one statement; raises DatabaseError (42601 on several statements)."""
        ...

    def prepared(self, sql: str, param_oids: Sequence[int]) -> Statement | None:
        """What `prepare(sql, param_oids)` would return, when that is known without parsing (a
        driver's Parse of a text it sent before); None otherwise: split and prepare then."""
        ...

    def execute(self, statement: Statement, params: Sequence[Any], *,
                yield_after: float | None = None, wait_for_locks: bool = True) -> Cursor:
        """Run a prepared statement with decoded parameters; raises DatabaseError. With
        `yield_after` (seconds; only for a statement `can_start_over` accepts), a run that lasts
        longer is interrupted and undone without a trace: StatementYielded, to run it again
        without the bound (elsewhere: a worker thread). With `yield_after` or without
        `wait_for_locks`, a statement that would wait for SQLite's write lock yields the same way,
        before it has changed anything."""
        ...

    def can_write_inline(self, statement: Statement, params: Sequence[Any]) -> bool:
        """Whether `statement` is short work that may run without `wait_for_locks` on the event
        loop: a bounded write (a few rows found by key, calling nothing that waits) with small
        parameters, or a transaction command, either with a commit that is `ending_is_short`."""
        ...

    @property
    def ending_is_short(self) -> bool:
        """Whether ending the open transaction is short work: it did not write, or wrote only a
        bounded number of bounded writes and the journal has room for its entry."""
        ...

    def can_start_over(self, statement: Statement) -> bool:
        """Whether `statement` may run with `yield_after`: a read whose interruption leaves nothing
        to undo (no write, no function with an effect outside its result: pg_notify, set_config,
        advisory locks, pg_sleep, ...), not seen to run long before, in a transaction that is
        not failed."""
        ...

    def statement_failed(self) -> None:
        """A statement failed before reaching the engine (e.g. waiting for the writer slot): a
        transaction block enters the failed state, as after any error."""
        ...

    def copy_in_rows(self, statement: Statement, rows: Sequence[Sequence[Any]]) -> int:
        """Insert decoded COPY FROM rows; returns how many were inserted."""
        ...

    def begin_implicit(self) -> None:
        """Start the implicit transaction of a multi-statement simple query (no-op if in one)."""
        ...

    def end_implicit(self, success: bool) -> None:
        """Commit (success) or roll back the implicit transaction, if one is open."""
        ...

    def parameter(self, name: str) -> str:
        """The current value of a run-time parameter, as SHOW prints it."""
        ...

    @property
    def settings_generation(self) -> int:
        """A number that moves whenever a setting's value changes (so a caller redoes what it derives
        from one, such as the client encoding's conversion, only then)."""
        ...

    def notices(self) -> list[DatabaseError]:
        """NOTICE and WARNING messages raised since the last call (sent as NoticeResponse)."""
        ...

    def parameter_changes(self) -> list[tuple[str, str]]:
        """GUC_REPORT parameters changed since the last call (sent as ParameterStatus)."""
        ...

    def text_formats(self) -> tuple[dt.tzinfo, TextStyle]:
        """The TimeZone and the DateStyle/IntervalStyle values are read and written in, as of now
        (a SET takes effect at once, before its ParameterStatus goes out at ReadyForQuery)."""
        ...

    def committed_notifications(self) -> list[tuple[str, str]]:
        """(channel, payload) of the NOTIFYs committed since the last call, for the server to deliver."""
        ...

    def listens_to(self, channel: str) -> bool:
        """Whether the session has a committed LISTEN on channel."""
        ...

    def prepared_by_sql(self, name: str) -> bool:
        """Whether `name` is a statement of SQL PREPARE (a Parse of that name is refused: 42P05)."""
        ...

    def attach_backend(self, backend: Backend) -> None:
        """The server's view of its sessions, for pg_backend_pid, pg_stat_activity, pg_cancel_backend
        and pg_terminate_backend (without one: the process's pid, no other session)."""
        ...

    def close_cursor(self, name: str) -> None:
        """Close the SQL cursor `name` if it is open (the protocol's Close of a portal of that name)."""
        ...

    def cursor_columns(self, name: str) -> tuple[Column, ...] | None:
        """The columns of the open SQL cursor `name` (DECLARE), None if there is none: a client may
        describe it as a portal of that name."""
        ...

    def apply_server_parameters(self, values: dict[str, str]) -> None:
        """Set parameters the server decides (in_hot_standby after a promotion, ...), outside a
        transaction block; the reported ones then show in `parameter_changes`."""
        ...

    def cancel(self) -> None:
        """Interrupt the running statement (57014); callable from any thread."""
        ...

    def close(self) -> None:
        """Roll back anything open and release the connection."""
        ...


@dataclass(frozen=True, slots=True)
class Activity:
    """One server session as pg_stat_activity shows it."""

    process_id: int
    user: str
    database: str
    application_name: str
    client_address: str | None
    client_port: int | None
    backend_start: dt.datetime
    transaction_start: dt.datetime | None
    query_start: dt.datetime | None
    state_change: dt.datetime | None
    state: str  # active, idle, idle in transaction, idle in transaction (aborted)
    query: str


@dataclass(frozen=True, slots=True)
class NamedStatement:
    """A prepared statement of the session's, as pg_prepared_statements shows it."""

    name: str
    sql: str
    prepared_at: dt.datetime
    param_oids: tuple[int, ...]
    from_sql: bool = False  # PREPAREd, not Parsed


@dataclass(frozen=True, slots=True)
class RoleChange:
    """A change to the server's roles: create one (verifier, login), alter one (the verifier when
    set_verifier, login unless None), or drop one."""

    action: str  # create | alter | drop
    name: str
    verifier: str | None = None  # None: no password
    set_verifier: bool = False
    login: bool | None = None


JournalPosition = tuple[int, int]  # (epoch, LSN) of a journal entry: the order of entries along the journal


class RoleStore(Protocol):
    """The server's roles (its users file), as CREATE / ALTER / DROP ROLE change them."""

    def logins(self) -> dict[str, bool]:
        """Every role's name, and whether it may log in."""
        ...

    def check_name(self, name: str) -> None:
        """Raise a DatabaseError unless the store can hold a role of this name."""
        ...

    def check_writable(self) -> None:
        """Raise a DatabaseError unless a change can be made durable now."""
        ...

    def apply(self, changes: Sequence[RoleChange], at: JournalPosition | None = None,
              synced_lsn: int | None = None) -> list[RoleChange]:
        """Make `changes` (checked already) durable, all at once; `at`: the position of the journal
        entry holding them, which the journal has synced up to `synced_lsn` only (the store keeps
        what undoes them until later entries are synced). Returns the changes that undo them."""
        ...

    def replay(self, changes: Sequence[RoleChange], at: JournalPosition) -> bool:
        """Apply a journal entry's changes unless the store holds that entry's already; True when applied."""
        ...

    def undo_after(self, lsn: int) -> list[str]:
        """Recovery, the synced journal ending at `lsn`: undo the changes of the entries after it
        (`apply`'s, which a power loss took from the journal); returns the roles set back."""
        ...


class Backend(Protocol):
    """What the server tells a session of the server's sessions: its own process id (the one in
    BackendKeyData), every session's activity, its own named prepared statements (listed, looked up,
    dropped), and signalling a session (cancel, or terminate)."""

    @property
    def process_id(self) -> int: ...

    def activity(self) -> list[Activity]: ...

    def prepared_statements(self) -> list[NamedStatement]: ...

    def statement(self, name: str) -> Statement | None:
        """The session's protocol-level prepared statement `name` (EXECUTE runs one too)."""
        ...

    @property
    def roles(self) -> RoleStore | None:
        """The server's roles (None: it has no users file)."""
        ...

    def deallocate(self, name: str | None) -> bool:
        """Drop the session's protocol-level statement `name`, or every named one for None (DEALLOCATE,
        DISCARD ALL); False if there was no such statement."""
        ...

    def signal(self, process_id: int, *, terminate: bool) -> bool:
        """Cancel the running statement of `process_id` or end that session; False if there is none."""
        ...


class StatementYielded(Exception):
    """`EngineSession.execute(..., yield_after=...)` ran out of time: nothing of it happened."""


class CommitAlreadyDecided(Exception):
    """Raised by `TransactionLog.committing` when the transaction's GTID is already committed:
    the engine rolls back (nothing is applied twice) and reports COMMIT, as the recorded outcome."""

    def __init__(self, notice: str) -> None:
        super().__init__(notice)
        self.notice = notice


class TransactionLog(Protocol):
    """The commit protocol's hooks (implemented by `replay.commit.TransactionRecorder`).

    The engine calls them on the session's SQLite connection: `attached` once the connection is
    open; `opened` when a SQLite write transaction begins; `committing` just before its COMMIT,
    with the write lock held (it may raise DatabaseError to refuse the commit, or
    `CommitAlreadyDecided` to turn it into a no-op); `commit_refused` when SQLite's COMMIT raised
    after `committing` (it returns only once the journaled entry is aborted and the transaction
    rolled back); `finished` after COMMIT (True) or ROLLBACK (False). requested_gtid is the
    session's `heliosdb.gtid` setting, if set; responses are the (command tag, rows or None)
    answers of the transaction's last statements, kept with its outcome; roles are its CREATE /
    ALTER / DROP ROLE changes (only when `journals_roles`), journaled with it.
    """

    def attached(self, connection: Any) -> None: ...

    def opened(self, connection: Any) -> None: ...

    def committing(self, connection: Any, requested_gtid: str | None,
                   responses: Sequence[tuple[str, int | None]] = (),
                   roles: Sequence[RoleChange] = ()) -> None: ...

    def commit_refused(self, connection: Any, error: BaseException) -> None: ...

    def finished(self, committed: bool) -> None: ...

    def has_room(self, size: int) -> bool:
        """Whether a commit entry of `size` bytes can be journaled now, without waiting for space."""
        ...

    @property
    def journals_roles(self) -> bool:
        """Whether `committing` takes the transaction's role changes (journals them and applies
        them to the server's roles): the postgres database's log of a server."""
        ...


class DatabaseCatalog(Protocol):
    """The databases a server serves, each a store of its own (server/databases.py): CREATE and DROP
    DATABASE and pg_database reach them through it. Called from a session's worker thread."""

    def listed(self) -> list[tuple[int, str]]:
        """(OID, name) of every database served, `postgres` first."""
        ...

    def create(self, name: str) -> None:
        """Make database `name` (42P04 if it exists, 0A000 where this server cannot)."""
        ...

    def drop(self, name: str, *, if_exists: bool, current: str) -> DatabaseError | None:
        """Remove database `name` and its data (3D000 unless if_exists: then the NOTICE returned;
        55006 for the session's own database or one with sessions)."""
        ...


class Engine(Protocol):
    """The database: creates sessions."""

    databases: DatabaseCatalog | None  # set by a server that serves several (CREATE DATABASE)

    def open_session(self, user: str, database: str, settings: dict[str, str],
                     transaction_log: TransactionLog | None = None) -> EngineSession:
        """A new session; settings are startup-packet GUCs (application_name, TimeZone, ...);
        transaction_log, when given, receives every write transaction's commit."""
        ...

    def close(self) -> None: ...
