"""The chaos harness of transparent replay: the bank workload (tests/chaos/proxy_bank.py) runs through
a real `heliosdb-lite proxy` while the server behind it dies again and again: SIGKILLed by the
harness at random instants, or killing itself at fault points inside COMMIT (after the journal
append; after its answer left it), while the proxy drops some COMMIT answers itself (between
receiving and forwarding them). The server is restarted on the same data directory each time.

Checked at the end: no worker saw any error; every transfer a worker attempted was acknowledged,
and is in the store exactly once; nothing else is; balances equal the ledger's and the total is
conserved; the proxy's counters show the recoveries and outcome lookups it made. The only waiting
that is not on an event or a bounded wait is the random delay before each kill.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.chaos.proxy_bank import Ledger, Worker, check_store, create_bank
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess, free_port

CONNECT_WAIT = 60.0
JOIN_WAIT = 90.0
SERVER_LOG_TAIL = 40
RECOVERY_DEADLINE = 120  # replay_timeout_seconds: a restart on a loaded 2-core machine may take long
PROXY_LOG_TAIL = 60


@dataclass(frozen=True)
class ProxyChaosPlan:
    kills: int
    max_kill_delay: float  # seconds of workload before a kill, drawn uniformly from [0, this)
    seed: int
    commit_fault_probability: float = 0.02  # per commit, for each fault point


class ProxyBankChaos:
    def __init__(self, data_dir: Path, plan: ProxyChaosPlan) -> None:
        self.data_dir = data_dir
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.port = free_port()
        self.ledger = Ledger()
        self.kills: Counter[str] = Counter()
        self.server: ServerProcess | None = None
        self.proxy: ProxyProcess | None = None

    def _start_server(self) -> ServerProcess:
        probability = self.plan.commit_fault_probability
        env = {"HELIOSDB_FAULT_POINTS": f"journal_appended={probability},commit_acknowledged={probability}",
               "HELIOSDB_FAULT_SEED": str(self.rng.getrandbits(32))}
        self.server = ServerProcess(self.data_dir, port=self.port, env=env).start()
        return self.server

    def _logs(self) -> str:
        """The last lines the proxy and the server logged, for a failure's message."""
        proxy = self.proxy.stderr_lines[-30:] if self.proxy is not None else []
        server = self.server.stderr_lines[-30:] if self.server is not None else []
        return "proxy:\n" + "\n".join(proxy) + "\nserver:\n" + "\n".join(server)

    def run(self, report: Callable[[str], None]) -> dict[str, float]:
        started = time.monotonic()
        stop = threading.Event()
        workers: list[Worker] = []
        try:
            setup = ServerProcess(self.data_dir, port=self.port).start()  # no fault points yet
            create_bank(setup.dsn)
            setup.terminate()
            self._start_server()
            config = self.data_dir.parent / "proxy.toml"
            config.write_text(f"[transaction_replay]\nreplay_timeout_seconds = {RECOVERY_DEADLINE}\n")
            self.proxy = ProxyProcess([f"127.0.0.1:{self.port}"], config=config, env={
                "HELIOSDB_FAULT_POINTS": f"proxy_commit_answer={self.plan.commit_fault_probability}",
                "HELIOSDB_FAULT_SEED": str(self.plan.seed)}).start()
            workers = [Worker(driver, self.proxy.host, self.proxy.port, self.ledger, self.rng.getrandbits(32),
                              stop) for driver in Worker.DRIVERS]
            for worker in workers:
                worker.start()
            for worker in workers:
                assert worker.connected.wait(CONNECT_WAIT), f"{worker.name} did not connect\n" + self._logs()
            while sum(self.kills.values()) < self.plan.kills:
                assert not self.ledger.errors, f"the application saw errors: {self.ledger.errors[:5]}"
                self._kill_and_restart()
            stop.set()
            # the workers finish their last transfers on a server without fault points, or a last
            # fault with nobody left to restart the server would strand them
            assert self.server is not None
            self.server.terminate()
            self.server = ServerProcess(self.data_dir, port=self.port).start()
            for worker in workers:
                worker.join(JOIN_WAIT)
            assert not any(worker.is_alive() for worker in workers), "a worker did not stop"
            assert not self.ledger.errors, f"the application saw errors: {self.ledger.errors[:5]}"
            counters = self._check()
        except BaseException:
            stop.set()
            report(self._summary(time.monotonic() - started) + "\nserver log tail:\n" +
                   "\n".join(self.server.stderr_lines[-SERVER_LOG_TAIL:] if self.server else []) +
                   "\nproxy log tail:\n" +
                   "\n".join(self.proxy.stderr_lines[-PROXY_LOG_TAIL:] if self.proxy else []))
            raise
        finally:
            if self.proxy is not None:
                self.proxy.stop()
            if self.server is not None:
                self.server.stop()
        report(self._summary(time.monotonic() - started) + f"; proxy counters {counters}")
        return counters

    def _kill_and_restart(self) -> None:
        """Wait a random instant (the server may kill itself at a fault point first), kill, restart."""
        server = self.server
        assert server is not None and server.process is not None
        try:
            server.process.wait(timeout=self.rng.uniform(0, self.plan.max_kill_delay))
            self.kills["fault point"] += 1
        except Exception:  # subprocess.TimeoutExpired: still alive at the random instant
            server.kill()
            self.kills["SIGKILL"] += 1
        self._start_server()

    def _check(self) -> dict[str, float]:
        assert self.server is not None and self.proxy is not None
        check_store(self.server.dsn, self.ledger)
        proxy = self.proxy
        counters = {
            "recovered": sum(proxy.counter("heliosdb_transparent_replay_succeeded_total", kind=kind)
                             for kind in ("idle", "open_transaction", "commit_in_flight")),
            "replayed_open": proxy.counter("heliosdb_transparent_replay_succeeded_total",
                                           kind="open_transaction"),
            "commit_in_flight": proxy.counter("heliosdb_transparent_replay_succeeded_total",
                                              kind="commit_in_flight"),
            "lookups_committed": proxy.counter("heliosdb_transparent_replay_outcome_lookups_total",
                                               answer="committed"),
            "lookups_not_committed": proxy.counter("heliosdb_transparent_replay_outcome_lookups_total",
                                                   answer="not_committed"),
            "failed": sum(proxy.counter("heliosdb_transparent_replay_failed_total", reason=reason)
                          for reason in ("diverged", "unreproducible", "attempts_exhausted", "deadline",
                                         "restore_failed")),
        }
        assert counters["failed"] == 0, counters
        assert counters["replayed_open"] > 0, f"no open transaction was replayed: {counters}"
        assert counters["lookups_committed"] + counters["lookups_not_committed"] > 0, \
            f"no interrupted COMMIT was looked up: {counters}"
        return counters

    def _summary(self, seconds: float) -> str:
        return (f"proxy chaos (seed {self.plan.seed}, {seconds:.1f} s): {sum(self.kills.values())} kills "
                f"({dict(self.kills)}); {len(self.ledger.acknowledged)} transfers acknowledged, "
                f"{len(self.ledger.errors)} errors seen by the application")
