"""Segment files: naming, listing, creating (preallocated), mapping and cutting them.

A journal directory holds segments `NNNNNNNNNNNNNNNN.htj`, where the 16 upper-case hex digits are
the LSN of the segment's first entry, and a `LOCK` file its one writer holds. A segment is created
at its full size (preallocated, reading as zeros) and filled with entries from offset 0 with no
segment header; whatever follows its last entry is zero. A segment is normally `segment_size`
bytes; one made for a single larger entry is exactly that entry's size.
"""

from __future__ import annotations

import errno
import mmap
import os
import re
from dataclasses import dataclass
from pathlib import Path

from heliosdb_lite.journal.syscalls import OS_SYSCALLS, Syscalls

SEGMENT_SUFFIX = ".htj"
LOCK_FILE = "LOCK"
_NAME = re.compile(r"^([0-9A-F]{16})\.htj$")
_ZERO_CHUNK = 1 << 20


@dataclass(frozen=True)
class SegmentInfo:
    """One segment file: where it is, the LSN its first entry has (or will have), its size."""

    path: Path
    first_lsn: int
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def segment_path(directory: Path, first_lsn: int) -> Path:
    return directory / f"{first_lsn:016X}{SEGMENT_SUFFIX}"


def list_segments(directory: Path) -> list[SegmentInfo]:
    """The segments in `directory`, oldest first."""
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(SegmentInfo(path, int(match.group(1), 16), path.stat().st_size))
    return sorted(found, key=lambda info: info.first_lsn)


def create_segment(directory: Path, first_lsn: int, size: int) -> tuple[int, SegmentInfo]:
    """A new preallocated segment, opened for writing at offset 0: (fd, info).

    Neither the file nor its directory entry is synced here; the first flush covering the
    segment syncs both.
    """
    path = segment_path(directory, first_lsn)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        _preallocate(fd, size)
    except BaseException:
        os.close(fd)
        path.unlink()
        raise
    return fd, SegmentInfo(path, first_lsn, size)


def _preallocate(fd: int, size: int) -> None:
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as error:
        if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
            raise
        os.ftruncate(fd, size)


def open_for_append(info: SegmentInfo, offset: int) -> int:
    """The fd of an existing segment, positioned at `offset` for the next entry."""
    fd = os.open(info.path, os.O_WRONLY | os.O_CLOEXEC)
    os.lseek(fd, offset, os.SEEK_SET)
    return fd


def map_segment(path: Path) -> mmap.mmap | bytes:
    """A read-only mapping of a segment's bytes (b"" for an empty file)."""
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return b""
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


def _zeros(chunk: bytes) -> bool:
    return chunk == bytes(len(chunk))


def is_zero(data: mmap.mmap | bytes, start: int) -> bool:
    """Whether every byte of `data` from `start` on is zero."""
    return all(_zeros(data[chunk:chunk + _ZERO_CHUNK]) for chunk in range(start, len(data), _ZERO_CHUNK))


def cut_segment(info: SegmentInfo, offset: int, syscalls: Syscalls) -> None:
    """Zero a segment from `offset` to its end, keeping its size (and never shrinking the file
    under a reader's mapping), and sync it."""
    with open(info.path, "r+b") as file:
        position = file.seek(offset)
        while chunk := file.read(_ZERO_CHUNK):
            if not _zeros(chunk):
                file.seek(position)
                file.write(bytes(len(chunk)))
            position += len(chunk)
        file.flush()
        syscalls.fsync(file.fileno())


def sync_directory(directory: Path, syscalls: Syscalls = OS_SYSCALLS) -> None:
    """Make the creations, deletions and renames of files in `directory` durable (its fsync)."""
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        syscalls.fsync(fd)
    finally:
        os.close(fd)
