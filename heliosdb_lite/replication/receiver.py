"""The standby's stream: receive entries from the primary, verify, append and fsync them to the
standby's own journal, apply them to its store with the code recovery uses, report back.

Per DATA message: every entry's XXH3 checksum and LSN sequence are verified (a bad one ends the
connection: nothing of the message is written); the entries are appended with the primary's LSN,
epoch, GTID, flags and timestamp, so the standby's journal is a byte-for-byte copy; then fsynced;
then STATUS reports them flushed (what a sync primary waits for); then `apply_entries` applies them
(role changes to the standby's users file too, so a role logs in here at once) and a second STATUS
reports them applied. Sessions on the standby read only what is applied, which
is durable here (I2 on the standby). A lost connection is retried every
replication_retry_interval_seconds, from the standby's last LSN; a primary that refuses the stream
because this standby's journal has parted from its own (or is beyond its retention) is also told to
`on_refused` (with failover, the node then restarts to rejoin).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import apsw

from heliosdb_lite.engine.interface import RoleStore
from heliosdb_lite.errors import DATA_CORRUPTED, OBJECT_NOT_IN_PREREQUISITE_STATE, DatabaseError
from heliosdb_lite.journal import EntryView, Journal
from heliosdb_lite.journal.format import decode_entry
from heliosdb_lite.replay import txn_table
from heliosdb_lite.replay.recovery import apply_entries
from heliosdb_lite.replication import metrics, wire
from heliosdb_lite.replication.client import PeerConnection, PeerCredentials, PeerError

log = logging.getLogger("heliosdb.replication")


def verified_entries(data: memoryview, next_lsn: int) -> list[EntryView]:
    """The entries of a DATA message, each verified, numbered from `next_lsn` with no gap."""
    entries = []
    offset = 0
    while offset < len(data):
        entry = decode_entry(data, offset, "replication stream")
        if isinstance(entry, str):
            raise DatabaseError(DATA_CORRUPTED, f"replication stream: entry at offset {offset} of a message "
                                                f"is invalid ({entry})")
        if entry.lsn != next_lsn:
            raise DatabaseError(DATA_CORRUPTED, f"replication stream: entry LSN {entry.lsn} where {next_lsn} "
                                                "was expected")
        entries.append(entry)
        offset = entry.end
        next_lsn += 1
    return entries


def apply_received(connection: apsw.Connection, journal: Journal, roles: RoleStore | None) -> int:
    """Apply what the journal holds beyond the store (after a lost stream or before promotion);
    returns the store's last LSN."""
    store_lsn = txn_table.last_lsn(connection)
    if journal.last_lsn > store_lsn:
        journal.sync_durable(journal.last_lsn)
        apply_entries(connection, journal.read_from(store_lsn + 1), roles=roles)
    return journal.last_lsn


def _needs_rejoin(error: Exception) -> bool:
    """Whether the primary refused the stream because it cannot continue this standby's journal."""
    return isinstance(error, PeerError) and error.sqlstate == OBJECT_NOT_IN_PREREQUISITE_STATE and (
        "has diverged" in error.message or "oldest retained" in error.message)


class Receiver:
    """Streams from the primary until stopped; runs as one task on the event loop."""

    def __init__(self, journal: Journal, store: apsw.Connection, primary_host: str, name: str,
                 credentials: PeerCredentials, retry_seconds: float, known_epoch: Callable[[], int],
                 learned_epoch: Callable[[int], None],
                 on_refused: Callable[[str], None] | None = None, roles: RoleStore | None = None) -> None:
        self._journal = journal
        self._roles = roles
        self._store = store
        self._primary_host = primary_host
        self._name = name
        self._credentials = credentials
        self._retry_seconds = retry_seconds
        self._known_epoch = known_epoch
        self._learned_epoch = learned_epoch
        self._on_refused = on_refused
        self._connection: PeerConnection | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.applied_lsn = journal.last_lsn
        self.connected = False
        self.last_error = ""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="replication-receiver")

    async def stop(self) -> None:
        """End the stream; returns once no entry is being written or applied any more."""
        self._stopping = True
        self._wake.set()
        if self._connection is not None:
            self._connection.close()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._stream()
            except (OSError, TimeoutError, asyncio.IncompleteReadError, PeerError, DatabaseError) as error:
                if self._stopping:
                    return
                message = str(error) or type(error).__name__
                if message != self.last_error:
                    log.warning("replication: stream from primary %s ended: %s; retrying every %g s",
                                self._primary_host, message, self._retry_seconds)
                self.last_error = message
                if self._on_refused is not None and _needs_rejoin(error):
                    self._on_refused(message)
            finally:
                self.connected = False
                if self._connection is not None:
                    self._connection.close()
                    self._connection = None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._retry_seconds)

    async def _stream(self) -> None:
        journal = self._journal
        self._connection = connection = await PeerConnection.open(
            self._primary_host, self._credentials,
            startup={wire.REPLICATION_PARAMETER: self._name})
        last = journal.last_lsn
        held = last if last >= journal.first_lsn else 0  # none after a rebuild from a store copy
        request = wire.StartRequest(last + 1, held, journal.epoch if held else 0, self._known_epoch())
        await connection.start_copy_both(request.query())
        self.connected = True
        if self.last_error:
            log.info("replication: streaming from primary %s again from LSN %d", self._primary_host,
                     request.next_lsn)
        self.last_error = ""
        while not self._stopping:
            message = await connection.read_copy_data()
            kind, state, data = wire.parse_primary(message)
            if state.epoch > self._known_epoch():
                self._learned_epoch(state.epoch)
            if kind == wire.DATA and len(data):
                await self._receive(verified_entries(data, journal.last_lsn + 1))
            self._report(connection)
            await connection.drain()

    async def _receive(self, entries: list[EntryView]) -> None:
        journal = self._journal
        for entry in entries:
            await journal.append_async(entry.entry_type, entry.gtid, entry.payload, epoch=entry.epoch,
                                       flags=entry.flags, timestamp_us=entry.timestamp_us,
                                       expect_lsn=entry.lsn)
        await journal.durable(entries[-1].lsn)
        metrics.ENTRIES_RECEIVED.inc(len(entries))
        metrics.RECEIVED_LSN.set(journal.last_lsn)
        if self._connection is not None:
            self._report(self._connection)
        await asyncio.to_thread(apply_entries, self._store, entries, roles=self._roles)
        self.applied_lsn = entries[-1].lsn
        metrics.APPLIED_LOCAL_LSN.set(self.applied_lsn)

    def _report(self, connection: PeerConnection) -> None:
        connection.send_copy_data(wire.status_message(wire.StandbyStatus(
            self._journal.flushed_lsn if self._journal.sync_mode != "async" else self._journal.last_lsn,
            self.applied_lsn, self._known_epoch(), wire.now_us())))
