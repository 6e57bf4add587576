"""The data directory's lock: one process at a time opens a data directory, be it a server
(`heliosdb-lite serve`) or an embedded `hdb.Database`, since both run start-up recovery and the
commit protocol on the same store and journal.

`<data dir>/heliosdb.lock` is held with flock(LOCK_EX | LOCK_NB) for as long as the directory is
open; its holder writes who it is into it (`pid 1234: heliosdb-lite serve`), so a refusal can
name it. The lock ends with its process (kill -9 included): there is never a stale lock to
remove. flock locks belong to one open file, so a second open in the same process is refused too.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from heliosdb_lite.errors import OBJECT_IN_USE, DatabaseError

LOCK_FILE = "heliosdb.lock"


class DataDirectoryLock:
    """The held lock of one data directory."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path, holder: str) -> DataDirectoryLock:
        """Lock `data_dir` for this process (`holder` says what it is, for others' refusals);
        raises DatabaseError 55006 naming the process that holds it."""
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseError(
                OBJECT_IN_USE, f'data directory "{data_dir}" is already open ({_holder(path)})',
                hint="Stop that process first, or connect to the server that holds the directory "
                     "(hdb.Database.connect with its address).") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}: {holder}\n".encode())
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown holder"
    except OSError:
        return "unknown holder"
