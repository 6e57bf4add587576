"""The seed's API: `hdb.Database.open(config)` (embedded) or `hdb.Database.connect(dsn)` (remote),
`db.transaction()`, `execute` / `query` / `query_one`, `replay_metrics()`.

A `Database` runs each statement in its own transaction (autocommit), except inside
`with db.transaction() as txn:`, which commits when the block ends and rolls back when it raises.
A `Database` may be shared by threads: a transaction holds it for its thread until it ends, and
other threads' statements wait. In remote mode a lost connection is hidden by transparent replay
(docs/python-api.md); in embedded mode `commit` returns once the transaction is durable.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from heliosdb_lite.api.dbapi import Connection, Cursor, Parameters
from heliosdb_lite.api.errors import InternalError, ProgrammingError
from heliosdb_lite.api.targets import embedded_config, open_backend
from heliosdb_lite.config import Config
from heliosdb_lite.errors import IN_FAILED_SQL_TRANSACTION


class _Statements:
    """`execute`, `query` and `query_one` over a connection, for Database and Transaction."""

    _connection: Connection
    _lock: threading.RLock

    def execute(self, sql: str, params: Parameters | None = None) -> Cursor:
        """Run `sql`; the cursor has its rows (`fetchone`, ...), `rowcount` and `description`."""
        with self._lock:
            return self._connection.execute(sql, params)

    def query(self, sql: str, params: Parameters | None = None) -> list[tuple[Any, ...]]:
        """Every row `sql` returns."""
        return self.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Parameters | None = None) -> tuple[Any, ...] | None:
        """The first row `sql` returns, or None when there is none."""
        return self.execute(sql, params).fetchone()


class Database(_Statements):
    """An open database, embedded or remote."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._lock = threading.RLock()

    @classmethod
    def open(cls, config: Config | str, **options: Any) -> Database:
        """Embedded: open the data directory of `config` (a Config, a TOML file or a directory) in
        this process. Refused (OperationalError, 55006) while a server or another Database holds it.
        `options`: user, database, application_name."""
        return cls(Connection(open_backend(embedded_config(config), **options), autocommit=True))

    @classmethod
    def connect(cls, dsn: str, *, config: Config | None = None, **options: Any) -> Database:
        """Remote: connect to a server (a libpq DSN or URI; several hosts allowed), with
        transparent replay configured by `config`'s [transaction_replay] keys (defaults without).
        `options`: psycopg connection keywords (user, password, connect_timeout, ...)."""
        from heliosdb_lite.api.remote import RemoteBackend

        return cls(Connection(RemoteBackend(dsn, config=config, **options), autocommit=True))

    def transaction(self) -> Transaction:
        """`with db.transaction() as txn:` — one transaction, committed at the end of the block."""
        return Transaction(self._connection, self._lock)

    def replay_metrics(self) -> dict[str, Any]:
        """total_replays, successful_replays, failed_replays, avg_replay_time_ms, journal_size_mb,
        last_replay_timestamp, data_loss_prevented (docs/python-api.md says what each counts)."""
        with self._lock:
            return self._connection.replay_metrics()

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    @property
    def closed(self) -> bool:
        return self._connection.closed

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Transaction(_Statements):
    """One transaction of a Database: its statements run in it; it ends with the `with` block."""

    def __init__(self, connection: Connection, lock: threading.RLock) -> None:
        self._connection = connection
        self._lock = lock

    def __enter__(self) -> Transaction:
        self._lock.acquire()
        try:
            if self._connection.in_transaction:
                raise ProgrammingError("a transaction is already open on this Database")
            self._connection.begin()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if kind is not None:
                self._connection.rollback()
                return
            failed = self._connection.run("COMMIT", None).command_tag == "ROLLBACK"
            if failed:
                raise InternalError("the transaction was rolled back: a statement in it failed and the error "
                                    "was caught inside the block", sqlstate=IN_FAILED_SQL_TRANSACTION)
        finally:
            self._lock.release()

