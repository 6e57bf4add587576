"""The system calls through which the journal writes and syncs, injectable so tests can count,
block or fail them (and simulate losing every write no sync has covered).
"""

from __future__ import annotations

import os


class Syscalls:
    """The real calls. Subclass and override to observe or alter them."""

    def write(self, fd: int, data: bytes | memoryview) -> int:
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def fdatasync(self, fd: int) -> None:
        os.fdatasync(fd)


OS_SYSCALLS = Syscalls()
