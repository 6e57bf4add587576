"""The bank workload of tests/chaos through `hdb.Database.connect` while the server is SIGKILLed and
restarted at random instants, some of them inside COMMIT (the server is restarted with the
`journal_appended` fault point armed at a probability, so it also kills itself between the journal
append and the acknowledgement). The application code has no retry logic, and the test checks:
zero errors seen by it, every transfer applied exactly once, the total conserved, and the replay
counters (recoveries, outcome lookups) showing what was hidden. Before each kill every client has
had a transfer acknowledged since the last restart, so each kill interrupts a running workload.

Clients alternate between explicit transactions (`with db.transaction()`, named placeholders) and
a three-statement string run in autocommit mode (one implicit transaction). `make test` runs 20
kills; `make chaos` (-m chaos) 200. HELIOSDB_CHAOS_SEED reproduces the kill delays and transfers.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY

import heliosdb_lite as hdb
from heliosdb_lite.fault_points import PROBABILITIES_VARIABLE, SEED_VARIABLE
from tests.chaos.bank import (
    ACCOUNTS,
    INITIAL_BALANCE,
    MAX_AMOUNT,
    TOTAL_BALANCE,
    TRANSFER_STATEMENTS,
    Ledger,
    State,
    Transfer,
    create_bank,
)
from testsupport.server_process import ServerProcess

SEED = int(os.environ.get("HELIOSDB_CHAOS_SEED", "20261207"))
ARMED_SHARE = 0.3  # restarts with the fault point armed
FAULT_PROBABILITY = "0.1"
CONNECT_WAIT = 60.0
PROGRESS_WAIT = 60.0
POLL_SECONDS = 0.2
OUTCOME_LOOKUPS = "heliosdb_transparent_replay_outcome_lookups_total"
JOIN_WAIT = 120.0


@dataclass
class Client:
    """One application thread: its own Database, no retry logic."""

    number: int
    explicit: bool
    started: threading.Event = field(default_factory=threading.Event)
    progressed: threading.Event = field(default_factory=threading.Event)  # a transfer was acknowledged
    failure: BaseException | None = None
    metrics: dict[str, Any] = field(default_factory=dict)  # Database.replay_metrics()

    def run(self, dsn: str, ledger: Ledger, seed: int, stop: threading.Event) -> None:
        rng = random.Random(seed)
        try:
            with hdb.Database.connect(dsn) as db:
                self.started.set()
                while not stop.is_set():
                    source, target = rng.sample(range(ACCOUNTS), 2)
                    transfer = ledger.start(source, target, rng.randint(1, MAX_AMOUNT), "", named=False,
                                            explicit=self.explicit)
                    self._transfer(db, transfer)
                    transfer.state = State.ACKNOWLEDGED
                    self.progressed.set()
                self.metrics = db.replay_metrics()
        except BaseException as failure:  # the test fails on any error the application saw
            self.failure = failure
        finally:
            self.started.set()

    def _transfer(self, db: hdb.Database, transfer: Transfer) -> None:
        params = transfer.params()
        if self.explicit:
            with db.transaction() as txn:
                for statement in TRANSFER_STATEMENTS:
                    txn.execute(statement, params)
        else:
            db.execute("; ".join(statement.replace("%(", "{").replace(")s", "}") for statement in
                                 TRANSFER_STATEMENTS).format(**{k: repr(v) for k, v in params.items()}))


class ApiChaos:
    """One run: the server on `data_dir`, `clients` application threads, `kills` restarts."""

    def __init__(self, data_dir: Path, *, kills: int, clients: int, max_kill_delay: float) -> None:
        self.data_dir = data_dir
        self.kills = kills
        self.max_kill_delay = max_kill_delay
        self.rng = random.Random(SEED)
        self.server = ServerProcess(data_dir)
        self.ledger = Ledger()
        self.stop = threading.Event()
        self.clients = [Client(number, explicit=number % 2 == 0) for number in range(clients)]
        self.self_kills = 0  # the server killed itself at an armed fault point, inside COMMIT

    def run(self) -> None:
        self.server.start()
        threads = [threading.Thread(target=client.run, name=f"api-client-{client.number}",
                                    args=(self.server.dsn, self.ledger, self.rng.getrandbits(64), self.stop))
                   for client in self.clients]
        lookups_before = _outcome_lookups()
        try:
            with psycopg.connect(self.server.dsn, autocommit=True) as connection:
                create_bank(connection)
            for thread in threads:
                thread.start()
            for round_number in range(self.kills):
                self._await_progress()
                assert self.server.process is not None
                with contextlib.suppress(subprocess.TimeoutExpired):  # sooner if an armed point killed it
                    self.server.process.wait(timeout=self.rng.uniform(0, self.max_kill_delay))
                self.server.kill()
                for client in self.clients:
                    client.progressed.clear()
                self._restart(armed=self.rng.random() < ARMED_SHARE and round_number < self.kills - 1)
            self._await_progress()
            self.stop.set()
            for thread in threads:
                thread.join(JOIN_WAIT)
            assert not any(thread.is_alive() for thread in threads), "a client did not finish"
            failures = [client.failure for client in self.clients if client.failure is not None]
            assert not failures, f"the application saw errors: {failures!r}"
            _check(self.server, self.ledger)
            self._check_counters(_outcome_lookups() - lookups_before)
        finally:
            self.stop.set()
            self.server.stop()

    def _restart(self, *, armed: bool) -> None:
        env = {PROBABILITIES_VARIABLE: f"journal_appended={FAULT_PROBABILITY}",
               SEED_VARIABLE: str(self.rng.getrandbits(32))} if armed else None
        self.server = ServerProcess(self.data_dir, port=self.server.port, env=env).start()

    def _await_progress(self) -> None:
        """Until every client had a transfer acknowledged since the last restart (bounded); a server
        that an armed fault point killed meanwhile is restarted, unarmed."""
        deadline = time.monotonic() + PROGRESS_WAIT
        for client in self.clients:
            while not client.progressed.wait(POLL_SECONDS):
                assert client.failure is None, client.failure
                assert time.monotonic() < deadline, f"client {client.number} made no progress"
                assert self.server.process is not None
                if self.server.process.poll() is not None:
                    self.self_kills += 1
                    self._restart(armed=False)
            assert client.failure is None, client.failure

    def _check_counters(self, lookups: float) -> None:
        def total(key: str) -> int:
            return sum(int(client.metrics[key]) for client in self.clients)

        replays, failed, saved = total("total_replays"), total("failed_replays"), total("data_loss_prevented")
        print(f"\napi chaos (seed {SEED}): {self.kills} kills and {self.self_kills} fault-point crashes in "
              f"COMMIT; {len(self.ledger.transfers)} transfers acknowledged; {replays} recoveries "
              f"({failed} failed), {saved} transactions saved, {lookups:.0f} outcome lookups")
        assert failed == 0
        assert replays >= self.kills  # every kill interrupted every client
        assert saved > 0 and lookups > 0


def _check(server: ServerProcess, ledger: Ledger) -> None:
    """Every transfer acknowledged, present once; balances as the ledger says; total conserved."""
    transfers = ledger.since(1)
    assert all(transfer.state == State.ACKNOWLEDGED for transfer in transfers)
    with psycopg.connect(server.dsn, autocommit=True) as checker:
        present = Counter(transfer_id for (transfer_id,) in checker.execute("SELECT id FROM transfers"))
        assert present == Counter(transfer.id for transfer in transfers), "a transfer is missing or doubled"
        balances = dict.fromkeys(range(ACCOUNTS), INITIAL_BALANCE)
        for transfer in transfers:
            balances[transfer.source] -= transfer.amount
            balances[transfer.target] += transfer.amount
        stored: dict[int, int] = dict(checker.execute("SELECT id, balance FROM accounts").fetchall())
        assert stored == balances and sum(stored.values()) == TOTAL_BALANCE


def _outcome_lookups() -> float:
    """Outcome lookups of interrupted COMMITs so far in this process, whatever the answer."""
    return sum(REGISTRY.get_sample_value(OUTCOME_LOOKUPS, {"answer": answer}) or 0.0
               for answer in ("committed", "not_committed"))


@pytest.mark.timeout(900)
def test_bank_through_the_api_survives_20_kills(tmp_path: Path) -> None:
    ApiChaos(tmp_path / "data", kills=20, clients=4, max_kill_delay=0.5).run()


@pytest.mark.chaos
@pytest.mark.timeout(4 * 3600)
def test_bank_through_the_api_survives_200_kills(tmp_path: Path) -> None:
    ApiChaos(tmp_path / "data", kills=200, clients=6, max_kill_delay=0.8).run()
