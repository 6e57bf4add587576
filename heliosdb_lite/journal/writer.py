"""Appending entries to segment files and syncing what was written.

`SegmentWriter` owns the open segment: it writes whole entries with write() at the append position,
rotates to a new preallocated segment, and remembers which segments hold writes no sync has
covered yet. The journal calls `write`, `rotate` and `take_unsynced` under its lock; the flusher
calls `sync` on what `take_unsynced` returned, outside any lock, so appends go on during a sync.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from heliosdb_lite.journal.segment import SegmentInfo, create_segment, sync_directory
from heliosdb_lite.journal.syscalls import Syscalls

SyncMode = Literal["fsync", "fdatasync", "async"]
SYNC_MODES: tuple[SyncMode, ...] = ("fsync", "fdatasync", "async")


class OpenSegment:
    """A segment with an fd: where the next write goes, and what its next sync must cover."""

    __slots__ = ("created", "dirty", "fd", "info", "position", "retired")

    def __init__(self, fd: int, info: SegmentInfo, position: int, created: bool) -> None:
        self.fd = fd
        self.info = info
        self.position = position
        self.created = created  # its file and directory entry are not yet synced
        self.dirty = False  # written since the last take_unsynced
        self.retired = False  # no longer written to: close it once synced


class SegmentWriter:
    """Writes entries into the current segment and syncs segments on request."""

    def __init__(self, directory: Path, current: OpenSegment, syscalls: Syscalls,
                 sync_mode: SyncMode) -> None:
        self.directory = directory
        self.current = current
        self._syscalls = syscalls
        self._sync_data = syscalls.fsync if sync_mode == "fsync" else syscalls.fdatasync
        self._unsynced: list[OpenSegment] = []
        self.bytes_written = 0

    @property
    def room(self) -> int:
        """Bytes left in the current segment."""
        return self.current.info.size - self.current.position

    def write(self, entry: bytes) -> None:
        """Write one whole entry at the append position (write() only, no sync)."""
        segment = self.current
        assert len(entry) <= segment.info.size - segment.position, "entry does not fit its segment"
        written = self._syscalls.write(segment.fd, entry)
        while written < len(entry):  # a short write: rare, but allowed by POSIX
            written += self._syscalls.write(segment.fd, memoryview(entry)[written:])
        segment.position += written
        self.bytes_written += written
        self._mark_dirty(segment)

    def rotate(self, first_lsn: int, size: int) -> SegmentInfo:
        """Start a new preallocated segment whose first entry will have `first_lsn`. A current
        segment that holds no entry (too small for the first one) is replaced, as it has the
        same name."""
        old = self.current
        if old.position == 0:
            assert not old.dirty
            os.close(old.fd)
            old.info.path.unlink()
        else:
            old.retired = True
            self._mark_dirty(old)
        fd, info = create_segment(self.directory, first_lsn, size)
        self.current = OpenSegment(fd, info, 0, created=True)
        self._mark_dirty(self.current)
        return info

    def _mark_dirty(self, segment: OpenSegment) -> None:
        if not segment.dirty:
            segment.dirty = True
            self._unsynced.append(segment)

    def take_unsynced(self) -> list[tuple[OpenSegment, bool]]:
        """The segments written since the last call, oldest first, each with whether it was
        retired by then (and so is never written again); the caller must `sync` them."""
        taken, self._unsynced = self._unsynced, []
        for segment in taken:
            segment.dirty = False
        return [(segment, segment.retired) for segment in taken]

    def sync(self, taken: list[tuple[OpenSegment, bool]]) -> None:
        """Make taken segments durable, with their directory entries; close the retired ones."""
        new_files = False
        for segment, _ in taken:
            if segment.created:
                self._syscalls.fsync(segment.fd)
                new_files = True
            else:
                self._sync_data(segment.fd)
        if new_files:
            sync_directory(self.directory, self._syscalls)
        for segment, retired in taken:
            segment.created = False
            if retired:
                os.close(segment.fd)

    def close(self) -> None:
        """Close the current segment (everything taken has been synced and closed already)."""
        os.close(self.current.fd)
