"""The primary's side of one standby: stream settled, locally durable journal entries to it and
take its acknowledgements (PostgreSQL's walsender, in our terms).

Only *settled* entries are sent: an entry is sent once the local journal has synced it and, for a
commit entry that is the last one written, once its `_helios_txn` row is visible in the store — its
SQLite COMMIT is done, so no abort entry can still follow it (`replay.commit`). A commit entry with
a later entry after it is settled, since the next append needs the write lock the commit held; when
that later entry is not yet synced, the commit is held back with it, so a commit and the abort that
may follow it always travel in one message and the standby applies them together.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import apsw

from heliosdb_lite.journal import EntryType, Journal
from heliosdb_lite.journal.format import encode_entry
from heliosdb_lite.protocol import messages
from heliosdb_lite.replay import txn_table
from heliosdb_lite.replication import metrics, wire

log = logging.getLogger("heliosdb.replication")

BATCH_ENTRIES = 2000
BATCH_BYTES = 4 << 20
KEEPALIVE_SECONDS = 1.0
COPY_BOTH_RESPONSE = b"W\x00\x00\x00\x07\x00\x00\x00"

ReadMessage = Callable[[], Awaitable[messages.FrontendMessage]]


@dataclass
class StandbyLink:
    """One connected standby, as heliosdb_replication_status() shows it."""

    name: str
    address: str
    sync: bool
    state: str = "catchup"
    sent_lsn: int = 0
    flushed_lsn: int = 0
    applied_lsn: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # (last LSN of a message, total bytes sent through it, monotonic send time), oldest first
    in_flight: collections.deque[tuple[int, int, float]] = field(default_factory=collections.deque)
    bytes_sent: int = 0
    bytes_applied: int = 0

    def sent(self, last_lsn: int, size: int) -> None:
        self.sent_lsn = last_lsn
        self.bytes_sent += size
        self.in_flight.append((last_lsn, self.bytes_sent, time.monotonic()))
        metrics.SENT_LSN.labels(self.name).set(last_lsn)

    def acknowledged(self, status: wire.StandbyStatus) -> None:
        self.flushed_lsn = max(self.flushed_lsn, status.flushed_lsn)
        self.applied_lsn = max(self.applied_lsn, status.applied_lsn)
        while self.in_flight and self.in_flight[0][0] <= self.applied_lsn:
            self.bytes_applied = self.in_flight.popleft()[1]
        metrics.FLUSHED_LSN.labels(self.name).set(self.flushed_lsn)
        metrics.APPLIED_LSN.labels(self.name).set(self.applied_lsn)
        metrics.LAG_BYTES.labels(self.name).set(self.lag_bytes)
        metrics.LAG_SECONDS.labels(self.name).set(self.lag_seconds)

    @property
    def lag_bytes(self) -> int:
        return self.bytes_sent - self.bytes_applied

    @property
    def lag_seconds(self) -> float:
        return time.monotonic() - self.in_flight[0][2] if self.in_flight else 0.0


class Shipper:
    """Decides how far the journal may be sent (see the module docstring) and reads it."""

    def __init__(self, journal: Journal, store: apsw.Connection) -> None:
        self._journal = journal
        self._store = store

    def _durable_lsn(self) -> int:
        journal = self._journal
        return journal.last_lsn if journal.sync_mode == "async" else journal.flushed_lsn

    def batch(self, next_lsn: int) -> tuple[bytes, int]:
        """Encoded settled entries from `next_lsn` on (at most a batch), and the last LSN in them."""
        durable = self._durable_lsn()
        if durable < next_lsn:
            return b"", next_lsn - 1
        chunks: list[bytes] = []
        size = 0
        last = next_lsn - 1
        for entry in self._journal.read_from(next_lsn, min(durable, next_lsn + BATCH_ENTRIES - 1)):
            if entry.lsn == durable and entry.entry_type == EntryType.COMMIT \
                    and not self._committed(entry.lsn):
                break
            chunks.append(encode_entry(entry.entry_type, entry.flags, entry.lsn, entry.gtid,
                                       entry.timestamp_us, entry.epoch, entry.payload))
            size += len(chunks[-1])
            last = entry.lsn
            if size >= BATCH_BYTES:
                break
        return b"".join(chunks), last

    def _committed(self, lsn: int) -> bool:
        return any(self._store.execute(f"SELECT 1 FROM {txn_table.TXN_TABLE} WHERE lsn = ?", (lsn,)))

    def epoch_at(self, lsn: int) -> int | None:
        """The epoch of the entry at `lsn`, None when it is not retained or not written."""
        if lsn < self._journal.first_lsn or lsn > self._journal.last_lsn:
            return None
        for entry in self._journal.read_from(lsn, lsn):
            return entry.epoch
        return None


async def stream_to_standby(link: StandbyLink, start: wire.StartRequest, shipper: Shipper,
                            read_message: ReadMessage, writer: asyncio.StreamWriter,
                            primary_state: Callable[[], wire.PrimaryState],
                            on_status: Callable[[StandbyLink, wire.StandbyStatus], None]) -> None:
    """Serve one standby until it goes away (or its connection breaks)."""
    writer.write(COPY_BOTH_RESPONSE)
    statuses = asyncio.create_task(_read_statuses(link, read_message, on_status))
    next_lsn = start.next_lsn
    try:
        while not statuses.done():
            link.wake.clear()
            data, last = shipper.batch(next_lsn)
            if data:
                writer.write(messages.copy_data(wire.data_message(primary_state(), data)))
                await writer.drain()
                link.sent(last, len(data))
                next_lsn = last + 1
                continue
            link.state = "streaming"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(link.wake.wait(), statuses), KEEPALIVE_SECONDS)
                continue
            writer.write(messages.copy_data(wire.keepalive_message(primary_state())))
            await writer.drain()
    finally:
        statuses.cancel()
        with contextlib.suppress(BaseException):
            await statuses


async def _first(event_wait: Awaitable[bool], task: asyncio.Task[None]) -> None:
    """Return when the event is set or the task ends."""
    waiter = asyncio.ensure_future(event_wait)
    try:
        await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


async def _read_statuses(link: StandbyLink, read_message: ReadMessage,
                         on_status: Callable[[StandbyLink, wire.StandbyStatus], None]) -> None:
    while True:
        message = await read_message()
        if isinstance(message, messages.CopyData):
            status = wire.parse_status(message.data)
            link.acknowledged(status)
            on_status(link, status)
        elif isinstance(message, messages.Terminate | messages.CopyDone):
            return
