"""`make compat`: run each driver's test subset (compat/suites.py) against a HeliosDB-Lite server and a
throwaway PostgreSQL 15, both started here on loopback, one suite and one server at a time; print per
suite passed / failed / errors / skipped on each and the ratio of HeliosDB-Lite's passes to
PostgreSQL's, and write every test's outcome to a JSON report (compat/report.py reads it), with
whether the HeliosDB-Lite server survived the suite and how many tracebacks it logged.

Each run is a pytest subprocess in the suite's directory, with the suite's own pytest configuration,
a per-test timeout (pytest-timeout) and a timeout for the whole run, without this repository's
pytest-asyncio (none of the suites uses it: psycopg's use anyio, asyncpg's their own loop). Nothing is
fetched: the suites come from compat/suites and the cache `make compat-deps` filled."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from compat.report import Outcome, counts, read_junit, regressions, top_causes
from compat.suites import SUITES, Suite
from testsupport.pg_reference import reference_unavailable_reason, start_cluster, stop_cluster
from testsupport.server_process import ServerProcess

TARGETS = ("postgresql", "heliosdb")
HOST = "127.0.0.1"


@dataclass
class Running:
    """A server a suite runs against: its port and, for HeliosDB-Lite, the process, to tell afterwards
    whether it survived the suite and what it logged."""

    port: int
    server: ServerProcess | None = None

    def health(self, log: Path) -> dict[str, Any]:
        """Whether the server still runs and how many tracebacks it logged; its log goes to `log`."""
        if self.server is None or self.server.process is None:
            return {}
        log.write_text("\n".join(self.server.stderr_lines) + "\n")
        return {"server_exit_code": self.server.process.poll(),
                "server_tracebacks": sum(line.startswith("Traceback") for line in self.server.stderr_lines)}


@contextmanager
def running_server(target: str, workdir: Path) -> Iterator[Running]:
    """A fresh server of `target`, stopped at the end."""
    if target == "postgresql":
        cluster = start_cluster()
        try:
            yield Running(cluster.port)
        finally:
            stop_cluster(cluster)
    else:
        server = ServerProcess(workdir / "heliosdb-data").start()
        try:
            yield Running(server.port, server)
        finally:
            server.stop()


def run_pytest(suite: Suite, port: int, workdir: Path, test_timeout: int, suite_timeout: int,
               log: Path) -> tuple[list[Outcome], str]:
    """The suite's subset against the server on `port`; returns its outcomes and how the run ended."""
    ini = workdir / "pytest.ini"
    ini.write_text(suite.ini)
    junit = workdir / "junit.xml"
    command = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(suite.root),
               "-o", f"cache_dir={workdir / 'pytest-cache'}", "-p", "no:randomly", "-p", "no:asyncio", "-q",
               f"--timeout={test_timeout}", f"--junitxml={junit}", *suite.paths]
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD")}
    environment |= suite.environment(HOST, port)
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=suite.root, env=environment, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = process.wait(timeout=suite_timeout)
            ending = f"pytest exit code {code}"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            ending = f"killed after {suite_timeout} s"
    return (read_junit(junit) if junit.exists() else []), ending


def run_suite(suite: Suite, targets: tuple[str, ...], test_timeout: int, suite_timeout: int,
              logs: Path) -> dict[str, Any]:
    results: dict[str, list[Outcome]] = {}
    installed = metadata.version(suite.name)
    if installed != suite.version:
        print(f"warning: {suite.name} {installed} is installed, its tests are pinned for {suite.version}",
              flush=True)
    entry: dict[str, Any] = {"version": installed, "tests_version": suite.tests_version}
    for target in targets:
        with tempfile.TemporaryDirectory(prefix=f"compat-{suite.name}-{target}-") as temporary:
            workdir = Path(temporary)
            started = time.monotonic()
            with running_server(target, workdir) as running:
                outcomes, ending = run_pytest(suite, running.port, workdir, test_timeout, suite_timeout,
                                              logs / f"{suite.name}-{target}.log")
                health = running.health(logs / f"{suite.name}-{target}-server.log")
            results[target] = outcomes
            entry[target] = {"counts": counts(outcomes), "ending": ending,
                             "seconds": round(time.monotonic() - started, 1), **health}
            print(f"{suite.name} on {target}: {entry[target]}", flush=True)
    if set(TARGETS) <= results.keys():
        passed = {target: entry[target]["counts"]["passed"] for target in TARGETS}
        entry["ratio"] = round(passed["heliosdb"] / passed["postgresql"], 3) if passed["postgresql"] else None
        entry["regressions"] = [vars(result) for result in regressions(results["heliosdb"],
                                                                       results["postgresql"])]
    entry["outcomes"] = {target: {result.test: result.outcome for result in outcomes}
                         for target, outcomes in results.items()}
    return entry


def table(report: dict[str, Any]) -> str:
    def cell(entry: dict[str, Any] | None) -> str:
        if entry is None:
            return "-"
        tally = entry["counts"]
        return f"{tally['passed']} / {tally['failed']} / {tally['error']} / {tally['skipped']}"

    lines = ["| suite | PostgreSQL 15 passed / failed / errors / skipped | HeliosDB-Lite passed / failed / "
             "errors / skipped | HeliosDB / PostgreSQL passed |", "|---|---|---|---|"]
    for name, entry in report["suites"].items():
        ratio = entry.get("ratio")
        lines.append(f"| {name} {entry['version']} | {cell(entry.get('postgresql'))} | "
                     f"{cell(entry.get('heliosdb'))} | {'-' if ratio is None else f'{ratio:.1%}'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=sorted(SUITES),
                        help="run this suite (repeatable; default: all three)")
    parser.add_argument("--target", choices=(*TARGETS, "both"), default="both")
    parser.add_argument("--test-timeout", type=int, default=30, help="seconds for one test")
    parser.add_argument("--suite-timeout", type=int, default=1800, help="seconds for one suite on one server")
    parser.add_argument("--report", type=Path, default=Path("compat-report.json"))
    parser.add_argument("--logs", type=Path, default=Path(".compat-cache/logs"),
                        help="where each run's pytest output goes")
    args = parser.parse_args()
    targets = TARGETS if args.target == "both" else (args.target,)
    if "postgresql" in targets and (reason := reference_unavailable_reason()):
        sys.exit(reason)
    missing = [suite.name for suite in SUITES.values() if not suite.root.exists()]
    if missing:
        sys.exit(f"no tests for {', '.join(missing)}: run `make compat-deps` first")
    args.logs.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"suites": {}}
    for name in args.suite or sorted(SUITES):
        report["suites"][name] = run_suite(SUITES[name], targets, args.test_timeout, args.suite_timeout,
                                           args.logs)
    args.report.write_text(json.dumps(report, indent=1))
    print(table(report))
    for name, entry in report["suites"].items():
        causes = top_causes([Outcome(**item) for item in entry.get("regressions", [])], 10)
        if causes:
            print(f"\n{name}: top causes of failures on HeliosDB-Lite that pass on PostgreSQL 15")
            print("\n".join(f"  {count:5} {text}" for text, count in causes))


if __name__ == "__main__":
    main()
