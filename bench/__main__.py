"""`make bench`: every benchmark of the project, one after another, each printing its own table."""

from __future__ import annotations

import sys

from bench import (
    engine_cache_bench,
    failover_bench,
    journal_bench,
    pgbench_compare,
    proxy_bench,
    replay_bench,
    replication_bench,
)


def main() -> int:
    status = 0
    for bench in (journal_bench, replay_bench, pgbench_compare, engine_cache_bench, replication_bench,
                  failover_bench, proxy_bench):
        print(f"== {bench.__name__} ==", flush=True)
        status |= bench.main([])
    return status


if __name__ == "__main__":
    sys.exit(main())
