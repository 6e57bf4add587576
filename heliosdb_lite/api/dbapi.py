"""PEP 249 (DB-API 2.0): `heliosdb_lite.connect(...)`, `Connection` and `Cursor`, over either mode.

`connect(target)`: a `Config`, a TOML file or a data directory opens the database embedded; a
DSN (`postgresql://...` or `host=... port=...`, several hosts allowed) connects remotely with
transparent replay (`api.targets`). As PEP 249 asks, a connection starts a transaction before its
first statement and keeps it open until `commit()` or `rollback()`; `autocommit = True` runs each
statement in its own transaction. Closing a connection rolls back what was not committed.

Placeholders are `?` (paramstyle qmark, the seed's), and also `%s`, `%(name)s` and `$n`
(`api.placeholders`). A string of several statements may be run without parameters; the cursor
then shows the last one's result, and in autocommit mode they run in one transaction, as
PostgreSQL's simple query does.

threadsafety 1: threads may share the module, not connections (`hdb.Database` may be shared).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from heliosdb_lite.api.backend import Backend
from heliosdb_lite.api.dbapi_types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)
from heliosdb_lite.api.errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from heliosdb_lite.api.placeholders import bind
from heliosdb_lite.api.result import Result
from heliosdb_lite.api.targets import Target, open_backend
from heliosdb_lite.transparent_replay.statements import Classified, Kind, classify

apilevel = "2.0"
threadsafety = 1
paramstyle = "qmark"

Parameters = Sequence[Any] | Mapping[str, Any]

__all__ = [
    "BINARY", "DATETIME", "NUMBER", "ROWID", "STRING", "Binary", "Connection", "Cursor", "DataError",
    "DatabaseError", "Date", "DateFromTicks", "Error", "IntegrityError", "InterfaceError", "InternalError",
    "NotSupportedError", "OperationalError", "ProgrammingError", "Time", "TimeFromTicks", "Timestamp",
    "TimestampFromTicks", "Warning", "apilevel", "connect", "paramstyle", "threadsafety",
]


def connect(target: Target, *, autocommit: bool = False, **options: Any) -> Connection:
    """A connection: embedded for a `Config`, a TOML file or a data directory; remote for a DSN.
    `options`: `user`, `database`, `application_name` (embedded); `config` (a `Config` whose
    `[transaction_replay]` keys drive replay) and psycopg connection keywords (remote)."""
    return Connection(open_backend(target, **options), autocommit=autocommit)


class Connection:
    """A DB-API connection over one backend (embedded session or remote connection)."""

    Warning = Warning
    Error = Error
    InterfaceError = InterfaceError
    DatabaseError = DatabaseError
    DataError = DataError
    OperationalError = OperationalError
    IntegrityError = IntegrityError
    InternalError = InternalError
    ProgrammingError = ProgrammingError
    NotSupportedError = NotSupportedError

    def __init__(self, backend: Backend, *, autocommit: bool = False) -> None:
        self._backend: Backend | None = backend
        self._autocommit = autocommit

    @property
    def closed(self) -> bool:
        return self._backend is None

    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        if self._open_backend().in_transaction:
            raise ProgrammingError("autocommit cannot change inside a transaction: commit or roll back first")
        self._autocommit = value

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (also a failed one, awaiting rollback)."""
        return self._open_backend().in_transaction

    def cursor(self) -> Cursor:
        self._open_backend()
        return Cursor(self)

    def execute(self, operation: str, parameters: Parameters | None = None) -> Cursor:
        """A new cursor that has run `operation` (as psycopg's `Connection.execute`)."""
        return self.cursor().execute(operation, parameters)

    def commit(self) -> None:
        backend = self._open_backend()
        if backend.in_transaction:
            backend.commit()

    def rollback(self) -> None:
        backend = self._open_backend()
        if backend.in_transaction:
            backend.rollback()

    def begin(self) -> None:
        """Start a transaction now (BEGIN); it must not be in one."""
        backend = self._open_backend()
        if backend.in_transaction:
            raise ProgrammingError("a transaction is already open")
        backend.begin("BEGIN")

    def replay_metrics(self) -> dict[str, Any]:
        """The seed's replay figures for this connection's mode (docs/python-api.md)."""
        return self._open_backend().replay_metrics()

    def close(self) -> None:
        """Roll back what is open and release the connection (a no-op once closed)."""
        backend, self._backend = self._backend, None
        if backend is None:
            return
        try:
            if backend.in_transaction:
                backend.rollback()
        finally:
            backend.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        """Commit if the block ended normally, else roll back; then close (as psycopg 3)."""
        if self.closed:
            return
        try:
            if kind is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()

    def run(self, operation: str, parameters: Parameters | None) -> Result:
        """Run `operation` and return the (last) statement's result (what `Cursor.execute` does)."""
        backend = self._open_backend()
        values: list[Any] | None = None
        if parameters is None:
            statements = classify(operation, backslash_quotes=backend.backslash_quotes)
        else:
            sql, values = bind(operation, parameters)
            statements = _one_statement(sql, backend.backslash_quotes)
        if not statements:
            return Result(None, "")
        controls = any(statement.kind in _CONTROL for statement in statements)
        if not self._autocommit and not backend.in_transaction and statements[0].kind not in _CONTROL:
            backend.begin("BEGIN")
        if len(statements) > 1 and not controls and not backend.in_transaction:
            return self._implicit_transaction(backend, statements)
        result = Result(None, "")
        for statement in statements:
            result = _run_one(backend, statement, values)
        return result

    def _implicit_transaction(self, backend: Backend, statements: Sequence[Classified]) -> Result:
        """Several statements in autocommit mode: one transaction, all or nothing."""
        backend.begin("BEGIN")
        try:
            results = [backend.execute(statement.text, None) for statement in statements]
        except BaseException:
            if backend.in_transaction:
                backend.rollback()
            raise
        backend.commit()
        return results[-1]

    def _open_backend(self) -> Backend:
        if self._backend is None:
            raise InterfaceError("the connection is closed")
        return self._backend


_CONTROL = (Kind.BEGIN, Kind.COMMIT, Kind.ROLLBACK)


def _one_statement(sql: str, backslash_quotes: bool) -> tuple[Classified, ...]:
    """A statement run with parameters: one statement, whatever it contains (the server refuses
    several), classified."""
    found = classify(sql, backslash_quotes=backslash_quotes)
    return (Classified(found[0].kind if len(found) == 1 else Kind.OTHER, sql),)


def _run_one(backend: Backend, statement: Classified, values: list[Any] | None) -> Result:
    """Transaction control goes to the backend's begin/commit/rollback, so it knows the bounds."""
    if statement.kind is Kind.BEGIN:
        return backend.begin(statement.text)
    if statement.kind is Kind.COMMIT:
        return backend.commit()
    if statement.kind is Kind.ROLLBACK:
        return backend.rollback()
    return backend.execute(statement.text, values)


class Cursor:
    """A DB-API cursor: runs statements on its connection and holds the last result's rows."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.arraysize = 1
        self._result: Result | None = None
        self._position = 0
        self._rowcount = -1
        self._closed = False

    @property
    def description(self) -> list[tuple[Any, ...]] | None:
        return self._result.description() if self._result is not None else None

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def rownumber(self) -> int | None:
        return self._position if self._result is not None and self._result.columns is not None else None

    @property
    def statusmessage(self) -> str | None:
        """The last statement's command tag (`INSERT 0 1`), as psycopg's."""
        return self._result.command_tag if self._result is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    def execute(self, operation: str, parameters: Parameters | None = None) -> Cursor:
        self._check_open()
        self._result = None
        self._rowcount = -1
        result = self.connection.run(operation, parameters)
        self._result, self._position, self._rowcount = result, 0, result.rowcount
        return self

    def executemany(self, operation: str, seq_of_parameters: Sequence[Parameters]) -> Cursor:
        """Run `operation` once per parameter set; rowcount is the total of the counts."""
        self._check_open()
        total = 0
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            total = total + self._rowcount if total >= 0 and self._rowcount >= 0 else -1
        self._result = None
        self._rowcount = total
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self._rows()
        if self._position >= len(rows):
            return None
        self._position += 1
        return rows[self._position - 1]

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        rows = self._rows()
        count = self.arraysize if size is None else size
        taken = rows[self._position:self._position + count]
        self._position += len(taken)
        return taken

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows()
        taken = rows[self._position:]
        self._position = len(rows)
        return taken

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row

    def setinputsizes(self, sizes: Sequence[Any]) -> None:
        """Accepted and ignored, as PEP 249 allows."""

    def setoutputsize(self, size: int, column: int | None = None) -> None:
        """Accepted and ignored, as PEP 249 allows."""

    def close(self) -> None:
        self._closed = True
        self._result = None

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _rows(self) -> list[tuple[Any, ...]]:
        self._check_open()
        if self._result is None or self._result.columns is None:
            raise ProgrammingError("the last operation did not produce rows")
        return self._result.rows

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        if self.connection.closed:
            raise InterfaceError("the connection is closed")
