"""One client connection: startup, authentication, and the simple and extended query protocols.

The Session owns the connection's protocol state (prepared statements, portals, the
discard-until-Sync flag, COPY sub-protocol) and turns frontend messages into engine calls, which
run on a worker thread so the event loop never blocks on SQLite. Errors become ErrorResponse; a
FATAL error (bad framing, failed authentication) ends only this session.

Why one module of about 850 lines: startup, the simple and extended query protocols and COPY are
methods of the one `Session`, sharing the connection's protocol state (prepared statements, portals,
the discard-until-Sync flag, the queue of output held behind the durability barrier, the writer slot
it holds) and its engine session; what needs none of that is beside it (`authenticator`,
`writer_slot`, `databases`, `startup`, the message encoders of `protocol.messages`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import tzinfo
from functools import lru_cache
from typing import Any, TypeVar

from heliosdb_lite import fault_points
from heliosdb_lite.engine.interface import (
    Column,
    CopySpec,
    Cursor,
    Engine,
    EngineSession,
    NamedStatement,
    Statement,
    StatementYielded,
)
from heliosdb_lite.engine.settings import duration_ms
from heliosdb_lite.errors import (
    ADMIN_SHUTDOWN,
    CHARACTER_NOT_IN_REPERTOIRE,
    DUPLICATE_CURSOR,
    DUPLICATE_PREPARED_STATEMENT,
    IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
    INTERNAL_ERROR,
    INVALID_AUTHORIZATION_SPECIFICATION,
    INVALID_CURSOR_NAME,
    INVALID_PARAMETER_VALUE,
    INVALID_SQL_STATEMENT_NAME,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    PROTOCOL_VIOLATION,
    QUERY_CANCELED,
    TOO_MANY_CONNECTIONS,
    UNTRANSLATABLE_CHARACTER,
    DatabaseError,
    fatal,
    in_failed_transaction,
)
from heliosdb_lite.protocol import client_encodings, codecs, copy_binary, messages
from heliosdb_lite.protocol.binary_text import binary_codec, carries_text
from heliosdb_lite.protocol.client_encodings import Transcoder
from heliosdb_lite.protocol.codecs.styles import TextStyle
from heliosdb_lite.protocol.copy_binary import BinaryCopyParser
from heliosdb_lite.protocol.copy_format import CopyInParser, format_row
from heliosdb_lite.protocol.framing import FrontendParser
from heliosdb_lite.protocol.messages import FieldDescription
from heliosdb_lite.replay.commit import TransactionRecorder
from heliosdb_lite.replication.node import ReplicationNode, peer_address
from heliosdb_lite.replication.role import EPOCH_PARAMETER
from heliosdb_lite.replication.role import REPLICATION_PARAMETER as ROLE_STATE_PARAMETER
from heliosdb_lite.replication.wire import REPLICATION_PARAMETER
from heliosdb_lite.server import metrics, statement_metrics
from heliosdb_lite.server.activity import ServerBackend, SessionActivity
from heliosdb_lite.server.authenticator import Authenticator, run_exchange
from heliosdb_lite.server.databases import Databases, ServedDatabase
from heliosdb_lite.server.writer_slot import SlotWait

log = logging.getLogger("heliosdb.session")
T = TypeVar("T")

SERVER_VERSION = "15.18 (HeliosDB-Lite 0.1.0)"
SESSION_ID_PARAMETER = "heliosdb.session_id"
TXN_SEQ_PARAMETER = "heliosdb.txn_seq"
READ_CHUNK = 65536
WRITE_HIGH_WATER = 256 * 1024
INLINE_SQL_BYTES = 16384  # a statement text up to this size is split and prepared on the event loop
INLINE_EXECUTION_SECONDS = 0.01  # how long a read may run on the event loop before it moves to a thread


class ConnectionClosed(Exception):
    """The peer went away, or the session decided to end."""


@dataclass(frozen=True, slots=True)
class EmptyStatement:
    """A Parse of an empty query (nothing but blanks, comments and semicolons): it binds and
    describes as a statement without parameters' uses or rows, and executes as EmptyQueryResponse."""

    sql: str
    param_oids: tuple[int, ...]
    columns: None = None
    copy: None = None
    writes: bool = False


@dataclass(slots=True)
class Portal:
    statement: Statement
    cursor: Cursor | None
    params: list[Any]
    result_formats: tuple[int, ...]


class SessionRegistry:
    """Live sessions by (process id, secret key), for CancelRequest, NOTIFY and shutdown."""

    def __init__(self) -> None:
        self._sessions: dict[int, Session] = {}

    def register(self, session: Session) -> int:
        while True:
            process_id = secrets.randbelow(2**31 - 1) + 1
            if process_id not in self._sessions:
                self._sessions[process_id] = session
                return process_id

    def unregister(self, process_id: int) -> None:
        self._sessions.pop(process_id, None)

    def cancel(self, process_id: int, secret_key: int) -> None:
        session = self._sessions.get(process_id)
        if session is not None and secrets.compare_digest(
            session.secret_key.to_bytes(4, "big", signed=True), secret_key.to_bytes(4, "big", signed=True)
        ):
            session.cancel_running_statement()

    def notify(self, process_id: int, notifications: list[tuple[str, str]]) -> None:
        """Deliver the committed NOTIFYs of session `process_id` to every session listening."""
        for session in self._sessions.values():
            for channel, payload in notifications:
                if session.listens_to(channel):
                    session.deliver_notification(process_id, channel, payload)

    def __len__(self) -> int:
        return len(self._sessions)

    def all(self) -> list[Session]:
        return list(self._sessions.values())


@dataclass(frozen=True, slots=True)
class SessionLimits:
    max_message_bytes: int
    max_connections: int


# a RowDescription's columns, formats and transcoder, and its bytes
_Description = tuple[Sequence[Column], tuple[int, ...], "Transcoder | None", bytes]


class Session:
    """Drives one connection from the first byte to Terminate."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        databases: Databases,
        executor: Executor,
        registry: SessionRegistry,
        authenticator: Authenticator,
        tls_context: ssl.SSLContext | None,
        limits: SessionLimits,
        replication: ReplicationNode | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._databases = databases
        # postgres's until the startup packet names the session's database (`_start_session`)
        served = databases.postgres
        self._served: ServedDatabase | None = None
        self._engine: Engine = served.engine
        self._executor = executor
        self._registry = registry
        self._authenticator = authenticator
        self._tls_context = tls_context
        self._limits = limits
        self._commit_service = served.commit_service
        self._writer_slot = served.writer_slot
        self._replication = replication
        self._role_version = -1
        self._holds_slot = False
        self._slot_wait: SlotWait | None = None
        self._recorder: TransactionRecorder | None = None
        self._reported_sequence = 0
        self._acknowledged_lsn = 0  # the last commit whose answer went to the socket
        self._parser = FrontendParser(limits.max_message_bytes)
        self._out: list[bytes] = []
        self._engine_session: EngineSession | None = None
        self._statements: dict[str, Statement] = {}
        self._prepared_at: dict[str, dt.datetime] = {}  # when each was parsed (pg_prepared_statements)
        self._portals: dict[str, Portal] = {}
        self._discard_until_sync = False
        self._running = False
        self._closing = False
        self._idle = False  # ReadyForQuery "I" was sent and flushed: a notification may go out at once
        self._delivering_own = False  # in _flush, handing the session's own NOTIFYs to the registry
        self._notifications_out: list[tuple[str, str]] = []  # committed NOTIFYs, sent once durable
        self._notifications_in: list[bytes] = []  # NotificationResponses held until ReadyForQuery
        self._terminated = False  # pg_terminate_backend: end with FATAL 57P01 once the statement stops
        self._copying_out = False  # sending a COPY TO STDOUT's rows
        self._copy_cancelled = False  # ... and the client cancelled it
        self.activity = SessionActivity("", "", "", None, None)  # filled in once the session starts
        self.process_id = 0
        self.secret_key = secrets.randbits(31)
        self.session_id = ""
        self._client_encoding = "UTF8"
        self._settings_generation = -1  # of the engine session's settings when the encoding was looked at
        self._transcoder: Transcoder | None = None  # None: the client's encoding is UTF8 or SQL_ASCII
        self._last_description: _Description | None = None  # the last RowDescription sent

    # connection lifecycle -------------------------------------------------------------------

    async def run(self) -> None:
        metrics.CONNECTIONS_ACTIVE.inc()
        try:
            if await self._startup():
                await self._message_loop()
        except ConnectionClosed:
            pass
        except DatabaseError as error:
            await self._send_fatal(error)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError):
            pass
        except Exception as error:
            log.exception("session %d ended by an internal error", self.process_id)
            await self._send_fatal(fatal(INTERNAL_ERROR, f"internal error: {type(error).__name__}: {error}"))
        finally:
            metrics.CONNECTIONS_ACTIVE.dec()
            await self._teardown()

    async def _teardown(self) -> None:
        if self.process_id:
            self._registry.unregister(self.process_id)
        if self._engine_session is not None:
            engine_session = self._engine_session
            self._engine_session = None
            await self._in_thread(engine_session.close)
        self._release_writer_slot(only_if_idle=False)
        if self._served is not None:
            self._databases.disconnect(self._served)
            self._served = None
        self._writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError, OSError):
            await self._writer.wait_closed()

    def request_shutdown(self) -> None:
        """Graceful shutdown: end the session at the next idle point."""
        self._closing = True
        if not self._running:
            self._writer.write(messages.error_response(
                fatal(ADMIN_SHUTDOWN, "terminating connection due to administrator command")))
            self._writer.close()

    def terminate(self) -> None:
        """pg_terminate_backend: end the session with FATAL 57P01 (its running statement is cancelled)."""
        self._terminated = True
        self.cancel_running_statement()
        self.request_shutdown()

    def terminating(self) -> None:
        """pg_terminate_backend of this session's own process, called by its running statement:
        nothing more is sent but FATAL 57P01, once the statement returns, as PostgreSQL's backend
        stops at its next interrupt check (no result row). A flag: set from the engine's thread."""
        self._terminated = True

    def cancel_running_statement(self) -> None:
        if self._copying_out:
            self._copy_cancelled = True
        if self._slot_wait is not None:
            self._slot_wait.cancel()
        if self._running and self._engine_session is not None:
            self._engine_session.cancel()

    def _needs_writer_slot(self, statement: Statement) -> bool:
        return statement.writes and not self._holds_slot

    async def _take_writer_slot(self, statement: Statement) -> None:
        """Before a writing statement (`_needs_writer_slot`): wait for the writer slot."""
        engine_session = self._engine_session
        assert engine_session is not None
        if self._writer_slot.take_if_free():
            self._holds_slot = True
            return
        self._slot_wait = self._writer_slot.begin_wait()
        metrics.WRITER_SLOT_WAITERS.inc()
        try:
            await self._slot_wait.acquire(
                lock_timeout_ms=duration_ms(engine_session.parameter("lock_timeout")),
                statement_timeout_ms=duration_ms(engine_session.parameter("statement_timeout")))
        except DatabaseError:
            engine_session.statement_failed()
            raise
        finally:
            self._slot_wait = None
            metrics.WRITER_SLOT_WAITERS.dec()
        self._holds_slot = True

    def _release_writer_slot(self, *, only_if_idle: bool = True) -> None:
        """The slot is held until the session's transaction ends."""
        if not self._holds_slot:
            return
        engine_session = self._engine_session
        if only_if_idle and engine_session is not None and engine_session.transaction_status != "I":
            return
        self._holds_slot = False
        self._writer_slot.release()

    async def _read_message(self) -> messages.FrontendMessage:
        while True:
            try:
                message = self._parser.next_message()
            except DatabaseError as error:
                if self._engine_session is None or error.sqlstate not in (CHARACTER_NOT_IN_REPERTOIRE,
                                                                          UNTRANSLATABLE_CHARACTER):
                    raise
                return messages.Undecodable(self._parser.last_frame[0], DatabaseError(error.sqlstate,
                                                                                      error.message))
            if message is not None:
                return message
            data = await self._reader.read(READ_CHUNK)
            if not data:
                raise ConnectionClosed
            self._parser.feed(data)

    async def _read_message_while_idle(self) -> messages.FrontendMessage:
        """The next message after ReadyForQuery; inside a transaction block,
        idle_in_transaction_session_timeout bounds the wait and its expiry ends the session
        (FATAL 25P03), as PostgreSQL does."""
        engine_session = self._engine_session
        timeout_ms = 0
        if engine_session is not None and engine_session.transaction_status in ("T", "E"):
            timeout_ms = duration_ms(engine_session.parameter("idle_in_transaction_session_timeout") or "0")
        if not timeout_ms:
            return await self._read_message()
        try:
            return await asyncio.wait_for(self._read_message(), timeout_ms / 1000)
        except TimeoutError:
            raise fatal(IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                        "terminating connection due to idle-in-transaction timeout") from None

    async def _send_fatal(self, error: DatabaseError) -> None:
        metrics.ERRORS.labels(error.sqlstate).inc()
        try:
            self._writer.write(messages.error_response(error))
            await self._writer.drain()
        except (ConnectionError, ssl.SSLError, OSError):
            pass

    async def _flush(self) -> None:
        """Send what is queued, once the journal is durable past anything it could show (I1, I2)."""
        if self._commit_service is not None and not self._commit_service.visible_now():
            await self._commit_service.visible()
        if self._notifications_out:  # the NOTIFYs' transaction is durable: listeners may hear of it
            notifications, self._notifications_out = self._notifications_out, []
            self._delivering_own = True
            try:
                self._registry.notify(self.process_id, notifications)
            finally:
                self._delivering_own = False
        if self._out:
            self._writer.write(b"".join(self._out))
            self._out.clear()
        if self._writer.transport.get_write_buffer_size():  # else the socket took it all: no wait
            await self._writer.drain()
        recorder = self._recorder
        if recorder is not None and recorder.last_commit_lsn != self._acknowledged_lsn:
            self._acknowledged_lsn = recorder.last_commit_lsn
            fault_points.crash_if_hit("commit_acknowledged")

    def _send(self, data: bytes) -> None:
        self._out.append(data)

    def named_statements(self) -> list[NamedStatement]:
        """The named prepared statements of the protocol (the unnamed one is not listed)."""
        return [NamedStatement(name, statement.sql, self._prepared_at[name], tuple(statement.param_oids))
                for name, statement in self._statements.items() if name]

    def named_statement(self, name: str) -> Statement | None:
        return self._statements.get(name) if name else None

    def deallocate(self, name: str | None) -> bool:
        """DEALLOCATE of a named statement of the protocol, or of all of them (None)."""
        names = [name] if name is not None else [name for name in self._statements if name]
        for each in names:
            self._prepared_at.pop(each, None)
        return any([self._statements.pop(each, None) is not None for each in names])

    def listens_to(self, channel: str) -> bool:
        return self._engine_session is not None and self._engine_session.listens_to(channel)

    def deliver_notification(self, process_id: int, channel: str, payload: str) -> None:
        """A NotificationResponse for this client: written at once while it is idle, else held until
        the end of what it is doing (PostgreSQL too delivers between commands, never inside one). The
        session's own NOTIFY reaches it with its command's answer, being flushed now. A character its
        client encoding lacks is written "?" (PostgreSQL ends the listener's session instead)."""
        transcoder = self._transcoder
        data = messages.notification_response(process_id, channel, payload,
                                              None if transcoder is None else transcoder.lossy)
        if self._idle:
            self._writer.write(data)
        elif self._delivering_own and self._engine_session is not None \
                and self._engine_session.transaction_status == "I":
            self._out.append(data)
        else:
            self._notifications_in.append(data)

    def _wait_idle(self) -> None:
        """The client may now wait for notifications: outside a transaction block, the ones held
        while the session was busy go out, and later ones will at once (PostgreSQL holds them
        inside a transaction block until it ends)."""
        assert self._engine_session is not None
        if self._engine_session.transaction_status != "I":
            return
        self._idle = True
        if self._notifications_in:
            self._writer.write(b"".join(self._notifications_in))
            self._notifications_in.clear()

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    async def _engine_call(self, short: bool, fn: Callable[..., T], *args: Any) -> T:
        """An engine call on the event loop when it is `short` (Python work on a small input that
        takes no lock and waits for no I/O), else in a worker thread. A thread hand-off costs more
        than such a call, and gains nothing: the GIL is held either way. What may run long (a
        statement's execution: SQLite releases the GIL while it steps; a commit's durability wait;
        parsing a large text) stays in a thread, where other sessions go on meanwhile."""
        if short:
            return fn(*args)
        return await self._in_thread(fn, *args)

    # startup and authentication ---------------------------------------------------------------

    async def _startup(self) -> bool:
        """Negotiate TLS, read the startup packet, authenticate. False: nothing more to do."""
        tls_offered = False
        while True:
            message = await self._read_message()
            if isinstance(message, messages.SSLRequest):
                if self._tls_context is not None and not tls_offered:
                    if self._parser.buffered:
                        raise messages.protocol_violation("received unencrypted data after SSL request")
                    tls_offered = True
                    self._writer.write(b"S")
                    await self._writer.drain()
                    await self._writer.start_tls(self._tls_context)
                else:
                    self._writer.write(b"N")
                    await self._writer.drain()
            elif isinstance(message, messages.GSSENCRequest):
                self._writer.write(b"N")
                await self._writer.drain()
            elif isinstance(message, messages.CancelRequest):
                self._registry.cancel(message.process_id, message.secret_key)
                return False
            elif isinstance(message, messages.StartupMessage):
                self._parser.startup_done()
                await self._start_session(message)
                return True
            else:
                raise messages.protocol_violation("expected a startup packet")

    async def _start_session(self, startup: messages.StartupMessage) -> None:
        params = startup.parameters
        user = params.get("user")
        if not user:
            raise fatal(INVALID_AUTHORIZATION_SPECIFICATION,
                        "no PostgreSQL user name specified in startup packet")
        database = params.get("database") or user
        await self._authenticate(user)
        if len(self._registry) >= self._limits.max_connections:
            raise fatal(TOO_MANY_CONNECTIONS, "sorry, too many clients already")
        if REPLICATION_PARAMETER in params:
            await self._serve_standby(params[REPLICATION_PARAMETER])  # names no database
        try:
            self._served = self._databases.connect(database)
        except DatabaseError:
            self._send(messages.AUTH_OK)  # then the FATAL, as PostgreSQL sends them
            await self._flush()
            raise
        self._engine = self._served.engine
        self._commit_service = self._served.commit_service
        self._writer_slot = self._served.writer_slot
        settings = _options_settings(params.get("options", ""))  # the packet's parameters win, as in PG
        settings.update({k: v for k, v in params.items() if k not in ("user", "database", "options", "")})
        if self._replication is not None:
            self._role_version = self._replication.role.version
            settings.update(self._replication.role.session_parameters())
        self.session_id = _session_id(settings.get(SESSION_ID_PARAMETER))
        settings[SESSION_ID_PARAMETER] = self.session_id  # so SHOW heliosdb.session_id answers too
        if self._commit_service is not None:
            self._recorder = self._commit_service.recorder(bytes.fromhex(self.session_id), user, database)
        try:
            self._engine_session = await self._in_thread(self._engine.open_session, user, database, settings,
                                                         self._recorder)
        except DatabaseError:  # a startup setting refused: AuthenticationOk, then the FATAL, as PostgreSQL
            self._send(messages.AUTH_OK)
            await self._flush()
            raise
        peer = self._writer.get_extra_info("peername")
        host, port = (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) else (None, None)
        self.activity = SessionActivity(user, database, settings.get("application_name", ""), host, port)
        self.process_id = self._registry.register(self)
        backend = ServerBackend(self, self._registry.all, asyncio.get_running_loop(),
                                roles=self._authenticator.users)
        self._engine_session.attach_backend(backend)
        self._send(messages.AUTH_OK)
        for name in _REPORTED_AT_STARTUP:
            self._send(messages.parameter_status(name, self._engine_session.parameter(name)))
        self._send(messages.parameter_status(SESSION_ID_PARAMETER, self.session_id))
        if self._replication is not None:
            for name in ROLE_PARAMETERS:
                self._send(messages.parameter_status(name, self._engine_session.parameter(name)))
        self._send_sequence()
        self._engine_session.parameter_changes()
        self._follow_client_encoding()
        self._send(messages.backend_key_data(self.process_id, self.secret_key))
        self._send(messages.ready_for_query(self._engine_session.transaction_status))
        await self._flush()

    async def _serve_standby(self, name: str) -> None:
        """A standby's replication connection (startup parameter `replication`): stream the journal
        to it until it goes away."""
        if self._replication is None:
            raise fatal(OBJECT_NOT_IN_PREREQUISITE_STATE, "replication is not enabled on this server")
        self._send(messages.AUTH_OK)
        self._send(messages.ready_for_query("I"))
        self._writer.write(b"".join(self._out))
        self._out.clear()
        try:
            await self._replication.serve_standby(name, peer_address(self._writer), self._read_message,
                                                  self._writer)
        except DatabaseError as error:
            raise fatal(error.sqlstate, error.message) from None
        raise ConnectionClosed

    async def _authenticate(self, user: str) -> None:
        async def send(data: bytes) -> None:
            self._writer.write(data)
            await self._writer.drain()

        self._send(await run_exchange(self._authenticator.begin(user), send, self._read_message))

    # the message loop ---------------------------------------------------------------------------

    async def _message_loop(self) -> None:
        ready_sent = True  # ReadyForQuery went out last: the client may now be idle
        while not self._closing:
            if ready_sent:
                self._wait_idle()
            message = await (self._read_message_while_idle() if ready_sent else self._read_message())
            self._idle = False
            kind = type(message)  # each message class is final: `is` tells it as isinstance does
            ready_sent = kind is messages.Sync or kind is messages.Query or (
                isinstance(message, messages.Undecodable) and message.type_code == ord("Q"))
            if kind is messages.Terminate:
                return
            if self._discard_until_sync and kind is not messages.Sync:
                continue
            try:
                handler = _HANDLERS.get(kind)
                if handler is None:
                    self._dispatch_other(message)
                else:
                    answering = handler(self, message)
                    if answering is not None:
                        await answering
            except DatabaseError as error:
                if error.severity == "FATAL":
                    raise
                self._send_error(error)
                if kind is not messages.Query:
                    self._discard_until_sync = True
                    # Sent at once, as PostgreSQL does: the Flush a client sent after this message
                    # (asyncpg: Parse, Describe, Flush) is skipped with the rest until Sync.
                    await self._flush()
            if self._terminated:  # pg_terminate_backend ended the session: say why, and nothing else
                raise fatal(ADMIN_SHUTDOWN, "terminating connection due to administrator command")
            if self._out and (ready_sent or kind is messages.Flush
                              or sum(map(len, self._out)) > WRITE_HIGH_WATER):
                await self._flush()
        if self._terminated:  # pg_terminate_backend stopped a running statement: say why the session ends
            raise fatal(ADMIN_SHUTDOWN, "terminating connection due to administrator command")

    def _dispatch_other(self, message: messages.FrontendMessage) -> None:
        """A message `_HANDLERS` has no handler for."""
        match message:
            case messages.Undecodable(type_code=0x51):  # a Query: its error, then ReadyForQuery
                self._send_error(message.error)
                self._ready()
            case messages.Undecodable(type_code=0x66):
                pass  # a stray CopyFail is ignored unread, as PostgreSQL does
            case messages.Undecodable():
                raise message.error
            case _:
                raise messages.protocol_violation(f"unexpected message {type(message).__name__}")

    def _send_error(self, error: DatabaseError) -> None:
        if self._terminated and error.sqlstate == QUERY_CANCELED:  # pg_terminate_backend stopped it
            raise fatal(ADMIN_SHUTDOWN, "terminating connection due to administrator command")
        metrics.ERRORS.labels(error.sqlstate).inc()
        if self._engine_session is not None:  # the failed statement's warnings come before its error
            self._send_notices()
        self._send(messages.error_response(error, self._transcoder))

    def _ready(self) -> None:
        assert self._engine_session is not None
        self._follow_client_encoding()
        self._release_writer_slot()
        self._follow_role()
        self._send_parameter_changes()
        self._send_sequence()
        self._notifications_out += self._engine_session.committed_notifications()
        status = self._engine_session.transaction_status
        self.activity.finished(status)
        self._send(messages.ready_for_query(status))

    def _send_sequence(self) -> None:
        """ParameterStatus heliosdb.txn_seq: the sequence of the session's next GTID, when it changes."""
        recorder = self._recorder
        if recorder is not None and recorder.next_sequence != self._reported_sequence:
            self._reported_sequence = recorder.next_sequence
            self._send(messages.parameter_status(TXN_SEQ_PARAMETER, str(recorder.next_sequence)))

    def _follow_role(self) -> None:
        """After a promotion, a fencing or a change of the replication state, outside a transaction
        block: take the server's new parameters (reported as ParameterStatus like any change)."""
        replication = self._replication
        engine_session = self._engine_session
        assert engine_session is not None
        if replication is None or replication.role.version == self._role_version \
                or engine_session.transaction_status != "I":
            return
        self._role_version = replication.role.version
        engine_session.apply_server_parameters(replication.role.session_parameters())
        for name in ROLE_PARAMETERS:
            self._send(messages.parameter_status(name, engine_session.parameter(name)))

    def _send_parameter_changes(self) -> None:
        assert self._engine_session is not None
        changes = self._engine_session.parameter_changes()
        for name, value in changes:
            self._send(messages.parameter_status(name, value))

    def _follow_client_encoding(self) -> None:
        """After a statement (and before ReadyForQuery): take a new client_encoding at once, as
        PostgreSQL does, so the next statement's text and results are converted with it. Looked at
        only when some setting changed."""
        engine_session = self._engine_session
        assert engine_session is not None
        if engine_session.settings_generation == self._settings_generation:
            return
        self._settings_generation = engine_session.settings_generation
        name = engine_session.parameter("client_encoding")
        if name != self._client_encoding:
            self._client_encoding = name
            self._transcoder = client_encodings.transcoder(name)
            self._parser.text_decoder = None if self._transcoder is None else self._transcoder.decode

    def _text_formats(self) -> tuple[tzinfo, TextStyle]:
        """The session's TimeZone, DateStyle and IntervalStyle as they are now, for text values."""
        assert self._engine_session is not None
        return self._engine_session.text_formats()

    # simple query -------------------------------------------------------------------------------

    async def _simple_query(self, sql: str) -> None:
        engine_session = self._engine_session
        assert engine_session is not None
        self._statements.pop("", None)
        self._portals.pop("", None)
        self.activity.started(sql)
        try:
            statements = await self._engine_call(len(sql) <= INLINE_SQL_BYTES, engine_session.split, sql)
        except DatabaseError as error:
            self._send_error(error)
            self._ready()
            return
        if not statements:
            self._send(messages.EMPTY_QUERY_RESPONSE)
            self._ready()
            return
        implicit = len(statements) > 1
        if implicit:
            engine_session.begin_implicit()
        success = True
        for statement_sql in statements:
            try:
                await self._simple_statement(statement_sql)
            except DatabaseError as error:
                if error.severity == "FATAL":
                    raise
                self._send_error(error)
                success = False
                break
        if implicit:
            try:
                await self._engine_call(engine_session.ending_is_short, engine_session.end_implicit,
                                        success)
            except DatabaseError as error:  # the implicit COMMIT failed (e.g. a fenced GTID, 40P02)
                if error.severity == "FATAL":
                    raise
                self._send_error(error)
        self._ready()

    async def _simple_statement(self, sql: str) -> None:
        engine_session = self._engine_session
        assert engine_session is not None
        statement = await self._engine_call(len(sql) <= INLINE_SQL_BYTES, engine_session.prepare, sql, ())
        if self._needs_writer_slot(statement):
            await self._take_writer_slot(statement)
        if statement.copy is not None and statement.copy.direction == "in":
            await self._copy_in(statement)
            return
        cursor = await self._execute(statement, [])
        formats = (0,) * len(cursor.columns or ())
        if statement.copy is not None:
            await self._copy_out(statement, cursor)
            return
        if cursor.columns is not None:
            self._send(self._row_description(cursor.columns, formats))
        await self._send_rows(cursor, formats, 0)
        self._send(messages.command_complete(cursor.command_tag()))
        self._follow_client_encoding()

    @staticmethod
    def _statement_started() -> float:
        """Before a statement's execution: counted; returns when it started (perf_counter)."""
        statement_metrics.STATEMENTS.started()
        return time.perf_counter()

    def _statement_ended(self, started: float) -> None:
        """After a statement's execution (`_statement_started`): timed, its notices sent."""
        self._running = False
        statement_metrics.STATEMENTS.ended(time.perf_counter() - started)
        self._send_notices()

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """An engine call that may take long, on a worker thread: cancellable and measured."""
        started = self._statement_started()
        self._running = True
        try:
            return await self._in_thread(fn, *args)
        finally:
            self._statement_ended(started)

    async def _execute(self, statement: Statement, params: Sequence[Any]) -> Cursor:
        """A statement's execution. A read that can start over runs on the event loop first, for
        at most INLINE_EXECUTION_SECONDS: past them SQLite interrupts it, nothing of it happened,
        and it runs on a worker thread, where a CancelRequest reaches it (and the statement's text
        is not tried on the loop again). A bounded write or a transaction command with a small
        commit runs on the event loop too (it cannot be interrupted, so its work is bounded before
        it starts). Either one that would wait for SQLite's write lock yields before it changed
        anything, to wait on a worker thread. Anything else runs on a worker thread."""
        engine_session = self._engine_session
        assert engine_session is not None
        started = self._statement_started()
        try:
            if engine_session.can_start_over(statement):
                try:
                    return engine_session.execute(statement, params, yield_after=INLINE_EXECUTION_SECONDS)
                except StatementYielded:
                    pass
            elif engine_session.can_write_inline(statement, params):
                try:
                    return engine_session.execute(statement, params, wait_for_locks=False)
                except StatementYielded:
                    pass
            self._running = True
            return await self._in_thread(engine_session.execute, statement, params)
        finally:
            self._statement_ended(started)

    def _send_notices(self) -> None:
        assert self._engine_session is not None
        transcoder = self._transcoder
        for notice in self._engine_session.notices():
            self._send(messages.notice_response(notice, None if transcoder is None else transcoder.lossy))

    # COPY -----------------------------------------------------------------------------------------

    async def _copy_in(self, statement: Statement) -> None:
        engine_session = self._engine_session
        assert engine_session is not None and statement.copy is not None
        spec = statement.copy
        binary = spec.format == "binary"
        self._send(messages.copy_in_response([int(binary)] * len(spec.columns), int(binary)))
        await self._flush()
        transcoder = self._copy_transcoder(spec)
        oids = [column.type_oid for column in spec.columns]
        parser: CopyInParser | BinaryCopyParser = BinaryCopyParser(len(spec.columns)) if binary else \
            CopyInParser(fmt=spec.format, delimiter=spec.delimiter, null=spec.null, header=spec.header,
                         quote=spec.quote, escape=spec.escape, column_names=[c.name for c in spec.columns],
                         decoder=None if transcoder is None else transcoder.incremental_decoder(),
                         convert=self._copy_field_decoder(oids), force_not_null=spec.force_not_null,
                         force_null=spec.force_null, relation=spec.relation)
        rows: list[list[Any]] = []
        failure: DatabaseError | None = None
        while True:
            message = await self._read_message()
            if isinstance(message, messages.CopyData):
                if failure is None:
                    try:
                        rows.extend(self._copy_values(oids, parser.feed(message.data)))
                    except DatabaseError as error:
                        failure = error
            elif isinstance(message, messages.CopyDone):
                break
            elif isinstance(message, messages.CopyFail):
                failure = DatabaseError(QUERY_CANCELED, f"COPY from stdin failed: {message.message}")
                break
            elif isinstance(message, messages.Flush | messages.Sync):
                continue
            else:
                raise messages.protocol_violation(
                    f"unexpected message {type(message).__name__} during COPY from stdin")
        try:
            if failure is not None:
                raise failure
            rows.extend(self._copy_values(oids, parser.finish()))
        except DatabaseError:
            engine_session.statement_failed()  # a transaction block fails, as after any statement
            raise
        count = await self._run(engine_session.copy_in_rows, statement, rows)
        self._send(messages.command_complete(f"COPY {count}"))

    def _copy_values(self, oids: Sequence[int], rows: list[list[Any]]) -> list[list[Any]]:
        """The values of the rows a COPY parser gave: a BINARY row's fields decoded by column type
        (a text or csv parser converted its fields already)."""
        return [[None if field is None else self._decode_param(oid, 1, field) if isinstance(field, bytes)
                 else field for oid, field in zip(oids, row, strict=True)] for row in rows]

    def _copy_field_decoder(self, oids: Sequence[int]) -> Callable[[int, str | None], Any]:
        """The value of a text or csv COPY field (decoded from the client encoding by the parser)
        of the column at an index."""
        zone, style = self._text_formats()

        def decode(index: int, field: str | None) -> Any:
            if field is None:
                return None
            return codecs.decode_text(oids[index], field.encode(), tz=zone, style=style)

        return decode

    def _copy_transcoder(self, spec: CopySpec) -> Transcoder | None:
        """The conversion of a text or csv COPY's data: its ENCODING's, else the client encoding's."""
        return self._transcoder if spec.encoding is None else client_encodings.transcoder(spec.encoding)

    async def _copy_out(self, statement: Statement, cursor: Cursor) -> None:
        self._copying_out = True  # a CancelRequest while the rows go out stops them
        try:
            await self._copy_rows_out(statement, cursor)
        finally:
            self._copying_out = self._copy_cancelled = False

    async def _copy_rows_out(self, statement: Statement, cursor: Cursor) -> None:
        spec = statement.copy
        assert spec is not None
        columns = cursor.columns or ()
        if spec.format == "binary":
            await self._copy_out_binary(cursor, columns)
            return
        self._send(messages.copy_out_response([0] * len(columns)))
        transcoder = self._copy_transcoder(spec)
        to_client = (lambda line: line) if transcoder is None else transcoder.to_client
        if spec.header:
            self._send(messages.copy_data(to_client(format_row(
                [c.name for c in columns], fmt=spec.format, delimiter=spec.delimiter, null=spec.null,
                quote=spec.quote, escape=spec.escape))))
        oids = [column.type_oid for column in columns]
        for row in cursor.fetch(0):
            fields = [None if value is None else self._text(oid, value).decode()
                      for oid, value in zip(oids, row, strict=True)]
            try:
                line = to_client(format_row(fields, fmt=spec.format, delimiter=spec.delimiter,
                                            null=spec.null, quote=spec.quote, escape=spec.escape,
                                            force_quote=spec.force_quote))
            except DatabaseError:  # a value the client encoding cannot hold
                assert self._engine_session is not None
                self._engine_session.statement_failed()
                raise
            self._send(messages.copy_data(line))
            await self._copy_out_progress()
        self._send(messages.COPY_DONE)
        self._send(messages.command_complete(cursor.command_tag()))

    async def _copy_out_progress(self) -> None:
        """After each row of a COPY TO STDOUT: send what is queued now and then, and stop with 57014
        (the transaction failed, as PostgreSQL leaves it) once the client has cancelled."""
        if len(self._out) > 256:
            await self._flush()
        if self._copy_cancelled:
            assert self._engine_session is not None
            self._engine_session.statement_failed()
            raise DatabaseError(QUERY_CANCELED, "canceling statement due to user request")

    async def _copy_out_binary(self, cursor: Cursor, columns: Sequence[Column]) -> None:
        self._send(messages.copy_out_response([1] * len(columns), 1))
        header = copy_binary.HEADER  # in the first message, with a row, as PostgreSQL (psycopg relies on it)
        encoders = [self._encoder(column.type_oid, 1) for column in columns]
        for row in cursor.fetch(0):
            fields = [None if value is None else encode(value)
                      for encode, value in zip(encoders, row, strict=True)]
            self._send(messages.copy_data(header + copy_binary.binary_row(fields)))
            header = b""
            await self._copy_out_progress()
        self._send(messages.copy_data(header + copy_binary.TRAILER))
        self._send(messages.COPY_DONE)
        self._send(messages.command_complete(cursor.command_tag()))

    # extended query -------------------------------------------------------------------------------

    async def _parse(self, message: messages.Parse) -> None:
        engine_session = self._engine_session
        assert engine_session is not None
        if message.statement and (message.statement in self._statements
                                  or engine_session.prepared_by_sql(message.statement)):
            raise DatabaseError(DUPLICATE_PREPARED_STATEMENT,
                                f'prepared statement "{message.statement}" already exists')
        try:
            _require_codecs(oid for oid in message.param_oids if oid)
            statement = engine_session.prepared(message.sql, message.param_oids)
            if statement is None:
                statement = EmptyStatement(message.sql, message.param_oids)
                short = len(message.sql) <= INLINE_SQL_BYTES
                if await self._engine_call(short, engine_session.split, message.sql):
                    statement = await self._engine_call(short, engine_session.prepare, message.sql,
                                                        message.param_oids)
            if not isinstance(statement, EmptyStatement):
                _require_codecs((*statement.param_oids, *(c.type_oid for c in statement.columns or ())))
        except DatabaseError:
            engine_session.statement_failed()
            raise
        self._statements[message.statement] = statement
        self._prepared_at[message.statement] = dt.datetime.now(dt.UTC)
        self._send(messages.PARSE_COMPLETE)

    def _bind(self, message: messages.Bind) -> None:
        statement = self._statements.get(message.statement)
        if statement is None:
            raise DatabaseError(INVALID_SQL_STATEMENT_NAME,
                                f'prepared statement "{message.statement}" does not exist')
        if message.portal and message.portal in self._portals:
            raise DatabaseError(DUPLICATE_CURSOR, f'cursor "{message.portal}" already exists')
        engine_session = self._engine_session
        assert engine_session is not None
        if isinstance(statement, EmptyStatement) and engine_session.transaction_status == "E":
            raise in_failed_transaction()  # PostgreSQL's Bind lets only COMMIT and ROLLBACK through
        oids = statement.param_oids
        if len(message.params) != len(oids):
            raise DatabaseError(
                PROTOCOL_VIOLATION,
                f"bind message supplies {len(message.params)} parameters, "
                f'but prepared statement "{message.statement}" requires {len(oids)}')
        formats = _expand_formats(message.param_formats, len(oids), "parameter")
        params = [self._decode_param(oid, fmt, raw) for oid, fmt, raw in zip(oids, formats, message.params,
                                                                            strict=True)]
        column_count = 0 if statement.copy is not None else len(statement.columns or ())
        result_formats = _expand_formats(message.result_formats, column_count, "result")
        self._portals[message.portal] = Portal(statement, None, params, result_formats)
        self._send(messages.BIND_COMPLETE)

    def _decode_param(self, oid: int, fmt: int, raw: bytes | None) -> Any:
        if raw is None:
            return None
        transcoder = self._transcoder
        if fmt == 1:
            if transcoder is not None and carries_text(oid):
                return binary_codec(oid, transcoder).binary_in(raw)
            return codecs.decode_binary(oid, raw)
        if transcoder is not None:
            raw = transcoder.to_server(raw)
        zone, style = self._text_formats()
        return codecs.decode_text(oid, raw, tz=zone, style=style)

    def _describe(self, message: messages.Describe) -> None:
        """ParameterDescription (of a statement) and RowDescription or NoData, both built before
        either is sent: a client must never see half a description and then an error."""
        described: list[bytes] = []
        if message.kind == "S":
            statement = self._statements.get(message.name)
            if statement is None:
                raise DatabaseError(INVALID_SQL_STATEMENT_NAME,
                                    f'prepared statement "{message.name}" does not exist')
            described.append(messages.parameter_description(statement.param_oids))
            columns, formats = statement.columns, (0,) * len(statement.columns or ())
            described_copy = statement.copy is not None
        else:
            portal = self._portals.get(message.name)
            assert self._engine_session is not None
            cursor_columns = self._engine_session.cursor_columns(message.name) if portal is None else None
            described_copy = portal is not None and portal.statement.copy is not None
            if portal is not None:
                columns, formats = portal.statement.columns, portal.result_formats
            elif cursor_columns is not None:  # a DECLAREd cursor is a portal too (psycopg describes it)
                columns, formats = cursor_columns, (0,) * len(cursor_columns)
            else:
                raise DatabaseError(INVALID_CURSOR_NAME, f'portal "{message.name}" does not exist')
        if columns is None or described_copy:  # a COPY's rows go as CopyData, not DataRows
            described.append(messages.NO_DATA)
        else:
            described.append(self._row_description(columns, tuple(formats)))
        for description in described:
            self._send(description)

    async def _execute_portal(self, message: messages.Execute) -> None:
        engine_session = self._engine_session
        assert engine_session is not None
        portal = self._portals.get(message.portal)
        if portal is None:
            raise DatabaseError(INVALID_CURSOR_NAME, f'portal "{message.portal}" does not exist')
        if isinstance(portal.statement, EmptyStatement):
            self._send(messages.EMPTY_QUERY_RESPONSE)
            return
        self.activity.started(portal.statement.sql)
        if portal.statement.copy is not None:
            await self._execute_copy(portal)
            return
        if portal.cursor is None:
            if self._needs_writer_slot(portal.statement):
                await self._take_writer_slot(portal.statement)
            if engine_session.transaction_status == "I":
                engine_session.begin_implicit()
            portal.cursor = await self._execute(portal.statement, portal.params)
        cursor = portal.cursor
        await self._send_rows(cursor, portal.result_formats, message.max_rows)
        if cursor.exhausted:
            self._send(messages.command_complete(cursor.command_tag()))
        else:
            self._send(messages.PORTAL_SUSPENDED)
        self._follow_client_encoding()

    async def _execute_copy(self, portal: Portal) -> None:
        """Execute of a COPY: CopyInResponse or CopyOutResponse and the COPY sub-protocol, then
        CommandComplete, as PostgreSQL answers it (the Sync a client sent behind the Execute is read
        and ignored during COPY FROM STDIN, the one after CopyDone ends the exchange)."""
        engine_session = self._engine_session
        assert engine_session is not None and portal.statement.copy is not None
        if portal.cursor is not None:  # executed already: nothing more to send
            self._send(messages.command_complete(portal.cursor.command_tag()))
            return
        if self._needs_writer_slot(portal.statement):
            await self._take_writer_slot(portal.statement)
        if engine_session.transaction_status == "I":
            engine_session.begin_implicit()
        if portal.statement.copy.direction == "in":
            await self._copy_in(portal.statement)
        else:
            portal.cursor = await self._execute(portal.statement, portal.params)
            await self._copy_out(portal.statement, portal.cursor)

    def _close(self, message: messages.Close) -> None:
        if message.kind == "S":
            self._statements.pop(message.name, None)
        elif self._portals.pop(message.name, None) is None and self._engine_session is not None:
            self._engine_session.close_cursor(message.name)  # a DECLAREd cursor is a portal too
        self._send(messages.CLOSE_COMPLETE)

    async def _sync(self) -> None:
        engine_session = self._engine_session
        assert engine_session is not None
        failed = self._discard_until_sync
        self._discard_until_sync = False
        try:
            await self._engine_call(engine_session.ending_is_short, engine_session.end_implicit,
                                    not failed)
        except DatabaseError as error:
            self._send_error(error)
        self._send_notices()
        if engine_session.transaction_status == "I":
            self._portals.clear()  # portals live until the end of their transaction
        self._ready()

    # rows -------------------------------------------------------------------------------------

    def _text(self, oid: int, value: Any) -> bytes:
        zone, style = self._text_formats()
        return codecs.encode_text(oid, value, tz=zone, style=style)

    def _row_description(self, columns: Sequence[Column], formats: tuple[int, ...]) -> bytes:
        """The RowDescription of a result; the last one sent is kept by the identity of its columns
        (one tuple for every execution of a prepared statement), so a statement run again finds it
        without hashing its columns."""
        last = self._last_description
        if last is not None and last[0] is columns and last[1] == formats and last[2] is self._transcoder:
            return last[3]
        data = _row_description(tuple(columns), formats, self._transcoder)
        self._last_description = (columns, formats, self._transcoder, data)
        return data

    async def _send_rows(self, cursor: Cursor, formats: Sequence[int], max_rows: int) -> None:
        if cursor.columns is None:
            return
        encoders = [self._encoder(column.type_oid, fmt) for column, fmt in zip(cursor.columns, formats,
                                                                               strict=True)]
        batch = cursor.fetch(max_rows)
        pending = 0
        try:
            for row in batch:
                encoded = messages.data_row([None if value is None else encode(value)
                                             for encode, value in zip(encoders, row, strict=True)])
                self._send(encoded)
                pending += len(encoded)
                if pending > WRITE_HIGH_WATER:
                    await self._flush()
                    pending = 0
        except DatabaseError:  # a value the client encoding cannot hold: the statement fails there
            assert self._engine_session is not None
            self._engine_session.statement_failed()
            raise

    def _encoder(self, oid: int, fmt: int) -> Callable[[Any], bytes]:
        """The column's encoding function, looked up once per result, not per value; in a client
        encoding other than UTF8, its output converted to it."""
        timezone, style = self._text_formats()
        codec = codecs.codec_for(oid, style)
        transcoder = self._transcoder
        if fmt == 1:
            if transcoder is not None and carries_text(oid):
                return binary_codec(oid, transcoder).binary_out
            return codec.binary_out
        text_out = codec.text_out
        if transcoder is None:
            return lambda value: text_out(value, timezone)
        to_client = transcoder.to_client
        return lambda value: to_client(text_out(value, timezone))


def _ignored(session: Session, message: messages.FrontendMessage) -> None:
    """Flush (its answer is the flush after it), and stray COPY messages outside COPY mode, which
    PostgreSQL ignores."""


# what the message loop does with each kind of message (one that is not here: `_dispatch_other`);
# a handler returns what to await, if anything
_HANDLERS: dict[type, Callable[[Session, Any], Awaitable[None] | None]] = {
    messages.Query: lambda session, message: session._simple_query(message.sql),
    messages.Parse: Session._parse,
    messages.Bind: Session._bind,
    messages.Describe: Session._describe,
    messages.Execute: Session._execute_portal,
    messages.Close: Session._close,
    messages.Sync: lambda session, _: session._sync(),
    messages.Flush: _ignored,
    messages.CopyData: _ignored,
    messages.CopyDone: _ignored,
    messages.CopyFail: _ignored,
}

ROLE_PARAMETERS = (EPOCH_PARAMETER, ROLE_STATE_PARAMETER)  # also reported, with in_hot_standby
_REPORTED_AT_STARTUP = (
    "application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
    "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser", "server_encoding",
    "server_version", "session_authorization", "standard_conforming_strings", "TimeZone",
)


@lru_cache(maxsize=1024)
def _row_description(columns: tuple[Column, ...], formats: tuple[int, ...],
                     transcoder: Transcoder | None = None) -> bytes:
    """The RowDescription of a result's columns in these formats and client encoding, encoded once
    for every execution of the statements that share them. Kept by value: a statement re-prepared
    after a schema change that changed its columns has another key."""
    return messages.row_description(
        [FieldDescription(c.name, c.type_oid, codecs.type_by_oid(c.type_oid).typlen, c.type_modifier,
                          c.table_oid, c.column_number) for c in columns], formats, transcoder)


def _require_codecs(type_oids: Iterable[int]) -> None:
    """0A000 at Parse for a parameter or result type without a codec here, as a statement of it
    could neither be bound nor described (PostgreSQL also fails at Parse what it cannot take)."""
    for oid in type_oids:
        codecs.codec_for(oid)


def _expand_formats(formats: Sequence[int], count: int, what: str) -> tuple[int, ...]:
    if not formats:
        return (0,) * count
    if len(formats) == 1:
        return (formats[0],) * count
    if len(formats) != count:
        raise DatabaseError(PROTOCOL_VIOLATION,
                            f"bind message has {len(formats)} {what} formats but {count} {what}s")
    return tuple(formats)


def _session_id(requested: str | None) -> str:
    """The session id (16 hex digits): a resumed one from the client, else a new random one."""
    if requested is None:
        return secrets.token_hex(8)
    try:
        if len(requested) == 16:
            return bytes.fromhex(requested).hex()
    except ValueError:
        pass
    raise fatal(INVALID_PARAMETER_VALUE,
                f'invalid value for parameter "{SESSION_ID_PARAMETER}": "{requested}"',
                detail="A session id is 16 hexadecimal digits, as the server reported it.")


def _options_settings(options: str) -> dict[str, str]:
    """Parse the startup `options` parameter: `-c name=value` pairs (also `--name=value`)."""
    settings: dict[str, str] = {}
    tokens = options.replace("\\ ", "\0").split()
    i = 0
    while i < len(tokens):
        token = tokens[i].replace("\0", " ")
        if token == "-c" and i + 1 < len(tokens):
            token = "--" + tokens[i + 1].replace("\0", " ")
            i += 1
        elif token.startswith("-c"):
            token = "--" + token[2:]
        if token.startswith("--") and "=" in token:
            name, value = token[2:].split("=", 1)
            settings[name.replace("-", "_")] = value
        i += 1
    return settings
