"""Remote mode: a HeliosDB-Lite server through psycopg 3, with transparent replay as the proxy does
it (docs/replay-proxy.md), on the shared core `heliosdb_lite.transparent_replay`.

Every statement that may write runs inside a transaction the backend records: an explicit one
(`begin` ... `commit`), or, for a statement run alone, a transaction of its own (BEGIN, the
statement, COMMIT), so that its answer is in hand before anything commits. Session statements
(SET, RESET, PREPARE, ...) and reads that change nothing (SHOW) run alone, and session statements
are kept to be run again on a new connection. When the connection is lost:

- between transactions: reconnect (the writable server of the DSN, with backoff, resuming the
  session id) and restore the session; the caller notices nothing;
- inside a transaction: the same, then BEGIN and every recorded statement again, each answer
  compared with the digest of the one the caller already has; all equal → the statement in
  flight is sent again;
- during COMMIT: ask `heliosdb_txn_outcome(gtid)` on the new connection with the GTID the COMMIT
  was for (known before it was sent). Committed → COMMIT returns. Not committed (now fenced) →
  replay the transaction and commit it under a fresh GTID. Never both.

A replay whose answers differ, attempts or the deadline used up (`[transaction_replay]` keys)
raise `ReplayError` (HZ001) naming the GTID, the statement and the reason; the transaction is
then rolled back on the server and the Database stays usable. Nothing is applied twice.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from heliosdb_lite.api.errors import Error, OperationalError, error_for, from_engine
from heliosdb_lite.api.remote_link import ConnectionLost, Link, StatementFailed
from heliosdb_lite.api.remote_recording import RecordedTransaction, SessionState
from heliosdb_lite.api.result import Result
from heliosdb_lite.config import Config
from heliosdb_lite.engine.passthrough import FAILED_TRANSACTION_MESSAGE
from heliosdb_lite.errors import ACTIVE_SQL_TRANSACTION, IN_FAILED_SQL_TRANSACTION
from heliosdb_lite.transparent_replay import metrics
from heliosdb_lite.transparent_replay.failure import FailureReason, replay_error
from heliosdb_lite.transparent_replay.metrics import ReplayStatistics
from heliosdb_lite.transparent_replay.outcome import Resolution
from heliosdb_lite.transparent_replay.policy import RecoveryBudget, ReplayPolicy
from heliosdb_lite.transparent_replay.recording import TransactionRecording
from heliosdb_lite.transparent_replay.statements import Kind, classify

log = logging.getLogger("heliosdb.api.replay")
CONNECTION_FAILURE = "08006"
ALONE_KINDS = (Kind.SESSION, Kind.TRANSACTION_LOCAL, Kind.UNSAFE, Kind.NAMED_GTID)


class ReplayFailed(Exception):
    """A recovery could not hide the loss; `error` is what the caller gets."""

    def __init__(self, reason: str, error: Error) -> None:
        super().__init__(str(error))
        self.reason = reason
        self.error = error


class RemoteBackend:
    """A remote session with transparent replay (implements `api.backend.Backend`)."""

    def __init__(self, dsn: str, *, config: Config | None = None, **options: Any) -> None:
        self._dsn = dsn
        self._options = options
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
        self._session_id = self._link.session_id

    # the Backend interface ------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._transaction is not None

    def execute(self, sql: str, params: Sequence[Any] | None) -> Result:
        with self._lock:
            statements = classify(sql)
            kind = statements[0].kind if len(statements) == 1 else Kind.OTHER
            if self._transaction is not None:
                return self._in_transaction(sql, params, kind)
            if kind in ALONE_KINDS or not self._policy.enabled:
                return self._alone(sql, params, kind)
            return self._own_transaction(sql, params)

    def begin(self, sql: str) -> Result:
        with self._lock:
            if self._transaction is not None:
                return self._in_transaction(sql, None, Kind.TRANSACTION_LOCAL)  # the server warns
            result = self._alone(sql, None, Kind.BEGIN)
            recording = TransactionRecording(self._policy.max_transaction_bytes)
            self._transaction = RecordedTransaction(sql, recording, self._named_gtid)
            self._named_gtid = None
            return result

    def commit(self) -> Result:
        with self._lock:
            transaction = self._transaction
            if transaction is None:
                return self._alone("COMMIT", None, Kind.COMMIT)  # the server warns: no transaction
            if transaction.broken is not None:
                return self._end(self.rollback(), transaction)
            try:
                link = self._live_link(metrics.OPEN_TRANSACTION)
                gtid = transaction.named_gtid or link.next_gtid()
                try:
                    result = link.send("COMMIT", None).result
                except ConnectionLost:
                    self._link = None
                    result = self._recover_commit(transaction, gtid)
            except StatementFailed as failed:
                raise failed.error from None
            finally:
                self._transaction = None  # a COMMIT that failed ended the transaction too
            return self._end(result, transaction)

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
            result = self._alone("SELECT journal_size_mb FROM heliosdb_replay_metrics()", None, Kind.OTHER)
            values["journal_size_mb"] = result.rows[0][0]
            return values

    def close(self) -> None:
        with self._lock:
            if self._link is not None:
                self._link.close()
                self._link = None

    # statements -----------------------------------------------------------------------------------

    def _alone(self, sql: str, params: Sequence[Any] | None, kind: Kind) -> Result:
        """A statement outside any transaction; after a lost connection it is sent again, unless it
        could have had an effect outside the database (UNSAFE)."""
        while True:
            link = self._live_link(metrics.IDLE)
            try:
                result = link.send(sql, params).result
            except StatementFailed as failed:
                raise failed.error from None
            except ConnectionLost as lost:
                self._link = None
                if kind is Kind.UNSAFE:
                    raise OperationalError(f"the server connection was lost running a statement that is not "
                                           f"replayed: {lost}", sqlstate=CONNECTION_FAILURE) from None
                continue
            if kind is Kind.SESSION:
                self._session.add(sql, params)
            elif kind is Kind.NAMED_GTID:
                self._named_gtid = classify(sql)[0].value or None
            return result

    def _own_transaction(self, sql: str, params: Sequence[Any] | None) -> Result:
        """A statement that may write, run alone: BEGIN, the statement, COMMIT, all recorded."""
        self.begin("BEGIN")
        try:
            result = self.execute(sql, params)
        except Error as error:
            if self._transaction is not None:
                self.rollback()
            if error.sqlstate == ACTIVE_SQL_TRANSACTION:  # VACUUM and the like: never in a block
                return self._alone(sql, params, Kind.OTHER)
            raise
        committed = self.commit()
        if committed.command_tag != "COMMIT":
            raise OperationalError(f"the statement's transaction ended with {committed.command_tag}")
        return result

    def _in_transaction(self, sql: str, params: Sequence[Any] | None, kind: Kind) -> Result:
        transaction = self._transaction
        assert transaction is not None
        if transaction.broken is not None:
            raise error_for(IN_FAILED_SQL_TRANSACTION, FAILED_TRANSACTION_MESSAGE, detail=transaction.broken)
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
            if kind is Kind.SESSION:
                transaction.session_changes.append((sql, tuple(params) if params is not None else None))
            return sent.result

    def _end(self, result: Result, transaction: RecordedTransaction) -> Result:
        """The transaction ended with `result` (COMMIT or ROLLBACK)."""
        if result.command_tag == "COMMIT":
            for sql, params in transaction.session_changes:
                self._session.add(sql, params)
        return result

    # recovery -------------------------------------------------------------------------------------

    def _live_link(self, kind: str) -> Link:
        """The connection, recovered first if it was lost (and the open transaction replayed)."""
        if self._link is not None and not self._link.broken:
            return self._link
        self._link = None
        started = time.monotonic()
        self._statistics.recovery_started(kind)
        try:
            link = self._reconnect_and_replay(self._policy.budget())
        except ReplayFailed as failure:
            self._finished(kind, started, failure.reason)
            raise failure.error from None
        self._finished(kind, started, None)
        self._link = link
        return link

    def _reconnect_and_replay(self, budget: RecoveryBudget) -> Link:
        transaction = self._transaction
        while True:
            link = self._reconnect(budget)
            if transaction is None:
                return link
            if not transaction.recording.active:
                self._link = link
                self._break(transaction, f"the server connection was lost and transparent replay was off "
                                         f"for this transaction: {transaction.recording.disabled}")
                raise ReplayFailed("disabled", OperationalError(
                    transaction.broken or "", sqlstate=CONNECTION_FAILURE))
            self._start_replay(budget, transaction, None)
            try:
                self._replay(link, transaction, named_gtid=transaction.named_gtid)
            except ConnectionLost:
                continue
            return link

    def _recover_commit(self, transaction: RecordedTransaction, gtid: str) -> Result:
        """COMMIT was sent and the connection lost: its outcome decides (never both)."""
        started = time.monotonic()
        kind = metrics.COMMIT_IN_FLIGHT
        self._statistics.recovery_started(kind)
        budget = self._policy.budget()
        try:
            while True:
                link = self._reconnect(budget)
                try:
                    outcome = link.outcome(gtid)
                except ConnectionLost:
                    continue
                committed = outcome.resolution is Resolution.ANSWER_AS_RECORDED
                self._statistics.outcome_looked_up(committed)
                if committed:
                    log.info("transparent replay: the interrupted COMMIT of %s had committed", gtid)
                    self._link = link
                    self._finished(kind, started, None)
                    return Result(None, "COMMIT")
                self._start_replay(budget, transaction, gtid)
                try:
                    self._replay(link, transaction, named_gtid=None)
                    gtid = link.next_gtid()
                    result = link.send("COMMIT", None).result
                except ConnectionLost:
                    continue
                except StatementFailed as failed:
                    self._link = link
                    self._finished(kind, started, None)
                    raise failed.error from None
                log.info("transparent replay: transaction replayed and committed as %s", gtid)
                self._link = link
                self._finished(kind, started, None)
                return result
        except ReplayFailed as failure:
            self._finished(kind, started, failure.reason)
            raise failure.error from None

    def _reconnect(self, budget: RecoveryBudget) -> Link:
        """A new connection to the writable server, the session resumed and its state restored."""
        while True:
            if budget.expired:
                raise ReplayFailed(FailureReason.DEADLINE.value, self._replay_error(
                    FailureReason.DEADLINE, None))
            delay = budget.connect_delay()
            if delay:
                time.sleep(delay)  # the reconnect backoff of replay_backoff_ms
            try:
                link = Link.open(self._dsn, self._options, self._session_id)
            except ConnectionLost:
                continue
            try:
                for sql, params in self._session.statements:
                    link.send(sql, params)
            except ConnectionLost:
                continue
            except StatementFailed as failed:
                raise ReplayFailed(FailureReason.RESTORE_FAILED.value, self._replay_error(
                    FailureReason.RESTORE_FAILED, None, failed.error.pgerror)) from None
            return link

    def _start_replay(self, budget: RecoveryBudget, transaction: RecordedTransaction,
                      gtid: str | None) -> None:
        if not budget.start_replay():
            raise ReplayFailed(FailureReason.ATTEMPTS_EXHAUSTED.value, self._failed_transaction(
                transaction, FailureReason.ATTEMPTS_EXHAUSTED, gtid, None))

    def _replay(self, link: Link, transaction: RecordedTransaction, *, named_gtid: str | None) -> None:
        """BEGIN and every recorded statement again on `link`, each answer checked against its
        digest; a difference breaks the transaction (rolled back on the server) with HZ001."""
        if named_gtid is not None:
            link.send(f"SET heliosdb.gtid = '{named_gtid}'", None)
        link.send(transaction.begin_sql, None)
        for statement in transaction.statements:
            try:
                digest, failed = link.send(statement.sql, statement.params).digest, False
            except StatementFailed as refused:
                digest, failed = refused.digest, True
            if (digest, failed) != (statement.digest, statement.failed):
                self._link = link
                self._rollback_quietly(link)
                raise ReplayFailed(FailureReason.DIVERGED.value, self._failed_transaction(
                    transaction, FailureReason.DIVERGED, named_gtid, statement.sql))

    def _failed_transaction(self, transaction: RecordedTransaction, reason: FailureReason, gtid: str | None,
                            statement: str | None) -> Error:
        error = self._replay_error(reason, statement, gtid=gtid)
        self._break(transaction, str(error))
        return error

    def _break(self, transaction: RecordedTransaction, why: str) -> None:
        transaction.broken = why

    def _replay_error(self, reason: FailureReason, statement: str | None, detail: str | None = None, *,
                      gtid: str | None = None) -> Error:
        return from_engine(replay_error(gtid, statement, reason, detail=detail))

    @staticmethod
    def _rollback_quietly(link: Link) -> None:
        with contextlib.suppress(ConnectionLost, StatementFailed):
            link.send("ROLLBACK", None)

    def _finished(self, kind: str, started: float, failure: str | None) -> None:
        seconds = time.monotonic() - started
        self._statistics.recovery_finished(kind, seconds=seconds, failure=failure,
                                           transaction_saved=kind != metrics.IDLE)
        log.info("transparent replay: %s recovery %s in %.3f s", kind, failure or "succeeded", seconds)
