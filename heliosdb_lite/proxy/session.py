"""One client session of the proxy: start-up, forwarding in both directions, and what is recorded.

Client messages are forwarded as they arrive and kept, from the last moment the session was idle
(ReadyForQuery `I`), as the *recording*; the responses forwarded since then are counted and
digested (XXH3-128, ParameterStatus, notices and notifications aside). At the next idle moment
the recording is dropped and the session state it changed is settled (`session_state`). When
the server connection is lost, `recovery.Recovery` takes over (a task); until it is done client
messages are recorded but not sent.

After start-up both directions are handled in the links' callbacks (`link.Link.relay_to`), not in
tasks. Server responses are taken a block of whole frames at a time: the frames that need no more
than counting, digesting and matching to the request that awaits them are forwarded as they came
(one write per block, rows digested a run at a time); anything else (ParameterStatus, notices,
notifications, errors, a replay being validated) goes through `on_backend` one message at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from heliosdb_lite import fault_points
from heliosdb_lite.errors import (
    ADMIN_SHUTDOWN,
    CANNOT_CONNECT_NOW,
    CONNECTION_FAILURE,
    CRASH_SHUTDOWN,
    INTERNAL_ERROR,
    INVALID_AUTHORIZATION_SPECIFICATION,
    READ_ONLY_SQL_TRANSACTION,
    TOO_MANY_CONNECTIONS,
    DatabaseError,
    fatal,
    is_connection_exception,
)
from heliosdb_lite.protocol import client_encodings, frontend, messages
from heliosdb_lite.protocol.framing import FrontendParser
from heliosdb_lite.protocol.frontend import BackendMessage
from heliosdb_lite.proxy.context import ProxyContext
from heliosdb_lite.proxy.link import Link
from heliosdb_lite.proxy.recorded import RecordedMessage, SessionEnd, Validation
from heliosdb_lite.proxy.recovery import Recovery
from heliosdb_lite.proxy.session_state import SessionState
from heliosdb_lite.proxy.tracker import Expect, Pending, ResponseTracker, expectation
from heliosdb_lite.proxy.upstream import Credentials, Upstream, UpstreamLost, UpstreamRefused
from heliosdb_lite.server.authenticator import run_exchange
from heliosdb_lite.transparent_replay import statements
from heliosdb_lite.transparent_replay.checksum import ResponseChecksum
from heliosdb_lite.transparent_replay.gtid import (
    SESSION_ID_PARAMETER,
    TRANSACTION_TIMESTAMP_PARAMETER,
    TXN_SEQ_PARAMETER,
    canonical_gtid,
    gtid_of,
)
from heliosdb_lite.transparent_replay.recording import TransactionRecording
from heliosdb_lite.transparent_replay.statements import Classified, Kind

log = logging.getLogger("heliosdb.proxy")
ASYNC_MESSAGES = frozenset("SNA")  # ParameterStatus, NoticeResponse, NotificationResponse
STATEMENT_ENDS = frozenset("CEIsZ")  # CommandComplete, ErrorResponse, EmptyQuery, PortalSuspended, Ready
# FATAL errors by which a server says it is going away: recover instead of forwarding them
SERVER_GOING_AWAY = frozenset({ADMIN_SHUTDOWN, CRASH_SHUTDOWN, CANNOT_CONNECT_NOW})
_HEAD = frontend._HEAD  # type byte + length
_ROLLBACK_TAG = b"ROLLBACK\x00"  # a CommandComplete's body
_DATA_ROW = ord("D")
# responses that may need more than counting, digesting and matching: see on_backend
_SPECIAL_RESPONSES = frozenset(map(ord, ASYNC_MESSAGES | {"E"}))
_COMMIT_ANSWER_POINT = "proxy_commit_answer"
_COPY_MESSAGES = frozenset({messages.CopyData, messages.CopyDone, messages.CopyFail})
_MAY_DEALLOCATE = frozenset({Kind.SESSION, Kind.UNSAFE})  # DEALLOCATE and DISCARD are session statements


class ReplayDiverged(Exception):
    """A replayed response differs from what the client already received, at the statement of
    client message `index` (`error`: the server's, when it refused a committed request's messages)."""

    def __init__(self, index: int, error: str | None = None) -> None:
        super().__init__(index)
        self.index = index
        self.error = error


@dataclass(slots=True)
class Request:
    """The client messages up to a Sync or a Query, as far as session state is concerned."""

    frames: list[bytes] = field(default_factory=list)
    kinds: set[Kind] = field(default_factory=set)
    named_gtid: str | None = None
    deallocated: list[str] = field(default_factory=list)


def encode(message: BackendMessage) -> bytes:
    return _HEAD.pack(message.type.encode("latin-1"), len(message.body) + 4) + message.body


class ProxySession:
    """Drives one client connection from its first byte to Terminate."""

    def __init__(self, client: Link, context: ProxyContext) -> None:
        self.context = context
        self._client = client
        self._parser = FrontendParser(context.max_message_bytes)
        self.process_id = 0
        self.secret_key = secrets.randbits(31)
        self.state: SessionState | None = None
        self.credentials: Credentials | None = None
        self.upstream: Upstream | None = None
        self.tracker = ResponseTracker()
        self.recording = TransactionRecording(context.policy.max_transaction_bytes)
        self.recorded: list[RecordedMessage] = []
        self.checksum = ResponseChecksum()
        self.client_parameters: dict[str, str] = {}
        self.status = "I"  # the transaction status the client last saw
        self.since_ready = 0  # responses forwarded since the last ReadyForQuery
        self.tags_since_ready = 0  # CommandCompletes among them
        self.last_ready_index = -1  # the Sync or Query that ReadyForQuery last answered
        self.milestones: list[tuple[int, bytes, int]] = []  # (responses, digest, message) per statement end
        self.pinned_timestamp: str | None = None
        self.validating: Validation | None = None
        self.discard_until_sync = False
        self.answering_committed = False  # the server re-answers a committed request: no error allowed
        self.recovery: Recovery | None = None  # a recovery whose replay is not yet validated
        self._next_index = 0
        self._request = Request()
        self._requests: list[Request] = []  # sent, awaiting their ReadyForQuery
        self._statement_sql: dict[str, str] = {}
        self._portal_statement: dict[str, str] = {}
        self._parse_frames: dict[int, bytes] = {}
        self._request_failed = False
        self._rolled_back = False
        self._transaction_wrote = False
        self._terminating = False
        self._finished: asyncio.Future[None] | None = None  # set when the relaying session ends
        self._recovering: asyncio.Task[None] | None = None

    # lifecycle -----------------------------------------------------------------------------------

    async def run(self) -> None:
        registry = self.context.registry
        try:
            if not await self._startup():
                return
            await self._serve()
        except SessionEnd:
            pass
        except DatabaseError as error:
            await self._send_fatal(error)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        except Exception as error:
            log.exception("proxy session %d ended by an internal error", self.process_id)
            await self._send_fatal(fatal(INTERNAL_ERROR, f"internal error: {type(error).__name__}: {error}"))
        finally:
            if self._recovering is not None and not self._recovering.done():
                self._recovering.cancel()
                with contextlib.suppress(BaseException):
                    await self._recovering
            if self.process_id:
                registry.unregister(self.process_id)
            if self.upstream is not None:
                self.upstream.close()
            self._client.stop_relaying()
            self._client.close()

    async def _send_fatal(self, error: DatabaseError) -> None:
        if not self._client.is_closing():
            self._client.write(messages.error_response(error))

    async def _read_client(self) -> messages.FrontendMessage:
        while True:
            message = self._parser.next_message()
            if message is not None:
                return message
            data = await self._client.read()
            if not data:
                raise SessionEnd
            self._parser.feed(data)

    async def _startup(self) -> bool:
        while True:
            message = await self._read_client()
            if isinstance(message, messages.SSLRequest | messages.GSSENCRequest):
                self._client.write(b"N")
            elif isinstance(message, messages.CancelRequest):
                await self.context.registry.cancel(message.process_id, message.secret_key)
                return False
            elif isinstance(message, messages.StartupMessage):
                self._parser.startup_done()
                await self._start_session(message.parameters)
                return True
            else:
                raise messages.protocol_violation("expected a startup packet")

    async def _start_session(self, parameters: dict[str, str]) -> None:
        user = parameters.get("user")
        if not user:
            raise fatal(INVALID_AUTHORIZATION_SPECIFICATION,
                        "no PostgreSQL user name specified in startup packet")

        async def send(data: bytes) -> None:
            self._client.write(data)
            await self._client.drain()

        exchange = self.context.authenticator.begin(user)
        last_auth_message = await run_exchange(exchange, send, self._read_client)
        if len(self.context.registry) >= self.context.max_client_connections:
            raise fatal(TOO_MANY_CONNECTIONS, "sorry, too many clients already")
        self.credentials = Credentials(user, exchange.scram_keys)
        self.state = SessionState(parameters)
        try:
            self.upstream = await self._first_upstream()
        except DatabaseError:  # the client is authenticated, the server refuses: as PostgreSQL answers
            self._client.write(last_auth_message + messages.AUTH_OK)
            raise
        self.state.session_id = self.upstream.parameters.get(SESSION_ID_PARAMETER)
        self.process_id = self.context.registry.register(self)
        out = [last_auth_message, messages.AUTH_OK]
        for name, value in self.upstream.parameters.items():
            out.append(messages.parameter_status(name, value))
        self.client_parameters = dict(self.upstream.parameters)
        self._follow_client_encoding()
        out.append(messages.backend_key_data(self.process_id, self.secret_key))
        out.append(messages.ready_for_query("I"))
        self._client.write(b"".join(out))

    async def connect_upstream(self, timeout: float) -> Upstream:
        """A server connection as the client's user, with the client's startup parameters (known once
        the startup is done: the first connection and recoveries come after it)."""
        assert self.state is not None and self.credentials is not None
        return await self.context.connect(self.state.upstream_startup(), self.credentials, timeout)

    async def _first_upstream(self) -> Upstream:
        """Connect as the client's user; while no server answers, retry until the deadline."""
        budget = self.context.policy.budget()
        problem = "no attempt"
        while not budget.expired:
            await asyncio.sleep(budget.connect_delay())
            try:
                return await self.connect_upstream(max(budget.remaining(), 0.1))
            except UpstreamRefused as refused:
                if not refused.transient:
                    raise refused.error from None
                problem = refused.error.message
            except UpstreamLost as lost:
                problem = str(lost)
        raise fatal(CONNECTION_FAILURE, f"the proxy could not reach a writable server: {problem}")

    async def _serve(self) -> None:
        """Relay until the session ends: the links call back, recoveries run as tasks."""
        self._finished = asyncio.get_running_loop().create_future()
        self._attach_upstream()
        self._on_client_data(b"")  # what the client sent right after start-up
        self._client.relay_to(self._on_client_data, self._on_client_end)
        await self._finished

    def _end(self, error: BaseException) -> None:
        """End the relaying session with `error` (SessionEnd: the client is gone or said Terminate)."""
        if self._finished is not None and not self._finished.done():
            self._finished.set_exception(error)

    # client -> server ----------------------------------------------------------------------------

    def _on_client_data(self, data: bytes) -> None:
        try:
            self._client_messages(data)
        except Exception as error:
            self._end(error)

    def _on_client_end(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
        self._end(SessionEnd())

    def _client_messages(self, data: bytes) -> None:
        self._parser.feed(data)
        out: list[bytes] = []
        while (message := self._parser.next_message()) is not None:
            frame = self._parser.last_frame
            if isinstance(message, messages.Terminate):
                self._terminating = True
                if self.upstream is not None:
                    with contextlib.suppress(UpstreamLost):
                        self.upstream.send(b"".join(out) + frame)
                raise SessionEnd
            if self.discard_until_sync:
                if isinstance(message, messages.Sync):
                    self.discard_until_sync = False
                    self.write_client(messages.ready_for_query(self.status))
                continue
            self._accept(message, frame)
            out.append(frame)
        if out and self.upstream is not None:
            with contextlib.suppress(UpstreamLost):  # the upstream's end starts a recovery; all is recorded
                self.upstream.send(b"".join(out))

    def _accept(self, message: messages.FrontendMessage, frame: bytes) -> None:
        """Record one client message and track what it waits for."""
        recorded = RecordedMessage(self._next_index, message, frame, self._statements_of(message))
        self._next_index += 1
        for item in recorded.statements:
            if item.kind is Kind.UNSAFE:
                self.recording.disable("unsafe_statement", f"{item.value} ({item.text[:80]!r})")
        if self.recording.active and self.recording.admit(len(frame)):
            self.recorded.append(recorded)
        elif self.recorded:
            self.recorded.clear()
            self.milestones.clear()
        self.track(recorded)

    def _statements_of(self, message: messages.FrontendMessage) -> tuple[Classified, ...]:
        backslash_quotes = self.client_parameters.get(statements.STANDARD_CONFORMING_STRINGS) == "off"
        match message:
            case messages.Query():
                return statements.classify(message.sql, backslash_quotes=backslash_quotes)
            case messages.Parse():
                self._statement_sql[message.statement] = message.sql
            case messages.Close() if message.kind == "S":
                self._statement_sql.pop(message.name, None)
            case messages.Bind():
                self._portal_statement[message.portal] = message.statement
            case messages.Execute():
                sql = self._statement_sql.get(self._portal_statement.get(message.portal, ""), "")
                return statements.classify(sql, backslash_quotes=backslash_quotes)
        return ()

    def track(self, recorded: RecordedMessage) -> None:
        """What the message waits for, and its part in the session-changing request it belongs to."""
        message = recorded.message
        entry = expectation(message, recorded.index)
        if entry is not None:
            self.tracker.sent(entry)
        request = self._request
        if isinstance(message, messages.Parse):
            self._parse_frames[recorded.index] = recorded.frame  # prepared statements: session state
            if not message.statement:  # a named statement is restored on its own
                request.frames.append(recorded.frame)
        elif type(message) not in _COPY_MESSAGES:  # COPY never changes session state
            request.frames.append(recorded.frame)
        for item in recorded.statements:
            request.kinds.add(item.kind)
            if item.kind is Kind.NAMED_GTID:
                request.named_gtid = canonical_gtid(item.value or "")
            name = statements.deallocated(item.text) if item.kind in _MAY_DEALLOCATE else None
            if name is not None:
                request.deallocated.append(name)
        if isinstance(message, messages.Query | messages.Sync):
            self._requests.append(request)
            self._request = Request()

    def reset_tracking(self) -> None:
        """Forget what was in flight on a lost connection (a replay tracks its messages again)."""
        self.tracker.reset()
        self._request = Request()
        self._requests.clear()
        self._parse_frames.clear()

    # server -> client ----------------------------------------------------------------------------

    def _attach_upstream(self) -> None:
        """Relay the responses of `self.upstream` (what its parser holds first), with flow control
        between it and the client."""
        upstream = self.upstream
        assert upstream is not None
        link = upstream.link
        link.feeder, self._client.feeder = self._client, link
        link.relay_to(lambda data: self._on_upstream_data(upstream, data),
                      lambda: self._on_upstream_end(upstream), upstream.parser.take_buffered())

    def _on_upstream_data(self, upstream: Upstream, data: bytes) -> None:
        if upstream is not self.upstream:
            return
        out: list[bytes] = []
        try:
            block, ends = upstream.parser.complete_frames(data)
            self._relay_responses(block, ends, out)
        except UpstreamLost as lost:
            self._recover(Recovery.after_loss(self, str(lost)))
        except ReplayDiverged as diverged:
            assert self.recovery is not None
            self._recover(self.recovery.diverged(diverged.index, diverged.error))
        except Exception as error:
            self._end(error)
        finally:
            if out:
                self.write_client(b"".join(out))

    def _on_upstream_end(self, upstream: Upstream) -> None:
        if upstream is not self.upstream:
            return
        if self._terminating:
            self._end(SessionEnd())
            return
        error = upstream.link.error
        cause = f"reading from the server failed: {error}" if error else "the server closed the connection"
        self._recover(Recovery.after_loss(self, cause))

    def _recover(self, steps: Coroutine[Any, Any, None]) -> None:
        """Run a recovery's `steps` as a task; then relay the server connection it installed."""
        if self.upstream is not None:
            self.upstream.link.stop_relaying()
        self._client.feeder = None
        self._client.resume_reading()
        self._recovering = asyncio.get_running_loop().create_task(self._recovery_task(steps))

    async def _recovery_task(self, steps: Coroutine[Any, Any, None]) -> None:
        try:
            await steps
            if self.upstream is not None:
                self._attach_upstream()
        except Exception as error:
            self._end(error)

    def write_client(self, data: bytes) -> None:
        self._client.write(data)

    def _relay_responses(self, block: bytes, ends: list[int], out: list[bytes]) -> None:
        """Account for a block of whole response frames and queue them for the client: the plain
        ones forwarded as they are, the rest through `on_backend`."""
        start = forward_from = rows_from = rows = 0
        commit_point_armed = fault_points.armed(_COMMIT_ANSWER_POINT)
        for end in ends:
            code = block[start]
            plain = self.validating is None and not self.answering_committed
            if code == _DATA_ROW and plain:
                if not rows:
                    rows_from = start
                rows += 1
                start = end
                continue
            if rows:
                self.checksum.update_frames(block[rows_from:start], rows)
                self.since_ready += rows
                rows = 0
            type_code = chr(code)
            if plain and code not in _SPECIAL_RESPONSES and not (type_code == "C" and commit_point_armed):
                frame = block[start:end]
                _, completed = self._account(type_code, frame)
                self._settle(completed, type_code, frame)
            else:
                if forward_from < start:
                    out.append(block[forward_from:start])
                self.on_backend(BackendMessage(type_code, block[start + 5:end]), out)
                forward_from = end
            start = end
        if rows:
            self.checksum.update_frames(block[rows_from:start], rows)
            self.since_ready += rows
        if forward_from < start:
            out.append(block[forward_from:start])

    def on_backend(self, message: BackendMessage, out: list[bytes], *, synthetic: bool = False) -> None:
        """Account for one server message and queue it for the client; while a replay's first
        responses are compared with what the client saw, they are checked instead of forwarded."""
        type_code = message.type
        if type_code in ASYNC_MESSAGES:
            self._on_async(message, out)
            return
        if type_code == "E":
            self._on_error(message)
            if self.answering_committed:
                head = self.tracker.head
                fields = frontend.decode_error_fields(message.body)
                raise ReplayDiverged(head.index if head is not None else -1,
                                     f"{fields.get('C')}: {fields.get('M')}")
        elif type_code == "C" and not synthetic and self.validating is None and fault_points.hit(
                _COMMIT_ANSWER_POINT) and frontend.decode_command_complete(message.body) == "COMMIT":
            raise UpstreamLost("fault point proxy_commit_answer: the COMMIT's answer was dropped")
        frame = encode(message)
        head, completed = self._account(type_code, frame)
        if self.validating is not None:
            self._check_replayed(head.index if head is not None else -1)
        else:
            out.append(frame)
        self._settle(completed, type_code, frame)
        self.answer_synthetic(out)

    def _account(self, type_code: str, frame: bytes) -> tuple[Pending | None, list[tuple[Pending, bool]]]:
        """Count and digest one response frame (not an asynchronous message); which client
        message it answers (the head before it) and the entries it completed."""
        head = self.tracker.head
        completed = self.tracker.received(type_code)
        self.checksum.update(frame)
        self.since_ready += 1
        if type_code == "C":
            self.tags_since_ready += 1
            self._rolled_back = frame[5:] == _ROLLBACK_TAG
        if type_code in STATEMENT_ENDS and head is not None and self.recording.active:
            self.milestones.append((self.checksum.count, self.checksum.digest(), head.index))
        return head, completed

    def _follow_client_encoding(self) -> None:
        """Decode the client's messages in the client encoding the server reported (the client waits
        for the answer to its SET before it sends text in the new encoding)."""
        transcoder = client_encodings.transcoder(self.client_parameters.get("client_encoding", "UTF8"))
        self._parser.text_decoder = None if transcoder is None else transcoder.decode

    def _settle(self, completed: list[tuple[Pending, bool]], type_code: str, frame: bytes) -> None:
        """What the completed entries and a ReadyForQuery change in the session."""
        for entry, succeeded in completed:
            self._completed(entry, succeeded)
        if type_code == "Z":
            self._ready(frontend.decode_ready_for_query(frame[5:]))

    def answer_synthetic(self, out: list[bytes]) -> None:
        """Give the answers the proxy owes itself (see tracker) once their turn has come."""
        while (answer := self.tracker.pop_synthetic()) is not None:
            self.on_backend(answer, out, synthetic=True)

    def _on_async(self, message: BackendMessage, out: list[bytes]) -> None:
        if message.type == "S":
            name, value = frontend.decode_parameter_status(message.body)
            if self.upstream is not None:
                self.upstream.parameters[name] = value
            if name == TRANSACTION_TIMESTAMP_PARAMETER:
                self.pinned_timestamp = value
            if self.client_parameters.get(name) == value:
                return
            self.client_parameters[name] = value
            self._follow_client_encoding()
        elif self.validating is not None:
            return  # notices of a replayed prefix were already shown
        elif message.type == "A":  # a NotificationResponse names the notifier by the client's process id
            sender, channel, payload = frontend.decode_notification(message.body)
            out.append(messages.notification_response(self.context.registry.client_process_id(sender),
                                                      channel, payload))
            return
        out.append(encode(message))

    def _on_error(self, message: BackendMessage) -> None:
        fields = frontend.decode_error_fields(message.body)
        code, severity = fields.get("C", ""), fields.get("V", fields.get("S", ""))
        if severity in ("FATAL", "PANIC") and (code in SERVER_GOING_AWAY or is_connection_exception(code)):
            raise UpstreamLost(f"the server is going away: {code} {fields.get('M', '')}")
        if code == READ_ONLY_SQL_TRANSACTION and self.upstream is not None and self.upstream.read_only \
                and len(self.context.upstreams) > 1:
            raise UpstreamLost(f"the server became read-only (a role change): {fields.get('M', '')}")
        self._request_failed = True

    def _check_replayed(self, index: int) -> None:
        validation = self.validating
        assert validation is not None
        count = self.checksum.count
        while validation.milestones and validation.milestones[0][0] <= count:
            at, digest, statement = validation.milestones.pop(0)
            if at == count and digest != self.checksum.digest():
                raise ReplayDiverged(statement)
        if count < validation.count:
            return
        self.validating = None
        if validation.digest is not None and validation.digest != self.checksum.digest():
            raise ReplayDiverged(index)
        if self.recovery is not None:
            self.recovery.validated()

    def _completed(self, entry: Pending, succeeded: bool) -> None:
        state = self.state
        assert state is not None
        if entry.expect is Expect.PARSE:
            parse = self._parse_frames.pop(entry.index, None)
            if succeeded and parse is not None:
                state.statement_parsed(entry.name, parse)
        elif entry.expect is Expect.CLOSE and succeeded and entry.statement_close and entry.name:
            state.statement_closed(entry.name)
        elif entry.expect in (Expect.QUERY, Expect.SYNC) and self._requests:
            self._request_done(self._requests.pop(0))
        if entry.expect in (Expect.QUERY, Expect.SYNC):
            self.last_ready_index = entry.index

    def _request_done(self, request: Request) -> None:
        state = self.state
        assert state is not None
        self._transaction_wrote |= not request.kinds.isdisjoint(statements.WRITING_KINDS)
        if self._request_failed:
            return
        for name in request.deallocated:
            state.statement_closed(None if name == statements.ALL_STATEMENTS else name)
        if request.named_gtid is not None:
            state.named_gtid = request.named_gtid
        if Kind.SESSION in request.kinds and request.kinds <= {Kind.SESSION, Kind.TRANSACTION_LOCAL}:
            state.request_completed(b"".join(request.frames))

    def _ready(self, status: str) -> None:
        self.status = status
        self.answering_committed = False
        self.since_ready = 0
        self.tags_since_ready = 0
        if status != "I":
            return
        assert self.state is not None
        self.state.settle(committed=not (self._request_failed or self._rolled_back))
        if self._transaction_wrote:
            self.state.named_gtid = None
        self._request_failed = self._rolled_back = self._transaction_wrote = False
        first_kept = self.last_ready_index + 1
        self.recorded = [recorded for recorded in self.recorded if recorded.index >= first_kept]
        self.recording.reset()
        for recorded in self.recorded:
            self.recording.admit(len(recorded.frame))
        if len(self.recorded) != self._next_index - first_kept:  # sent while recording was off
            self.recording.disable("too_large", "the transaction began while the one before was not recorded")
            self.recorded.clear()
        self.checksum.reset()
        self.milestones.clear()
        self.pinned_timestamp = None

    # the next GTID -------------------------------------------------------------------------------

    def next_gtid(self) -> str | None:
        """The GTID the session's next write transaction commits under (client-named or own)."""
        assert self.state is not None
        if self.state.named_gtid is not None:
            return self.state.named_gtid
        session_id, sequence = self.state.session_id, self.client_parameters.get(TXN_SEQ_PARAMETER)
        if session_id is None or sequence is None:
            return None
        return gtid_of(session_id, int(sequence))
