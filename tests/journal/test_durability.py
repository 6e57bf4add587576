"""durable(lsn) (I1 at the journal's level): it resolves only after a sync that covers the entry,
counted through the injected syscall layer; one sync covers many waiting commits."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.journal import EntryType, Journal
from tests.journal.fakes import CountingSyscalls, FailingSyscalls, GatedSyscalls, gtid


async def test_durable_waits_for_a_sync_that_covers_the_entry(tmp_path: Path) -> None:
    syscalls = GatedSyscalls()
    journal = Journal.open(tmp_path, syscalls=syscalls)
    try:
        syscalls.gate.clear()
        syscalls.entered.clear()
        lsn = journal.append(EntryType.COMMIT, gtid(1), b"commit")
        syncs_before = syscalls.syncs

        async def commit() -> int:
            await journal.durable(lsn)
            return syscalls.syncs

        waiting = asyncio.create_task(commit())
        assert await asyncio.to_thread(syscalls.entered.wait, 10)
        assert not waiting.done() and journal.flushed_lsn < lsn
        syscalls.gate.set()
        assert await waiting == syncs_before + 1
        assert journal.flushed_lsn >= lsn
        await journal.durable(lsn)  # already durable: no further sync
        assert syscalls.syncs == syncs_before + 1
    finally:
        syscalls.gate.set()
        await journal.close()


async def test_64_committers_share_a_sync(tmp_path: Path) -> None:
    syscalls = GatedSyscalls()
    journal = Journal.open(tmp_path, syscalls=syscalls)
    group_sum = REGISTRY.get_sample_value("heliosdb_journal_group_size_sum") or 0.0
    entries_before = REGISTRY.get_sample_value("heliosdb_journal_entries_appended_total") or 0.0
    try:
        syscalls.gate.clear()
        committers = 64
        appended: list[int] = []
        all_appended = asyncio.Event()

        async def commit(number: int) -> None:
            lsn = journal.append(EntryType.COMMIT, gtid(number), b"payload %d" % number)
            appended.append(lsn)
            if len(appended) == committers:
                all_appended.set()
            await journal.durable(lsn)

        syncs_before = syscalls.syncs
        tasks = [asyncio.create_task(commit(number)) for number in range(committers)]
        await all_appended.wait()
        syscalls.gate.set()
        await asyncio.gather(*tasks)
        assert syscalls.syncs - syncs_before <= 2
        assert journal.flushed_lsn == committers
        assert REGISTRY.get_sample_value("heliosdb_journal_group_size_sum") == group_sum + committers
        entries_after = REGISTRY.get_sample_value("heliosdb_journal_entries_appended_total")
        assert entries_after == entries_before + committers
    finally:
        syscalls.gate.set()
        await journal.close()


def test_sync_durable_blocks_until_the_sync(tmp_path: Path) -> None:
    syscalls = GatedSyscalls()
    journal = Journal.open(tmp_path, syscalls=syscalls, sync_mode="fdatasync")
    try:
        syscalls.gate.clear()
        syscalls.entered.clear()
        lsn = journal.append(EntryType.COMMIT, gtid(1), b"x")
        done = threading.Event()

        def commit() -> None:
            journal.sync_durable(lsn)
            done.set()

        thread = threading.Thread(target=commit)
        thread.start()
        assert syscalls.entered.wait(10)
        assert not done.is_set()
        syscalls.gate.set()
        thread.join(10)
        assert done.is_set() and syscalls.fdatasyncs >= 1
    finally:
        syscalls.gate.set()
        journal.close_sync()


async def test_async_mode_acknowledges_without_a_sync(tmp_path: Path) -> None:
    syscalls = CountingSyscalls(real=False)
    journal = Journal.open(tmp_path, syscalls=syscalls, sync_mode="async", async_flush_interval=3600)
    syncs_before = syscalls.syncs
    lsn = journal.append(EntryType.COMMIT, gtid(1), b"x")
    await journal.durable(lsn)
    assert syscalls.syncs == syncs_before and journal.flushed_lsn < lsn
    await journal.close()
    assert syscalls.syncs > syncs_before  # close syncs what was written


async def test_a_failed_sync_fails_every_waiter_and_later_appends(tmp_path: Path) -> None:
    syscalls = FailingSyscalls()
    journal = Journal.open(tmp_path, syscalls=syscalls)
    try:
        syscalls.failing = True
        lsn = journal.append(EntryType.COMMIT, gtid(1), b"x")
        with pytest.raises(DatabaseError) as raised:
            await journal.durable(lsn)
        assert raised.value.sqlstate == "58030"
        with pytest.raises(DatabaseError):
            journal.append(EntryType.COMMIT, gtid(2), b"y")
        with pytest.raises(DatabaseError):
            await journal.durable(lsn)
    finally:
        await journal.close()


async def test_durable_of_an_lsn_never_appended_is_refused(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, syscalls=CountingSyscalls(real=False))
    try:
        with pytest.raises(ValueError):
            await journal.durable(1)
    finally:
        await journal.close()
