"""Server CPU time per transaction of several versions of HeliosDB-Lite, measured in one run.

Each version (a git commit or tag of this repository, materialised with `git archive`, or a source
directory) runs as its own `heliosdb-lite serve` (journal_sync_mode = fsync, `pgbench -i -s
SCALE`); then for `--rounds` rounds, for each workload, each version in turn runs
`pgbench -n -T SECONDS`, and the server process's CPU time (user + system, /proc/PID/stat) over
the run is divided by the transactions pgbench processed. The versions alternate within every
round, so a shared machine's changing load falls on all of them alike; the report gives each
cell's median over the rounds and its ratio to the first version. CPU per transaction moves much
less with the load than tps, which is printed beside it.

    .venv/bin/python -m bench.cpu_per_transaction BASE [OTHER ...] [--seconds 6] [--rounds 3]
        [--workloads select,select-extended,tpcb,tpcb-8] [--scale 1]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.pgbench_compare import cpu_seconds
from testsupport.server_process import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS: dict[str, tuple[str, ...]] = {
    "select": ("-S", "-c", "1"),
    "select-extended": ("-S", "-M", "extended", "-c", "1"),
    "select-8": ("-S", "-c", "8", "-j", "2"),
    "tpcb": ("-c", "1"),
    "tpcb-extended": ("-M", "extended", "-c", "1"),
    "tpcb-8": ("-c", "8", "-j", "2"),
}
SYNC_MODE_VARIABLE = "HELIOSDB_TRANSACTION_REPLAY_JOURNAL_SYNC_MODE"


def source_tree(version: str, scratch: Path) -> Path:
    """A directory holding `version`: itself if it is one, else `git archive` of that commit."""
    if Path(version).is_dir():
        return Path(version).resolve()
    tree = scratch / f"src-{len(list(scratch.iterdir()))}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", version], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def pgbench(port: int, *arguments: str) -> str:
    done = subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", *arguments,
                           "postgres"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pgbench {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def measured(server: ServerProcess, workload: str, seconds: int) -> tuple[float, float]:
    """(server CPU µs per transaction, tps) of one pgbench run."""
    assert server.process is not None
    before = cpu_seconds(server.process.pid)
    out = pgbench(server.port, "-n", *WORKLOADS[workload], "-T", str(seconds))
    spent = cpu_seconds(server.process.pid) - before
    processed = re.search(r"^number of transactions actually processed: (\d+)", out, re.MULTILINE)
    tps = re.search(r"^tps = ([\d.]+)", out, re.MULTILINE)
    if processed is None or tps is None or not int(processed.group(1)):
        raise RuntimeError(f"pgbench processed no transaction:\n{out}")
    return spent * 1e6 / int(processed.group(1)), float(tps.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="+",
                        help="git commits or source directories; the first is the base")
    parser.add_argument("--seconds", type=int, default=6, help="duration of each pgbench run (-T)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each workload per version")
    parser.add_argument("--workloads", default="select,select-extended,tpcb,tpcb-8",
                        help=f"comma-separated, of {', '.join(WORKLOADS)}")
    parser.add_argument("--scale", type=int, default=1, help="scale factor of pgbench -i")
    options = parser.parse_args(argv)
    workloads = options.workloads.split(",")
    unknown = set(workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}")
    if shutil.which("pgbench") is None:
        print("skipped: pgbench is not installed (make deps)")
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="heliosdb-cpu-"))
    servers: list[ServerProcess] = []
    try:
        trees = [source_tree(version, scratch) for version in options.versions]
        for index, tree in enumerate(trees):
            data = scratch / f"data-{index}"
            data.mkdir()
            server = ServerProcess(data / "data", env={"PYTHONPATH": str(tree), SYNC_MODE_VARIABLE: "fsync"})
            servers.append(server.start())
            pgbench(server.port, "-i", "-q", "-s", str(options.scale))
        cells: dict[tuple[str, int], list[tuple[float, float]]] = {}
        for _ in range(options.rounds):
            for workload in workloads:
                for index, server in enumerate(servers):
                    run = measured(server, workload, options.seconds)
                    cells.setdefault((workload, index), []).append(run)
        print(f"load average at the end: {os.getloadavg()[0]:.2f}; {options.rounds} rounds of "
              f"{options.seconds} s, medians\n")
        print("| workload | version | server CPU µs/tx | CPU vs base | tps | tps vs base |")
        print("|---|---|---:|---:|---:|---:|")
        for workload in workloads:
            base_cpu = statistics.median(cpu for cpu, _ in cells[(workload, 0)])
            base_tps = statistics.median(tps for _, tps in cells[(workload, 0)])
            for index, version in enumerate(options.versions):
                cpu = statistics.median(cpu for cpu, _ in cells[(workload, index)])
                tps = statistics.median(tps for _, tps in cells[(workload, index)])
                print(f"| {workload} | {version} | {cpu:,.0f} | {base_cpu / cpu:.2f}x | {tps:,.1f} "
                      f"| {tps / base_tps:.2f}x |")
        return 0
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
