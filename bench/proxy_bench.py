"""The transparent-replay proxy's cost and its recovery time: pgbench directly against HeliosDB-Lite
and through `heliosdb-lite proxy` in front of the same server, in the same run; then how long an
application's COMMIT, interrupted by a SIGKILL of the server, takes to return through the proxy.

- Throughput: one server (journal_sync_mode = fsync, as bench/pgbench_compare.py) and one proxy in
  front of it; `pgbench -i -s SCALE` once, then for the built-in TPC-B-like script and `-S`
  (select-only), in each query mode and for each client count, `pgbench -n -c C -j min(C,2)
  -T SECONDS -l` directly and through the proxy, REPEATS times each, the order of the sides
  reversed every other time (ABBA for two repeats, the first side swapped from one point to the
  next) so that drift on a shared machine favours neither. With --relay, a third side goes
  through bench/byte_relay.py, which forwards bytes and does nothing else: the floor of any
  Python relay on this machine. Reported per point: mean tps (and the runs' range), the ratios
  to direct, p50 / p99 of the pooled per-transaction latencies of pgbench's `-l` logs, and the
  CPU time per transaction (from /proc) of the server (direct runs) and of the proxy (proxy
  runs), and their ratio: what the proxy adds to the work of each transaction, which moves much
  less with the machine's load than tps does. `-n` keeps pgbench_history, so at the end
  sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta) must hold, as in pgbench_compare.
  Goal (issue 10): the proxy costs at most 15% of the tps.
- Interrupted COMMIT: a second server behind its own proxy, and psycopg connections through the
  proxy (one per transaction, opened once the server is up) running explicit transactions (three
  UPDATEs of counters and one INSERT of the transaction's number), none of them retried by the
  application. Each transaction's COMMIT is interrupted one of three ways, KILLS times each: the
  server kills itself (SIGKILL) at the fault point `journal_appended` (the commit's journal entry is
  written, the answer not sent: the proxy answers COMMIT from the outcome lookup) or
  `commit_acknowledged` (the answer was handed to the socket), armed with HELIOSDB_FAULT_POINTS
  (heliosdb_lite/fault_points.py); or the server is SIGSTOPped, the COMMIT sent, and the server
  SIGKILLed with the COMMIT unread (before the journal append: the lookup fences the GTID and the
  proxy replays the transaction). The bench waits for the process's death, restarts the server at
  once on the same data directory and port, and measures from the death (as observed: the process
  reaped) to the application's COMMIT returning successfully, and to the restarted server's ready
  line; p50 / p99 / max. At the end every counter must equal the number of COMMITs that returned and
  every transaction's row must be there exactly once.

Prints a markdown report (date, command, code version, machine and load average, tables). Exit
status 1 when a check fails or the application saw an error.

    .venv/bin/python -m bench.proxy_bench [--seconds 5] [--clients 1,4,8] [--scale 1]
        [--workloads tpcb-like,select-only] [--modes simple,extended] [--repeats 2] [--kills 30] [--relay]

Numbers from a shared machine move with its load: read the ratios, measured side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.byte_relay import RelayProcess
from bench.pgbench_compare import (
    SYNC_MODE_VARIABLE,
    WORKLOADS,
    Latency,
    Run,
    Target,
    balance_sums,
    choice_list,
    code_version,
    durable_heliosdb,
    initialise,
    int_list,
    logged_latencies,
    logged_latency,
    machine,
    mode_list,
    timed_run,
)
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess, free_port, unread_bytes_waiting
from testsupport.suspend import suspend

DEFAULT_SECONDS = 5
DEFAULT_CLIENTS = (1, 4, 8)
DEFAULT_MODES = ("simple", "extended")
DEFAULT_REPEATS = 2
DEFAULT_KILLS = 30
COST_GOAL = 0.85  # proxy / direct tps: the proxy costs at most 15%
RELAY = "relay"  # bench/byte_relay.py, with --relay
WAIT_SECONDS = 120.0
POLL_SECONDS = 0.001
COUNTERS = (1, 2, 3)
LOOKUPS = "heliosdb_transparent_replay_outcome_lookups_total"
FAILED = "heliosdb_transparent_replay_failed_total"
FAILURE_REASONS = ("diverged", "unreproducible", "attempts_exhausted", "deadline", "restore_failed")


# -- throughput: direct against through the proxy ------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid` so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Side:
    """The runs of one point on one side (direct or through the proxy); latency and transactions
    from their pooled logs, once the runs are done (`pool`)."""

    logs: Path
    runs: list[Run] = field(default_factory=list)
    # by process: server, proxy, relay
    cpu_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    latency: Latency | None = None
    transactions: int = 0

    def pool(self) -> None:
        self.latency = logged_latency(self.logs)
        self.transactions = len(logged_latencies(self.logs))

    @property
    def clean(self) -> bool:
        return bool(self.runs) and all(run.clean for run in self.runs)

    @property
    def tps(self) -> float | None:
        return statistics.fmean(self._rates()) if self.clean else None

    def _rates(self) -> list[float]:
        return [run.tps for run in self.runs if run.tps is not None]

    def cell(self) -> str:
        if not self.clean:
            return "; ".join(run.cell() for run in self.runs if not run.clean)
        rates = self._rates()
        spread = f" ({min(rates):,.0f} to {max(rates):,.0f})" if len(rates) > 1 else ""
        return f"{self.tps:,.1f}{spread}"

    def latency_cell(self) -> str:
        latency = self.latency
        return "—" if latency is None else f"{latency.p50_ms:.2f} / {latency.p99_ms:.2f}"


@dataclass
class Point:
    workload: str
    mode: str
    clients: int
    sides: dict[str, Side]

    def ratio(self, side: str = "proxy") -> float | None:
        """tps of `side` / tps direct."""
        direct, other = self.sides["direct"].tps, self.sides[side].tps
        return other / direct if direct and other is not None else None

    def cpu_us(self, side: str) -> float | None:
        """CPU time per transaction, µs, of the process a side adds (the server: direct)."""
        runs = self.sides[side]
        process = "server" if side == "direct" else side
        return runs.cpu_seconds[process] / runs.transactions * 1e6 if runs.transactions else None

    def proxy_share(self) -> float | None:
        """The proxy's CPU time per transaction / the server's."""
        server, proxy = self.cpu_us("direct"), self.cpu_us("proxy")
        return proxy / server if server and proxy is not None else None

    def cpu_cells(self) -> str:
        cells = [self.cpu_us(side) for side in self.sides]
        share = self.proxy_share()
        return " | ".join("—" if value is None else f"{value:,.0f}" for value in cells) + \
            f" | {'—' if share is None else f'{share:.2f}'}"


@dataclass(frozen=True)
class Throughput:
    points: list[Point]
    init_seconds: float
    balances: dict[str, int]
    history_rows: int

    @property
    def consistent(self) -> bool:
        return len(set(self.balances.values())) == 1


def measure_point(targets: dict[str, Target], pids: dict[str, int], point: Point,
                  options: argparse.Namespace, number: int) -> None:
    """`options.repeats` runs of each side, the order reversed every other time; `pids`: the
    processes (server, proxy, relay) whose CPU time each run adds to its side."""
    names = tuple(point.sides)
    for repeat in range(options.repeats):
        order = names if (number + repeat) % 2 == 0 else names[::-1]
        for name in order:
            side = point.sides[name]
            before = {process: cpu_seconds(pid) for process, pid in pids.items()}
            run = timed_run(targets[name], point.workload, point.mode, point.clients, options.seconds,
                            side.logs)
            for process, pid in pids.items():
                side.cpu_seconds[process] += cpu_seconds(pid) - before[process]
            side.runs.append(run)
            print(f"  {point.workload:<12} {point.mode:<9} {point.clients:>3} clients {name:<6}: "
                  f"{run.cell()}, p50 / p99 {run.latency_cell()} ms", flush=True)
    for side in point.sides.values():
        side.pool()


def bench_throughput(options: argparse.Namespace, logs: Path) -> Throughput:
    with durable_heliosdb() as direct, ExitStack() as stack:
        upstream = f"{direct.host}:{direct.port}"
        proxy = ProxyProcess([upstream]).start()
        stack.callback(proxy.stop)
        assert proxy.process is not None and direct.pid is not None
        pids = {"server": direct.pid, "proxy": proxy.process.pid}
        targets = {"direct": direct, "proxy": Target("proxy", proxy.port, direct.durability)}
        if options.relay:
            relay = RelayProcess(upstream, logs).start()
            stack.callback(relay.stop)
            targets[RELAY] = Target(RELAY, relay.port, direct.durability)
            assert relay.process is not None
            pids[RELAY] = relay.process.pid
        init_seconds, _ = initialise(direct, options.scale)
        print(f"pgbench -i -s {options.scale}: {init_seconds:.2f} s", flush=True)
        points: list[Point] = []
        for workload in options.workloads:
            for mode in options.modes:
                for clients in options.clients:
                    sides = {name: Side(logs / f"{workload}-{mode}-{clients}-{name}") for name in targets}
                    for side in sides.values():
                        side.logs.mkdir()
                    point = Point(workload, mode, clients, sides)
                    measure_point(targets, pids, point, options, len(points))
                    points.append(point)
        balances, history_rows = balance_sums(direct)
    return Throughput(points, init_seconds, balances, history_rows)


# -- interrupted COMMIT: SIGKILL of the server -> the application's COMMIT returns -----------------

@dataclass(frozen=True)
class Case:
    name: str
    fault: str | None  # the fault point the server dies at; None: SIGSTOP, COMMIT sent, SIGKILL
    expected_lookup: str | None  # the outcome lookup's answer every kill must produce (None: any)


CASES = (
    Case("after the journal append (`journal_appended`): answered from the outcome", "journal_appended",
         "committed"),
    Case("after the acknowledgement (`commit_acknowledged`)", "commit_acknowledged", None),
    Case("before the journal append (SIGSTOP, COMMIT unread, SIGKILL): replayed", None, "not_committed"),
)


@dataclass(frozen=True)
class Kill:
    restart_seconds: float  # death observed -> the restarted server's ready line
    commit_seconds: float | None  # death observed -> COMMIT returned (None: the application got an error)


@dataclass
class CaseResult:
    case: Case
    kills: list[Kill] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lookups: Counter[str] = field(default_factory=Counter)
    failed_recoveries: float = 0.0

    @property
    def as_expected(self) -> bool:
        expected = self.case.expected_lookup
        return not self.errors and not self.failed_recoveries and (
            expected is None or self.lookups[expected] == len(self.kills))


class Committer(threading.Thread):
    """Runs the application's COMMIT; `returned_at` is when it returned (perf_counter)."""

    def __init__(self, connection: psycopg.Connection) -> None:
        super().__init__(daemon=True)
        self._connection = connection
        self.returned_at: float | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._connection.commit()
            self.returned_at = time.perf_counter()
        except BaseException as error:
            self.error = error

    def result(self) -> float | None:
        self.join(WAIT_SECONDS)
        if self.is_alive():
            raise RuntimeError(f"the interrupted COMMIT did not return within {WAIT_SECONDS:.0f} s")
        return self.returned_at


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition()` (there is no event to await: kernel socket state) within WAIT_SECONDS."""
    pause = threading.Event()
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting until {what}")
        pause.wait(POLL_SECONDS)


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98], max(values)


class KillBench:
    """One server, killed and restarted on the same data directory and port, behind one proxy; an
    application connection through the proxy for each interrupted transaction (opened once the
    round's server is up, so that no idle session's reconnect is waited for)."""

    def __init__(self, root: Path) -> None:
        self.data_dir = root / "data"
        self.port = free_port()
        self.server = self._start(None)
        with psycopg.connect(self.server.dsn, autocommit=True) as connection:
            connection.execute("CREATE TABLE counters (id integer PRIMARY KEY, n integer NOT NULL)")
            connection.execute("INSERT INTO counters SELECT g, 0 FROM generate_series(1, 3) AS g")
            connection.execute("CREATE TABLE applied (kind integer NOT NULL, round integer NOT NULL)")
        self.proxy = ProxyProcess([f"127.0.0.1:{self.port}"]).start()
        self.committed: list[tuple[int, int]] = []  # (case, round) of every COMMIT that returned

    def _start(self, fault: str | None) -> ServerProcess:
        env = {SYNC_MODE_VARIABLE: "fsync"}
        if fault is not None:
            env["HELIOSDB_FAULT_POINTS"] = f"{fault}=1"
        return ServerProcess(self.data_dir, port=self.port, env=env).start()

    def close(self) -> None:
        self.proxy.stop()
        self.server.stop()

    @staticmethod
    def _transaction(app: psycopg.Connection, kind: int, number: int) -> None:
        """The interrupted transaction, up to its COMMIT (through the proxy)."""
        for counter in COUNTERS:
            app.execute("UPDATE counters SET n = n + 1 WHERE id = %s", (counter,))
        app.execute("INSERT INTO applied (kind, round) VALUES (%s, %s)", (kind, number))

    def _kill(self, case: Case, app: psycopg.Connection) -> tuple[float, Committer]:
        """Interrupt the COMMIT as `case` says; returns when the death was observed, and the COMMIT."""
        process = self.server.process
        assert process is not None
        if case.fault is not None:  # the armed server kills itself inside the COMMIT
            committer = Committer(app)
            committer.start()
            process.wait(WAIT_SECONDS)
            return time.perf_counter(), committer
        suspend(process)  # the COMMIT reaches the server, which never runs it
        committer = Committer(app)
        committer.start()
        wait_until(lambda: unread_bytes_waiting(self.port), "the COMMIT waits unread at the server")
        process.send_signal(signal.SIGKILL)
        process.wait(WAIT_SECONDS)
        return time.perf_counter(), committer

    def one_kill(self, case: Case, kind: int, number: int, result: CaseResult) -> None:
        if case.fault is not None:
            self.server.terminate()
            self.server = self._start(case.fault)
        app = psycopg.connect(self.proxy.dsn)
        try:
            self._transaction(app, kind, number)
            died_at, committer = self._kill(case, app)
            self.server = self._start(None)
            ready_at = time.perf_counter()
            returned_at = committer.result()
        finally:
            app.close()
        if committer.error is not None:
            result.errors.append(f"{type(committer.error).__name__}: {committer.error}")
        else:
            self.committed.append((kind, number))
        result.kills.append(Kill(ready_at - died_at, None if returned_at is None else returned_at - died_at))

    def run_case(self, case: Case, kind: int, kills: int) -> CaseResult:
        result = CaseResult(case)
        before = {answer: self.proxy.counter(LOOKUPS, answer=answer)
                  for answer in ("committed", "not_committed")}
        failed_before = self._failed_recoveries()
        for number in range(kills):
            self.one_kill(case, kind, number, result)
            kill = result.kills[-1]
            shown = "error" if kill.commit_seconds is None else f"{kill.commit_seconds:.3f} s"
            print(f"  {case.name.split(' (')[0]}, kill {number + 1}: COMMIT returned {shown} after the death "
                  f"(server ready after {kill.restart_seconds:.3f} s)", flush=True)
        for answer, count in before.items():
            result.lookups[answer] = int(self.proxy.counter(LOOKUPS, answer=answer) - count)
        result.failed_recoveries = self._failed_recoveries() - failed_before
        return result

    def _failed_recoveries(self) -> float:
        return sum(self.proxy.counter(FAILED, reason=reason) for reason in FAILURE_REASONS)

    def exactly_once(self) -> tuple[bool, str]:
        """Every counter equals the COMMITs that returned; each of their rows is there once."""
        with psycopg.connect(self.server.dsn) as connection:
            counters = [n for (n,) in connection.execute("SELECT n FROM counters ORDER BY id")]
            rows = Counter({(kind, number): count for kind, number, count in connection.execute(
                "SELECT kind, round, count(*) FROM applied GROUP BY kind, round")})
        expected = len(self.committed)
        twice = sum(1 for count in rows.values() if count > 1)
        missing = sum(1 for key in self.committed if key not in rows)
        unknown = sum(1 for key in rows if key not in set(self.committed))
        ok = counters == [expected] * len(COUNTERS) and not twice and not missing and not unknown
        return ok, (f"{expected} COMMITs returned; counters {counters}; {sum(rows.values())} rows, "
                    f"{twice} applied twice, {missing} missing, {unknown} not acknowledged")


def bench_kills(options: argparse.Namespace, root: Path) -> tuple[list[CaseResult], bool, str]:
    bench = KillBench(root)
    try:
        results = [bench.run_case(case, kind, options.kills) for kind, case in enumerate(CASES)]
        ok, check = bench.exactly_once()
    finally:
        bench.close()
    return results, ok, check


# -- the report ----------------------------------------------------------------------------------

def command_line(options: argparse.Namespace) -> str:
    return (f".venv/bin/python -m bench.proxy_bench --seconds {options.seconds} "
            f"--clients {','.join(map(str, options.clients))} --scale {options.scale} "
            f"--workloads {','.join(options.workloads)} --modes {','.join(options.modes)} "
            f"--repeats {options.repeats} --kills {options.kills}"
            + (" --relay" if options.relay else ""))


def throughput_table(throughput: Throughput, options: argparse.Namespace) -> list[str]:
    relay = options.relay
    lines = [f"Throughput: mean of {options.repeats} run(s) of {options.seconds} s per side and point "
             f"(the runs' range in brackets); `pgbench -i -s {options.scale}`: "
             f"{throughput.init_seconds:.2f} s.", "",
             "| workload | mode | clients | direct tps | proxy tps | proxy / direct "
             + ("| byte relay / direct " if relay else "")
             + "| direct p50 / p99 ms | proxy p50 / p99 ms | server CPU µs / tx | proxy CPU µs / tx "
             + ("| byte relay CPU µs / tx " if relay else "") + "| proxy CPU / server CPU |",
             "|---|---|---:|---:|---:|---:|" + ("---:|" if relay else "") + "---:|---:|---:|---:|"
             + ("---:|" if relay else "") + "---:|"]
    for point in throughput.points:
        direct, proxy = point.sides["direct"], point.sides["proxy"]
        ratios = [point.ratio(), *([point.ratio(RELAY)] if relay else [])]
        shown = " | ".join("—" if ratio is None else f"{ratio:.2f}" for ratio in ratios)
        lines.append(f"| {point.workload} | {point.mode} | {point.clients} | {direct.cell()} "
                     f"| {proxy.cell()} | {shown} | {direct.latency_cell()} | {proxy.latency_cell()} "
                     f"| {point.cpu_cells()} |")
    measured = [ratio for point in throughput.points if (ratio := point.ratio()) is not None]
    sums = ", ".join(f"{name} = {value}" for name, value in throughput.balances.items())
    verdict = "consistent" if throughput.consistent else "INCONSISTENT"
    met = "met" if measured and min(measured) >= COST_GOAL else "not met"
    lines += ["", f"- proxy / direct tps: {min(measured, default=0):.2f} to {max(measured, default=0):.2f} "
                  f"(goal ≥ {COST_GOAL:.2f}: {met})"]
    shares = [share for point in throughput.points if (share := point.proxy_share()) is not None]
    lines.append(f"- proxy CPU / server CPU per transaction: {min(shares, default=0):.2f} to "
                 f"{max(shares, default=0):.2f}")
    if relay:
        floor = [ratio for point in throughput.points if (ratio := point.ratio(RELAY)) is not None]
        lines.append(f"- byte relay / direct tps (bench/byte_relay.py, forwarding bytes and nothing else): "
                     f"{min(floor, default=0):.2f} to {max(floor, default=0):.2f}")
    lines.append(f"- check: {sums} ({throughput.history_rows} history rows): {verdict}")
    return lines


def kills_table(results: list[CaseResult], ok: bool, check: str) -> list[str]:
    lines = ["Interrupted COMMIT: time from the server's death (observed) to the application's COMMIT "
             "returning through the proxy, the server restarted at once; beside it, the restarted "
             "server's ready line and how long after it the COMMIT returned.", "",
             "| COMMIT interrupted | kills | COMMIT returned p50 / p99 / max (s) | server ready p50 (s) "
             "| COMMIT after ready p50 (s) | outcome lookups (committed / not committed) "
             "| application errors |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    early = False
    for result in results:
        returned = [kill.commit_seconds for kill in result.kills if kill.commit_seconds is not None]
        ready = [kill.restart_seconds for kill in result.kills]
        after_ready = [kill.commit_seconds - kill.restart_seconds for kill in result.kills
                       if kill.commit_seconds is not None]
        early |= any(value < 0 for value in returned)
        shown = " / ".join(f"{value:.3f}" for value in percentiles(returned)) if returned else "—"
        gap = f"{percentiles(after_ready)[0]:.3f}" if after_ready else "—"
        lines.append(f"| {result.case.name} | {len(result.kills)} | {shown} | {percentiles(ready)[0]:.3f} "
                     f"| {gap} | {result.lookups['committed']} / {result.lookups['not_committed']} "
                     f"| {len(result.errors)} |")
    if early:
        lines.append("- a negative time: the COMMIT returned before the death was observed (its answer had "
                     "left the server before the fault point killed it; the proxy then recovered an idle "
                     "session)")
    for result in results:
        if result.errors:
            lines.append(f"- errors ({result.case.name}): {'; '.join(result.errors[:3])}")
        if result.failed_recoveries:
            lines.append(f"- failed recoveries ({result.case.name}): {result.failed_recoveries:.0f}")
    lines.append(f"- check exactly once: {check}: {'yes' if ok else 'NO'}")
    return lines


def report(options: argparse.Namespace, load_at_start: float, throughput: Throughput,
           kills: tuple[list[CaseResult], bool, str]) -> str:
    lines = [
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- command: `{command_line(options)}`",
        f"- code: {code_version()}",
        f"- machine: {machine()}",
        f"- 1-minute load average: {load_at_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end "
        "(a shared machine: other processes take cores when it exceeds the run's own load)",
        "- durability: journal_sync_mode=fsync; the proxy with its default [transaction_replay] keys",
        "",
        *throughput_table(throughput, options),
        "",
        *kills_table(*kills),
    ]
    return "\n".join(lines)


# -- command line --------------------------------------------------------------------------------

def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=positive, default=DEFAULT_SECONDS, help="duration of each run (-T)")
    parser.add_argument("--clients", type=int_list, default=DEFAULT_CLIENTS, help="client counts (-c)")
    parser.add_argument("--scale", type=positive, default=1, help="scale factor of pgbench -i")
    parser.add_argument("--workloads", type=choice_list(tuple(WORKLOADS), "workload"),
                        default=tuple(WORKLOADS), help="pgbench scripts: tpcb-like, select-only (-S)")
    parser.add_argument("--modes", type=mode_list, default=DEFAULT_MODES, help="query modes (-M)")
    parser.add_argument("--repeats", type=positive, default=DEFAULT_REPEATS,
                        help="runs per side and point, the sides alternating")
    parser.add_argument("--relay", action="store_true",
                        help="also through bench/byte_relay.py, a relay that only forwards bytes")
    parser.add_argument("--kills", type=positive, default=DEFAULT_KILLS,
                        help="interrupted COMMITs per way of interrupting it")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    if shutil.which("pgbench") is None:
        print("proxy_bench skipped: pgbench is not installed (make deps installs postgresql-client)")
        return 0
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="heliosdb-proxy-bench-") as scratch:
        root = Path(scratch)
        (root / "logs").mkdir()
        (root / "kills").mkdir()
        throughput = bench_throughput(options, root / "logs")
        kills = bench_kills(options, root / "kills")
    print()
    print(report(options, load_at_start, throughput, kills))
    results, exactly_once, _ = kills
    return 0 if throughput.consistent and exactly_once and all(r.as_expected for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
