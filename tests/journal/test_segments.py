"""Segments: rotation and reading across them, retention (checkpoint + every sync standby), and
the size bound, which makes appends wait for space instead of dropping anything."""

from __future__ import annotations

import asyncio
import mmap
import threading
from pathlib import Path
from typing import Unpack

import pytest
from prometheus_client import REGISTRY

from heliosdb_lite.journal import EntryType, Journal
from heliosdb_lite.journal.format import HEADER_SIZE
from tests.journal.fakes import CountingSyscalls, JournalOptions, gtid

SEGMENT = 4096
ENTRY = 1024  # four entries fill a segment exactly
PAYLOAD = b"p" * (ENTRY - HEADER_SIZE)


def _open(directory: Path, **options: Unpack[JournalOptions]) -> Journal:
    options.setdefault("segment_size", SEGMENT)
    return Journal.open(directory, syscalls=CountingSyscalls(real=False), **options)


def _fill(journal: Journal, count: int) -> list[int]:
    return [journal.append(EntryType.COMMIT, gtid(n), PAYLOAD) for n in range(count)]


def test_rotation_and_reading_across_segments(tmp_path: Path) -> None:
    journal = _open(tmp_path)
    try:
        sizes = [10, 3000, 2000, 9000, 5, 4000, 100, 1500]
        payloads = [bytes([n]) * size for n, size in enumerate(sizes)]
        lsns = [journal.append(EntryType.COMMIT, gtid(n), payload) for n, payload in enumerate(payloads)]
        assert lsns == list(range(1, len(sizes) + 1))
        segments = journal.segments
        assert len(segments) > 3
        assert max(segment.size for segment in segments) == 9000 + HEADER_SIZE  # one entry, one segment
        for start in lsns:
            assert [bytes(entry.payload) for entry in journal.read_from(start)] == payloads[start - 1:]
        assert [entry.lsn for entry in journal.read_from(2, to_lsn=5)] == [2, 3, 4, 5]
        first = next(journal.read_from(1))
        assert isinstance(first.payload, memoryview) and isinstance(first.payload.obj, mmap.mmap)
        firsts = [segment.first_lsn for segment in segments]
        assert [segment.name for segment in segments] == [f"{lsn:016X}.htj" for lsn in firsts]
    finally:
        journal.close_sync()
    reopened = _open(tmp_path)
    try:
        assert reopened.last_lsn == len(sizes)
        assert [bytes(entry.payload) for entry in reopened.read_from(1)] == payloads
        assert reopened.append(EntryType.COMMIT, gtid(0), b"next") == len(sizes) + 1
    finally:
        reopened.close_sync()


def test_first_entry_larger_than_a_segment(tmp_path: Path) -> None:
    journal = _open(tmp_path)
    try:
        assert journal.append(EntryType.COMMIT, gtid(0), bytes(3 * SEGMENT)) == 1
        assert [segment.name for segment in journal.segments] == ["0000000000000001.htj"]
        assert [entry.lsn for entry in journal.read_from(1)] == [1]
    finally:
        journal.close_sync()


def test_retention_deletes_only_checkpointed_and_acknowledged_segments(tmp_path: Path) -> None:
    journal = _open(tmp_path)
    try:
        _fill(journal, 16)  # segments start at LSN 1, 5, 9, 13
        assert [segment.first_lsn for segment in journal.segments] == [1, 5, 9, 13]
        journal.mark_standby_acked("standby-a", 0)
        journal.mark_checkpointed(12)
        assert journal.first_lsn == 1  # the standby holds everything
        journal.mark_standby_acked("standby-a", 7)
        assert [segment.first_lsn for segment in journal.segments] == [5, 9, 13]
        journal.mark_standby_acked("standby-b", 9)
        journal.mark_standby_acked("standby-a", 100)
        assert journal.first_lsn == 9  # standby-b acked 9, but 9..12 share a segment with 10..12
        journal.forget_standby("standby-b")
        assert [segment.first_lsn for segment in journal.segments] == [13]
        journal.mark_checkpointed(16)
        assert [segment.first_lsn for segment in journal.segments] == [13]  # the current one stays
        assert sorted(path.name for path in tmp_path.glob("*.htj")) == ["000000000000000D.htj"]
        assert [entry.lsn for entry in journal.read_from(13)] == [13, 14, 15, 16]
        with pytest.raises(ValueError, match="no longer retained"):
            journal.read_from(12)
        assert REGISTRY.get_sample_value("heliosdb_journal_oldest_retained_lsn") == 13
    finally:
        journal.close_sync()
    reopened = _open(tmp_path)
    try:
        assert (reopened.first_lsn, reopened.last_lsn) == (13, 16)
    finally:
        reopened.close_sync()


def _full_journal(directory: Path) -> Journal:
    journal = _open(directory, max_size_mb=4 * SEGMENT / 2**20)
    _fill(journal, 16)  # four full segments: the bound
    return journal


def test_a_full_journal_makes_appends_wait_until_a_checkpoint(tmp_path: Path) -> None:
    journal = _full_journal(tmp_path)
    waits = REGISTRY.get_sample_value("heliosdb_journal_full_waits_total") or 0.0
    asked = threading.Event()
    journal.register_checkpoint_callback(asked.set)
    result: list[int] = []
    appender = threading.Thread(
        target=lambda: result.append(journal.append(EntryType.COMMIT, gtid(1), PAYLOAD)))
    try:
        appender.start()
        assert asked.wait(10)
        assert not result and journal.last_lsn == 16  # waiting, not dropping
        journal.mark_checkpointed(8)
        appender.join(10)
        assert result == [17]
        assert REGISTRY.get_sample_value("heliosdb_journal_full_waits_total") == waits + 1
        assert [entry.lsn for entry in journal.read_from(9)] == list(range(9, 18))
    finally:
        journal.mark_checkpointed(16)
        appender.join(10)
        journal.close_sync()


def test_a_checkpoint_callback_that_checkpoints_at_once_avoids_the_wait(tmp_path: Path) -> None:
    journal = _full_journal(tmp_path)
    waits = REGISTRY.get_sample_value("heliosdb_journal_full_waits_total") or 0.0
    journal.register_checkpoint_callback(lambda: journal.mark_checkpointed(journal.last_lsn))
    try:
        assert journal.append(EntryType.COMMIT, gtid(1), PAYLOAD) == 17
        assert REGISTRY.get_sample_value("heliosdb_journal_full_waits_total") == waits
    finally:
        journal.close_sync()


async def test_append_async_waits_without_blocking_the_loop(tmp_path: Path) -> None:
    journal = _full_journal(tmp_path)
    loop = asyncio.get_running_loop()
    asked = asyncio.Event()
    journal.register_checkpoint_callback(lambda: loop.call_soon_threadsafe(asked.set))
    try:
        waiting = asyncio.create_task(journal.append_async(EntryType.COMMIT, gtid(1), PAYLOAD))
        await asked.wait()  # the loop runs while the append waits
        assert not waiting.done()
        journal.mark_checkpointed(4)
        assert await waiting == 17
    finally:
        journal.mark_checkpointed(16)
        await journal.close()


def test_closing_releases_appends_waiting_for_space(tmp_path: Path) -> None:
    journal = _full_journal(tmp_path)
    asked = threading.Event()
    journal.register_checkpoint_callback(asked.set)
    errors: list[Exception] = []

    def append() -> None:
        try:
            journal.append(EntryType.COMMIT, gtid(1), PAYLOAD)
        except Exception as error:
            errors.append(error)

    appender = threading.Thread(target=append)
    appender.start()
    assert asked.wait(10)
    journal.close_sync()
    appender.join(10)
    assert len(errors) == 1 and "closed" in str(errors[0])


def test_epochs_never_go_back(tmp_path: Path) -> None:
    journal = _open(tmp_path)
    try:
        journal.append(EntryType.EPOCH, gtid(0), b"", epoch=3)
        assert journal.append(EntryType.COMMIT, gtid(1), b"x") == 2
        assert [entry.epoch for entry in journal.read_from(1)] == [3, 3]
        with pytest.raises(ValueError):
            journal.append(EntryType.COMMIT, gtid(2), b"x", epoch=2)
        with pytest.raises(ValueError):
            journal.append(EntryType.COMMIT, gtid(2), b"x", expect_lsn=7)
        assert journal.append(EntryType.COMMIT, gtid(2), b"x", expect_lsn=3) == 3
    finally:
        journal.close_sync()
    reopened = _open(tmp_path)
    try:
        assert reopened.epoch == 3
    finally:
        reopened.close_sync()
