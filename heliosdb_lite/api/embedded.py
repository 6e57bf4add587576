"""Embedded mode: the engine, the journal, the commit protocol and start-up recovery in this
process, on a data directory in the server's own format, with no server and no socket.

`EmbeddedBackend` opens the directory as the server does (`server.startup.open_database`: the
directory lock, recovery of what a crash left, the commit service), then runs one engine session
on it, with its own GTID session id. After every statement it waits until the journal is durable
past everything the statement could have written or read, exactly as the server does before it
answers (I1, I2): a `commit()` that returns is on disk. Store checkpoints run in a thread.
"""

from __future__ import annotations

import logging
import secrets
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict
from datetime import tzinfo
from typing import Any

from heliosdb_lite import fault_points
from heliosdb_lite.api.checkpointer import Checkpointer
from heliosdb_lite.api.errors import NotSupportedError, from_engine
from heliosdb_lite.api.result import Result
from heliosdb_lite.api.values import Adapter
from heliosdb_lite.config import Config
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED
from heliosdb_lite.errors import DatabaseError as EngineError
from heliosdb_lite.journal.syscalls import Syscalls
from heliosdb_lite.protocol.codecs.time_zones import setting_zone
from heliosdb_lite.replay.metrics import ReplayStatistics
from heliosdb_lite.server.session import SESSION_ID_PARAMETER
from heliosdb_lite.server.startup import open_database
from heliosdb_lite.transparent_replay.statements import STANDARD_CONFORMING_STRINGS

log = logging.getLogger("heliosdb.api")
DEFAULT_USER = "postgres"
_NO_SERVER = "an embedded database serves no /metrics endpoint; its metrics are in prometheus_client's " \
             "default registry of this process, for the application to expose"
_reported: set[tuple[str, str]] = set()


def _report_without_effect(config: Config) -> None:
    """Log, once per process, each key set in `config` that embedded mode does not act on."""
    keys = config.without_effect()
    if config.observability.metrics_enabled:
        keys.append(("observability.metrics_enabled", _NO_SERVER))
    keys += [(key, "embedded mode has no replication: run `heliosdb-lite serve` for a primary or standby")
             for key in sorted(config.explicit) if key.startswith("replication.")
             and key not in dict(keys)]
    for key, reason in keys:
        if (key, reason) not in _reported:
            _reported.add((key, reason))
            log.warning("config key %s is accepted but has no effect: %s", key, reason)


class EmbeddedBackend:
    """One data directory opened in this process, and the one session the API runs on it."""

    def __init__(self, config: Config, *, user: str = DEFAULT_USER, database: str | None = None,
                 application_name: str = "", journal_syscalls: Syscalls | None = None) -> None:
        """`journal_syscalls` replaces the journal's system calls (tests hold its fsync back)."""
        _report_without_effect(config)
        try:
            self._database = open_database(config, f"embedded hdb.Database ({sys.argv[0] or 'python'})",
                                           journal_syscalls=journal_syscalls)
        except EngineError as error:
            raise from_engine(error) from None
        service = self._database.commit_service
        session_id = secrets.token_bytes(8)
        settings = {SESSION_ID_PARAMETER: session_id.hex(), "application_name": application_name}
        database = database or user
        try:
            recorder = service.recorder(session_id, user, database) if service is not None else None
            self._session = self._database.engine.open_session(user, database, settings, recorder)
        except BaseException:
            self._database.close_sync()
            raise
        self._checkpointer = Checkpointer(service, config.transaction_replay.outcome_retention_hours) \
            if service is not None else None
        self._adapter = Adapter()
        self._lock = threading.RLock()

    @property
    def in_transaction(self) -> bool:
        return self._session.transaction_status != "I"

    @property
    def backslash_quotes(self) -> bool:
        return self._session.parameter(STANDARD_CONFORMING_STRINGS) == "off"

    def execute(self, sql: str, params: Sequence[Any] | None) -> Result:
        """Run one statement (`$n` placeholders when `params` is not None)."""
        with self._lock:
            try:
                return self._execute(sql, params)
            except EngineError as error:
                raise from_engine(error) from None
            finally:
                self._visible()
                for notice in self._session.notices():
                    log.info("%s: %s", notice.severity, notice.message)

    def _execute(self, sql: str, params: Sequence[Any] | None) -> Result:
        session = self._session
        zone = self._zone()
        if params is None:
            statement = session.prepare(sql, ())
            values: list[Any] = []
        else:
            oids, dumped = self._adapter.dump(params)
            statement = session.prepare(sql, oids)
            values = self._adapter.decode(statement.param_oids, dumped, zone)
        if statement.copy is not None:
            raise NotSupportedError("COPY FROM STDIN and COPY TO STDOUT need a client connection: use "
                                    "INSERT, or heliosdb-lite serve and a driver's COPY support",
                                    sqlstate=FEATURE_NOT_SUPPORTED)
        cursor = session.execute(statement, values)
        rows = self._adapter.load(cursor.columns, cursor.fetch(0), zone) if cursor.columns is not None else []
        if statement.writes and not self.in_transaction:
            self._acknowledge()
        return Result(cursor.columns, cursor.command_tag(), rows)

    def begin(self, sql: str) -> Result:
        return self.execute(sql, None)

    def commit(self) -> Result:
        result = self.execute("COMMIT", None)
        self._acknowledge()
        return result

    def rollback(self) -> Result:
        return self.execute("ROLLBACK", None)

    def replay_metrics(self) -> dict[str, Any]:
        """This process's recovery figures (`heliosdb_replay_metrics()`; zeros without a journal)."""
        if self._database.commit_service is None:
            return asdict(ReplayStatistics())
        result = self.execute("SELECT * FROM heliosdb_replay_metrics()", None)
        assert result.columns is not None
        return dict(zip((column.name for column in result.columns), result.rows[0], strict=True))

    def close(self) -> None:
        with self._lock:
            if self._checkpointer is not None:
                self._checkpointer.stop()
            self._session.close()
            self._database.close_sync()

    def _acknowledge(self) -> None:
        """A commit is durable and about to be reported to the caller."""
        self._visible()
        fault_points.crash_if_hit("commit_acknowledged")

    def _visible(self) -> None:
        """Wait until the journal is durable past every entry appended so far (the server's
        `CommitService.visible`, for a thread)."""
        journal = self._database.journal
        if journal is not None and journal.last_lsn > journal.flushed_lsn:
            journal.sync_durable(journal.last_lsn)

    def _zone(self) -> tzinfo:
        return setting_zone(self._session.parameter("TimeZone") or "UTC")  # validated by the engine
