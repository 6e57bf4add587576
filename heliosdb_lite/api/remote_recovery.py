"""What remote mode does once its connection is lost: reconnect, restore the session, replay the
open transaction and validate it, resolve an interrupted COMMIT by its GTID (docs/python-api.md).

A `Recovery` is shared by one backend's recoveries; each recovery has its own `RecoveryBudget`
(`transparent_replay.policy`: backoff, replay attempts, deadline) and is counted in the backend's
`ReplayStatistics` and the Prometheus metrics. A recovery that cannot hide the loss raises
`ReplayFailed`, carrying the API error the caller gets (HZ001, or 08006 when replay was off).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from heliosdb_lite.api.errors import Error, OperationalError, from_engine
from heliosdb_lite.api.remote_link import ConnectionLost, Link, StatementFailed
from heliosdb_lite.api.remote_recording import RecordedTransaction, SessionState
from heliosdb_lite.api.result import Result
from heliosdb_lite.errors import CONNECTION_FAILURE
from heliosdb_lite.transparent_replay import metrics
from heliosdb_lite.transparent_replay.failure import FailureReason, replay_error
from heliosdb_lite.transparent_replay.metrics import ReplayStatistics
from heliosdb_lite.transparent_replay.outcome import Resolution
from heliosdb_lite.transparent_replay.policy import RecoveryBudget, ReplayPolicy

log = logging.getLogger("heliosdb.api.replay")
CONNECTION_FAILURE = CONNECTION_FAILURE
T = TypeVar("T")


class ReplayFailed(Exception):
    """A recovery could not hide the loss; `error` is what the caller gets."""

    def __init__(self, reason: str, error: Error) -> None:
        super().__init__(str(error))
        self.reason = reason
        self.error = error


class KeptLink(ReplayFailed):
    """A failed recovery that still has a live connection, for the session to go on with."""

    def __init__(self, link: Link, reason: str, error: Error) -> None:
        super().__init__(reason, error)
        self.link = link


class Recovery:
    """Reconnects and replays for one remote session (its DSN, session id and state)."""

    def __init__(self, dsn: str, options: dict[str, Any], session_id: str, session: SessionState,
                 policy: ReplayPolicy, statistics: ReplayStatistics) -> None:
        self._dsn = dsn
        self._options = options
        self._session_id = session_id
        self._session = session
        self._policy = policy
        self._statistics = statistics

    def reconnected(self, kind: str, transaction: RecordedTransaction | None) -> Link:
        """A new connection after a loss with `kind` in flight, the open transaction (if any)
        replayed on it and validated."""
        return self._counted(kind, lambda budget: self._reconnect_and_replay(budget, transaction))

    def committed(self, transaction: RecordedTransaction, gtid: str) -> tuple[Link, Result]:
        """The answer to a COMMIT of `gtid` whose connection was lost: COMMIT if it committed, else
        the transaction replayed and committed again under a fresh GTID."""
        return self._counted(metrics.COMMIT_IN_FLIGHT, lambda budget: self._commit(budget, transaction, gtid))

    def resolved_alone(self, gtid: str, statement: str) -> Link:
        """A statement run alone was in flight: a new connection to send it again on, when `gtid`
        did not commit (now fenced); HZ001 when it did, since its answer is lost."""
        return self._counted(metrics.COMMIT_IN_FLIGHT, lambda budget: self._alone(budget, gtid, statement))

    def _counted(self, kind: str, recover: Callable[[RecoveryBudget], T]) -> T:
        budget = self._policy.budget()
        self._statistics.recovery_started(kind)
        try:
            recovered = recover(budget)
        except ReplayFailed as failure:
            self._finished(kind, budget, failure.reason)
            raise
        self._finished(kind, budget, None)
        return recovered

    def _finished(self, kind: str, budget: RecoveryBudget, failure: str | None) -> None:
        seconds = budget.elapsed()
        self._statistics.recovery_finished(kind, seconds=seconds, failure=failure,
                                           transaction_saved=kind != metrics.IDLE)
        log.info("transparent replay: %s recovery %s in %.3f s", kind, failure or "succeeded", seconds)

    # the three recoveries -------------------------------------------------------------------------

    def _reconnect_and_replay(self, budget: RecoveryBudget, transaction: RecordedTransaction | None) -> Link:
        while True:
            link = self._reconnect(budget)
            if transaction is None:
                return link
            if not transaction.recording.active:
                raise self._off(link, transaction, "the server connection was lost")
            self._start_replay(budget, transaction, None, link)
            try:
                self._replay(link, transaction, transaction.named_gtid)
            except ConnectionLost:
                continue
            return link

    def _commit(self, budget: RecoveryBudget, transaction: RecordedTransaction,
                gtid: str) -> tuple[Link, Result]:
        while True:
            link, committed = self._look_up(budget, gtid)
            if committed:
                log.info("transparent replay: the interrupted COMMIT of %s had committed", gtid)
                return link, Result(None, "COMMIT")
            if not transaction.recording.active:
                raise self._off(link, transaction, f"COMMIT was interrupted and transaction {gtid} did not "
                                                   "commit (it is now fenced)")
            self._start_replay(budget, transaction, gtid, link)
            try:
                self._replay(link, transaction, None)
                gtid = link.next_gtid()
                result = link.send("COMMIT", None).result
            except ConnectionLost:
                continue
            except StatementFailed as refused:
                raise KeptLink(link, "commit_refused", refused.error) from None
            log.info("transparent replay: transaction replayed and committed as %s", gtid)
            return link, result

    def _alone(self, budget: RecoveryBudget, gtid: str, statement: str) -> Link:
        link, committed = self._look_up(budget, gtid)
        if committed:
            raise KeptLink(link, FailureReason.UNREPRODUCIBLE.value, from_engine(replay_error(
                gtid, statement, FailureReason.UNREPRODUCIBLE, committed=True)))
        return link

    # steps ----------------------------------------------------------------------------------------

    def _reconnect(self, budget: RecoveryBudget) -> Link:
        """A new connection to the writable server, the session resumed and its state restored."""
        while True:
            if budget.expired:
                raise ReplayFailed(FailureReason.DEADLINE.value, from_engine(replay_error(
                    None, None, FailureReason.DEADLINE)))
            delay = budget.connect_delay()
            if delay:
                time.sleep(delay)  # the reconnect backoff, replay_backoff_ms doubling
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
                raise ReplayFailed(FailureReason.RESTORE_FAILED.value, from_engine(replay_error(
                    None, None, FailureReason.RESTORE_FAILED, detail=failed.error.pgerror))) from None
            return link

    def _look_up(self, budget: RecoveryBudget, gtid: str) -> tuple[Link, bool]:
        """A new connection and the outcome of `gtid` on it (fenced when not committed)."""
        while True:
            link = self._reconnect(budget)
            try:
                outcome = link.outcome(gtid)
            except ConnectionLost:
                continue
            except StatementFailed as refused:  # e.g. 25006: the server refuses writes for now
                raise KeptLink(link, "lookup_refused", refused.error) from None
            committed = outcome.resolution is Resolution.ANSWER_AS_RECORDED
            self._statistics.outcome_looked_up(committed)
            return link, committed

    def _start_replay(self, budget: RecoveryBudget, transaction: RecordedTransaction, gtid: str | None,
                      link: Link) -> None:
        if not budget.start_replay():
            raise self._broken(link, transaction, FailureReason.ATTEMPTS_EXHAUSTED, gtid, None)

    def _replay(self, link: Link, transaction: RecordedTransaction, named_gtid: str | None) -> None:
        """BEGIN and every recorded statement again on `link`, each answer checked against its
        digest; a difference breaks the transaction (rolled back on the server): HZ001."""
        preamble = [transaction.begin_sql]
        if named_gtid is not None:
            preamble.insert(0, f"SET heliosdb.gtid = '{named_gtid}'")
        if transaction.timestamp is not None:
            preamble.insert(0, f"SET heliosdb.transaction_timestamp = '{transaction.timestamp}'")
        try:
            for sql in preamble:
                link.send(sql, None)
        except StatementFailed as refused:
            raise KeptLink(link, FailureReason.RESTORE_FAILED.value, from_engine(replay_error(
                named_gtid, sql, FailureReason.RESTORE_FAILED, detail=refused.error.pgerror))) from None
        for statement in transaction.statements:
            try:
                digest, failed = link.send(statement.sql, statement.params).digest, False
            except StatementFailed as refused:
                digest, failed = refused.digest, True
            if (digest, failed) != (statement.digest, statement.failed):
                raise self._broken(link, transaction, FailureReason.DIVERGED, named_gtid, statement.sql)

    def _broken(self, link: Link, transaction: RecordedTransaction, reason: FailureReason, gtid: str | None,
                statement: str | None) -> ReplayFailed:
        """The transaction cannot be saved: rolled back on `link`, which the session keeps."""
        error = from_engine(replay_error(gtid, statement, reason))
        transaction.broken = str(error)
        with contextlib.suppress(ConnectionLost, StatementFailed):
            link.send("ROLLBACK", None)
        return KeptLink(link, reason.value, error)

    def _off(self, link: Link, transaction: RecordedTransaction, what: str) -> ReplayFailed:
        """A loss in a transaction that was not recorded (too large, unsafe, replay off)."""
        why = f"{what}; transparent replay was off for this transaction: {transaction.recording.disabled}"
        transaction.broken = why
        return KeptLink(link, "disabled", OperationalError(why, sqlstate=CONNECTION_FAILURE))
