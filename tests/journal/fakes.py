"""Syscall layers for journal tests: count syncs, block them on a gate, fail them, or lose every
write no sync has covered (a simulated power loss)."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import TypedDict, Unpack

from heliosdb_lite.journal import EntryType, Journal, SyncMode, Syscalls


class CountingSyscalls(Syscalls):
    """Counts completed syncs (fsync and fdatasync alike); `real=False` skips the disk flush."""

    def __init__(self, real: bool = True) -> None:
        self.real = real
        self.syncs = 0
        self.fdatasyncs = 0
        self._lock = threading.Lock()

    def fsync(self, fd: int) -> None:
        if self.real:
            super().fsync(fd)
        with self._lock:
            self.syncs += 1

    def fdatasync(self, fd: int) -> None:
        if self.real:
            super().fdatasync(fd)
        with self._lock:
            self.syncs += 1
            self.fdatasyncs += 1


class GatedSyscalls(CountingSyscalls):
    """Syncs block while the gate is closed; `entered` is set when a sync starts waiting on it."""

    def __init__(self) -> None:
        super().__init__(real=False)
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def _pass_gate(self) -> None:
        self.entered.set()
        if not self.gate.wait(timeout=30):
            raise AssertionError("sync gate never opened")

    def fsync(self, fd: int) -> None:
        self._pass_gate()
        super().fsync(fd)

    def fdatasync(self, fd: int) -> None:
        self._pass_gate()
        super().fdatasync(fd)


class FailingSyscalls(CountingSyscalls):
    """Syncs fail with EIO once `failing` is set."""

    def __init__(self) -> None:
        super().__init__(real=False)
        self.failing = False

    def fsync(self, fd: int) -> None:
        if self.failing:
            raise OSError(errno.EIO, "simulated I/O error")
        super().fsync(fd)

    fdatasync = fsync


class LossySyscalls(Syscalls):
    """Remembers every write no sync has covered yet; `power_loss(keep)` keeps only the first
    `keep` of those bytes (in write order), zeroes the rest, and turns every later call into a no-op."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.unsynced: list[tuple[int, int, int]] = []  # fd, offset, length, in write order
        self.dead = False

    def write(self, fd: int, data: bytes | memoryview) -> int:
        if self.dead:
            return len(data)
        offset = os.lseek(fd, 0, os.SEEK_CUR)
        written = os.write(fd, data)
        with self._lock:
            self.unsynced.append((fd, offset, written))
        return written

    def fsync(self, fd: int) -> None:
        with self._lock:
            self.unsynced = [write for write in self.unsynced if write[0] != fd]

    fdatasync = fsync

    @property
    def unsynced_bytes(self) -> int:
        return sum(length for _, _, length in self.unsynced)

    def power_loss(self, keep: int) -> None:
        with self._lock:
            self.dead = True
            for fd, offset, length in self.unsynced:
                kept = min(keep, length)
                keep -= kept
                if kept < length:
                    os.pwrite(fd, bytes(length - kept), offset + kept)


def gtid(number: int) -> bytes:
    return number.to_bytes(16, "big")


class JournalOptions(TypedDict, total=False):
    """The options of `Journal.open` that tests choose."""

    segment_size: int
    max_size_mb: float
    sync_mode: SyncMode


def write_journal(directory: Path, payloads: list[bytes], **options: Unpack[JournalOptions]) -> None:
    """A closed journal holding one commit entry per payload, LSN i+1 for payloads[i]."""
    journal = Journal.open(directory, syscalls=CountingSyscalls(real=False), **options)
    try:
        for number, payload in enumerate(payloads):
            journal.append(EntryType.COMMIT, gtid(number), payload)
    finally:
        journal.close_sync()
