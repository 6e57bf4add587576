"""Journal benchmark: the physical limit (a raw write+fsync loop) against the journal with 1, 8 and
64 concurrent committers, in one run on one directory.

For each: commits/s, fsyncs/s, commits per fsync, and the p50/p99 commit wait (append to durable).
Goals reported, not asserted: one committer within 1.2x of the raw fsync loop; 64 committers at
least 20x more commits/s than fsyncs/s (group commit).

    .venv/bin/python -m bench.journal_bench [--seconds 3] [--dir DIR] [--sync-mode fsync]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from heliosdb_lite.journal import EntryType, Journal, SyncMode, Syscalls
from heliosdb_lite.journal.format import encode_entry

COMMITTERS = (1, 8, 64)
SLICES = 3
SEGMENT_SIZE = 64 << 20


@dataclass
class Result:
    name: str
    commits: int
    syncs: int
    seconds: float
    waits: list[float]

    def row(self) -> str:
        ordered = sorted(self.waits)
        p50 = ordered[len(ordered) // 2] * 1e3
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3
        return (f"{self.name:<24}{self.commits_per_s:>11,.0f}{self.syncs / self.seconds:>11,.0f}"
                f"{self.commits / max(self.syncs, 1):>15.1f}{p50:>10.3f}{p99:>10.3f}")

    @property
    def commits_per_s(self) -> float:
        return self.commits / self.seconds

    def __add__(self, other: Result) -> Result:
        return Result(self.name, self.commits + other.commits, self.syncs + other.syncs,
                      self.seconds + other.seconds, self.waits + other.waits)


class CountingSyscalls(Syscalls):
    """The real calls, counting syncs."""

    def __init__(self) -> None:
        self.syncs = 0
        self._lock = threading.Lock()

    def fsync(self, fd: int) -> None:
        super().fsync(fd)
        with self._lock:
            self.syncs += 1

    def fdatasync(self, fd: int) -> None:
        super().fdatasync(fd)
        with self._lock:
            self.syncs += 1


def raw_loop(directory: Path, seconds: float, payload: bytes, sync_mode: str) -> Result:
    """write() one entry and sync, in a loop: what the disk allows one committer at best."""
    path = directory / "raw.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    sync = os.fdatasync if sync_mode == "fdatasync" else os.fsync
    try:
        os.posix_fallocate(fd, 0, SEGMENT_SIZE)
        os.fsync(fd)
        waits = []
        commits = 0
        start = time.perf_counter()
        deadline = start + seconds
        now = start
        while now < deadline:
            entry = encode_entry(EntryType.COMMIT, 0, commits + 1, bytes(16), 0, 0, payload)
            if os.lseek(fd, 0, os.SEEK_CUR) + len(entry) > SEGMENT_SIZE:
                os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, entry)
            sync(fd)
            commits += 1
            finished = time.perf_counter()
            waits.append(finished - now)
            now = finished
        return Result("raw write+fsync loop", commits, commits, now - start, waits)
    finally:
        os.close(fd)
        path.unlink()


async def handoff_floor(rounds: int = 3000) -> float:
    """Seconds per event loop -> thread -> event loop round trip with no work in between: the
    least any fsync done off the loop adds to a lone committer's wait (the wake-ups)."""
    loop = asyncio.get_running_loop()
    wake = threading.Condition()
    pending: list[asyncio.Future[None] | None] = []  # None: the thread stops

    def thread() -> None:
        while True:
            with wake:
                while not pending:
                    wake.wait()
                future = pending.pop()
            if future is None:
                return
            loop.call_soon_threadsafe(future.set_result, None)

    worker = threading.Thread(target=thread, daemon=True)
    worker.start()
    start = time.perf_counter()
    for _ in range(rounds):
        future = loop.create_future()
        with wake:
            pending.append(future)
            wake.notify()
        await future
    elapsed = time.perf_counter() - start
    with wake:
        pending.append(None)
        wake.notify()
    worker.join()
    return elapsed / rounds


async def journal_run(directory: Path, committers: int, seconds: float, payload: bytes,
                      sync_mode: SyncMode) -> Result:
    """`committers` tasks, each appending and awaiting durability in a loop."""
    syscalls = CountingSyscalls()
    journal = Journal.open(directory / f"journal-{committers}", segment_size=SEGMENT_SIZE,
                           max_size_mb=4096, sync_mode=sync_mode, syscalls=syscalls)
    waits: list[float] = []
    gtid = bytes(16)
    try:
        syncs_before = syscalls.syncs
        deadline = time.perf_counter() + seconds

        async def committer() -> None:
            while (started := time.perf_counter()) < deadline:
                lsn = journal.append(EntryType.COMMIT, gtid, payload)
                await journal.durable(lsn)
                waits.append(time.perf_counter() - started)

        start = time.perf_counter()
        await asyncio.gather(*(committer() for _ in range(committers)))
        elapsed = time.perf_counter() - start
        syncs = syscalls.syncs - syncs_before
    finally:
        await journal.close()
    plural = "committer" if committers == 1 else "committers"
    return Result(f"journal {committers} {plural}", len(waits), syncs, elapsed, waits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each run (default 3)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp dir)")
    parser.add_argument("--payload-bytes", type=int, default=200, help="payload per commit (default 200)")
    parser.add_argument("--sync-mode", choices=["fsync", "fdatasync"], default="fsync")
    parser.add_argument("--no-uvloop", action="store_true", help="plain asyncio event loop")
    args = parser.parse_args(argv)
    if not args.no_uvloop:
        try:
            import uvloop

            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        except ImportError:
            pass
    payload = os.urandom(args.payload_bytes)
    with tempfile.TemporaryDirectory(prefix="journal-bench-", dir=args.dir) as scratch:
        directory = Path(scratch)
        print(f"journal bench: {directory} ({args.sync_mode}, {args.payload_bytes} B payloads, "
              f"{args.seconds:g} s per run, {type(asyncio.get_event_loop_policy()).__module__} loop)")
        print(f"{'':<24}{'commits/s':>11}{'fsyncs/s':>11}{'commits/fsync':>15}{'p50 ms':>10}{'p99 ms':>10}")
        # The disk's speed drifts: the raw loop and the lone committer alternate in short slices.
        slice_seconds = args.seconds / SLICES
        raw = raw_loop(directory, slice_seconds, payload, args.sync_mode)
        results = {1: asyncio.run(journal_run(directory, 1, slice_seconds, payload, args.sync_mode))}
        for _ in range(SLICES - 1):
            raw += raw_loop(directory, slice_seconds, payload, args.sync_mode)
            results[1] += asyncio.run(journal_run(directory, 1, slice_seconds, payload, args.sync_mode))
        print(raw.row())
        print(results[1].row())
        for committers in COMMITTERS[1:]:
            results[committers] = asyncio.run(journal_run(directory, committers, args.seconds, payload,
                                                          args.sync_mode))
            print(results[committers].row())
        floor = asyncio.run(handoff_floor())
    single = raw.commits_per_s / results[1].commits_per_s
    grouped = results[64].commits / max(results[64].syncs, 1)
    print(f"goal: 1 committer within 1.2x of the raw fsync loop: raw/journal = {single:.2f}x "
          f"-> {'met' if single <= 1.2 else 'NOT met'}")
    print(f"      (floor: an event loop <-> thread round trip alone takes {floor * 1e6:.0f} us here, against "
          f"{1e6 / raw.commits_per_s:.0f} us per raw write+fsync)")
    print(f"goal: 64 committers >= 20x more commits/s than fsyncs/s: {grouped:.1f}x "
          f"-> {'met' if grouped >= 20 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
