"""Epoch histories: where each epoch starts in a journal, and the first LSN at which two journals'
histories part (where a rejoining standby cuts its journal).

An epoch names one primary's timeline: two journals holding the same epoch at an LSN hold the same
entries up to it, so comparing the epochs at the LSNs where either history switches epoch finds the
first LSN at which they differ.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from heliosdb_lite.journal import EntryView


@dataclass(frozen=True, slots=True)
class EpochSpan:
    """LSNs first_lsn..last_lsn of a journal were written in `epoch`."""

    first_lsn: int
    last_lsn: int
    epoch: int


def epoch_history(entries: Iterable[EntryView]) -> list[EpochSpan]:
    """The spans of a run of entries, oldest first."""
    bounds: list[list[int]] = []  # [first LSN, last LSN, epoch]
    for entry in entries:
        if bounds and bounds[-1][2] == entry.epoch:
            bounds[-1][1] = entry.lsn
        else:
            bounds.append([entry.lsn, entry.lsn, entry.epoch])
    return [EpochSpan(*bound) for bound in bounds]


def _epoch_at(history: list[EpochSpan], lsn: int) -> int | None:
    index = bisect.bisect_right([span.first_lsn for span in history], lsn) - 1
    return history[index].epoch if index >= 0 and lsn <= history[index].last_lsn else None


def fork_lsn(mine: list[EpochSpan], theirs: list[EpochSpan]) -> int:
    """The first LSN at which journal `mine` differs from journal `theirs`: beyond mine's last LSN
    when mine is a prefix of theirs. LSNs one of them no longer retains count as equal."""
    my_last = mine[-1].last_lsn if mine else 0
    their_last = theirs[-1].last_lsn if theirs else 0
    common_end = min(my_last, their_last)
    for lsn in sorted({span.first_lsn for span in (*mine, *theirs) if span.first_lsn <= common_end}):
        mine_epoch, their_epoch = _epoch_at(mine, lsn), _epoch_at(theirs, lsn)
        if mine_epoch is not None and their_epoch is not None and mine_epoch != their_epoch:
            return lsn
    return common_end + 1
