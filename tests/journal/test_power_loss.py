"""Simulated power loss (I1, I4 at the journal's level): every write no sync covered may be lost,
in write order and down to the byte. Whatever is lost, every acknowledged entry survives, the
journal opens cleanly at a prefix of what was appended, and appends continue after it."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heliosdb_lite.journal import EntryType, Journal, SyncMode
from tests.journal.fakes import CountingSyscalls, LossySyscalls, gtid

operations = st.lists(st.one_of(st.integers(0, 600), st.just("durable")), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations, st.floats(0, 1), st.sampled_from(["fsync", "fdatasync"]))
def test_acknowledged_entries_survive_losing_every_unsynced_write(
        tmp_path_factory: pytest.TempPathFactory, script: list[int | str], kept: float,
        sync_mode: SyncMode) -> None:
    directory = tmp_path_factory.mktemp("power")
    syscalls = LossySyscalls()
    journal = Journal.open(directory, segment_size=1024, syscalls=syscalls, sync_mode=sync_mode)
    payloads: list[bytes] = []

    async def run() -> int:
        acknowledged = 0
        for step in script:
            if step == "durable":
                if journal.last_lsn:
                    await journal.durable(journal.last_lsn)
                    acknowledged = journal.last_lsn
            else:
                payload = bytes([len(payloads) % 251 + 1]) * int(step)
                payloads.append(payload)
                journal.append(EntryType.COMMIT, gtid(len(payloads)), payload)
        return acknowledged

    acknowledged = asyncio.run(run())
    syscalls.power_loss(int(kept * syscalls.unsynced_bytes))
    journal.close_sync()

    survivor = Journal.open(directory, segment_size=1024, syscalls=CountingSyscalls(real=False))
    try:
        recovered = [bytes(entry.payload) for entry in survivor.read_from(1)]
        assert len(recovered) >= acknowledged
        assert recovered == payloads[:len(recovered)]
        assert survivor.append(EntryType.COMMIT, gtid(0), b"after") == len(recovered) + 1
    finally:
        survivor.close_sync()
