"""Automatic failovers under the bank workload through the replay proxy: psycopg, asyncpg, pg8000
and SQLAlchemy workers (tests/chaos/proxy_bank.py, no retry logic of their own) transfer money
through `heliosdb-lite proxy` in front of every node of a `FailoverCluster`, while the primary is
SIGKILLed at random instants, again and again. Nobody promotes anything: the failover agents do.
Each killed primary is restarted at once, as a supervisor would, and must rejoin as a standby of
the new leader (listed as sync again) before the next kill. With `switchover`, the operator's
`heliosdb-lite cluster switchover --to <standby>` replaces the SIGKILL (the old primary restarts
itself as a standby).

Measured per failover: RTO, from the SIGKILL (or the switchover command) to the first transfer
acknowledged after it (the first write committed through the proxy on the new primary). Checked at
the end: no worker saw an error; every transfer attempted was acknowledged and is in the store
exactly once; nothing else is; the balances are the ledger's (`check_store`); `journal verify`
passes on every node.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from heliosdb_lite.failover.keys import ClusterView
from tests.chaos.gtids import journal_verify
from tests.chaos.proxy_bank import Ledger, Worker, check_store, create_bank
from tests.failover.cluster import FailoverCluster, Timing

CONNECT_WAIT = 60.0
JOIN_WAIT = 120.0
RTO_WAIT = 60.0
POLL_SECONDS = 0.005


@dataclass
class FailoverRun:
    rtos: list[float] = field(default_factory=list)
    acknowledged: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.rtos)

    @property
    def p99(self) -> float:
        ordered = sorted(self.rtos)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]

    def summary(self) -> str:
        if not self.rtos:
            return "no failover"
        return (f"{len(self.rtos)} failovers: RTO p50 {self.p50:.2f} s, p99 {self.p99:.2f} s, "
                f"max {max(self.rtos):.2f} s; {self.acknowledged} transfers acknowledged, none lost, "
                "no application error")


def _wait_acknowledged_beyond(ledger: Ledger, count: int) -> float:
    """Seconds until the ledger holds more than `count` acknowledged transfers (bounded)."""
    started = time.monotonic()
    while len(ledger.acknowledged) <= count:
        assert not ledger.errors, f"the application saw errors: {ledger.errors[:5]}"
        assert time.monotonic() - started < RTO_WAIT, "no transfer was acknowledged after the kill"
        time.sleep(POLL_SECONDS)
    return time.monotonic()


def run_bank_failovers(root: Path, kills: int, seed: int, report: Callable[[str], None], *,
                       max_kill_delay: float = 1.5, switchover: bool = False,
                       cluster_settings: Timing | None = None) -> FailoverRun:
    """`kills` SIGKILLs of the primary (or switchovers) under the workload; see the module docstring."""
    rng = random.Random(seed)
    cluster = FailoverCluster(root, **cluster_settings) if cluster_settings else FailoverCluster(root)
    run = FailoverRun()
    stop = threading.Event()
    workers: list[Worker] = []
    ledger = Ledger()
    try:
        cluster.start(proxy=True)
        proxy = cluster.proxy
        assert proxy is not None
        create_bank(proxy.dsn)
        workers = [Worker(driver, proxy.host, proxy.port, ledger, rng.getrandbits(32), stop)
                   for driver in Worker.DRIVERS]
        for worker in workers:
            worker.start()
        for worker in workers:
            assert worker.connected.wait(CONNECT_WAIT), f"{worker.name} did not connect"
        for number in range(1, kills + 1):
            view = cluster.wait_healthy()
            assert view.leader is not None
            old = view.leader.name
            time.sleep(rng.uniform(0.2, max_kill_delay))  # the random instant of the crash
            assert not ledger.errors, f"the application saw errors: {ledger.errors[:5]}"
            acknowledged = len(ledger.acknowledged)
            killed = time.monotonic()
            if switchover:
                target = next(name for name in cluster.servers if name != old)
                answer = cluster.command("switchover", "--to", target)
                assert answer.returncode == 0, answer.stderr
            else:
                cluster.servers[old].kill()
            rto = _wait_acknowledged_beyond(ledger, acknowledged) - killed
            run.rtos.append(rto)
            new = cluster.wait_for(partial(_led_by_another, old), "a new leader")
            assert new.leader is not None
            how = "switched over" if switchover else "SIGKILLed"
            report(f"failover {number}: {old} {how}, {new.leader.name} leads epoch {new.leader.epoch}: "
                   f"RTO {rto:.2f} s")
            if not switchover:
                cluster.servers[old].start()  # as a supervisor would; it rejoins the new leader
        cluster.wait_healthy()
        stop.set()
        for worker in workers:
            worker.join(JOIN_WAIT)
        assert not any(worker.is_alive() for worker in workers), "a worker did not stop"
        assert not ledger.errors, f"the application saw errors: {ledger.errors[:5]}"
        leader = cluster.servers[cluster.leader()]
        check_store(leader.dsn, ledger)
        run.acknowledged = len(ledger.acknowledged)
        for name, server in cluster.servers.items():
            verified = journal_verify(server.data_dir / "journal")
            assert verified.returncode == 0, f"journal verify of {name}:\n{verified.stdout}{verified.stderr}"
    except BaseException:
        stop.set()
        report(cluster.logs())
        raise
    finally:
        stop.set()
        cluster.stop()
    report(run.summary())
    return run


def _led_by_another(old: str, view: ClusterView) -> bool:
    return view.leader is not None and view.leader.name != old
