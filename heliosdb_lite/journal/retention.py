"""Which segments may be deleted: those whose every entry is checkpointed into the store and
acknowledged by every sync standby. Entries are never dropped for space; the size bound makes
appends wait instead (see `Journal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from heliosdb_lite.journal.segment import SegmentInfo


@dataclass
class Retention:
    """How far each consumer of the journal has released it."""

    checkpointed_lsn: int = 0
    standby_acks: dict[str, int] = field(default_factory=dict)

    def released_lsn(self) -> int:
        """The highest LSN that no consumer needs any more."""
        return min([self.checkpointed_lsn, *self.standby_acks.values()])

    def holder(self) -> str:
        """Who holds the oldest needed entry, for the log line of a full journal."""
        released = self.released_lsn()
        if released == self.checkpointed_lsn:
            return f"the store's checkpoint (at LSN {released})"
        laggards = sorted(name for name, lsn in self.standby_acks.items() if lsn == released)
        return f"sync standby {', '.join(laggards)} (acknowledged LSN {released})"


def deletable_count(segments: Sequence[SegmentInfo], released_lsn: int) -> int:
    """How many of the oldest segments hold only released entries; the last one is always kept."""
    count = 0
    while count + 1 < len(segments) and segments[count + 1].first_lsn - 1 <= released_lsn:
        count += 1
    return count
