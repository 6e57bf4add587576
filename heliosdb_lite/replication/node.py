"""Replication for one server: its role, its standbys or its primary, promotion and fencing.

`ReplicationNode` is created by `cli serve` and given to the server (sessions call
`serve_standby` for replication connections and read `role` for their ParameterStatus) and to the
commit service (`replicated(lsn)` is the standby half of the durability barrier; `register` adds
heliosdb_promote(), heliosdb_replication_status() to every session's connection).

Epochs: every entry carries the epoch of the primary that wrote it. Promotion appends an EPOCH
entry with a new epoch (one more than any it knows). A primary that learns of a higher epoch — a
standby or peer reporting one, or its configured `standby_host` reporting one when probed at
start-up and every replication_retry_interval_seconds — is fenced: writes fail with 25006, waiting
commits and every later answer showing unacknowledged data fail FATAL; it never acknowledges again,
restarts included (file DEPOSED in its data directory, removed when it starts as a standby).

With automatic failover (`failover/agent.py`, `node.failover` true) etcd decides the roles instead:
the node starts as a standby (of the leader etcd names, or of nobody yet), the agent promotes it to
the epoch it took with the leader key, re-points its stream with `follow`, counts only the standbys
etcd lists as sync (`counted`), and makes every answer wait for `lease_guard`; the peer probe is
off.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import apsw

from heliosdb_lite.config import Config
from heliosdb_lite.engine.functions import effects
from heliosdb_lite.engine.functions.heliosdb_table_functions import column_names
from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.engine.types import pgtypes
from heliosdb_lite.errors import OBJECT_NOT_IN_PREREQUISITE_STATE, PROTOCOL_VIOLATION, DatabaseError
from heliosdb_lite.failover.guard import LeaseGuard
from heliosdb_lite.journal import EntryType, EpochPayload, Journal, encode_payload
from heliosdb_lite.journal.segment import sync_directory
from heliosdb_lite.protocol import messages
from heliosdb_lite.replay import txn_table
from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.replication import metrics, wire
from heliosdb_lite.replication.acks import ASYNC, SYNC, StandbyAcks
from heliosdb_lite.replication.client import PeerError, peer_credentials, peer_parameters
from heliosdb_lite.replication.history import epoch_history
from heliosdb_lite.replication.receiver import Receiver, apply_received
from heliosdb_lite.replication.rejoin import DEPOSED_FILE, PROMOTED_FILE
from heliosdb_lite.replication.role import EPOCH_PARAMETER, Role, ServerRole
from heliosdb_lite.replication.sender import ReadMessage, Shipper, StandbyLink, stream_to_standby
from heliosdb_lite.server.users import server_users

log = logging.getLogger("heliosdb.replication")
NO_GTID = bytes(16)
STATUS_FUNCTION = "heliosdb_replication_status"
BACKUP_CHUNK_BYTES = 1 << 20


class ReplicationNode:
    """See the module docstring."""

    def __init__(self, config: Config, engine: SQLiteEngine, journal: Journal,
                 service: CommitService) -> None:
        settings = config.replication
        self._settings = settings
        self.failover = config.failover.enabled
        self.primary_host = settings.primary_host
        self.lease_guard: LeaseGuard | None = None  # the failover agent's, once this node leads
        self.counted: set[str] | None = set() if self.failover else None  # sync standbys whose acks count
        self.on_diverged: Callable[[str], None] | None = None  # the primary refused the stream: rejoin
        self.on_standby_change: Callable[[], None] | None = None
        self.may_degrade: Callable[[Callable[[], bool]], Awaitable[bool]] | None = None
        self._journal = journal
        self._service = service
        self._engine = engine
        self._users = server_users(config)
        self.name = settings.standby_name or f"{config.server.listen}:{config.server.port}"
        self._promoted_marker = config.database.path / PROMOTED_FILE
        self._deposed_marker = config.database.path / DEPOSED_FILE
        standby = settings.role == "standby" and not self._promoted_marker.exists()
        self.role = ServerRole(Role.STANDBY if standby else Role.PRIMARY, journal.epoch,
                               settings.primary_host if standby else None)
        self._links: dict[str, StandbyLink] = {}
        self._standby_writers: set[asyncio.StreamWriter] = set()
        self._acks: StandbyAcks | None = None
        self._receiver: Receiver | None = None
        self._store = engine.maintenance_connection()
        self._store.execute("PRAGMA foreign_keys=OFF")
        self._shipper = Shipper(journal, self._store)
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._promoting = False
        service.replication = self
        service.connection_hooks.append(self.register)

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.role.role is Role.STANDBY:
            self._become_standby()
        else:
            self._become_primary()
            if self._deposed_marker.exists():
                epoch = int(self._deposed_marker.read_text().strip() or 0)
                self._fence(f"it learned of the primary of epoch {epoch} before it was restarted (file "
                            f"{DEPOSED_FILE} in its data directory)", epoch)
            elif self._peer is not None:
                await self._probe_peer()
                self._spawn(self._probe_periodically())
        self._publish()

    async def close(self) -> None:
        """End the streams (to standbys or from the primary) and the probes."""
        for writer in self._standby_writers:
            writer.close()
        if self._receiver is not None:
            await self._receiver.stop()
        for task in list(self._tasks):
            task.cancel()
        self._store.close()

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _become_standby(self) -> None:
        primary = self.primary_host
        if not primary:
            if not self.failover:
                raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                    "replication.role = standby needs replication.primary_host")
            self._service.refuse_writes("no primary is known yet: the failover agent is waiting for etcd to "
                                        "name a leader", hint="Send writes to the primary.")
            log.info("replication: standby %s without a primary yet (failover: etcd names the leader)",
                     self.name)
            return
        self._service.refuse_writes(f"this server is a hot standby of the primary at {primary}",
                                    hint=f"Send writes to the primary at {primary}.")
        settings = self._settings
        self._receiver = Receiver(self._journal, self._store, primary, self.name, peer_credentials(settings),
                                  settings.replication_retry_interval_seconds,
                                  lambda: self.role.epoch, self._learned_epoch, self._refused,
                                  roles=self._service.roles)
        self._receiver.start()
        log.info("replication: hot standby %s of primary %s, streaming from LSN %d", self.name, primary,
                 self._journal.last_lsn + 1)

    def _become_primary(self) -> None:
        settings = self._settings
        mode = settings.replication_mode if settings.replicate_journal else ASYNC
        self._acks = StandbyAcks(mode, settings.sync_timeout_ms, settings.synchronous_standby_count,
                                 self._journal.last_lsn, self.role.set_replication_state, self.may_degrade)
        self.role.set_replication_state(self._acks.state)
        if not settings.replicate_journal:
            return
        if self.failover and mode == SYNC:
            self._acks.start_degraded("a new primary has no sync standby in etcd's sync set yet")
        if mode == ASYNC:
            log.warning("replication_mode = async: commits are acknowledged after the local fsync, before "
                        "any standby has them; a failover can lose acknowledged transactions (RPO > 0)")
        else:
            log.info("replication: primary in %s mode (%d standby acknowledgement(s) per commit)", mode,
                     settings.synchronous_standby_count)

    def _publish(self) -> None:
        metrics.IS_PRIMARY.set(1 if self.role.role is Role.PRIMARY else 0)
        metrics.EPOCH.set(self.role.epoch)
        metrics.STANDBYS.set(len(self._links))

    # -- the durability barrier ---------------------------------------------------------------

    def replicated_now(self, lsn: int) -> bool:
        """Whether `replicated(lsn)` has nothing to do: no sender to wake, the commit may be
        acknowledged now (as `StandbyAcks.covers` decides, which records it), no lease to wait for."""
        return not self._links and (self._acks is None or self._acks.covers(lsn)) \
            and (self.lease_guard is None or self.role.role is not Role.PRIMARY)

    async def replicated(self, lsn: int) -> None:
        """After the local fsync of `lsn`: wake the senders; in a sync mode, wait for the standbys."""
        for link in self._links.values():
            link.wake.set()
        if self._acks is not None:
            await self._acks.wait(lsn)
        if self.lease_guard is not None and self.role.role is Role.PRIMARY:
            await self.lease_guard.wait()

    # -- the primary's side -------------------------------------------------------------------

    async def serve_standby(self, name: str, address: str, read_message: ReadMessage,
                            writer: asyncio.StreamWriter) -> None:
        """A replication connection (startup parameter `replication`), authenticated."""
        query = await read_message()
        while isinstance(query, messages.Query) and wire.is_preamble_request(query.sql):
            self._check_serving()
            if wire.is_history_request(query.sql):
                writer.write(await self._history_answer())
            elif wire.is_users_request(query.sql):
                writer.write(await self._users_answer())
            else:
                await self._send_base_backup(writer)
            query = await read_message()
        if not isinstance(query, messages.Query):
            raise DatabaseError(PROTOCOL_VIOLATION, "a replication connection must send START_REPLICATION")
        start = wire.parse_start(query.sql)
        if start.epoch > self.role.epoch:
            self._learned_epoch(start.epoch)
        self._check_standby(name, start)
        sync = self._acks is not None and self._acks.mode != ASYNC
        link = StandbyLink(name, address, sync)
        self._links[name] = link
        self._standby_writers.add(writer)
        self._publish()
        if self.on_standby_change is not None:
            self.on_standby_change()
        log.info("replication: standby %s (%s) connected, streaming from LSN %d", name, address,
                 start.next_lsn)
        try:
            await stream_to_standby(link, start, self._shipper, read_message, writer, self._primary_state,
                                    self._on_status)
        finally:
            self._standby_writers.discard(writer)
            if self._links.get(name) is link:
                del self._links[name]
                if self._acks is not None:
                    self._acks.standby_gone(name)
                self._journal.forget_standby(name)
            self._publish()
            log.info("replication: standby %s disconnected", name)

    async def _history_answer(self) -> bytes:
        """EPOCH_HISTORY's rows (wire.py), read from the retained journal off the event loop."""
        journal = self._journal
        spans = await asyncio.to_thread(lambda: epoch_history(journal.read_from(journal.first_lsn)))
        fields = [messages.FieldDescription(name, pgtypes.INT8, 8) for name in wire.HISTORY_COLUMNS]
        rows = [messages.data_row([str(span.first_lsn).encode(), str(span.last_lsn).encode(),
                                   str(span.epoch).encode()]) for span in spans]
        return b"".join([messages.row_description(fields, [0] * len(fields)), *rows,
                         messages.command_complete(f"SELECT {len(rows)}"), messages.ready_for_query("I")])

    async def _users_answer(self) -> bytes:
        """USERS_FILE's row (wire.py): the users file once the journal has synced what it has, without
        the changes of entries appended since (a standby streams those)."""
        journal = self._journal
        await asyncio.to_thread(journal.sync_durable, journal.last_lsn)
        synced = journal.last_lsn if journal.sync_mode == "async" else journal.flushed_lsn
        text = await asyncio.to_thread(self._users.durable_text, synced)
        field = messages.FieldDescription(wire.USERS_COLUMN, pgtypes.TEXT, -1)
        row = messages.data_row([None if text is None else text.encode()])
        return b"".join([messages.row_description([field], [0]), row, messages.command_complete("SELECT 1"),
                         messages.ready_for_query("I")])

    async def _send_base_backup(self, writer: asyncio.StreamWriter) -> None:
        """BASE_BACKUP (wire.py): a consistent copy of the store, made off the event loop."""
        copy, lsn = await asyncio.to_thread(self._store_copy)
        try:
            epoch = self._shipper.epoch_at(lsn)
            writer.write(messages.copy_out_response([]))
            with open(copy, "rb") as file:
                while chunk := file.read(BACKUP_CHUNK_BYTES):
                    writer.write(messages.copy_data(chunk))
                    await writer.drain()
            tag = wire.backup_tag(lsn, self.role.epoch if epoch is None else epoch)
            writer.write(messages.COPY_DONE + messages.command_complete(tag) + messages.ready_for_query("I"))
            await writer.drain()
        finally:
            copy.unlink(missing_ok=True)
        log.info("replication: sent a copy of the store at LSN %d", lsn)

    def _store_copy(self) -> tuple[Path, int]:
        """A consistent copy of the store (APSW's backup API) beside it, and the last LSN it holds."""
        descriptor, name = tempfile.mkstemp(prefix="base-backup-", suffix=".db",
                                            dir=self._engine.store_path.parent)
        os.close(descriptor)
        copy = Path(name)
        destination = apsw.Connection(name)
        source = self._engine.maintenance_connection()
        try:
            with destination.backup("main", source, "main") as backup:
                backup.step(-1)
            return copy, txn_table.last_lsn(destination)
        finally:
            source.close()
            destination.close()

    def _check_serving(self) -> None:
        """Refuse a replication request unless this server is a primary with replication on."""
        if self.role.role is not Role.PRIMARY:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                f"this server is not a primary ({self.role.role.value}, "
                                f"epoch {self.role.epoch})")
        if not self._settings.replicate_journal:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                "replication is not enabled on this server (replication.replicate_journal)")

    def _check_standby(self, name: str, start: wire.StartRequest) -> None:
        self._check_serving()
        journal = self._journal
        if start.last_lsn > journal.last_lsn or (
                start.last_lsn and self._shipper.epoch_at(start.last_lsn) not in (None, start.last_epoch)):
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                f"standby {name} has diverged: its LSN {start.last_lsn} "
                                f"(epoch {start.last_epoch}) is not in this primary's journal "
                                f"(last LSN {journal.last_lsn})")
        if start.next_lsn < journal.first_lsn:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                f"standby {name} asks for LSN {start.next_lsn}, but the oldest retained is "
                                f"{journal.first_lsn}: rebuild it from a copy of the store")

    def _primary_state(self) -> wire.PrimaryState:
        return wire.PrimaryState(self._journal.last_lsn, self.role.epoch, wire.now_us())

    def _on_status(self, link: StandbyLink, status: wire.StandbyStatus) -> None:
        if status.epoch > self.role.epoch:
            self._learned_epoch(status.epoch)
            return
        acks = self._acks
        if not link.sync or acks is None:
            return
        if self.counted is None or link.name in self.counted:
            self._count_flushed(link, acks)

    def _count_flushed(self, link: StandbyLink, acks: StandbyAcks) -> None:
        self._journal.mark_standby_acked(link.name, link.flushed_lsn)
        acks.standby_flushed(link.name, link.flushed_lsn)

    def count_acknowledgements(self, names: set[str]) -> None:
        """With failover: etcd's sync set now lists `names`; their acknowledgements count from here,
        starting with what they have already reported."""
        assert self.counted is not None and self._acks is not None
        self.counted |= names
        for name in names:
            link = self._links.get(name)
            if link is not None:
                self._count_flushed(link, self._acks)

    # -- epochs, fencing, promotion -----------------------------------------------------------

    def _learned_epoch(self, epoch: int) -> None:
        if epoch <= self.role.epoch:
            return
        if self.role.role is Role.PRIMARY:
            self._fence(f"a newer primary exists (epoch {epoch}; this server's epoch is {self.role.epoch})",
                        epoch)
        else:
            self.role.epoch = epoch
        self._publish()

    def _fence(self, reason: str, epoch: int) -> None:
        log.critical("replication: FENCED: %s; this server refuses writes and acknowledges no commit "
                     "from now on; rejoin it as a standby", reason)
        self._service.refuse_writes(f"this server was deposed: {reason}",
                                    hint="Connect to the new primary; rejoin this server as its standby.")
        self.role.change(Role.FENCED, epoch=epoch)
        if self._acks is not None:
            self._acks.fence(f"this server was deposed: {reason}")
        _write_durably(self._deposed_marker, f"{epoch}\n")
        self._promoted_marker.unlink(missing_ok=True)
        self._publish()

    @property
    def _peer(self) -> str | None:
        """The server a primary probes for a newer epoch: its standby_host, or, once promoted, the
        primary it was the standby of (none with failover: etcd says who leads)."""
        if self.failover:
            return None
        return self._settings.standby_host or self._settings.primary_host

    async def _probe_peer(self) -> None:
        peer = self._peer
        assert peer is not None
        try:
            parameters = await peer_parameters(peer, peer_credentials(self._settings))
        except (OSError, TimeoutError, asyncio.IncompleteReadError, PeerError, DatabaseError):
            return
        epoch = int(parameters.get(EPOCH_PARAMETER, "0") or 0)
        if epoch > self.role.epoch and parameters.get("in_hot_standby") == "off":
            self._learned_epoch(epoch)

    async def _probe_periodically(self) -> None:
        while self.role.role is Role.PRIMARY:
            await asyncio.sleep(self._settings.replication_retry_interval_seconds)
            await self._probe_peer()

    async def promote(self, epoch: int | None = None) -> int:
        """Make this standby the primary of a new epoch (`epoch`, by default one more than any it
        knows), after applying everything it received; returns the new epoch."""
        if self.role.role is not Role.STANDBY or self._promoting:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE, "the server is not in standby mode",
                                hint="heliosdb_promote() promotes a standby.")
        self._promoting = True
        try:
            if self._receiver is not None:
                await self._receiver.stop()
                self._receiver = None
            journal = self._journal
            await asyncio.to_thread(apply_received, self._store, journal, self._service.roles)
            epoch = epoch if epoch is not None else max(self.role.epoch, journal.epoch) + 1
            previous = journal.last_lsn
            payload = encode_payload(EpochPayload(node=self.name, previous_last_lsn=previous))
            lsn = await journal.append_async(EntryType.EPOCH, NO_GTID, payload, epoch=epoch)
            await journal.durable(lsn)
            await asyncio.to_thread(_write_durably, self._promoted_marker, f"{epoch}\n")
            self.role.change(Role.PRIMARY, epoch=epoch)
            self._service.writes_refused = None
            self._become_primary()
            if self._peer is not None:
                self._spawn(self._probe_periodically())
            self._publish()
            log.warning("replication: PROMOTED: %s is the primary of epoch %d (received and applied up to "
                        "LSN %d)", self.name, epoch, previous)
            return epoch
        finally:
            self._promoting = False

    async def follow(self, primary: str) -> None:
        """Stream from `primary` from now on (a standby whose primary changed); no restart."""
        if self.role.role is not Role.STANDBY or self._promoting:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE, "only a standby follows a primary")
        if primary == self.primary_host and self._receiver is not None:
            return
        if self._receiver is not None:
            await self._receiver.stop()
            self._receiver = None
        log.warning("replication: %s follows the primary at %s from now on (was %s)", self.name, primary,
                    self.primary_host or "none")
        self.primary_host = primary
        self.role.change(Role.STANDBY, primary_host=primary)
        self._become_standby()
        self._publish()

    def _refused(self, message: str) -> None:
        if self.on_diverged is not None:
            self.on_diverged(message)

    @property
    def journal(self) -> Journal:
        return self._journal

    @property
    def acks(self) -> StandbyAcks | None:
        return self._acks

    @property
    def links(self) -> dict[str, StandbyLink]:
        return self._links

    @property
    def applied_lsn(self) -> int:
        return self._applied_lsn()

    # -- SQL functions ------------------------------------------------------------------------

    def register(self, connection: apsw.Connection) -> None:
        """heliosdb_promote() and heliosdb_replication_status() on a session's connection."""
        def promote() -> int:
            assert self._loop is not None
            asyncio.run_coroutine_threadsafe(self.promote(), self._loop).result()
            return 1

        scalars: dict[str, Callable[..., int]] = {
            "heliosdb_promote": promote,
            "heliosdb_current_lsn": lambda: self._journal.last_lsn,
            "heliosdb_last_applied_lsn": self._applied_lsn,
        }
        for name, function in scalars.items():
            effects.scalar(connection, name, function, 0, waits=name == "heliosdb_promote")

        def status_rows() -> Iterator[tuple[Any, ...]]:
            yield from self.status_rows()

        effects.table(connection, STATUS_FUNCTION, status_rows, column_names(STATUS_FUNCTION))

    def _applied_lsn(self) -> int:
        """The last LSN applied to the store (PostgreSQL's pg_last_wal_replay_lsn())."""
        return self._receiver.applied_lsn if self._receiver is not None else self._journal.last_lsn

    def status_rows(self) -> list[tuple[Any, ...]]:
        """One row per standby streaming from this primary (PostgreSQL's pg_stat_replication)."""
        last = self._journal.last_lsn
        return [(link.name, link.address, link.state, link.sent_lsn, link.flushed_lsn, link.applied_lsn,
                 link.lag_bytes, round(link.lag_seconds, 6) if link.applied_lsn < last else 0.0,
                 "sync" if link.sync else "async")
                for link in list(self._links.values())]


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    sync_directory(path.parent)


def peer_address(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)


