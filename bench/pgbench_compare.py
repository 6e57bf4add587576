"""pgbench against PostgreSQL 15: the same pgbench runs on a local PostgreSQL 15 and on HeliosDB-Lite,
both durable (PostgreSQL with fsync, synchronous_commit and full_page_writes on; HeliosDB-Lite with
journal_sync_mode = fsync), one server after the other so neither competes with the other for the cores.

For each server: `pgbench -i -s SCALE` (timed), then for the built-in TPC-B-like script and for
`-S` (select-only), in each query mode and for each client count, `pgbench -n -c C -j min(C,2)
-T SECONDS -l`. `-n` keeps pgbench_history across runs, so after the last run every server must
satisfy sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta): that check is printed, and a
failed check makes the exit status 1. tps is pgbench's (without initial connection time); p50 and
p99 are percentiles of the per-transaction latencies in pgbench's `-l` logs. A run in which pgbench aborts
clients is reported with pgbench's error text instead of failing the benchmark. For HeliosDB-Lite
it also reports the server process's CPU time (user + system, from /proc) per transaction of each
run, which moves much less than tps with the load of a shared machine.

Before each server's runs, one second of journal_bench's raw write+fsync loop measures what the
disk allows then, so that runs on a slower moment of a shared VM disk can be told apart. Prints a
markdown report (date, exact command, code version, machine and its load average, durability
settings, disk rate, tables).

    .venv/bin/python -m bench.pgbench_compare [--seconds 5] [--clients 1,4,16] [--scale 1]
        [--modes simple,extended]

The data directories live under the system temporary directory (set TMPDIR to move them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.journal_bench import raw_loop
from testsupport.pg_reference import (
    PG_BINDIR,
    as_postgres_user,
    reference_unavailable_reason,
    start_cluster,
    stop_cluster,
)
from testsupport.server_process import ServerProcess

ROOT = Path(__file__).resolve().parent.parent

WORKLOADS: dict[str, tuple[str, ...]] = {"tpcb-like": (), "select-only": ("-S",)}
QUERY_MODES = ("simple", "extended", "prepared")
DEFAULT_SECONDS = 5
DEFAULT_CLIENTS = (1, 4, 16)
DEFAULT_MODES = ("simple", "extended")
MAX_THREADS = 2
DISK_PROBE_SECONDS = 1.0
DISK_PROBE_PAYLOAD = bytes(100)
PGBENCH_GRACE_SECONDS = 120
SYNC_MODE_VARIABLE = "HELIOSDB_TRANSACTION_REPLAY_JOURNAL_SYNC_MODE"
POSTGRES_DURABILITY = ("fsync", "synchronous_commit", "full_page_writes", "wal_sync_method")
BALANCES = (("pgbench_accounts", "abalance"), ("pgbench_tellers", "tbalance"),
            ("pgbench_branches", "bbalance"), ("pgbench_history", "delta"))
ABORTED_CLIENT = re.compile(r"client \d+ script \d+ aborted in (command \d+) query \d+: (.*)")


@dataclass(frozen=True)
class Target:
    """A running server that pgbench and psycopg reach on loopback."""

    name: str
    port: int
    durability: str
    host: str = "127.0.0.1"
    pid: int | None = None  # the server process, when this script started it

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user=postgres dbname=postgres"

    def pgbench(self, *arguments: str) -> list[str]:
        return ["pgbench", "-h", self.host, "-p", str(self.port), "-U", "postgres", *arguments, "postgres"]


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Run:
    """One timed pgbench run: tps is None when no transaction completed."""

    clients: int
    tps: float | None
    latency: Latency | None
    aborted_clients: int
    errors: tuple[str, ...]
    cpu_us_per_tx: float | None = None  # the server process's CPU time per transaction, when known

    @property
    def clean(self) -> bool:
        return self.clean_tps is not None

    @property
    def clean_tps(self) -> float | None:
        """tps of a run without errors, else None."""
        return self.tps if not self.errors else None

    def cell(self) -> str:
        errors = "; ".join(self.errors).replace("|", "\\|")
        if self.tps is None:
            return f"failed: {errors}"
        if self.errors:
            return f"{self.tps:,.1f} ({self.aborted_clients}/{self.clients} clients aborted: {errors})"
        return f"{self.tps:,.1f}"

    def latency_cell(self) -> str:
        return "—" if self.latency is None else f"{self.latency.p50_ms:.2f} / {self.latency.p99_ms:.2f}"

    def cpu_cell(self) -> str:
        return "—" if self.cpu_us_per_tx is None else f"{self.cpu_us_per_tx:,.0f}"


RunKey = tuple[str, str, int]  # workload, mode, clients


@dataclass(frozen=True)
class ServerReport:
    name: str
    durability: str
    disk_syncs_per_s: float
    init_seconds: float
    init_breakdown: str
    runs: dict[RunKey, Run]
    balances: dict[str, int]
    history_rows: int

    @property
    def consistent(self) -> bool:
        return len(set(self.balances.values())) == 1


# -- the servers ---------------------------------------------------------------------------------

@contextmanager
def durable_postgres() -> Iterator[Target]:
    """A throwaway PostgreSQL 15 (initdb'd by testsupport/py), restarted with its default,
    durable settings instead of the test suite's fsync=off ones."""
    cluster = start_cluster()
    try:
        restart = [str(PG_BINDIR / "pg_ctl"), "restart", "-w", "-m", "fast",
                   "-D", str(cluster.data_dir), "-l", str(cluster.root / "postgres.log"),
                   "-o", f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {cluster.root}"]
        done = subprocess.run(as_postgres_user(restart), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl restart failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        with psycopg.connect(cluster.dsn) as connection:
            settings = [f"{name}={_value(connection, f'SHOW {name}')}" for name in POSTGRES_DURABILITY]
        yield Target("PostgreSQL", cluster.port, " ".join(settings))
    finally:
        stop_cluster(cluster)


@contextmanager
def durable_heliosdb() -> Iterator[Target]:
    """`heliosdb-lite serve` on a fresh data directory with journal_sync_mode = fsync."""
    with tempfile.TemporaryDirectory(prefix="heliosdb-pgbench-") as scratch:
        server = ServerProcess(Path(scratch) / "data", env={SYNC_MODE_VARIABLE: "fsync"})
        server.start()
        try:
            assert server.process is not None
            yield Target("HeliosDB-Lite", server.port, "journal_sync_mode=fsync", pid=server.process.pid)
        finally:
            server.stop()


# -- pgbench -------------------------------------------------------------------------------------

def initialise(target: Target, scale: int) -> tuple[float, str]:
    """`pgbench -i -s scale`: its wall time and pgbench's own breakdown."""
    started = time.perf_counter()
    done = subprocess.run(target.pgbench("-i", "-q", "-s", str(scale)), capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"pgbench -i on {target.name} failed:\n{done.stdout}\n{done.stderr}")
    breakdown = re.search(r"^done in .*$", done.stderr + done.stdout, re.MULTILINE)
    return seconds, breakdown.group(0) if breakdown else ""


def pgbench_errors(stderr: str) -> tuple[tuple[str, ...], int]:
    """pgbench's distinct error messages (client numbers dropped) and how many clients it aborted."""
    messages: list[str] = []
    aborted = 0
    for line in stderr.splitlines():
        if not line.startswith("pgbench: error: ") or "Run was aborted" in line:
            continue
        text = line.removeprefix("pgbench: error: ")
        client = ABORTED_CLIENT.match(text)
        if client is not None:
            aborted += 1
            text = f"{client.group(1)}: {client.group(2)}"
        text = " ".join(text.split())
        if text not in messages:
            messages.append(text)
    return tuple(messages), aborted


def logged_latencies(log_dir: Path) -> list[int]:
    """The latencies (third field, microseconds) in pgbench's per-transaction logs: every file under
    `log_dir`, subdirectories included (one per run, when several runs are pooled)."""
    return [int(fields[2]) for log in sorted(log_dir.rglob("*")) if log.is_file()
            for fields in (line.split() for line in log.read_text().splitlines())
            if len(fields) > 2 and fields[2].isdigit()]


def logged_latency(log_dir: Path) -> Latency | None:
    """p50 and p99 of the latencies in pgbench's per-transaction logs under `log_dir`."""
    latencies = logged_latencies(log_dir)
    if len(latencies) < 2:
        return None
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return Latency(percentiles[49] / 1000, percentiles[98] / 1000)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_run(target: Target, workload: str, mode: str, clients: int, seconds: int, logs: Path) -> Run:
    log_dir = Path(tempfile.mkdtemp(dir=logs))
    command = target.pgbench("-n", *WORKLOADS[workload], "-M", mode, "-c", str(clients),
                             "-j", str(min(clients, MAX_THREADS)), "-T", str(seconds),
                             "-l", f"--log-prefix={log_dir / 'tx'}")
    cpu_before = cpu_seconds(target.pid) if target.pid is not None else None
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=seconds + PGBENCH_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        return Run(clients, None, None, clients,
                   (f"pgbench did not finish within {seconds + PGBENCH_GRACE_SECONDS} s",))
    tps = re.search(r"^tps = ([\d.]+)", done.stdout, re.MULTILINE)
    processed = re.search(r"^number of transactions actually processed: (\d+)", done.stdout, re.MULTILINE)
    cpu = None
    if cpu_before is not None and target.pid is not None and processed and int(processed.group(1)):
        cpu = (cpu_seconds(target.pid) - cpu_before) * 1e6 / int(processed.group(1))
    errors, aborted = pgbench_errors(done.stderr)
    if done.returncode != 0 and not errors:
        errors = (f"pgbench exited with {done.returncode}: {done.stderr.strip()[-300:]}",)
    return Run(clients, float(tps.group(1)) if tps else None, logged_latency(log_dir), aborted, errors, cpu)


def balance_sums(target: Target) -> tuple[dict[str, int], int]:
    """sum() of each balance column and of pgbench_history.delta, and the history's row count."""
    with psycopg.connect(target.dsn) as connection:
        sums = {f"sum({column})": int(_value(connection, f"SELECT coalesce(sum({column}), 0) FROM {table}"))
                for table, column in BALANCES}
        rows = int(_value(connection, "SELECT count(*) FROM pgbench_history"))
    return sums, rows


def _value(connection: psycopg.Connection[Any], query: str) -> Any:
    """The one value of a query's one row."""
    [(value,)] = connection.execute(query).fetchall()
    return value


def bench_server(server: Callable[[], AbstractContextManager[Target]], options: argparse.Namespace,
                 logs: Path) -> ServerReport:
    with server() as target:
        disk = raw_loop(logs, DISK_PROBE_SECONDS, DISK_PROBE_PAYLOAD, "fsync").commits_per_s
        print(f"{target.name}: {target.durability}; disk: {disk:,.0f} write+fsync/s", flush=True)
        init_seconds, breakdown = initialise(target, options.scale)
        print(f"  pgbench -i -s {options.scale}: {init_seconds:.2f} s ({breakdown})", flush=True)
        runs: dict[RunKey, Run] = {}
        for workload in WORKLOADS:
            for mode in options.modes:
                for clients in options.clients:
                    run = timed_run(target, workload, mode, clients, options.seconds, logs)
                    runs[(workload, mode, clients)] = run
                    cpu = "" if run.cpu_us_per_tx is None else f", server CPU {run.cpu_cell()} µs/tx"
                    print(f"  {workload:<12} {mode:<9} {clients:>3} clients: {run.cell()}, "
                          f"p50 / p99 {run.latency_cell()} ms{cpu}", flush=True)
        balances, history_rows = balance_sums(target)
        return ServerReport(target.name, target.durability, disk, init_seconds, breakdown, runs, balances,
                            history_rows)


# -- the report ----------------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    df = subprocess.run(["df", "--output=fstype", tempfile.gettempdir()], capture_output=True, text=True,
                        check=False).stdout.split()
    filesystem = df[-1] if len(df) > 1 else "unknown file system"
    pgbench = subprocess.run(["pgbench", "--version"], capture_output=True, text=True, check=False).stdout
    return (f"nproc {len(os.sched_getaffinity(0))} ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, {pgbench.strip()}, "
            f"data in {tempfile.gettempdir()} ({filesystem})")


def code_version() -> str:
    """The commit the server ran from, and whether heliosdb_lite/ had uncommitted changes."""
    def git(*arguments: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True,
                              check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = git("status", "--porcelain", "--", "heliosdb_lite")
    return f"{commit} with uncommitted changes under heliosdb_lite/" if dirty else commit


def command_line(options: argparse.Namespace) -> str:
    return (f".venv/bin/python -m bench.pgbench_compare --seconds {options.seconds} "
            f"--clients {','.join(map(str, options.clients))} --scale {options.scale} "
            f"--modes {','.join(options.modes)}")


def ratio(postgres: Run, heliosdb: Run) -> str:
    base, measured = postgres.clean_tps, heliosdb.clean_tps
    if not base or measured is None:
        return "—"
    return f"{measured / base:.2f}"


def report(options: argparse.Namespace, load_at_start: float, postgres: ServerReport,
           heliosdb: ServerReport) -> str:
    lines = [
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- command: `{command_line(options)}`",
        f"- code: {code_version()}",
        f"- machine: {machine()}",
        f"- 1-minute load average: {load_at_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end "
        "(other processes share the cores when it exceeds the run's own load)",
        f"- durability: PostgreSQL {postgres.durability}; HeliosDB-Lite {heliosdb.durability}",
        f"- disk (raw write+fsync loop, {DISK_PROBE_SECONDS:.0f} s, just before each server's runs): "
        f"{postgres.disk_syncs_per_s:,.0f}/s before PostgreSQL's, {heliosdb.disk_syncs_per_s:,.0f}/s "
        "before HeliosDB-Lite's",
        "",
        f"| server | `pgbench -i -s {options.scale}` (s) | pgbench's breakdown |",
        "|---|---:|---|",
        *(f"| {server.name} | {server.init_seconds:.2f} | {server.init_breakdown} |"
          for server in (postgres, heliosdb)),
        "",
        "| workload | clients | mode | PostgreSQL tps | HeliosDB-Lite tps | HeliosDB/PostgreSQL "
        "| PostgreSQL p50 / p99 ms | HeliosDB-Lite p50 / p99 ms | HeliosDB-Lite server CPU µs/tx |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, ours in heliosdb.runs.items():
        theirs = postgres.runs[key]
        workload, mode, clients = key
        lines.append(f"| {workload} | {clients} | {mode} | {theirs.cell()} | {ours.cell()} "
                     f"| {ratio(theirs, ours)} | {theirs.latency_cell()} | {ours.latency_cell()} "
                     f"| {ours.cpu_cell()} |")
    lines.append("")
    for server in (postgres, heliosdb):
        sums = ", ".join(f"{name} = {value}" for name, value in server.balances.items())
        verdict = "consistent" if server.consistent else "INCONSISTENT"
        lines.append(f"- check {server.name}: {sums} ({server.history_rows} history rows): {verdict}")
    return "\n".join(lines)


# -- command line --------------------------------------------------------------------------------

def int_list(text: str) -> tuple[int, ...]:
    values = tuple(int(part) for part in text.split(","))
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, got {text!r}")
    return values


def choice_list(allowed: Sequence[str], what: str) -> Callable[[str], tuple[str, ...]]:
    """An argparse type: names from `allowed`, separated by commas."""
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(text.split(","))
        unknown = set(names) - set(allowed)
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {what}(s) {sorted(unknown)}; choose from {tuple(allowed)}")
        return names
    return parse


mode_list = choice_list(QUERY_MODES, "query mode")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS, help="duration of each run (-T)")
    parser.add_argument("--clients", type=int_list, default=DEFAULT_CLIENTS, help="client counts (-c)")
    parser.add_argument("--scale", type=int, default=1, help="scale factor of pgbench -i")
    parser.add_argument("--modes", type=mode_list, default=DEFAULT_MODES, help="query modes (-M)")
    return parser.parse_args(argv)


def unavailable_reason() -> str | None:
    if shutil.which("pgbench") is None:
        return "pgbench is not installed (make deps installs postgresql-client)"
    return reference_unavailable_reason()


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    reason = unavailable_reason()
    if reason is not None:
        print(f"pgbench_compare skipped: {reason}")
        return 0
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="heliosdb-pgbench-logs-") as logs:
        postgres = bench_server(durable_postgres, options, Path(logs))
        heliosdb = bench_server(durable_heliosdb, options, Path(logs))
    print()
    print(report(options, load_at_start, postgres, heliosdb))
    return 0 if postgres.consistent and heliosdb.consistent else 1


if __name__ == "__main__":
    sys.exit(main())
