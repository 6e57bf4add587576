"""`make fuzz`: sqlsmith against a live HeliosDB-Lite server, several seeds, a bounded number of
queries each, then a verdict.

A target server (loopback, fresh data directory) gets a schema of tables of every supported type
with rows in them (`SCHEMA`); a second server, the log server, keeps sqlsmith's `--log-to` tables,
where sqlsmith records each failed statement with its message and SQLSTATE. For each seed,
`sqlsmith --target=... --log-to=... --seed=S --max-queries=N` runs under a time bound (each of
its statements runs in BEGIN ... ROLLBACK with statement_timeout 1s). Faults, any of which fails
the run:

- the target server exited, or sqlsmith did not finish in time (a hang; the statement it was
  running is the last one sqlsmith printed), or sqlsmith itself failed;
- an error without a SQLSTATE, a FATAL error or a lost connection (an error response must be a
  plain ERROR that leaves the session usable);
- any XX000: a Python exception the server turned into "internal error: ...", or an SQLite error
  it did not map to PostgreSQL's class.

The report (JSON, `--report`) has the number of queries per seed, the errors counted by SQLSTATE
and every fault with its statement. Statements that found faults belong in
tests/fuzz/test_sqlsmith_corpus.py once fixed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from testsupport.server_process import ServerProcess

SCHEMA = """
create table numbers (id serial primary key, i2 smallint, i4 integer not null default 0, i8 bigint unique,
                      n numeric(12, 3), f4 real, f8 double precision);
create table texts (id int primary key, t text, v varchar(20), c char(5), b bytea, flag boolean, u uuid);
create table times (id int primary key references texts(id), d date, tm time, ts timestamp,
                    tz timestamptz, iv interval);
create table documents (id bigserial primary key, j json, jb jsonb, tags text[], scores int[]);
create view recent as select t.id, t.t, x.ts from texts t join times x on x.id = t.id;
insert into numbers (i2, i4, i8, n, f4, f8)
  select g % 7, g * 3, g * 100000000000, g * 1.125, g / 4.0, g / 3.0 from generate_series(1, 20) g;
insert into numbers (i2, i4, i8, n, f4, f8) values (null, -5, null, null, null, null);
insert into texts
  select g, 'text ' || g, 'v' || g, 'c' || (g % 3), '\\x00ff', g % 2 = 0,
         ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a' || lpad(g::text, 2, '0'))::uuid
  from generate_series(1, 15) g;
insert into texts (id) values (99);
insert into times
  select g, date '2024-01-01' + g, time '10:00' + g * interval '1 minute',
         timestamp '2024-02-29 12:00' + g * interval '1 day',
         timestamptz '2024-03-10 01:30+00' + g * interval '1 hour', g * interval '1 day 2 hours'
  from generate_series(1, 15) g;
insert into documents (j, jb, tags, scores)
  values ('{"a": 1, "b": [1, 2]}', '{"a": 1, "b": {"c": "d"}}', '{x,y}', '{1,2,3}'),
         ('[1, "two", null]', '[true, 2.5]', '{}', null), (null, null, null, '{4}');
"""
LOG_SCHEMA = """
create table instance (id bigserial primary key, rev text, target text, hostname text, version text,
                       seed text);
create table error (id bigint, msg text, query text, target text, sqlstate text);
create table stat (id bigint, generated bigint, level float8, nodes float8, retries float8,
                   updated timestamptz, impedance text);
"""
# the transaction wrapper sqlsmith sends around each statement; its ROLLBACK outside a transaction warns
_WRAPPER_STATES = frozenset({"25P01"})


@dataclass
class Fault:
    kind: str
    sqlstate: str
    message: str
    query: str
    seed: int

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "sqlstate": self.sqlstate, "message": self.message, "query": self.query,
                "seed": self.seed}


@dataclass
class Report:
    queries: dict[int, int] = field(default_factory=dict)
    seconds: dict[int, float] = field(default_factory=dict)
    sqlstates: Counter[str] = field(default_factory=Counter)
    messages: Counter[tuple[str, str]] = field(default_factory=Counter)  # (SQLSTATE, message) -> count
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # (SQLSTATE, message) -> a statement
    last_instance: int = 0  # the log's instance id of the last run classified
    faults: list[Fault] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        total = sum(self.queries.values())
        return {"queries": total, "per_seed": self.queries, "seconds": self.seconds,
                "errors": sum(self.sqlstates.values()),
                "sqlstates": dict(sorted(self.sqlstates.items(), key=lambda item: -item[1])),
                "messages": [{"sqlstate": state, "message": message, "count": count,
                              "example": self.examples[(state, message)]}
                             for (state, message), count in self.messages.most_common()],
                "faults": [fault.as_json() for fault in self.faults]}


def _script(dsn: str, sql: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql)


def _last_statement(dump: Path) -> str:
    """The last statement `--dump-all-queries` printed (each ends with a line `;`)."""
    text = dump.read_text(errors="replace").rstrip()
    statements = [part.strip() for part in text.split(";\n") if part.strip()]
    return statements[-1] if statements else ""


def _run_seed(seed: int, queries: int, bound: float, target: ServerProcess, log_dsn: str, work: Path,
              report: Report) -> None:
    dump = work / f"queries-{seed}.sql"
    progress = work / f"sqlsmith-{seed}.log"
    command = ["sqlsmith", f"--target={target.dsn}", f"--log-to={log_dsn}", f"--seed={seed}",
               f"--max-queries={queries}", "--dump-all-queries", "--verbose"]
    started = time.monotonic()
    with dump.open("w") as out, progress.open("w") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            code = child.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            message = f"sqlsmith did not finish {queries} queries in {bound:.0f} s"
            report.faults.append(Fault("hang", "", message, _last_statement(dump), seed))
            code = 0
    report.seconds[seed] = round(time.monotonic() - started, 1)
    counted = re.findall(r"^queries: (\d+)$", progress.read_text(errors="replace"), re.MULTILINE)
    report.queries[seed] = int(counted[-1]) if counted else dump.read_text(errors="replace").count(";\n")
    if code != 0:
        tail = progress.read_text(errors="replace")[-2000:]
        report.faults.append(Fault("sqlsmith failed", "", f"exit code {code}: {tail}", "", seed))
    if target.process is None or target.process.poll() is not None:
        report.faults.append(Fault("server exited", "", "\n".join(target.stderr_lines[-40:]),
                                   _last_statement(dump), seed))
    dump.unlink()


def _classify(log_dsn: str, report: Report, seed: int) -> None:
    """Count the errors sqlsmith logged for `seed`'s run (its instance, the last registered) by
    SQLSTATE and keep the faults."""
    with psycopg.connect(log_dsn, autocommit=True) as connection:
        row = connection.execute("select max(id) from instance").fetchone()
        instance = row[0] if row is not None else None
        if instance is None or instance == report.last_instance:
            return  # this run registered no instance (sqlsmith failed early: a fault of its own)
        report.last_instance = instance
        rows = connection.execute("select sqlstate, msg, query from error where id = %s",
                                  (instance,)).fetchall()
    for sqlstate, message, query in rows:
        state = sqlstate or "?????"
        report.sqlstates[state] += 1
        first = (message or "").strip()
        key = (state, first.splitlines()[0] if first else "")
        report.messages[key] += 1
        report.examples.setdefault(key, query or "")
        if state in _WRAPPER_STATES:
            continue
        if state == "?????":
            kind = "no SQLSTATE"
        elif state.startswith("08") or first.startswith(("FATAL", "PANIC")):
            kind = "connection lost"
        elif state == "XX000":
            kind = "python exception" if "internal error" in first else "unmapped SQLite error"
        else:
            continue
        report.faults.append(Fault(kind, state, first, query or "", seed))


def _write(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report.as_json(), indent=2) + "\n")


def run(seeds: list[int], queries: int, bound: float, work: Path, report_path: Path) -> Report:
    """The seeds' runs, one after the other; the report is rewritten after each."""
    report = Report()
    for name in ("target", "log"):
        (work / name).mkdir()
    target = ServerProcess(work / "target" / "data").start()
    log = ServerProcess(work / "log" / "data",
                        env={"HELIOSDB_TRANSACTION_REPLAY_JOURNAL_SYNC_MODE": "async"}).start()
    try:
        _script(target.dsn, SCHEMA)
        _script(log.dsn, LOG_SCHEMA)
        for seed in seeds:
            print(f"sqlsmith seed {seed}: {queries} queries", file=sys.stderr, flush=True)
            _run_seed(seed, queries, bound, target, log.dsn, work, report)
            _classify(log.dsn, report, seed)
            _write(report, report_path)
            if target.process is None or target.process.poll() is not None:
                target = ServerProcess(target.data_dir).start()  # go on with the next seed
        internal = [line for line in target.stderr_lines if "internal error" in line or "Traceback" in line]
        if internal:
            report.faults.append(Fault("server log", "", "\n".join(internal[:20]), "", -1))
    finally:
        target.stop()
        log.stop()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4", help="comma-separated sqlsmith seeds")
    parser.add_argument("--queries", type=int, default=2000, help="queries per seed")
    parser.add_argument("--seconds-per-query", type=float, default=1.0,
                        help="time bound of a seed's run: this times --queries, plus a minute")
    parser.add_argument("--report", type=Path, default=Path("fuzz-report.json"))
    args = parser.parse_args(argv)
    if shutil.which("sqlsmith") is None:
        print("sqlsmith is not installed (make fuzz installs it)", file=sys.stderr)
        return 2
    seeds = [int(seed) for seed in args.seeds.split(",") if seed]
    with tempfile.TemporaryDirectory(prefix="heliosdb-fuzz-") as directory:
        report = run(seeds, args.queries, 60 + args.queries * args.seconds_per_query, Path(directory),
                     args.report)
    _write(report, args.report)
    result = report.as_json()
    print(json.dumps({key: value for key, value in result.items() if key != "faults"}, indent=2))
    for fault in report.faults:
        print(f"FAULT {fault.kind} [{fault.sqlstate}] seed {fault.seed}: {fault.message}\n  {fault.query}")
    print(f"{result['queries']} queries, {result['errors']} errors, {len(report.faults)} faults")
    return 1 if report.faults else 0


if __name__ == "__main__":
    sys.exit(main())
