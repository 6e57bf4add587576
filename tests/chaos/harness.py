"""The chaos harness: run the bank workload against a real server, SIGKILL it at a random instant,
restart it on the same data directory, and check the crash-safety promises after every restart.

After each restart, before any client reconnects:
- every in-doubt transfer's GTID is resolved with `heliosdb_txn_outcome` (fencing it when not
  committed), and the answer must match the data: committed ⇔ its `transfers` row exists;
- an in-doubt transfer with a client-named GTID is sent again under the same GTID: a committed one
  reports COMMIT and applies nothing (I3), a fenced one fails with 40P02 (I5);
- every acknowledged transfer is present exactly once (I1, I3), no refused or unknown one is;
- the accounts hold exactly the balances the ledger's committed transfers give (total conserved);
- `heliosdb-lite journal verify` exits 0 (optionally also run between kill and restart, where a
  torn last entry, exit 3, is allowed).
At the end, every GTID resolved as not committed is looked up again: still not committed (I5).
The only waiting that is not on an event or a bounded poll is the random delay before each kill.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from heliosdb_lite.server.app import CHECKPOINT_INTERVAL_SECONDS
from tests.chaos.bank import (
    ACCOUNTS,
    COMMITTED_STATES,
    INITIAL_BALANCE,
    TOTAL_BALANCE,
    BankClient,
    Ledger,
    State,
    Transfer,
    create_bank,
    run_transfer,
)
from tests.chaos.gtids import COMMITTED, NOT_COMMITTED, journal_verify, lookup
from testsupport.server_process import ServerProcess

FENCED = "40P02"
VERIFY_OK = 0
VERIFY_TORN_TAIL = 3
CONNECT_WAIT = 30.0
JOIN_WAIT = 30.0
SERVER_LOG_TAIL = 60


@dataclass(frozen=True)
class ChaosPlan:
    kills: int
    clients: int
    max_kill_delay: float  # seconds of workload before a kill, drawn uniformly from [0, this)
    seed: int
    long_round_every: int = 0  # every Nth round outlives a periodic checkpoint (0: never)
    verify_crashed_journal: bool = False  # also verify between kill and restart (a torn tail allowed)
    report_every: int = 0  # report the counts so far every N kills (0: only at the end)


@dataclass
class ChaosCounts:
    kills: int = 0
    transfers: Counter[State] = field(default_factory=Counter)
    retried_committed: int = 0
    retried_fenced: int = 0
    journal_verified: int = 0
    crashed_journals_verified: int = 0
    torn_tails: int = 0

    def summary(self, seed: int, seconds: float) -> str:
        return (f"chaos (seed {seed}, {seconds:.1f} s): {self.kills} kills; "
                f"{sum(self.transfers.values())} transfers attempted, "
                f"{self.transfers[State.ACKNOWLEDGED]} acknowledged, "
                f"{self.transfers[State.REFUSED]} refused; "
                f"unacknowledged resolved: {self.transfers[State.COMMITTED]} committed, "
                f"{self.transfers[State.NOT_COMMITTED]} not committed; client-named retries: "
                f"{self.retried_committed} no-op, {self.retried_fenced} fenced; "
                f"journal verified {self.journal_verified} times after restart, "
                f"{self.crashed_journals_verified} times after a kill ({self.torn_tails} torn tails)")


class BankChaos:
    """One chaos run on `server` (stopped; its data directory is empty or absent)."""

    def __init__(self, server: ServerProcess, plan: ChaosPlan) -> None:
        self.server = server
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.ledger = Ledger()
        self.counts = ChaosCounts()
        self.clients = [BankClient(number, explicit=number % 2 == 0) for number in range(plan.clients)]
        self.balances = dict.fromkeys(range(ACCOUNTS), INITIAL_BALANCE)
        self.committed: list[Transfer] = []
        self.fenced: list[Transfer] = []

    def run(self, report: Callable[[str], None]) -> ChaosCounts:
        started = time.monotonic()
        self.server.start()
        try:
            with self._checker() as checker:
                create_bank(checker)
            for round_number in range(self.plan.kills):
                first_id = self.ledger.next_id
                self._burst_then_kill(round_number)
                if self.plan.verify_crashed_journal:
                    self._verify_crashed_journal()
                self.server.start()
                self._check(first_id)
                if self.plan.report_every and self.counts.kills % self.plan.report_every == 0 \
                        and self.counts.kills < self.plan.kills:
                    report(self.counts.summary(self.plan.seed, time.monotonic() - started))
            self._check_fences_hold()
        except BaseException:
            report(f"{self.counts.summary(self.plan.seed, time.monotonic() - started)}\nserver log tail:\n"
                   + "\n".join(self.server.stderr_lines[-SERVER_LOG_TAIL:]))
            raise
        finally:
            self.server.stop()
        report(self.counts.summary(self.plan.seed, time.monotonic() - started))
        return self.counts

    def _checker(self) -> psycopg.Connection:
        return psycopg.connect(self.server.dsn, autocommit=True, connect_timeout=10)

    # one round ------------------------------------------------------------------------------------

    def _burst_then_kill(self, round_number: int) -> None:
        stop = threading.Event()
        threads = []
        for client in self.clients:
            client.connected.clear()
            thread = threading.Thread(target=client.burst, name=f"bank-client-{client.number}",
                                      args=(self.server.dsn, self.ledger, self.rng.getrandbits(64), stop))
            thread.start()
            threads.append(thread)
        try:
            for client in self.clients:
                assert client.connected.wait(CONNECT_WAIT), f"client {client.number} did not connect"
                assert client.failure is None, f"client {client.number} failed: {client.failure!r}"
            time.sleep(self._kill_delay(round_number))  # the random instant of the crash
        finally:
            self.server.kill()
            stop.set()
            for thread in threads:
                thread.join(JOIN_WAIT)
        self.counts.kills += 1
        assert not any(thread.is_alive() for thread in threads), "a client did not stop after the kill"
        failures = [client.failure for client in self.clients if client.failure is not None]
        assert not failures, f"clients failed: {failures!r}"

    def _kill_delay(self, round_number: int) -> float:
        every = self.plan.long_round_every
        if every and round_number % every == every - 1:
            return CHECKPOINT_INTERVAL_SECONDS + self.rng.uniform(0, 2)
        return self.rng.uniform(0, self.plan.max_kill_delay)

    # checks after a restart -----------------------------------------------------------------------

    def _check(self, first_id: int) -> None:
        transfers = self.ledger.since(first_id)
        assert not any(t.state == State.PENDING for t in transfers), "a client left a transfer pending"
        with self._checker() as checker:
            present = Counter(transfer_id for (transfer_id,) in
                              checker.execute("SELECT id FROM transfers WHERE id >= %s", (first_id,)))
            for transfer in transfers:
                if transfer.state == State.IN_DOUBT:
                    self._resolve(checker, transfer, present)
            for transfer in transfers:
                self._check_transfer(transfer, present)
                self.counts.transfers[transfer.state] += 1
            unknown = set(present) - {transfer.id for transfer in transfers}
            assert not unknown, f"transfers {sorted(unknown)} are in the store but were never attempted"
            for transfer in transfers:
                if transfer.state in (State.COMMITTED, State.NOT_COMMITTED) and transfer.named:
                    self._retry_named(checker, transfer)
            for transfer in transfers:
                if transfer.state in COMMITTED_STATES:
                    self._apply(transfer)
            self._check_totals(checker)
        self._verify_journal()

    def _resolve(self, checker: psycopg.Connection, transfer: Transfer, present: Counter[int]) -> None:
        outcome = lookup(checker, transfer.gtid)
        assert outcome.gtid == transfer.gtid
        assert outcome.status in (COMMITTED, NOT_COMMITTED), outcome
        transfer.state = State.COMMITTED if outcome.status == COMMITTED else State.NOT_COMMITTED
        assert (outcome.status == COMMITTED) == (transfer.id in present), (
            f"transfer {transfer} is {'present' if transfer.id in present else 'absent'} "
            f"but its outcome is {outcome}")
        if transfer.state == State.NOT_COMMITTED:
            self.fenced.append(transfer)

    @staticmethod
    def _check_transfer(transfer: Transfer, present: Counter[int]) -> None:
        expected = 1 if transfer.state in COMMITTED_STATES else 0
        assert present[transfer.id] == expected, (
            f"transfer {transfer} ({transfer.state.value}) is present {present[transfer.id]} times")

    def _retry_named(self, checker: psycopg.Connection, transfer: Transfer) -> None:
        """The same transfer under the same client-named GTID, as a client retrying with an
        idempotency key: committed → COMMIT without effect; fenced → 40P02."""
        checker.autocommit = not transfer.explicit
        try:
            run_transfer(checker, transfer)
        except psycopg.Error as error:
            assert transfer.state == State.NOT_COMMITTED and error.sqlstate == FENCED, (
                f"retry of {transfer}: {error.sqlstate} {error}")
            self.counts.retried_fenced += 1
        else:
            assert transfer.state == State.COMMITTED, f"retry of fenced {transfer} committed"
            self.counts.retried_committed += 1
        finally:
            checker.autocommit = True

    def _apply(self, transfer: Transfer) -> None:
        self.balances[transfer.source] -= transfer.amount
        self.balances[transfer.target] += transfer.amount
        self.committed.append(transfer)

    def _check_totals(self, checker: psycopg.Connection) -> None:
        """Whole-store aggregates against the ledger: nothing lost, nothing applied twice."""
        row = checker.execute("SELECT count(*), count(DISTINCT id), coalesce(sum(id), 0), "
                              "coalesce(sum(amount), 0) FROM transfers").fetchone()
        expected = (len(self.committed), len(self.committed), sum(t.id for t in self.committed),
                    sum(t.amount for t in self.committed))
        assert row == expected, f"transfers (count, distinct, sum id, sum amount) {row} != ledger {expected}"
        balances: dict[int, int] = dict(
            checker.execute("SELECT id, balance FROM accounts ORDER BY id").fetchall())
        assert sum(balances.values()) == TOTAL_BALANCE, f"total balance {sum(balances.values())}"
        assert balances == self.balances, f"balances {balances} != ledger {self.balances}"

    def _verify_journal(self) -> None:
        """`journal verify` beside the idle server (no client is connected between checks and the
        next burst, so the journal tail is complete): exit 0."""
        verified = journal_verify(self._journal_dir)
        assert verified.returncode == VERIFY_OK, f"journal verify exit {verified.returncode}:\n" \
                                                 f"{verified.stdout}{verified.stderr}"
        self.counts.journal_verified += 1

    def _verify_crashed_journal(self) -> None:
        """`journal verify` on the journal as the kill left it: sound, or a torn last entry (a
        write() cut by SIGKILL) that start-up cuts; never corruption before the tail (I6)."""
        verified = journal_verify(self._journal_dir)
        assert verified.returncode in (VERIFY_OK, VERIFY_TORN_TAIL), (
            f"journal verify after a kill: exit {verified.returncode}:\n{verified.stdout}{verified.stderr}")
        self.counts.crashed_journals_verified += 1
        self.counts.torn_tails += verified.returncode == VERIFY_TORN_TAIL

    @property
    def _journal_dir(self) -> Path:
        return Path(self.server.data_dir) / "journal"

    def _check_fences_hold(self) -> None:
        """I5 across every restart since: a GTID once reported not committed still is."""
        with self._checker() as checker:
            for transfer in self.fenced:
                assert lookup(checker, transfer.gtid).status == NOT_COMMITTED, f"fence of {transfer} lost"
