"""What a proxy session does when its server connection is lost (docs/replay-proxy.md).

1. Reconnect with backoff to whichever upstream is writable now, resuming the session id, and
   restore the session state (prepared statements, settings, a client-named GTID, the pinned
   transaction timestamp).
2. Idle: done, the client notices nothing.
3. A COMMIT in flight (explicit, or an autocommit request that may write): look its GTID up with
   `heliosdb_txn_outcome()`. Committed: answer the client as the server would have (command tags
   from the outcome; Parse/Bind/Describe answered by the server again, Execute not run again).
   Not committed, and now fenced: replay under a fresh GTID (the session's next one).
4. Replay: send every recorded client message again; the responses are compared with what the
   client saw (same count, same XXH3-128 digests at each statement's end) before anything more
   is forwarded. Equal: the session goes on as if nothing happened.
5. Anything else ends in HZ001 (transparent_replay.failure), never in a second apply.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

from heliosdb_lite.errors import (
    CANNOT_CONNECT_NOW,
    CONNECTION_FAILURE,
    READ_ONLY_SQL_TRANSACTION,
    DatabaseError,
)
from heliosdb_lite.protocol import frontend, messages
from heliosdb_lite.protocol.frontend import BackendMessage
from heliosdb_lite.proxy.recorded import RecordedMessage, SessionEnd, Validation
from heliosdb_lite.proxy.tracker import Expect, Pending
from heliosdb_lite.proxy.upstream import Upstream, UpstreamLost, UpstreamRefused
from heliosdb_lite.transparent_replay import metrics
from heliosdb_lite.transparent_replay.failure import FailureReason, replay_error
from heliosdb_lite.transparent_replay.gtid import TRANSACTION_TIMESTAMP_PARAMETER
from heliosdb_lite.transparent_replay.outcome import (
    COMMITTED,
    RecordedResponse,
    TxnOutcome,
    outcome_from_row,
    outcome_query,
)
from heliosdb_lite.transparent_replay.policy import RecoveryBudget
from heliosdb_lite.transparent_replay.statements import Classified, Kind

if TYPE_CHECKING:
    from heliosdb_lite.proxy.session import ProxySession

log = logging.getLogger("heliosdb.proxy")
# A failed transaction the client is in, recreated on a new connection after a failed replay.
FAILED_TRANSACTION = frontend.query("BEGIN") + frontend.query("SELECT 1/0")
_TIMESTAMP_TEXT = re.compile(r"^[0-9 :.+\-T]+$")
# the lookup may be retried on another connection
SERVER_NOT_READY = (READ_ONLY_SQL_TRANSACTION, CANNOT_CONNECT_NOW)


class Unreproducible(Exception):
    """The committed transaction's answer cannot be given: the reason is the message."""


def _statement_text(recorded: RecordedMessage | None) -> str:
    if recorded is None:
        return ""
    message = recorded.message
    if isinstance(message, messages.Query):
        return message.sql
    if isinstance(message, messages.Parse):
        return message.sql
    if recorded.statements:
        return "; ".join(item.text for item in recorded.statements)
    return type(message).__name__


def _in_flight_commit(recorded: list[RecordedMessage], status: str) -> bool:
    """Whether these client messages (not yet answered) may have committed a transaction: a COMMIT,
    or a statement outside a transaction block (autocommit) that may write."""
    in_block = status != "I"
    for item in (statement for message in recorded for statement in message.statements):
        if item.kind is Kind.BEGIN:
            in_block = True
        elif item.kind is Kind.COMMIT:
            return True
        elif item.kind is Kind.ROLLBACK:
            in_block = False
        elif item.kind in (Kind.OTHER, Kind.UNSAFE) and not in_block:
            return True
    return False


def _requests(recorded: list[RecordedMessage]) -> list[list[RecordedMessage]]:
    """The messages cut after each Sync or Query; an unfinished last request is its own group."""
    groups: list[list[RecordedMessage]] = [[]]
    for message in recorded:
        groups[-1].append(message)
        if isinstance(message.message, messages.Sync | messages.Query):
            groups.append([])
    return [group for group in groups if group]


class Recovery:
    """One recovery of one session, from the lost connection until its replay is validated."""

    def __init__(self, session: ProxySession, cause: str) -> None:
        self.session = session
        self.cause = cause
        self.budget: RecoveryBudget = session.context.policy.budget()
        self.first_unanswered = session.last_ready_index + 1
        unanswered = [message for message in session.recorded if message.index >= self.first_unanswered]
        if session.tracker.head is None and session.status == "I" and not session.recorded:
            self.kind = metrics.IDLE
        elif _in_flight_commit(unanswered, session.status):
            self.kind = metrics.COMMIT_IN_FLIGHT
        else:
            self.kind = metrics.OPEN_TRANSACTION
        self.gtid = session.next_gtid()
        checksum = session.checksum
        self.expected = Validation(checksum.count, checksum.digest(), list(session.milestones))
        self.client_view = (session.status, session.since_ready, session.tags_since_ready,
                            session.last_ready_index)
        self.outcome: TxnOutcome | None = None
        self.replayed = False  # the recording was sent again: its COMMIT may have run

    def resume(self, cause: str) -> None:
        """The connection was lost again before the replay was validated: nothing more reached the
        client, so its view is the one from the first loss; but the replay's COMMIT (or autocommit
        write) may have committed, under the GTID the new connection reported: look that one up
        before sending anything again."""
        session = self.session
        self.cause = cause
        session.status, session.since_ready, session.tags_since_ready, session.last_ready_index = \
            self.client_view
        if self.replayed and _in_flight_commit(session.recorded, "I"):
            self.kind = metrics.COMMIT_IN_FLIGHT
            self.outcome = None
            self.gtid = session.next_gtid()
            self.replayed = False

    @classmethod
    async def after_loss(cls, session: ProxySession, cause: str) -> None:
        """Recover `session`; a recovery whose replay was interrupted before it was validated
        continues (same budget, same expected responses)."""
        if session.upstream is not None:
            session.upstream.close()
            session.upstream = None
        recovery = session.recovery
        if recovery is None:
            recovery = cls(session, cause)
            session.context.statistics.recovery_started(recovery.kind)
            log.info("session %d lost its server connection (%s): recovering (%s, GTID %s)",
                     session.process_id, cause, recovery.kind, recovery.gtid)
        else:
            recovery.resume(cause)
        session.validating = None
        session.recovery = recovery
        await recovery.run()

    # the steps -------------------------------------------------------------------------------------

    async def run(self) -> None:
        session = self.session
        policy = session.context.policy
        if self.kind != metrics.IDLE and not (policy.enabled and session.recording.active):
            why = session.recording.disabled or "replay_on_connection_loss is off"
            await self._end_session(DatabaseError(
                CONNECTION_FAILURE, f"the server connection was lost ({self.cause}); the transaction was not "
                f"recorded for replay: {why}", severity="FATAL"))
        if not policy.enabled:
            await self._end_session(DatabaseError(CONNECTION_FAILURE,
                                                  f"the server connection was lost ({self.cause})",
                                                  severity="FATAL"))
        while True:
            if self.budget.expired:
                await self._give_up(FailureReason.DEADLINE)
            await asyncio.sleep(self.budget.connect_delay())
            try:
                upstream = await session.connect_upstream(max(self.budget.remaining(), 0.1))
            except UpstreamRefused as refused:
                if not refused.transient:
                    await self._give_up(FailureReason.RESTORE_FAILED, detail=refused.error.message)
                continue
            except UpstreamLost as lost:
                self.cause = str(lost)
                continue
            try:
                await self._continue_on(upstream)
                return
            except UpstreamLost as lost:
                upstream.close()
                self.cause = str(lost)

    async def _continue_on(self, upstream: Upstream) -> None:
        session = self.session
        await self._restore(upstream)
        if self.kind == metrics.COMMIT_IN_FLIGHT:
            if self.outcome is None:
                self.outcome = await self._lookup(upstream)
                session.context.statistics.outcome_looked_up(self.outcome.status == COMMITTED)
            if self.outcome.status == COMMITTED:
                try:
                    await self._answer_committed(upstream)
                except Unreproducible as unreproducible:
                    await self._fail(FailureReason.UNREPRODUCIBLE, upstream, committed=True,
                                     detail=str(unreproducible))
                return
            state = session.state
            assert state is not None  # recovery follows the startup
            if state.named_gtid is not None:
                await self._fail(FailureReason.UNREPRODUCIBLE, upstream,
                                 detail=f"its client-named GTID {self.gtid} is now fenced: it cannot commit "
                                        "under it")
                return
        await self._restore_unnamed(upstream)
        if not session.recorded:
            self._install(upstream)
            self.validated()
            return
        if not session.recording.active:
            await self._end_session(DatabaseError(
                CONNECTION_FAILURE, f"the server connection was lost ({self.cause}); the transaction was not "
                f"recorded for replay: {session.recording.disabled}", severity="FATAL"))
        if not self.budget.start_replay():
            await self._give_up(FailureReason.ATTEMPTS_EXHAUSTED)
        self._replay(upstream)

    async def _exchange(self, upstream: Upstream, data: bytes, ready: int) -> list[BackendMessage]:
        upstream.send(data)
        try:
            return await asyncio.wait_for(upstream.until_ready(ready), max(self.budget.remaining(), 0.1))
        except TimeoutError as error:
            raise UpstreamLost("the server did not answer in time") from error

    async def _restore(self, upstream: Upstream) -> None:
        """Recreate the session state, and pin the transaction timestamp the client saw."""
        session = self.session
        assert session.state is not None
        data, ready = session.state.restore()
        pinned = session.pinned_timestamp
        if self.kind != metrics.IDLE and pinned is not None and _TIMESTAMP_TEXT.match(pinned):
            data += frontend.query(f"SET {TRANSACTION_TIMESTAMP_PARAMETER} = '{pinned}'")
            ready += 1
        if not ready:
            return
        for answer in await self._exchange(upstream, data, ready):
            if answer.type == "E":
                fields = frontend.decode_error_fields(answer.body)
                log.warning("session %d: restoring session state on %s: %s %s", session.process_id,
                            upstream.address, fields.get("C"), fields.get("M"))

    async def _restore_unnamed(self, upstream: Upstream) -> None:
        """The unnamed statement, after every simple query the recovery runs (they destroy it)."""
        state = self.session.state
        assert state is not None  # recovery follows the startup
        parse = state.unnamed_statement
        if parse is not None:
            await self._exchange(upstream, parse + frontend.sync(), 1)

    async def _lookup(self, upstream: Upstream) -> TxnOutcome:
        if self.gtid is None:
            raise UpstreamLost("the server reported no session id, so the COMMIT's GTID is unknown")
        answers = await self._exchange(upstream, frontend.query(outcome_query(self.gtid)), 1)
        for answer in answers:
            if answer.type == "E":
                error = frontend.error_from_fields(frontend.decode_error_fields(answer.body))
                if error.sqlstate in SERVER_NOT_READY:
                    raise UpstreamLost(f"the outcome lookup was refused for now: {error.message}")
                await self._give_up(FailureReason.RESTORE_FAILED, detail=f"outcome lookup: {error.message}")
            if answer.type == "D":
                status, lsn, tags = (None if value is None else value.decode()
                                     for value in frontend.decode_data_row(answer.body))
                assert status is not None
                outcome = outcome_from_row(self.gtid, status, lsn, tags)
                log.info("session %d: GTID %s is %s", self.session.process_id, self.gtid, outcome.status)
                return outcome
        raise UpstreamLost("the outcome lookup returned no row")

    def _install(self, upstream: Upstream) -> None:
        """Make `upstream` the session's connection; tell the client what parameters changed."""
        session = self.session
        session.upstream = upstream
        changed = [(name, value) for name, value in upstream.parameters.items()
                   if session.client_parameters.get(name) != value]
        for name, value in changed:
            session.client_parameters[name] = value
        if changed:
            session.write_client(b"".join(messages.parameter_status(name, value) for name, value in changed))

    def _replay(self, upstream: Upstream) -> None:
        """Send the recording again; the session checks the responses against `expected`."""
        session = self.session
        session.reset_tracking()
        session.checksum.reset()
        session.milestones.clear()
        session.since_ready = session.tags_since_ready = 0
        session.last_ready_index = self.first_unanswered - 1 if not session.recorded else \
            session.recorded[0].index - 1
        expected = self.expected
        session.validating = Validation(expected.count, expected.digest, list(expected.milestones)) \
            if expected.count else None
        self.replayed = True
        for recorded in session.recorded:
            session.track(recorded)
        self._install(upstream)
        upstream.send(b"".join(recorded.frame for recorded in session.recorded))
        if session.validating is None:
            self.validated()

    # an interrupted COMMIT that committed ------------------------------------------------------

    async def _answer_committed(self, upstream: Upstream) -> None:
        """Answer the committing request from the outcome without running it again."""
        session = self.session
        assert session.state is not None and self.outcome is not None
        requests = _requests([message for message in session.recorded
                              if message.index > session.last_ready_index])
        committing = requests[0]
        if _in_flight_commit([message for group in requests[1:] for message in group], "I"):
            raise Unreproducible("several committing requests were in flight at once (a pipeline)")
        if not isinstance(committing[-1].message, messages.Sync | messages.Query):
            raise Unreproducible("the committing request had not ended with Sync")
        tags = self._tags_for(committing)
        statements, ready = session.state.settle_statements()
        if ready:
            await self._exchange(upstream, statements, ready)
        await self._restore_unnamed(upstream)
        # what the client sent meanwhile follows the committing request
        later = [message for message in session.recorded if message.index > committing[-1].index]
        session.reset_tracking()
        self._install(upstream)
        out: list[bytes] = []
        if isinstance(committing[0].message, messages.Query):
            self._answer_query(committing[0], tags, out)
        else:
            self._answer_extended(upstream, committing, tags, out)
        for recorded in later:
            session.track(recorded)
        upstream.send(b"".join(recorded.frame for recorded in later))
        if out:
            session.write_client(b"".join(out))
        if session.validating is None:
            self.validated()

    def _tags_for(self, committing: list[RecordedMessage]) -> list[RecordedResponse]:
        """The answer of every statement of the committing request, aligned with the recorded
        responses of the outcome (the COMMIT statement itself answers COMMIT)."""
        assert self.outcome is not None
        statements: list[Classified] = [item for message in committing for item in message.statements]
        others = sum(item.kind is not Kind.COMMIT for item in statements)
        recorded = list(self.outcome.responses or ())
        if len(recorded) < others:
            raise Unreproducible("the server did not record the command tags of the committing request")
        aligned = iter(recorded[len(recorded) - others:])
        answers = [RecordedResponse("COMMIT") if item.kind is Kind.COMMIT else next(aligned)
                   for item in statements]
        simple_query = isinstance(committing[0].message, messages.Query)
        for position, answer in enumerate(answers[self.session.tags_since_ready:],
                                          start=self.session.tags_since_ready):
            # a simple query's result set (its RowDescription) is lost with the answer; an
            # Execute's RowDescription is the Describe's, so only its rows are
            if (answer.rows is not None) if simple_query else bool(answer.rows):
                raise Unreproducible(f"its statement {position + 1} ({answer.tag}) returned a result the "
                                     "client never received")
        return answers

    def _answer_query(self, query: RecordedMessage, tags: list[RecordedResponse], out: list[bytes]) -> None:
        session = self.session
        session.track(query)
        for answer in tags[session.tags_since_ready:]:
            session.on_backend(BackendMessage("C", messages.cstr(answer.tag)), out, synthetic=True)
        session.on_backend(BackendMessage("Z", b"I"), out, synthetic=True)

    def _answer_extended(self, upstream: Upstream, committing: list[RecordedMessage],
                         tags: list[RecordedResponse], out: list[bytes]) -> None:
        """Parse, Bind, Describe, Close and Sync go to the server again; each Execute is answered
        with its recorded tag; a Parse already restored is answered ParseComplete. Any error the
        server gives meanwhile makes the answer unreproducible: the client must never take a
        committed COMMIT for a failed one."""
        session = self.session
        assert session.state is not None
        executes = iter(tags)
        data: list[bytes] = []
        for recorded in committing:
            message = recorded.message
            if isinstance(message, messages.Execute):
                tag = next(executes).tag
                session.tracker.sent(Pending(Expect.EXECUTE, recorded.index, message.portal,
                                             synthetic=BackendMessage("C", messages.cstr(tag))))
            elif isinstance(message, messages.Parse) and \
                    session.state.statements.get(message.statement) == recorded.frame:
                session.tracker.sent(Pending(Expect.PARSE, recorded.index, message.statement,
                                             synthetic=BackendMessage("1", b"")))
            else:
                session.track(recorded)
                data.append(recorded.frame)
        session.checksum.reset()
        session.validating = Validation(session.since_ready) if session.since_ready else None
        session.since_ready = session.tags_since_ready = 0
        session.answering_committed = True
        upstream.send(b"".join(data))
        session.answer_synthetic(out)

    # endings ----------------------------------------------------------------------------------

    def validated(self) -> None:
        """The replay reproduced what the client saw (or nothing needed replaying): done."""
        session = self.session
        session.recovery = None
        seconds = self.budget.elapsed()
        session.context.statistics.recovery_finished(self.kind, seconds=seconds, failure=None,
                                                     transaction_saved=self.kind != metrics.IDLE)
        how = "answered from its outcome" if self.outcome is not None and self.outcome.status == COMMITTED \
            else "replayed" if session.recorded else "reconnected"
        log.info("session %d recovered in %.3f s (%s, GTID %s): %s on %s after %d replay(s)",
                 session.process_id, seconds, self.kind, self.gtid, how,
                 session.upstream.address if session.upstream else "?", self.budget.replays)

    async def diverged(self, index: int, error: str | None = None) -> None:
        """A replayed response differed; or answering a committed COMMIT met an error."""
        session = self.session
        recorded = next((message for message in session.recorded if message.index == index), None)
        upstream = session.upstream
        session.upstream = None
        if upstream is not None:
            upstream.close()
        if self.outcome is not None and self.outcome.status == COMMITTED:
            await self._fail(FailureReason.UNREPRODUCIBLE, None, committed=True,
                             statement=_statement_text(recorded),
                             detail=f"answering the committing request again, the server said {error}")
            return
        await self._fail(FailureReason.DIVERGED, None, statement=_statement_text(recorded))

    async def _fail(self, reason: FailureReason, upstream: Upstream | None, *, committed: bool = False,
                    statement: str | None = None, detail: str | None = None) -> None:
        """HZ001 to the client; the session goes on, on a connection in the state the client now
        expects: idle, or (inside an explicit transaction) a failed transaction to roll back."""
        session = self.session
        assert session.state is not None
        if statement is None:
            unanswered = [message for message in session.recorded if message.index >= self.first_unanswered]
            statement = _statement_text(unanswered[-1] if unanswered else None)
        error = replay_error(self.gtid, statement, reason, committed=committed, detail=detail)
        self._finished_with(reason)
        log.warning("session %d: %s", session.process_id, error.message)
        status = "I" if self.kind == metrics.COMMIT_IN_FLIGHT or self.client_view[0] == "I" else "E"
        unanswered = [message for message in session.recorded if message.index >= self.first_unanswered]
        session.state.settle(committed=False)
        session.recorded.clear()
        session.recording.reset()
        session.reset_tracking()
        session.checksum.reset()
        session.milestones.clear()
        session.validating = None
        upstream = await self._clean_connection(upstream, failed_transaction=status == "E")
        self._install(upstream)
        ends = [message for message in unanswered
                if isinstance(message.message, messages.Sync | messages.Query)]
        out = [messages.error_response(error)]
        out.extend(messages.ready_for_query(status) for _ in ends)
        session.discard_until_sync = not ends
        session.status = status
        session.since_ready = session.tags_since_ready = 0
        session.last_ready_index = unanswered[-1].index if unanswered else session.last_ready_index
        session.write_client(b"".join(out))

    async def _clean_connection(self, upstream: Upstream | None, *, failed_transaction: bool) -> Upstream:
        """A connection with the session state restored and no transaction (or a failed one)."""
        while True:
            if upstream is None:
                if self.budget.expired:
                    await self._give_up(FailureReason.DEADLINE)
                await asyncio.sleep(self.budget.connect_delay())
                try:
                    upstream = await self.session.connect_upstream(max(self.budget.remaining(), 0.1))
                    await self._restore(upstream)
                except UpstreamRefused as refused:
                    if not refused.transient:
                        await self._give_up(FailureReason.RESTORE_FAILED, detail=refused.error.message)
                    continue
                except UpstreamLost:
                    continue
            try:
                if failed_transaction:
                    await self._exchange(upstream, FAILED_TRANSACTION, 2)
                await self._restore_unnamed(upstream)
                return upstream
            except UpstreamLost:
                upstream.close()
                upstream = None

    def _finished_with(self, reason: FailureReason) -> None:
        self.session.recovery = None
        self.session.context.statistics.recovery_finished(self.kind, seconds=self.budget.elapsed(),
                                                          failure=reason.value, transaction_saved=False)

    async def _give_up(self, reason: FailureReason, *, detail: str | None = None) -> None:
        """No usable server: HZ001 as a FATAL error, and the client session ends."""
        self._finished_with(reason)
        unanswered = [message for message in self.session.recorded if message.index >= self.first_unanswered]
        error = replay_error(self.gtid, _statement_text(unanswered[-1] if unanswered else None), reason,
                             detail=detail or f"last problem: {self.cause}")
        error.severity = "FATAL"
        await self._end_session(error)

    async def _end_session(self, error: DatabaseError) -> None:
        log.warning("session %d ends: %s", self.session.process_id, error.message)
        self.session.write_client(messages.error_response(error))
        raise SessionEnd
