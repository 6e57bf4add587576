"""Opening a damaged journal (I6): a torn tail is cut at the last valid entry, damage before the
tail stops the open with the segment and offset, and nothing else is ever skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heliosdb_lite.journal import EntryType, Journal, JournalCorruption, JournalScan
from heliosdb_lite.journal.format import HEADER_SIZE
from tests.journal.fakes import CountingSyscalls, gtid, write_journal

SEGMENT = 1024
payload_lists = st.lists(st.binary(min_size=0, max_size=120), min_size=1, max_size=12)
fixture_ok = settings(max_examples=15, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


def _open(directory: Path) -> Journal:
    return Journal.open(directory, segment_size=SEGMENT, syscalls=CountingSyscalls(real=False))


def _locations(directory: Path) -> list[tuple[Path, int, int]]:
    """(segment path, offset, size) of every entry, in LSN order."""
    return [(directory / entry.segment, entry.offset, entry.size) for entry in JournalScan(directory)]


def _payloads(journal: Journal) -> list[bytes]:
    return [bytes(entry.payload) for entry in journal.read_from(1)]


def _fresh(base: Path, name: str) -> Path:
    directory = base / name
    directory.mkdir()
    return directory


@fixture_ok
@given(payload_lists, st.booleans())
def test_cutting_the_last_entry_anywhere_leaves_a_clean_journal(tmp_path_factory: pytest.TempPathFactory,
                                                               payloads: list[bytes], truncate: bool) -> None:
    """Truncate the file (or zero it, as a preallocated segment would read) at every offset
    inside the last entry: open keeps exactly the entries before it, and appends continue."""
    base = tmp_path_factory.mktemp("torn")
    source = _fresh(base, "source")
    write_journal(source, payloads, segment_size=SEGMENT)
    path, offset, size = _locations(source)[-1]
    original = path.read_bytes()
    for cut in range(offset, offset + size):
        damaged = original[:cut] if truncate else original[:cut] + bytes(len(original) - cut)
        if damaged == original:  # zeroing bytes that were zero already
            continue
        directory = _fresh(base, f"cut{cut}")
        for segment in source.glob("*.htj"):
            (directory / segment.name).write_bytes(segment.read_bytes())
        (directory / path.name).write_bytes(damaged)
        journal = _open(directory)
        try:
            assert journal.last_lsn == len(payloads) - 1
            assert _payloads(journal) == payloads[:-1]
            assert journal.append(EntryType.COMMIT, gtid(99), b"after the cut") == len(payloads)
        finally:
            journal.close_sync()
        reopened = _open(directory)
        try:
            assert _payloads(reopened) == [*payloads[:-1], b"after the cut"]
        finally:
            reopened.close_sync()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload_lists, st.data())
def test_a_flipped_byte_is_never_skipped(tmp_path_factory: pytest.TempPathFactory, payloads: list[bytes],
                                         data: st.DataObject) -> None:
    """Damage in the last entry is a torn tail (cut); damage in any other entry stops the open,
    naming the damaged entry's segment and offset."""
    directory = tmp_path_factory.mktemp("flip")
    write_journal(directory, payloads, segment_size=SEGMENT)
    locations = _locations(directory)
    index = data.draw(st.integers(0, len(locations) - 1), label="entry")
    path, offset, size = locations[index]
    position = offset + data.draw(st.integers(0, size - 1), label="byte")
    damaged = bytearray(path.read_bytes())
    damaged[position] ^= data.draw(st.integers(1, 255), label="mask")
    path.write_bytes(damaged)
    if index == len(locations) - 1:
        journal = _open(directory)
        try:
            assert _payloads(journal) == payloads[:-1]
        finally:
            journal.close_sync()
    else:
        with pytest.raises(JournalCorruption) as raised:
            _open(directory)
        assert (raised.value.segment, raised.value.offset) == (path.name, offset)
        assert path.name in raised.value.message and str(offset) in raised.value.message


def test_a_zeroed_sector_before_the_tail_is_corruption(tmp_path: Path) -> None:
    write_journal(tmp_path, [bytes([n]) * 40 for n in range(10)], segment_size=4096)
    path, offset, _ = _locations(tmp_path)[4]
    with open(path, "r+b") as file:
        file.seek(offset)
        file.write(bytes(HEADER_SIZE))
    with pytest.raises(JournalCorruption) as raised:
        _open(tmp_path)
    assert (raised.value.segment, raised.value.offset) == (path.name, offset)


def test_a_missing_segment_is_corruption(tmp_path: Path) -> None:
    write_journal(tmp_path, [bytes(300)] * 12, segment_size=SEGMENT)
    segments = sorted(tmp_path.glob("*.htj"))
    assert len(segments) >= 3
    missing_first = int(segments[1].stem, 16)
    following_first = int(segments[2].stem, 16)
    segments[1].unlink()
    with pytest.raises(JournalCorruption) as raised:
        _open(tmp_path)
    assert raised.value.segment == segments[0].name
    assert f"LSNs {missing_first}..{following_first - 1} are missing" in raised.value.reason


def test_an_empty_segment_left_after_a_torn_rotation_is_dropped(tmp_path: Path) -> None:
    """A crash can leave a new, empty segment after a torn one: the tail is the torn spot."""
    write_journal(tmp_path, [b"\x01" * 300] * 3, segment_size=SEGMENT)
    path, offset, size = _locations(tmp_path)[-1]
    with open(path, "r+b") as file:
        file.seek(offset + size - 10)
        file.write(bytes(10))
    empty = tmp_path / f"{4:016X}.htj"
    empty.write_bytes(bytes(SEGMENT))
    journal = _open(tmp_path)
    try:
        assert journal.last_lsn == 2 and not empty.exists()
        assert journal.append(EntryType.COMMIT, gtid(1), b"x") == 3
    finally:
        journal.close_sync()


def test_open_syncs_what_a_killed_process_left_unsynced(tmp_path: Path) -> None:
    write_journal(tmp_path, [b"a", b"b"], segment_size=SEGMENT)
    syscalls = CountingSyscalls(real=False)
    Journal.open(tmp_path, segment_size=SEGMENT, syscalls=syscalls).close_sync()
    assert syscalls.syncs >= 2  # the segment and the directory


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    journal = _open(tmp_path)
    try:
        with pytest.raises(Exception, match="in use"):
            _open(tmp_path)
    finally:
        journal.close_sync()
    _open(tmp_path).close_sync()


def test_an_empty_directory_becomes_a_journal(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "journal"
    journal = _open(directory)
    try:
        assert (journal.last_lsn, journal.flushed_lsn, journal.next_lsn, journal.epoch) == (0, 0, 1, 0)
        assert list(journal.read_from(1)) == []
        assert [segment.name for segment in journal.segments] == ["0000000000000001.htj"]
    finally:
        journal.close_sync()
    assert os.path.getsize(directory / "0000000000000001.htj") == SEGMENT
