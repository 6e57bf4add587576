"""Python work per transaction of the server's statement path, counted, not timed: versions compared.

The real `Session` of each version (a git commit, materialised with `git archive`, or a source
directory) runs in a child process on an embedded store, fed a client's messages from memory and
writing to a sink: no sockets, no other process. Each workload's transactions run once to warm the
caches, then again under `sys.settrace` with opcode events, and the Python bytecode instructions
executed per transaction are reported, with the process CPU time per transaction of an untraced
run beside them. An instruction count does not move with the machine's load, so small changes
can be compared on a shared machine; it does not see time spent in C (SQLite, the codecs' C
parts, the interpreter's own calls), which `bench.cpu_per_transaction` measures with real clients.

Workloads, as pgbench sends them: `select` (-S, simple protocol), `select-extended` (-S -M
extended: Parse, Bind, Describe, Execute, Sync) and `tpcb` (the TPC-B-like script, simple
protocol). The child drives `Server._on_connection`, so the versions compared must have its
present signature (2026-12 on).

    .venv/bin/python -m bench.statement_opcodes BASE [OTHER ...] [--workloads select,select-extended,tpcb]
        [--transactions 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("select", "select-extended", "tpcb")
ACCOUNTS = 10_000
SETUP = (
    "create table pgbench_accounts(aid int primary key, bid int, abalance int, filler char(84))",
    "create table pgbench_branches(bid int primary key, bbalance int, filler char(88))",
    "create table pgbench_tellers(tid int primary key, bid int, tbalance int, filler char(84))",
    "create table pgbench_history(tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))",
    "insert into pgbench_branches select 1, 0, ''",
    "insert into pgbench_tellers select g, 1, 0, '' from generate_series(1, 10) g",
    f"insert into pgbench_accounts select g, 1, 0, '' from generate_series(1, {ACCOUNTS}) g",
)


def _frame(type_code: bytes, body: bytes) -> bytes:
    return type_code + struct.pack("!i", len(body) + 4) + body


def _query(sql: str) -> bytes:
    return _frame(b"Q", sql.encode() + b"\0")


def _startup() -> bytes:
    body = struct.pack("!i", 196608) + b"user\0postgres\0database\0postgres\0\0"
    return struct.pack("!i", len(body) + 4) + body


def _extended_select(aid: int) -> bytes:
    value = str(aid).encode()
    return (_frame(b"P", b"\0SELECT abalance FROM pgbench_accounts WHERE aid = $1;\0" + struct.pack("!h", 0))
            + _frame(b"B", b"\0\0" + struct.pack("!hhi", 0, 1, len(value)) + value + struct.pack("!h", 0))
            + _frame(b"D", b"P\0") + _frame(b"E", b"\0" + struct.pack("!i", 0)) + _frame(b"S", b""))


def transaction(workload: str, number: int) -> bytes:
    """The client's messages of transaction `number` (its account, teller and delta follow from it)."""
    aid, tid, delta = 1 + number * 7919 % ACCOUNTS, 1 + number % 10, number % 1000 - 500
    if workload == "select":
        return _query(f"SELECT abalance FROM pgbench_accounts WHERE aid = {aid};")
    if workload == "select-extended":
        return _extended_select(aid)
    return b"".join(_query(sql) for sql in (
        "BEGIN;",
        f"UPDATE pgbench_accounts SET abalance = abalance + {delta} WHERE aid = {aid};",
        f"SELECT abalance FROM pgbench_accounts WHERE aid = {aid};",
        f"UPDATE pgbench_tellers SET tbalance = tbalance + {delta} WHERE tid = {tid};",
        f"UPDATE pgbench_branches SET bbalance = bbalance + {delta} WHERE bid = 1;",
        f"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ({tid}, 1, {aid}, {delta}, "
        "CURRENT_TIMESTAMP);",
        "END;"))


class _Sink:
    """The StreamWriter a session writes its answers to: they are counted and dropped."""

    def __init__(self) -> None:
        self.transport = self
        self.written = 0

    def write(self, data: bytes) -> None:
        self.written += len(data)

    async def drain(self) -> None:
        return None

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, **_: int) -> None:
        return None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else default

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        return None

    async def wait_closed(self) -> None:
        return None


class _Counter:
    """A sys.settrace tracer counting the bytecode instructions executed."""

    def __init__(self) -> None:
        self.instructions = 0

    def __call__(self, frame: FrameType, event: str, _: Any) -> _Counter:
        frame.f_trace_opcodes = True
        if event == "opcode":
            self.instructions += 1
        return self


def measure(workload: str, transactions: int) -> dict[str, float]:
    """In this process (run with the version's tree first on sys.path): instructions and CPU
    microseconds per transaction of `workload`."""
    from heliosdb_lite.config import load_config
    from heliosdb_lite.replication.rejoin import prepare_standby
    from heliosdb_lite.server.app import Server
    from heliosdb_lite.server.startup import open_database

    directory = Path(tempfile.mkdtemp(prefix="opcodes-"))
    config = load_config(None, overrides={"database.path": str(directory / "data"), "server.port": "0",
                                          "transaction_replay.journal_sync_mode": "fsync"})
    database = open_database(config, "bench.statement_opcodes", prepare_standby)
    startup, terminate = _startup(), _frame(b"X", b"")

    async def session(server: Server, messages: bytes) -> None:
        reader = asyncio.StreamReader(limit=2**16)
        reader.feed_data(startup + messages + terminate)
        reader.feed_eof()
        await server._on_connection(reader, _Sink())  # type: ignore[arg-type]

    def workload_messages(count: int) -> bytes:
        return b"".join(transaction(workload, number) for number in range(count))

    async def run() -> dict[str, float]:
        server = Server(config, database.engine, database.commit_service, None)
        await session(server, b"".join(_query(sql) for sql in SETUP))
        await session(server, workload_messages(300))  # caches warm, shapes learnt
        counter = _Counter()
        counts = []
        for count in (0, transactions):  # the difference leaves out the session's start and end
            counter.instructions = 0
            sys.settrace(counter)
            try:
                await session(server, workload_messages(count))
            finally:
                sys.settrace(None)
            counts.append(counter.instructions)
        data = workload_messages(transactions * 10)
        started = time.process_time()
        await session(server, data)
        cpu = time.process_time() - started
        return {"instructions": (counts[1] - counts[0]) / transactions,
                "cpu_us": cpu / (transactions * 10) * 1e6}

    try:
        return asyncio.run(run())
    finally:
        asyncio.run(database.close())


def _measured_in_child(tree: Path, workload: str, transactions: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", workload,
                           "--transactions", str(transactions)],
                          env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
                          check=False, cwd=tempfile.gettempdir())
    if done.returncode != 0:
        raise RuntimeError(f"measuring {workload} in {tree} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def rows(versions: list[str], workloads: list[str], transactions: int) -> Iterator[str]:
    from bench.cpu_per_transaction import source_tree

    with tempfile.TemporaryDirectory(prefix="opcodes-src-") as scratch:
        trees = [source_tree(version, Path(scratch)) for version in versions]
        yield "| workload | version | instructions / tx | vs base | CPU µs / tx (in-process) | vs base |"
        yield "|---|---|---:|---:|---:|---:|"
        for workload in workloads:
            base: dict[str, float] | None = None
            for version, tree in zip(versions, trees, strict=True):
                result = _measured_in_child(tree, workload, transactions)
                base = base or result
                yield (f"| {workload} | {version} | {result['instructions']:,.0f} | "
                       f"{base['instructions'] / result['instructions']:.2f}x | {result['cpu_us']:,.1f} | "
                       f"{base['cpu_us'] / result['cpu_us']:.2f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="*", help="git commits or source directories, the base first")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.transactions)))
        return 0
    if not args.versions:
        parser.error("name at least one version")
    workloads = [name for name in args.workloads.split(",") if name]
    unknown = sorted(set(workloads) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads {', '.join(unknown)} (known: {', '.join(WORKLOADS)})")
    for row in rows(args.versions, workloads, args.transactions):
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
