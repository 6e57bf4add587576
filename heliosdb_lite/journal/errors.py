"""The journal's errors: corruption (one narrow type naming segment and offset) and I/O failure.

Both are `DatabaseError`s, so whoever reaches an operator or a client reports them unchanged.
"""

from __future__ import annotations

from heliosdb_lite.errors import DATA_CORRUPTED, IO_ERROR, DatabaseError


class JournalCorruption(DatabaseError):
    """Damage before the journal's tail: the journal cannot be trusted past `segment`:`offset`."""

    def __init__(self, segment: str, offset: int, reason: str) -> None:
        super().__init__(
            DATA_CORRUPTED,
            f"journal corrupted in segment {segment} at offset {offset}: {reason}",
            hint="Run `heliosdb-lite journal verify` and restore the segment from a standby or backup.",
            severity="FATAL",
        )
        self.segment = segment
        self.offset = offset
        self.reason = reason


def journal_io_error(operation: str, error: OSError) -> DatabaseError:
    """A failed write or sync: the outcome of every commit not yet durable is unknown."""
    return DatabaseError(
        IO_ERROR,
        f"journal {operation} failed: {error}",
        detail="The journal stops accepting commits; commits not yet durable may or may not survive.",
        hint="Fix the storage, then restart the server: recovery reads the journal's valid prefix.",
        severity="FATAL",
    )
