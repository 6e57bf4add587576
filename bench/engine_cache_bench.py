"""Translation-cache benchmark: prepare + execute of pgbench's tpcb-like statements through
`SQLiteEngine` directly (no server, no wire protocol), each with fresh random literals as
`pgbench -M simple` sends them.

- miss: the statement caches are emptied before every statement, so each one is tokenized,
  parsed, translated and prepared by SQLite (for a normalisable statement, twice: with its
  literals and with them as parameters, to check both give the same result shape);
- exact hit: one fixed text per statement, already cached (no literal normalisation needed);
- normalised hit: new literals every time, so the text is new but its literal-normalised form is
  cached: tokenize, replace literals, look up, decode the literals; no parse, no translation.

Reported per mode: µs per statement for prepare alone and for prepare + execute, and the
translation cache's hits/misses during the run. Each tpcb transaction runs in BEGIN ... END.

    .venv/bin/python -m bench.engine_cache_bench [--transactions 1000] [--accounts 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from heliosdb_lite.engine.prepared import PreparedStatement
from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.engine.statement_cache import StatementCache

CACHE_CAPACITY = 2048
MISS_SHARE = 4  # the miss mode runs 1/MISS_SHARE of the transactions (it is much slower)


def tpcb(aid: int, tid: int, bid: int, delta: int) -> list[str]:
    """pgbench's built-in tpcb-like script as `-M simple` sends it (without BEGIN/END)."""
    return [
        f"UPDATE pgbench_accounts SET abalance = abalance + {delta} WHERE aid = {aid}",
        f"SELECT abalance FROM pgbench_accounts WHERE aid = {aid}",
        f"UPDATE pgbench_tellers SET tbalance = tbalance + {delta} WHERE tid = {tid}",
        f"UPDATE pgbench_branches SET bbalance = bbalance + {delta} WHERE bid = {bid}",
        f"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ({tid}, {bid}, {aid}, {delta}, "
        "CURRENT_TIMESTAMP)",
    ]


def set_up(session: SQLiteSession, accounts: int) -> None:
    statements = [
        "create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22))",
        "create table pgbench_tellers(tid int primary key,bid int,tbalance int,filler char(84))",
        "create table pgbench_accounts(aid int primary key,bid int,abalance int,filler char(84))",
        "create table pgbench_branches(bid int primary key,bbalance int,filler char(88))",
        "insert into pgbench_branches(bid,bbalance) values (1,0)",
        *(f"insert into pgbench_tellers(tid,bid,tbalance) values ({tid},1,0)" for tid in range(1, 11)),
        "insert into pgbench_accounts(aid,bid,abalance)"
        f" select g, 1, 0 from generate_series(1, {accounts}) g",
    ]
    for sql in statements:
        session.execute(session.prepare(sql, ()), ())


@dataclass(frozen=True, slots=True)
class Result:
    mode: str
    statements: int
    prepare_us: float
    total_us: float
    hits: int
    misses: int


def run_mode(mode: str, engine: SQLiteEngine, session: SQLiteSession,
             transactions: Sequence[list[str]], before_each: Callable[[], None]) -> Result:
    prepare_seconds = total_seconds = 0.0
    count = hits = misses = 0
    begin, end = session.prepare("BEGIN", ()), session.prepare("END", ())
    for statements in transactions:
        session.execute(begin, ())
        for sql in statements:
            before_each()
            cache = engine.cache
            hits_before, misses_before = cache.hits, cache.misses
            started = time.perf_counter()
            statement: PreparedStatement = session.prepare(sql, ())
            prepared = time.perf_counter()
            session.execute(statement, ()).fetch(0)
            finished = time.perf_counter()
            prepare_seconds += prepared - started
            total_seconds += finished - started
            hits += cache.hits - hits_before
            misses += cache.misses - misses_before
            count += 1
        session.execute(end, ())
    return Result(mode, count, prepare_seconds / count * 1e6, total_seconds / count * 1e6, hits, misses)


def markdown(results: Sequence[Result]) -> str:
    lines = ["| mode | statements | prepare µs/stmt | prepare+execute µs/stmt | cache hits | cache misses |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.mode} | {r.statements} | {r.prepare_us:.1f} | {r.total_us:.1f} | {r.hits} "
                     f"| {r.misses} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1000,
                        help="tpcb transactions per hit mode (default 1000)")
    parser.add_argument("--accounts", type=int, default=1000, help="pgbench_accounts rows (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the literals (default 1)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    def random_transaction() -> list[str]:
        return tpcb(rng.randint(1, args.accounts), rng.randint(1, 10), 1, rng.randint(-5000, 5000))

    with tempfile.TemporaryDirectory(prefix="engine-cache-bench-") as scratch:
        engine = SQLiteEngine(Path(scratch) / "data")
        try:
            session = engine.open_session("postgres", "postgres", {})
            set_up(session, args.accounts)

            def empty_caches() -> None:
                engine.cache = StatementCache(CACHE_CAPACITY)
                engine.unnormalisable = StatementCache(CACHE_CAPACITY)

            misses = [random_transaction() for _ in range(max(1, args.transactions // MISS_SHARE))]
            miss = run_mode("miss", engine, session, misses, empty_caches)
            fixed = random_transaction()
            run_mode("warm-up", engine, session, [fixed], lambda: None)
            results = [
                miss,
                run_mode("exact hit", engine, session, [fixed] * args.transactions, lambda: None),
                run_mode("normalised hit", engine, session,
                         [random_transaction() for _ in range(args.transactions)], lambda: None),
            ]
        finally:
            engine.close()
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
