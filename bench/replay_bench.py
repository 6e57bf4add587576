"""Replay benchmark: how fast `heliosdb-lite restore` replays a journal, and how long a server is
down after SIGKILL under load (RTO), against PostgreSQL 15 under the same load.

- Restore rate: journals of 10K and 100K small write transactions, built in-process through the
  engine and the commit protocol (one INSERT of an integer, a text and a numeric per transaction),
  then rebuilt with the real `heliosdb-lite restore` command, three times each. Reported (the
  median run): the restore's own time (what the command prints) and the command's wall time
  (with interpreter start-up), in tx/s.
  Goals: a 10K-transaction restore under 0.2 s, at least 50K tx/s.
- RTO: concurrent psycopg writers (autocommit INSERTs) run against the server, which is then
  SIGKILLed and restarted at once; RTO is the time from SIGKILL to the first successful
  `select 1`, repeated. The same against a local PostgreSQL 15 (durable defaults: fsync and
  synchronous_commit on), whose postmaster and backends are all SIGKILLed. Goal: RTO under 1 s.

Prints a markdown table ready for the README. Goals are reported, not asserted.

    .venv/bin/python -m bench.replay_bench [--sizes 10000,100000] [--kills 5] [--writers 8]
        [--load-seconds 2] [--dir DIR] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import psycopg

from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.journal import Journal
from heliosdb_lite.replay.commit import CommitService
from testsupport.pg_reference import (
    PG_BINDIR,
    as_postgres_user,
    reference_unavailable_reason,
    start_cluster,
    stop_cluster,
)
from testsupport.server_process import ServerProcess

RESTORE_GOAL_SECONDS = 0.2  # for 10K transactions
RESTORE_GOAL_RATE = 50_000
RTO_GOAL_SECONDS = 1.0
RESTORE_RUNS = 3  # the median is reported
INT4, TEXT, NUMERIC = 23, 25, 1700
POLL_SECONDS = 0.002
RTO_TIMEOUT_SECONDS = 60.0
LOAD_TABLE = "CREATE TABLE load (id serial PRIMARY KEY, worker integer, n integer, body text)"
LOAD_INSERT = "INSERT INTO load (worker, n, body) VALUES (%s, %s, %s)"


# -- restore rate --------------------------------------------------------------------------------

def build_journal(data_dir: Path, transactions: int) -> Path:
    """A store and its journal holding `transactions` autocommit INSERTs (plus one CREATE TABLE),
    made through the engine and the commit protocol; returns the journal directory."""
    engine = SQLiteEngine(data_dir)
    journal = Journal.open(data_dir / "journal")
    service = CommitService(journal, engine.store_path)
    session = engine.open_session("postgres", "postgres", {},
                                  transaction_log=service.recorder(b"replaybn", "postgres", "postgres"))
    try:
        session.execute(session.prepare("CREATE TABLE kv (k integer PRIMARY KEY, v text, n numeric(12,2))",
                                        ()), ())
        insert = session.prepare("INSERT INTO kv (k, v, n) VALUES ($1, $2, $3)", (INT4, TEXT, NUMERIC))
        for key in range(transactions):
            session.execute(insert, (key, f"value {key}", Decimal(key) / 100))
    finally:
        engine.close()
        service.close()
        journal.close_sync()
    return data_dir / "journal"


@dataclass(frozen=True)
class RestoreTiming:
    transactions: int
    seconds: float  # as the restore command reports it
    wall_seconds: float  # the whole command, interpreter start-up included

    @property
    def rate(self) -> float:
        return self.transactions / self.seconds


def time_restore(journal_dir: Path, into: Path, transactions: int) -> RestoreTiming:
    started = time.perf_counter()
    command = [sys.executable, "-m", "heliosdb_lite.cli", "restore", "--journal", str(journal_dir),
               "--into", str(into)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"restore failed: {done.stderr}")
    match = re.search(r"restored (\d+) entries .* in ([\d.]+) s", done.stdout)
    if match is None or int(match.group(1)) != transactions + 1:
        raise RuntimeError(f"unexpected restore output: {done.stdout!r}")
    return RestoreTiming(transactions, float(match.group(2)), wall)


def restore_rates(scratch: Path, sizes: list[int]) -> list[RestoreTiming]:
    timings = []
    for size in sizes:
        started = time.perf_counter()
        journal_dir = build_journal(scratch / f"built-{size}", size)
        built = time.perf_counter() - started
        print(f"  built a journal of {size:,} transactions in {built:.1f} s", flush=True)
        runs = [time_restore(journal_dir, scratch / f"restored-{size}-{run}", size)
                for run in range(RESTORE_RUNS)]
        for timing in runs:
            print(f"  restore {size:,}: {timing.seconds:.3f} s ({timing.rate:,.0f} tx/s), "
                  f"command {timing.wall_seconds:.3f} s", flush=True)
        timings.append(sorted(runs, key=lambda timing: timing.seconds)[len(runs) // 2])
    return timings


# -- RTO under load ------------------------------------------------------------------------------

class Target(Protocol):
    name: str

    @property
    def dsn(self) -> str: ...

    def start(self) -> None: ...

    def crash(self) -> None:
        """SIGKILL every process of the server."""
        ...

    def last_recovery(self) -> str:
        """What the server logged about its last crash recovery."""
        ...

    def stop(self) -> None: ...


class HeliosTarget:
    name = "HeliosDB-Lite"

    def __init__(self, data_dir: Path) -> None:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.server = ServerProcess(data_dir)

    @property
    def dsn(self) -> str:
        return self.server.dsn

    def start(self) -> None:
        self.server.start()

    def crash(self) -> None:
        self.server.kill()

    def last_recovery(self) -> str:
        lines = [line for line in self.server.stderr_lines if "recovery: store at LSN" in line]
        return lines[-1].split("recovery: ", 1)[1] if lines else "no recovery logged"

    def stop(self) -> None:
        self.server.stop()


class PostgresTarget:
    """A throwaway PostgreSQL 15 cluster (made by testsupport/py), run here with its durable
    defaults as OS user postgres, as a child of this process so a killed postmaster is reaped."""

    name = "PostgreSQL 15"

    def __init__(self) -> None:
        self.cluster = start_cluster()  # initdb, and a first start with fsync off: stopped at once
        subprocess.run(as_postgres_user([str(PG_BINDIR / "pg_ctl"), "stop", "-m", "fast",
                                          "-D", str(self.cluster.data_dir)]), capture_output=True, check=True)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def dsn(self) -> str:
        return self.cluster.dsn

    def start(self) -> None:
        cluster = self.cluster
        command = [str(PG_BINDIR / "postgres"), "-D", str(cluster.data_dir),
                   "-c", "listen_addresses=127.0.0.1", "-p", str(cluster.port), "-k", str(cluster.root)]
        with open(self.cluster.root / "postgres.log", "ab") as log:
            self._process = subprocess.Popen(as_postgres_user(command), stdout=log,
                                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             start_new_session=True)

    def crash(self) -> None:
        postmaster = int((self.cluster.data_dir / "postmaster.pid").read_text().split()[0])
        for pid in [postmaster, *_children(postmaster)]:
            os.kill(pid, signal.SIGKILL)
        assert self._process is not None
        self._process.wait()

    def last_recovery(self) -> str:
        log = (self.cluster.root / "postgres.log").read_text(errors="replace").splitlines()
        lines = [line for line in log if "redo done" in line or "redo is not required" in line]
        return lines[-1].split("LOG:", 1)[-1].strip() if lines else "no redo logged"

    def stop(self) -> None:
        stop_cluster(self.cluster)
        if self._process is not None:
            self._process.wait()


def _children(parent: int) -> list[int]:
    """The processes whose parent is `parent` (from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                children.append(int(entry.name))
    return children


class Writers:
    """`count` threads inserting rows in autocommit until told to stop or their server dies."""

    def __init__(self, dsn: str, count: int) -> None:
        self._dsn = dsn
        self._stop = threading.Event()
        self.commits = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._write, args=(worker,), daemon=True)
                         for worker in range(count)]

    def _write(self, worker: int) -> None:
        try:
            with psycopg.connect(self._dsn, autocommit=True) as connection:
                n = 0
                while not self._stop.is_set():
                    connection.execute(LOAD_INSERT, (worker, n, f"payload {worker}/{n}"))
                    n += 1
                    with self._lock:
                        self.commits += 1
        except psycopg.Error:
            return

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def first_select_1(dsn: str) -> None:
    deadline = time.monotonic() + RTO_TIMEOUT_SECONDS
    while True:
        try:
            with psycopg.connect(dsn, connect_timeout=2) as connection:
                connection.execute("select 1").fetchone()
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(POLL_SECONDS)


@dataclass(frozen=True)
class RtoTimings:
    name: str
    seconds: list[float]
    commits_per_second: float

    @property
    def p50(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[len(ordered) // 2]

    @property
    def max(self) -> float:
        return max(self.seconds)


def measure_rto(target: Target, kills: int, writers: int, load_seconds: float) -> RtoTimings:
    target.start()
    first_select_1(target.dsn)
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        connection.execute(LOAD_TABLE)
    timings: list[float] = []
    commits = 0
    try:
        for round_number in range(kills):
            load = Writers(target.dsn, writers)
            load.start()
            time.sleep(load_seconds)  # the load runs this long before the crash
            killed_at = time.perf_counter()
            target.crash()
            target.start()
            first_select_1(target.dsn)
            timings.append(time.perf_counter() - killed_at)
            load.stop()
            commits += load.commits
            print(f"  {target.name} kill {round_number + 1}: RTO {timings[-1]:.3f} s "
                  f"after {load.commits:,} commits; {target.last_recovery()}", flush=True)
    finally:
        target.stop()
    return RtoTimings(target.name, timings, commits / (kills * load_seconds))


# -- report --------------------------------------------------------------------------------------

def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(restores: list[RestoreTiming], rtos: list[RtoTimings], writers: int) -> str:
    lines = ["| measurement | result | goal | met |", "|---|---|---|---|"]
    for timing in restores:
        goal_ok = timing.rate >= RESTORE_GOAL_RATE and (
            timing.transactions != 10_000 or timing.seconds < RESTORE_GOAL_SECONDS)
        goal = f"< {RESTORE_GOAL_SECONDS} s, ≥ {RESTORE_GOAL_RATE:,} tx/s" if timing.transactions == 10_000 \
            else f"≥ {RESTORE_GOAL_RATE:,} tx/s"
        lines.append(f"| `restore` of {timing.transactions:,} transactions | {timing.seconds:.3f} s "
                     f"({timing.rate:,.0f} tx/s; command {timing.wall_seconds:.2f} s with start-up) "
                     f"| {goal} | {_met(goal_ok)} |")
    helios = next((rto for rto in rtos if rto.name == HeliosTarget.name), None)
    postgres = next((rto for rto in rtos if rto.name == PostgresTarget.name), None)
    for rto in rtos:
        lines.append(f"| {rto.name} RTO, SIGKILL → first `select 1`, {writers} writers "
                     f"({rto.commits_per_second:,.0f} commits/s), {len(rto.seconds)} kills "
                     f"| p50 {rto.p50:.3f} s, max {rto.max:.3f} s "
                     f"| {'< 1 s' if rto is helios else '(reference)'} "
                     f"| {_met(rto.max < RTO_GOAL_SECONDS) if rto is helios else '—'} |")
    if helios is not None and postgres is not None:
        lines.append(f"| RTO ratio HeliosDB-Lite / PostgreSQL 15 | p50 {helios.p50 / postgres.p50:.2f}x, "
                     f"max {helios.max / postgres.max:.2f}x | — | — |")
    return "\n".join(lines)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="journal sizes in transactions, comma-separated (default 10000,100000)")
    parser.add_argument("--kills", type=_positive, default=5, help="SIGKILLs per server (default 5)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers (default 8)")
    parser.add_argument("--load-seconds", type=float, default=2.0,
                        help="load before each kill (default 2)")
    parser.add_argument("--dir", type=Path, default=None, help="where to work (default: a temp dir)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL 15 reference")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    with tempfile.TemporaryDirectory(prefix="replay-bench-", dir=args.dir) as scratch:
        directory = Path(scratch)
        print(f"replay bench: {directory}", flush=True)
        restores = restore_rates(directory, sizes)
        targets: list[Callable[[], Target]] = [lambda: HeliosTarget(directory / "rto" / "data")]
        reason = "--no-postgres" if args.no_postgres else reference_unavailable_reason()
        if reason is None:
            targets.append(PostgresTarget)
        else:
            print(f"  PostgreSQL reference skipped: {reason}")
        rtos = [measure_rto(make(), args.kills, args.writers, args.load_seconds) for make in targets]
    print()
    print(markdown(restores, rtos, args.writers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
