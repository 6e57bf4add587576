"""An APSW VFS for power-loss tests: SQLite files lose every write no xSync of theirs covered.

`LossyVFS` registers itself as the process's default VFS, so every `apsw.Connection` (the
engine's, the commit service's) goes through it; it inherits the platform VFS for everything and
only watches changes. For each write and truncate that no xSync of that file has covered yet it
keeps an undo record (the bytes and the size the file had before), in write order.

`power_loss(keep)` is the instant the power goes: of the unsynced writes, the first `keep` (in
write order) reached the disk, the later ones did not, and neither does anything written
afterwards. The process may go on running: its writes still land on the files, so its SQLite
connections stay consistent, but they are recorded and syncs no longer make anything durable.
`reboot()`, once every connection is closed, puts each file in the state the power loss left it
and deletes the `-shm` files (SQLite's shared memory, never durable); the VFS then tracks afresh.

Syncs are simulated: none reaches the disk, which keeps the tests fast. Files SQLite opens without
a name (temporary files) are not tracked. Deleting a file is durable at once (SQLite deletes only a
WAL it has checkpointed and synced); after the power loss deletes are ignored, and files created
afterwards are removed by `reboot()`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import apsw

VFS_NAME = "lossy"


@dataclass(frozen=True, slots=True)
class _Undo:
    """How to take back one write or truncate: write `old` at `offset`, then cut to `old_size`."""

    path: str
    offset: int
    old: bytes
    old_size: int


class LossyVFS(apsw.VFS):
    """The default VFS while it is registered; `unregister()` gives the platform's back."""

    def __init__(self) -> None:
        self.base = apsw.vfs_names()[0]
        super().__init__(VFS_NAME, base=self.base, makedefault=True)
        self._lock = threading.RLock()
        self._unsynced: list[_Undo] = []
        self._lost: list[_Undo] = []
        self._created_after_loss: list[str] = []
        self._paths: set[str] = set()
        self.powered = True
        self.changes = 0
        self.on_change: Callable[[], None] | None = None

    @property
    def unsynced_writes(self) -> int:
        """How many writes and truncates no sync has covered yet."""
        with self._lock:
            return len(self._unsynced)

    def xOpen(self, name: str | apsw.URIFilename | None, flags: list[int]) -> apsw.VFSFile:
        if name is None:
            return apsw.VFSFile(self.base, name, flags)
        path = name.filename() if isinstance(name, apsw.URIFilename) else name
        with self._lock:
            if not self.powered and not os.path.exists(path):
                self._created_after_loss.append(path)
            self._paths.add(path)
        return LossyFile(self, path, name, flags)

    def xDelete(self, filename: str, syncdir: bool) -> None:
        with self._lock:
            if not self.powered:
                return
            self._unsynced = [undo for undo in self._unsynced if undo.path != filename]
        super().xDelete(filename, syncdir)

    def before_change(self) -> None:
        """Count a write, truncate or sync about to happen and let `on_change` cut the power first."""
        with self._lock:
            if not self.powered:
                return
            self.changes += 1
            hook = self.on_change
        if hook is not None:
            hook()

    def record(self, undo: _Undo) -> None:
        with self._lock:
            (self._unsynced if self.powered else self._lost).append(undo)

    def synced(self, path: str) -> None:
        with self._lock:
            if self.powered:
                self._unsynced = [undo for undo in self._unsynced if undo.path != path]

    def power_loss(self, keep: int) -> None:
        """The power goes now: only the first `keep` unsynced writes (in write order) survive."""
        with self._lock:
            self.powered = False
            self._lost, self._unsynced = self._unsynced[keep:], []

    def reboot(self) -> None:
        """Give the files the contents the power loss left (every connection must be closed)."""
        with self._lock:
            assert not self.powered, "reboot() without a power loss"
            for undo in reversed(self._lost):
                with open(undo.path, "r+b") as file:
                    file.seek(undo.offset)
                    file.write(undo.old)
                    file.truncate(undo.old_size)
            for path in self._created_after_loss:
                Path(path).unlink(missing_ok=True)
            for path in self._paths:
                Path(path + "-shm").unlink(missing_ok=True)
            self._lost, self._created_after_loss = [], []
            self.powered = True


class LossyFile(apsw.VFSFile):
    """A named SQLite file: changes are recorded with the VFS before they reach the disk."""

    def __init__(self, vfs: LossyVFS, path: str, name: str | apsw.URIFilename, flags: list[int]) -> None:
        super().__init__(vfs.base, name, flags)
        self._vfs = vfs
        self._path = path
        self._reader = os.open(path, os.O_RDONLY | os.O_CLOEXEC)

    def _remember(self, offset: int, length: int) -> None:
        size = os.fstat(self._reader).st_size
        old = os.pread(self._reader, length, offset) if offset < size else b""
        self._vfs.record(_Undo(self._path, offset, old, size))

    def xWrite(self, data: bytes, offset: int) -> None:
        self._vfs.before_change()
        self._remember(offset, len(data))
        super().xWrite(data, offset)

    def xTruncate(self, newsize: int) -> None:
        self._vfs.before_change()
        size = os.fstat(self._reader).st_size
        self._remember(newsize, max(size - newsize, 0))
        super().xTruncate(newsize)

    def xSync(self, flags: int) -> None:
        self._vfs.before_change()
        self._vfs.synced(self._path)

    def xClose(self) -> None:
        os.close(self._reader)
        super().xClose()
