"""Reading the journal in place (mmap + memoryview, no payload copies), verifying as it goes.

`JournalScan` reads a whole journal directory the way start-up and `journal verify` need it:
every entry is checked (magic, version, type, bounds, XXH3-128, LSN = previous + 1) and where the
entries stop it decides between three cases:

- clean end: everything after the last entry, in its segment and any later one, is zero;
- torn tail: there are non-zero bytes after the last entry but no valid entry with a later LSN
  anywhere after it (a write cut short by a crash): the journal ends at the last valid entry and
  `Journal.open` cuts the rest;
- corruption: a valid entry with a later LSN follows the damage (or the end of the entries, when
  LSNs are missing): `JournalCorruption` names the segment and offset where the entries stop.

A segment is read after the previous one only if the previous one ends in zeros and the name of
the next continues its LSNs; otherwise the stop is judged as above, so an empty segment left by a
crash just after a rotation is part of the tail, and a missing segment is corruption.

`read_entries` reads a known range of a live journal, where any invalid entry is corruption.
"""

from __future__ import annotations

import bisect
import mmap
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from heliosdb_lite.journal.errors import JournalCorruption
from heliosdb_lite.journal.format import MAGIC_BYTES, EntryView, decode_entry
from heliosdb_lite.journal.segment import SegmentInfo, is_zero, list_segments, map_segment

NO_LIMIT = 2**64


@dataclass(frozen=True)
class Stop:
    """Where reading a segment stopped: the offset, why, and the LSN the next entry must have."""

    offset: int
    reason: str | None
    next_lsn: int


@dataclass(frozen=True)
class Tail:
    """Where a journal's valid entries end, which is where the next entry will be written."""

    segment: SegmentInfo
    offset: int
    last_lsn: int
    last_epoch: int
    torn_reason: str | None
    discard: tuple[SegmentInfo, ...]

    @property
    def torn(self) -> bool:
        return self.torn_reason is not None


def segment_entries(data: mmap.mmap | bytes, segment: str, first_lsn: int, from_lsn: int,
                    to_lsn: int) -> Generator[EntryView, None, Stop]:
    """The entries of one segment with from_lsn <= LSN <= to_lsn; returns where reading stopped."""
    view = memoryview(data)
    offset = 0
    lsn = first_lsn
    while lsn <= to_lsn:
        entry = decode_entry(view, offset, segment)
        if isinstance(entry, str):
            return Stop(offset, entry, lsn)
        if entry.lsn != lsn:
            return Stop(offset, f"entry has LSN {entry.lsn} where {lsn} was expected", lsn)
        if lsn >= from_lsn:
            yield entry
        offset = entry.end
        lsn += 1
    return Stop(offset, None, lsn)


def _start_index(segments: Sequence[SegmentInfo], from_lsn: int) -> int:
    """The index of the segment holding `from_lsn` (the first one if it is older)."""
    firsts = [segment.first_lsn for segment in segments]
    return max(bisect.bisect_right(firsts, from_lsn) - 1, 0)


def read_entries(segments: Sequence[SegmentInfo], from_lsn: int, to_lsn: int) -> Iterator[EntryView]:
    """Entries from_lsn..to_lsn of a journal whose segments and last LSN are known."""
    if not segments:
        return
    index = _start_index(segments, from_lsn)
    for position in range(index, len(segments)):
        segment = segments[position]
        stop = yield from segment_entries(map_segment(segment.path), segment.name, segment.first_lsn,
                                          from_lsn, to_lsn)
        if stop.next_lsn > to_lsn:
            return
        following = segments[position + 1] if position + 1 < len(segments) else None
        if following is None or following.first_lsn != stop.next_lsn:
            raise JournalCorruption(segment.name, stop.offset, f"{stop.reason} (LSN {stop.next_lsn} "
                                    f"is below the journal's last LSN {to_lsn})")


def _later_entry(data: mmap.mmap | bytes, segment: str, start: int, min_lsn: int) -> EntryView | None:
    """The first valid entry at or after `start` whose LSN is at least `min_lsn`."""
    view = memoryview(data)
    position = data.find(MAGIC_BYTES, start)
    while position >= 0:
        entry = decode_entry(view, position, segment)
        if not isinstance(entry, str) and entry.lsn >= min_lsn:
            return entry
        position = data.find(MAGIC_BYTES, position + 1)
    return None


class JournalScan:
    """A verifying pass over a journal directory: iterate it for the entries (LSN >= from_lsn);
    afterwards `tail` says where they end (None for a journal with no segments).

    Segments before the one holding `from_lsn` are not read.
    """

    def __init__(self, directory: Path, from_lsn: int = 0) -> None:
        self.directory = directory
        self.from_lsn = from_lsn
        self.segments = list_segments(directory)
        self.tail: Tail | None = None
        self._done_bytes = 0
        self._position = 0

    @property
    def total_bytes(self) -> int:
        return sum(segment.size for segment in self.segments)

    @property
    def bytes_scanned(self) -> int:
        return self._done_bytes + self._position

    def __iter__(self) -> Iterator[EntryView]:
        segments = self.segments
        if not segments:
            return
        index = _start_index(segments, self.from_lsn)
        self._done_bytes = sum(segment.size for segment in segments[:index])
        lsn = segments[index].first_lsn
        epoch = 0
        for position in range(index, len(segments)):
            segment = segments[position]
            data = map_segment(segment.path)
            entries = segment_entries(data, segment.name, lsn, self.from_lsn, NO_LIMIT)
            while True:
                try:
                    entry = next(entries)
                except StopIteration as stopped:
                    stop: Stop = stopped.value
                    break
                self._position = entry.end
                epoch = entry.epoch
                yield entry
            lsn = stop.next_lsn
            self._position = stop.offset
            following = segments[position + 1] if position + 1 < len(segments) else None
            if following is not None and following.first_lsn == lsn and is_zero(data, stop.offset):
                self._done_bytes += segment.size
                self._position = 0
                continue
            self.tail = self._find_tail(position, data, stop, epoch)
            return

    def _find_tail(self, position: int, data: mmap.mmap | bytes, stop: Stop, epoch: int) -> Tail:
        segment = self.segments[position]
        later = tuple(self.segments[position + 1:])
        mapped_later = [(info, map_segment(info.path)) for info in later]
        reason = stop.reason
        if is_zero(data, stop.offset) and all(is_zero(other, 0) for _, other in mapped_later):
            reason = None
        else:
            candidates = [(segment, data, stop.offset + 1)]
            candidates += [(info, other, 0) for info, other in mapped_later]
            for info, other, start in candidates:
                found = _later_entry(other, info.name, start, stop.next_lsn)
                if found is not None:
                    missing = (f" (LSNs {stop.next_lsn}..{found.lsn - 1} are missing)"
                               if found.lsn > stop.next_lsn else "")
                    raise JournalCorruption(segment.name, stop.offset,
                                            f"{stop.reason}; yet entry LSN {found.lsn} follows at "
                                            f"{found.segment}:{found.offset}{missing}")
        return Tail(segment, stop.offset, stop.next_lsn - 1, epoch, reason, later)
