"""Remote mode: a HeliosDB-Lite server through psycopg 3, with transparent replay as the proxy does
it (docs/replay-proxy.md), on the shared core `heliosdb_lite.transparent_replay`.

How each statement is run, so that a lost connection can be hidden without applying anything twice:
- in an open transaction: recorded (statement, parameters, digest of the answer);
- alone, changing no data (SET, SHOW, BEGIN, ...): sent again after a loss; session statements are
  kept and run again on every new connection;
- alone, a read (SELECT, VALUES, TABLE, WITH): sent with its GTID known; after a loss the GTID is
  looked up: not committed (fenced now: it wrote nothing) → sent again; committed (it wrote, e.g.
  nextval) → HZ001, since its answer is lost;
- alone, anything else (INSERT, UPDATE, DDL, ...): in a transaction of its own, BEGIN, the
  statement, COMMIT, so its rows are in hand before anything commits.
What a recovery does (reconnect, replay, resolve a COMMIT by GTID) is `api.remote_recovery`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from heliosdb_lite.api.errors import Error, OperationalError, error_for
from heliosdb_lite.api.remote_link import ConnectionLost, Link, StatementFailed
from heliosdb_lite.api.remote_recording import RecordedTransaction, SessionState
from heliosdb_lite.api.remote_recovery import CONNECTION_FAILURE, KeptLink, Recovery, ReplayFailed
from heliosdb_lite.api.result import Result
from heliosdb_lite.config import Config
from heliosdb_lite.engine.sql.parsing import first_words
from heliosdb_lite.errors import ACTIVE_SQL_TRANSACTION, in_failed_transaction
from heliosdb_lite.errors import DatabaseError as SyntaxProblem
from heliosdb_lite.transparent_replay import metrics
from heliosdb_lite.transparent_replay.metrics import ReplayStatistics
from heliosdb_lite.transparent_replay.policy import ReplayPolicy
from heliosdb_lite.transparent_replay.recording import TransactionRecording
from heliosdb_lite.transparent_replay.statements import Kind, classify

ALONE_KINDS = (Kind.SESSION, Kind.TRANSACTION_LOCAL, Kind.UNSAFE, Kind.NAMED_GTID, Kind.BEGIN, Kind.COMMIT)
READ_WORDS = frozenset({"select", "values", "table", "with"})
T = TypeVar("T")


class RemoteBackend:
    """A remote session with transparent replay (implements `api.backend.Backend`)."""

    def __init__(self, dsn: str, *, config: Config | None = None, **options: Any) -> None:
        self._policy = ReplayPolicy.from_config(config.transaction_replay) if config else ReplayPolicy()
        self._statistics = ReplayStatistics()
        self._session = SessionState()
        self._transaction: RecordedTransaction | None = None
        self._named_gtid: str | None = None
        self._lock = threading.RLock()
        try:
            self._link: Link | None = Link.open(dsn, options, None)
        except ConnectionLost as lost:
            raise OperationalError(f"could not connect to {dsn!r}: {lost}",
                                   sqlstate=CONNECTION_FAILURE) from None
        self._recovery = Recovery(dsn, options, self._link.session_id, self._session, self._policy,
                                  self._statistics)

    # the Backend interface ------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._transaction is not None

    @property
    def backslash_quotes(self) -> bool:
        """As the live link's session says (a lost link: as the default, until recovery restores it)."""
        return self._link is not None and self._link.backslash_quotes

    def execute(self, sql: str, params: Sequence[Any] | None) -> Result:
        with self._lock:
            statements = classify(sql, backslash_quotes=self.backslash_quotes)
            kind = statements[0].kind if len(statements) == 1 else Kind.OTHER
            if self._transaction is not None:
                return self._in_transaction(sql, params, kind)
            if kind in ALONE_KINDS:
                return self._alone(sql, params, kind)
            if not self._policy.enabled:
                return self._alone(sql, params, Kind.UNSAFE)  # sent once: a loss is the caller's
            if _reads(sql):
                return self._read_alone(sql, params)
            return self._own_transaction(sql, params)

    def begin(self, sql: str) -> Result:
        with self._lock:
            if self._transaction is not None:
                return self._in_transaction(sql, None, Kind.TRANSACTION_LOCAL)  # the server warns
            result = self._alone(sql, None, Kind.BEGIN)
            recording = TransactionRecording(self._policy.max_transaction_bytes)
            if not self._policy.enabled:
                recording.disable("replay_off", "transaction_replay.replay_on_connection_loss = false")
            self._transaction = RecordedTransaction(sql, recording, self._named_gtid)
            self._named_gtid = None
            return result

    def commit(self) -> Result:
        with self._lock:
            transaction = self._transaction
            if transaction is None:
                return self._alone("COMMIT", None, Kind.COMMIT)  # the server warns: no transaction
            if transaction.broken is not None:
                return self.rollback()
            try:
                link = self._live_link(metrics.OPEN_TRANSACTION)
                gtid = transaction.named_gtid or link.next_gtid()
                try:
                    result = link.send("COMMIT", None).result
                except ConnectionLost:
                    self._link = None
                    if not self._policy.enabled:
                        raise self._lost(f"during the COMMIT of transaction {gtid}: its outcome is "
                                         "unknown; heliosdb_txn_outcome() tells it") from None
                    self._link, result = self._recovered(self._recovery.committed, transaction, gtid)
            except StatementFailed as failed:
                raise failed.error from None
            finally:
                self._transaction = None  # a COMMIT that failed ended the transaction too
            if result.command_tag == "COMMIT":
                for sql, params in transaction.session_changes:
                    self._session.add(sql, params)
            return result

    def rollback(self) -> Result:
        with self._lock:
            self._transaction = None
            link = self._link
            if link is not None and not link.broken:
                try:
                    link.send("ROLLBACK", None)
                except ConnectionLost:
                    self._link = None  # the server rolled back with the connection
            return Result(None, "ROLLBACK")

    def replay_metrics(self) -> dict[str, Any]:
        """This connection's recoveries, with the server's journal size."""
        with self._lock:
            values = self._statistics.snapshot()
            result = self._alone("SELECT journal_size_mb FROM heliosdb_replay_metrics()", None,
                                 Kind.TRANSACTION_LOCAL)
            values["journal_size_mb"] = result.rows[0][0]
            return values

    def close(self) -> None:
        with self._lock:
            if self._link is not None:
                self._link.close()
                self._link = None

    # statements -----------------------------------------------------------------------------------

    def _alone(self, sql: str, params: Sequence[Any] | None, kind: Kind) -> Result:
        """A statement outside any transaction that changes no data: sent again after a loss. One
        that may have an effect (UNSAFE, or any with replay off) is sent once: a loss is an error."""
        while True:
            link = self._live_link(metrics.IDLE)
            try:
                result = link.send(sql, params).result
            except StatementFailed as failed:
                raise failed.error from None
            except ConnectionLost:
                self._link = None
                if kind is Kind.UNSAFE:
                    raise self._lost("during a statement that is not replayed (outcome unknown)") from None
                continue
            if kind is Kind.SESSION:
                self._session.add(sql, params)
            elif kind is Kind.NAMED_GTID:
                self._named_gtid = classify(sql)[0].value or None
            return result

    def _read_alone(self, sql: str, params: Sequence[Any] | None) -> Result:
        """A read run alone; after a loss its GTID tells whether it wrote after all (see above)."""
        while True:
            link = self._live_link(metrics.IDLE)
            gtid = link.next_gtid()
            try:
                return link.send(sql, params).result
            except StatementFailed as failed:
                raise failed.error from None
            except ConnectionLost:
                self._link = None
                self._link = self._recovered(self._recovery.resolved_alone, gtid, sql)

    def _own_transaction(self, sql: str, params: Sequence[Any] | None) -> Result:
        """A statement that may write, run alone: BEGIN, the statement, COMMIT, all recorded."""
        self.begin("BEGIN")
        try:
            result = self.execute(sql, params)
        except Error as error:
            if self._transaction is not None:
                self.rollback()
            if error.sqlstate == ACTIVE_SQL_TRANSACTION:  # VACUUM and the like: never in a block
                return self._alone(sql, params, Kind.UNSAFE)
            raise
        committed = self.commit()
        if committed.command_tag != "COMMIT":
            raise OperationalError(f"the statement's transaction ended with {committed.command_tag}")
        return result

    def _in_transaction(self, sql: str, params: Sequence[Any] | None, kind: Kind) -> Result:
        transaction = self._transaction
        assert transaction is not None
        if transaction.broken is not None:
            failed = in_failed_transaction()
            raise error_for(failed.sqlstate, failed.message, detail=transaction.broken)
        if kind is Kind.UNSAFE:
            transaction.recording.disable("unsafe", classify(sql)[0].value or "unsafe statement")
        while True:
            link = self._live_link(metrics.OPEN_TRANSACTION)
            try:
                sent = link.send(sql, params)
            except ConnectionLost:
                self._link = None
                continue
            except StatementFailed as failed:
                transaction.record(sql, params, failed.digest, failed=True)
                raise failed.error from None
            transaction.record(sql, params, sent.digest)
            transaction.timestamp = link.transaction_timestamp() or transaction.timestamp
            if kind is Kind.SESSION:
                transaction.session_changes.append((sql, tuple(params) if params is not None else None))
            return sent.result

    # recovery -------------------------------------------------------------------------------------

    def _live_link(self, kind: str) -> Link:
        """The connection, recovered first if it was lost (and the open transaction replayed)."""
        if self._link is not None and not self._link.broken:
            return self._link
        self._link = None
        transaction = self._transaction
        self._link = self._recovered(self._recovery.reconnected, kind, transaction)
        return self._link

    def _recovered(self, recover: Callable[..., T], *args: Any) -> T:
        """`recover(*args)`, keeping the live connection of a failed recovery for what follows."""
        try:
            return recover(*args)
        except KeptLink as failure:
            self._link = failure.link
            raise failure.error from None
        except ReplayFailed as failure:
            raise failure.error from None

    def _lost(self, what: str) -> OperationalError:
        return OperationalError(f"the server connection was lost {what}", sqlstate=CONNECTION_FAILURE)


def _reads(sql: str) -> bool:
    """Whether the statement is a query (SELECT, VALUES, TABLE, WITH): it should write nothing."""
    try:
        words = first_words(sql, 1)
    except SyntaxProblem:
        return False
    return bool(words) and words[0] in READ_WORDS
