"""The transaction journal: append entries, learn when they are durable, read them back, retain
what the store and the standbys still need.

    journal = Journal.open(path)          # verifies every entry, cuts a torn tail
    lsn = journal.append(EntryType.COMMIT, gtid, payload)   # write() only
    await journal.durable(lsn)            # a group-commit fsync covered it
    for entry in journal.read_from(lsn): ...

Invariants:
- LSNs are 1, 2, 3, ... in file order with no gaps: an LSN is assigned and its entry written under
  one lock, so concurrent appenders (tasks or threads) cannot interleave.
- `durable(lsn)` returns only after a sync that began after the entry's write() has returned
  (`GroupCommit`); in the `async` sync mode it returns at once, and a power loss can then lose
  acknowledged commits (RPO > 0): syncs run every `async_flush_interval` seconds.
- Epochs never decrease along the journal.
- No entry is ever dropped: a segment is deleted only once it is checkpointed and acknowledged
  by every sync standby (`retention.py`); when journal_max_size_mb would be exceeded, the
  registered checkpoint callback is asked once and the append then waits for space.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from heliosdb_lite.errors import ADMIN_SHUTDOWN, OBJECT_IN_USE, DatabaseError
from heliosdb_lite.journal import metrics
from heliosdb_lite.journal.errors import journal_io_error
from heliosdb_lite.journal.flusher import GroupCommit
from heliosdb_lite.journal.format import HEADER_SIZE, MAX_PAYLOAD, EntryType, EntryView, encode_entry
from heliosdb_lite.journal.reader import JournalScan, Tail, read_entries
from heliosdb_lite.journal.retention import Retention, deletable_count
from heliosdb_lite.journal.segment import (
    LOCK_FILE,
    SegmentInfo,
    create_segment,
    cut_segment,
    open_for_append,
    sync_directory,
)
from heliosdb_lite.journal.syscalls import OS_SYSCALLS, Syscalls
from heliosdb_lite.journal.writer import SYNC_MODES, OpenSegment, SegmentWriter, SyncMode

log = logging.getLogger("heliosdb_lite.journal")

MB = 1 << 20
DEFAULT_SEGMENT_SIZE = 16 * MB
DEFAULT_MAX_SIZE_MB = 1024
ASYNC_FLUSH_INTERVAL = 0.2


class Journal:
    """An open journal directory, written by this process alone (it holds the LOCK file)."""

    def __init__(self, directory: Path, lock_fd: int, writer: SegmentWriter, segments: list[SegmentInfo],
                 tail: Tail | None, segment_size: int, max_bytes: int, sync_mode: SyncMode,
                 async_flush_interval: float) -> None:
        self.directory = directory
        self.sync_mode = sync_mode
        self._lock_fd = lock_fd
        self._writer = writer
        self._segments = segments
        self._segment_size = segment_size
        self._max_bytes = max_bytes
        self._last_lsn = tail.last_lsn if tail else segments[0].first_lsn - 1
        self._epoch = tail.last_epoch if tail else 0
        self._retention = Retention()
        self._checkpoint_callback: Callable[[], object] | None = None
        self._appends_waiting = 0
        self._counted_lsn = self._last_lsn  # appends already in the counters (the flusher's)
        self._counted_bytes = 0
        self._collected = self._counted_lsn, self._counted_bytes  # what the flusher's last batch took
        self._closed = False
        self._lock = threading.Lock()
        self._room_freed = threading.Condition(self._lock)
        interval = async_flush_interval if sync_mode == "async" else None
        self._flusher_requests = sync_mode != "async"
        self._flusher = GroupCommit(self._collect, writer.sync, self._last_lsn, interval,
                                    after_batch=self._count_appended)
        self._publish_segments()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, segment_size: int = DEFAULT_SEGMENT_SIZE,
             max_size_mb: float = DEFAULT_MAX_SIZE_MB, sync_mode: SyncMode = "fsync",
             syscalls: Syscalls | None = None, async_flush_interval: float = ASYNC_FLUSH_INTERVAL) -> Journal:
        """Open (creating it if needed) the journal in `path`: verify every entry, cut a torn
        tail, sync what an earlier process left unsynced. Raises JournalCorruption on damage
        before the tail, DatabaseError 55006 if another process has the journal open."""
        if sync_mode not in SYNC_MODES:
            raise ValueError(f"journal sync mode must be one of {', '.join(SYNC_MODES)}, not {sync_mode!r}")
        max_bytes = int(max_size_mb * MB)
        if segment_size < 2 * HEADER_SIZE or max_bytes < 2 * segment_size:
            raise ValueError(f"journal_max_size_mb ({max_size_mb}) must hold two segments of {segment_size} "
                             "bytes, and a segment at least two entry headers")
        syscalls = syscalls or OS_SYSCALLS
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        lock_fd = _lock_directory(directory)
        try:
            scan = JournalScan(directory)
            for _ in scan:
                pass
            tail = scan.tail
            if tail is None:
                fd, info = create_segment(directory, 1, segment_size)
                current = OpenSegment(fd, info, 0, created=False)
                segments = [info]
            else:
                segments = _settle_tail(scan.segments, tail, syscalls)
                current = OpenSegment(open_for_append(tail.segment, tail.offset), tail.segment, tail.offset,
                                      created=False)
                _sync_segments(segments[:-1], syscalls)
            syscalls.fsync(current.fd)
            sync_directory(directory, syscalls)
            writer = SegmentWriter(directory, current, syscalls, sync_mode)
        except BaseException:
            os.close(lock_fd)
            raise
        return cls(directory, lock_fd, writer, segments, tail, segment_size, max_bytes, sync_mode,
                   async_flush_interval)

    # -- state -------------------------------------------------------------------------------

    @property
    def last_lsn(self) -> int:
        """LSN of the last entry written (0 when the journal has none)."""
        return self._last_lsn

    @property
    def next_lsn(self) -> int:
        """The LSN the next append will get, unless another appender comes first."""
        return self._last_lsn + 1

    @property
    def flushed_lsn(self) -> int:
        """Highest LSN a completed sync covers."""
        return self._flusher.flushed_lsn

    @property
    def epoch(self) -> int:
        """Epoch of the last entry written (0 when there is none)."""
        return self._epoch

    @property
    def first_lsn(self) -> int:
        """LSN of the oldest entry still on disk (or the next one, when none is)."""
        with self._lock:
            return self._segments[0].first_lsn

    @property
    def segments(self) -> list[SegmentInfo]:
        """The segment files on disk, oldest first."""
        with self._lock:
            return list(self._segments)

    # -- appending ---------------------------------------------------------------------------

    def append(self, entry_type: EntryType, gtid: bytes, payload: bytes | memoryview, *,
               epoch: int | None = None, flags: int = 0, timestamp_us: int | None = None,
               expect_lsn: int | None = None) -> int:
        """Write one entry (write() only, no sync) and return its LSN.

        `epoch` defaults to the journal's; `expect_lsn`, when given, must be the LSN the entry
        gets (ValueError otherwise, and nothing is written). When the journal is full this waits
        for space (see `append_async` for asyncio callers)."""
        if len(gtid) != 16:
            raise ValueError(f"a GTID is 16 bytes, not {len(gtid)}")
        size = HEADER_SIZE + len(payload)
        if len(payload) > MAX_PAYLOAD or size > self._max_bytes // 2:
            raise ValueError(f"a journal entry of {size} bytes exceeds half of journal_max_size_mb")
        if timestamp_us is None:
            timestamp_us = time.time_ns() // 1000
        with self._lock:
            self._check_usable()
            if self._writer.room < size:
                self._make_room(size)
            lsn = self._last_lsn + 1
            if expect_lsn is not None and expect_lsn != lsn:
                raise ValueError(f"the next journal LSN is {lsn}, not {expect_lsn}")
            if epoch is None:
                epoch = self._epoch
            elif epoch < self._epoch:
                raise ValueError(f"epoch {epoch} is below the journal's epoch {self._epoch}")
            entry = encode_entry(entry_type, flags, lsn, gtid, timestamp_us, epoch, payload)
            try:
                self._writer.write(entry)
            except OSError as error:
                failure = journal_io_error("write", error)
                self._flusher.fail(failure)
                raise failure from error
            self._last_lsn = lsn
            self._epoch = epoch
        if self._flusher_requests:
            # the sync starts now, overlapping whatever the committer does before it waits; woken
            # under the lock, the flusher would take the GIL during the write() and then wait for
            # the lock: two more thread hand-offs per commit
            self._flusher.request(lsn)
        return lsn

    async def append_async(self, entry_type: EntryType, gtid: bytes, payload: bytes | memoryview, *,
                           epoch: int | None = None, flags: int = 0, timestamp_us: int | None = None,
                           expect_lsn: int | None = None) -> int:
        """`append` for the event loop: when the journal is full, wait for space in a worker
        thread instead of blocking the loop."""
        def call() -> int:
            return self.append(entry_type, gtid, payload, epoch=epoch, flags=flags,
                               timestamp_us=timestamp_us, expect_lsn=expect_lsn)

        if not self.has_room(HEADER_SIZE + len(payload)):
            return await asyncio.to_thread(call)
        return call()

    def register_checkpoint_callback(self, callback: Callable[[], object] | None) -> None:
        """What to call (from the appending thread, no lock held) when the journal is full: it
        should checkpoint the store, now or soon, and report it with `mark_checkpointed`."""
        self._checkpoint_callback = callback

    def _check_usable(self) -> None:
        if self._closed:
            raise DatabaseError(ADMIN_SHUTDOWN, f"journal {self.directory} is closed")
        failure = self._flusher.failure
        if failure is not None:
            raise failure

    def has_room(self, size: int) -> bool:
        """Whether an entry of `size` bytes can be appended now, without waiting for space."""
        with self._lock:
            return self._has_room(size)

    def _has_room(self, size: int) -> bool:
        """Whether an entry of `size` bytes fits the current segment or a new one within the bound."""
        if self._writer.room >= size:
            return True
        return self._used_bytes() + max(self._segment_size, size) <= self._max_bytes

    def _used_bytes(self) -> int:
        return sum(segment.size for segment in self._segments)

    def _make_room(self, size: int) -> None:
        """Rotate to a new segment, first waiting until the size bound allows one (lock held)."""
        asked = False
        waiting = False
        try:
            while not self._has_room(size):
                self._check_usable()
                callback = self._checkpoint_callback
                if callback is not None and not asked:
                    asked = True
                    self._lock.release()
                    try:
                        callback()
                    finally:
                        self._lock.acquire()
                    continue
                if not waiting:
                    waiting = True
                    self._appends_waiting += 1
                    metrics.FULL_WAITS.inc()
                    metrics.APPENDS_WAITING.inc()
                    if self._appends_waiting == 1:
                        log.warning("journal full: %d MB in use of journal_max_size_mb = %d; commits wait "
                                    "until %s releases segment %s", self._used_bytes() // MB,
                                    self._max_bytes // MB, self._retention.holder(), self._segments[0].name)
                self._room_freed.wait()
        finally:
            if waiting:
                self._appends_waiting -= 1
                metrics.APPENDS_WAITING.dec()
        if waiting and not self._appends_waiting:
            log.info("journal has room again: commits resume")
        if self._writer.room < size:
            segment = self._writer.rotate(self._last_lsn + 1, max(self._segment_size, size))
            if self._segments[-1].first_lsn == segment.first_lsn:
                self._segments[-1] = segment
            else:
                self._segments.append(segment)
            self._publish_segments()

    # -- durability --------------------------------------------------------------------------

    async def durable(self, lsn: int) -> None:
        """Return once entry `lsn` is durable: a completed fsync (or fdatasync) covers it; in
        the async sync mode, once it is written."""
        self._check_written(lsn)
        if self.sync_mode == "async":
            return
        await self._flusher.wait(lsn)

    def sync_durable(self, lsn: int) -> None:
        """`durable` for threads outside the event loop (blocks)."""
        self._check_written(lsn)
        if self.sync_mode != "async":
            self._flusher.wait_sync(lsn)

    def _check_written(self, lsn: int) -> None:
        if lsn > self._last_lsn:
            raise ValueError(f"LSN {lsn} was never appended (the last is {self._last_lsn})")

    def _collect(self) -> tuple[int, list[tuple[OpenSegment, bool]]]:
        """For the flusher: the last LSN written and the segments to sync."""
        with self._lock:
            self._collected = self._last_lsn, self._writer.bytes_written
            return self._last_lsn, self._writer.take_unsynced()

    def _count_appended(self) -> None:
        """For the flusher, once its batch is settled: the append counters, published once per
        batch rather than on every append."""
        last_lsn, written = self._collected
        metrics.ENTRIES_APPENDED.inc(last_lsn - self._counted_lsn)
        metrics.BYTES_APPENDED.inc(written - self._counted_bytes)
        self._counted_lsn, self._counted_bytes = last_lsn, written

    # -- reading -----------------------------------------------------------------------------

    def read_from(self, lsn: int, to_lsn: int | None = None) -> Iterator[EntryView]:
        """Verified entries lsn..to_lsn (default: the last written), read in place."""
        with self._lock:
            segments = list(self._segments)
            last = self._last_lsn
        if lsn < segments[0].first_lsn:
            raise ValueError(f"LSN {lsn} is no longer retained: the oldest is {segments[0].first_lsn}")
        return read_entries(segments, lsn, last if to_lsn is None else min(to_lsn, last))

    # -- retention ---------------------------------------------------------------------------

    def mark_checkpointed(self, lsn: int) -> None:
        """The store holds every entry up to `lsn` durably: those are no longer needed for redo."""
        with self._lock:
            self._retention.checkpointed_lsn = max(self._retention.checkpointed_lsn, lsn)
            self._release_segments()

    def mark_standby_acked(self, name: str, lsn: int) -> None:
        """Sync standby `name` has fsynced every entry up to `lsn` (the first call registers it:
        from then on it holds back retention until it acknowledges or is forgotten)."""
        with self._lock:
            acks = self._retention.standby_acks
            acks[name] = max(acks.get(name, 0), lsn)
            self._release_segments()

    def forget_standby(self, name: str) -> None:
        """Standby `name` no longer counts for retention (removed, or degraded to async)."""
        with self._lock:
            self._retention.standby_acks.pop(name, None)
            self._release_segments()

    def _release_segments(self) -> None:
        count = deletable_count(self._segments, self._retention.released_lsn())
        if not count:
            return
        for segment in self._segments[:count]:
            segment.path.unlink(missing_ok=True)
            log.debug("journal segment %s deleted: checkpointed and acknowledged", segment.name)
        del self._segments[:count]
        self._publish_segments()
        self._room_freed.notify_all()

    def _publish_segments(self) -> None:
        metrics.SEGMENTS.set(len(self._segments))
        metrics.OLDEST_RETAINED_LSN.set(self._segments[0].first_lsn)

    # -- closing -----------------------------------------------------------------------------

    def close_sync(self) -> None:
        """Sync everything written, stop the flusher, release the directory (blocks)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._room_freed.notify_all()
        self._flusher.stop()
        self._writer.close()
        os.close(self._lock_fd)

    async def close(self) -> None:
        """`close_sync` off the event loop."""
        await asyncio.to_thread(self.close_sync)


def _lock_directory(directory: Path) -> int:
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DatabaseError(OBJECT_IN_USE, f"journal {directory} is in use by another process") from None
    return fd


def _settle_tail(segments: list[SegmentInfo], tail: Tail, syscalls: Syscalls) -> list[SegmentInfo]:
    """Cut a torn tail and drop the empty segments after it; the segments that remain."""
    if tail.torn:
        log.warning("journal: torn tail in segment %s at offset %d (%s): cut there; the journal ends at "
                    "LSN %d", tail.segment.name, tail.offset, tail.torn_reason, tail.last_lsn)
        cut_segment(tail.segment, tail.offset, syscalls)
    for segment in tail.discard:
        log.warning("journal: segment %s holds no entries after the tail: deleted", segment.name)
        segment.path.unlink()
    return segments[:segments.index(tail.segment) + 1]


def _sync_segments(segments: list[SegmentInfo], syscalls: Syscalls) -> None:
    """Sync segments an earlier process may have left unsynced (killed before its flusher ran)."""
    for segment in segments:
        fd = os.open(segment.path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            syscalls.fsync(fd)
        finally:
            os.close(fd)
