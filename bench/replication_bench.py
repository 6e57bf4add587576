"""Replication's cost and speed, in one run: commit latency (pgbench TPC-B-like, one client: p50 /
p99) and TPC-B-like tps (several clients) on a primary with no standby, with an async standby and
with a sync standby (ratios to no standby), then a standby's catch-up rate: it is stopped while
the primary commits TRANSACTIONS pgbench transactions, restarted, and timed until it has applied
them (transactions per second; the primary's journal entries per second beside it).

    .venv/bin/python -m bench.replication_bench [--seconds 5] [--clients 4] [--transactions 2000]

Servers are real processes on loopback ports (tests/replication/cluster.py), data under TMPDIR,
journal_sync_mode = fsync on every server. Prints a markdown report.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.pgbench_compare import Run, Target, code_version, initialise, machine, ratio, timed_run
from tests.replication.cluster import Cluster, applied_lsn, current_lsn, running, wait_caught_up

SETUPS = (("no standby", "async", 0), ("async standby", "async", 1), ("sync standby", "sync", 1))
CATCH_UP_TIMEOUT = 600.0


@dataclass(frozen=True)
class SetupResult:
    name: str
    latency: Run
    throughput: Run


def bench_setup(root: Path, name: str, mode: str, standbys: int, options: argparse.Namespace) -> SetupResult:
    cluster = Cluster(root, mode=mode, standbys=standbys)
    if not standbys:
        cluster.reconfigure(cluster.primary, replicate_journal=False)
    with running(cluster):
        target = Target(name, cluster.primary.port, f"replication_mode={mode}")
        initialise(target, 1)
        wait_caught_up(cluster.primary, *cluster.standbys)
        logs = Path(tempfile.mkdtemp(dir=root))
        latency = timed_run(target, "tpcb-like", "extended", 1, options.seconds, logs)
        throughput = timed_run(target, "tpcb-like", "extended", options.clients, options.seconds, logs)
    return SetupResult(name, latency, throughput)


def bench_catch_up(root: Path, options: argparse.Namespace) -> tuple[float, float]:
    """(transactions/s, journal entries/s) a restarted standby applies while catching up."""
    cluster = Cluster(root, mode="async")
    with running(cluster):
        target = Target("catch-up", cluster.primary.port, "replication_mode=async")
        initialise(target, 1)
        standby = cluster.standbys[0]
        wait_caught_up(cluster.primary, standby)
        standby.kill()
        first = current_lsn(cluster.primary)
        per_client = max(options.transactions // options.clients, 1)
        command = target.pgbench("-n", "-M", "extended", "-c", str(options.clients), "-t", str(per_client))
        subprocess.run(command,
                       capture_output=True, text=True, check=True)
        last = current_lsn(cluster.primary)
        started = time.perf_counter()
        standby.start()
        wait_caught_up(cluster.primary, standby)
        seconds = time.perf_counter() - started
        assert applied_lsn(standby) >= last
    return per_client * options.clients / seconds, (last - first) / seconds


def report(options: argparse.Namespace, results: list[SetupResult], catch_up: tuple[float, float],
           load: float) -> str:
    base = results[0]
    lines = [f"- command: `.venv/bin/python -m bench.replication_bench --seconds {options.seconds} "
             f"--clients {options.clients} --transactions {options.transactions}`",
             f"- code: {code_version()}", f"- machine: {machine()}",
             f"- 1-minute load average: {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end",
             "", "| primary | 1 client: tps | p50 / p99 commit latency (ms) | "
             f"{options.clients} clients: tps | tps vs no standby |", "|---|---:|---:|---:|---:|"]
    for result in results:
        lines.append(f"| {result.name} | {result.latency.cell()} | {result.latency.latency_cell()} | "
                     f"{result.throughput.cell()} | {ratio(base.throughput, result.throughput)} |")
    lines += ["", f"Catch-up of a standby restarted {options.transactions} transactions behind: "
                  f"{catch_up[0]:,.0f} transactions/s ({catch_up[1]:,.0f} journal entries/s), "
                  "server start included."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--transactions", type=int, default=2000)
    options = parser.parse_args(argv)
    if shutil.which("pgbench") is None:
        print("skipped: pgbench is not installed (make deps)")
        return 0
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="heliosdb-replication-bench-") as scratch:
        root = Path(scratch)
        results = [bench_setup(root / name.replace(" ", "-"), name, mode, standbys, options)
                   for name, mode, standbys in SETUPS]
        catch_up = bench_catch_up(root / "catch-up", options)
    print(report(options, results, catch_up, load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
