"""Many appenders at once, threads and asyncio tasks together: LSNs are assigned in file order
with no gaps, and each appender gets back the LSN its entry was written under."""

from __future__ import annotations

import asyncio
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heliosdb_lite.journal import EntryType, Journal
from tests.journal.fakes import CountingSyscalls, gtid


def _payload(appender: str, sequence: int, size: int) -> bytes:
    return f"{appender}:{sequence}:".encode().ljust(size, b".")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(threads=st.integers(1, 8), tasks=st.integers(1, 16), appends=st.integers(1, 40),
       size=st.integers(1, 700))
def test_concurrent_appenders_get_file_order_without_gaps(tmp_path_factory: pytest.TempPathFactory,
                                                         threads: int, tasks: int, appends: int,
                                                         size: int) -> None:
    journal = Journal.open(tmp_path_factory.mktemp("concurrent"), segment_size=4096,
                           syscalls=CountingSyscalls(real=False))
    given_lsns: dict[bytes, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def record(payload: bytes, lsn: int) -> None:
        with lock:
            given_lsns[payload] = lsn

    def thread_appender(name: str) -> None:
        start.wait()
        for sequence in range(appends):
            payload = _payload(name, sequence, size)
            record(payload, journal.append(EntryType.COMMIT, gtid(sequence), payload))

    async def task_appender(name: str) -> None:
        for sequence in range(appends):
            payload = _payload(name, sequence, size)
            lsn = await journal.append_async(EntryType.COMMIT, gtid(sequence), payload)
            record(payload, lsn)
            await journal.durable(lsn)

    async def run_tasks() -> None:
        await asyncio.to_thread(start.wait)
        await asyncio.gather(*(task_appender(f"task{number}") for number in range(tasks)))

    workers = [threading.Thread(target=thread_appender, args=(f"thread{number}",))
               for number in range(threads)]
    try:
        for worker in workers:
            worker.start()
        asyncio.run(run_tasks())
        for worker in workers:
            worker.join()
        total = (threads + tasks) * appends
        entries = list(journal.read_from(1))
        assert [entry.lsn for entry in entries] == list(range(1, total + 1))
        assert {bytes(entry.payload): entry.lsn for entry in entries} == given_lsns
        assert len(journal.segments) > 1 or total * (64 + size) <= 4096
    finally:
        journal.close_sync()
    for name in [f"thread{n}" for n in range(threads)] + [f"task{n}" for n in range(tasks)]:
        lsns = [given_lsns[_payload(name, sequence, size)] for sequence in range(appends)]
        assert lsns == sorted(lsns)
