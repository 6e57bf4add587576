"""The bank workload across failovers: run it against a primary, SIGKILL the primary at a random
instant, promote its standby, and check the promoted standby as `tests.chaos.harness` checks a
restarted server: every in-doubt GTID's outcome matches the data (looked up on the promoted
standby, so outcomes and fences must have replicated), every acknowledged transfer is present
exactly once, balances match the ledger, `journal verify` is clean.

Sync modes: one pair for all rounds — after each promotion the killed primary rejoins as the new
primary's standby (`replication/rejoin.py`), so the two swap roles every round, and fences written
in one epoch are checked in later ones. Async mode: acknowledged transfers may be missing, which
`lost_acknowledged` counts instead of failing; each round uses a new pair (the ledger no longer
matches the store after a loss).
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from tests.chaos.bank import State, create_bank
from tests.chaos.gtids import journal_verify
from tests.chaos.harness import BankChaos, ChaosPlan
from tests.replication.cluster import Cluster, connect, running, wait_caught_up
from testsupport.server_process import ServerProcess

STANDBY_NAME = "standby1"
STANDBY_DOWN_MIN_BURST = 0.5  # seconds


def promote(server: ServerProcess) -> None:
    with connect(server) as connection:
        assert connection.execute("SELECT heliosdb_promote()").fetchone() == (True,)


class Failovers(BankChaos):
    """Rounds of burst, kill of the primary, promotion of the standby, on `cluster` (started)."""

    def __init__(self, cluster: Cluster, rounds: int, seed: int, max_kill_delay: float,
                 standby_down: bool = False) -> None:
        plan = ChaosPlan(kills=rounds, clients=4, max_kill_delay=max_kill_delay, seed=seed)
        super().__init__(cluster.primary, plan)
        self.cluster = cluster
        self.standby_down = standby_down  # the standby is stopped during the bursts (async: all is lost)
        self.lost_acknowledged = 0

    def run_rounds(self) -> None:
        with self._checker() as checker:
            create_bank(checker)
        for round_number in range(self.plan.kills):
            first_id = self._fail_over(round_number)
            if self.cluster.mode == "async":
                self._count_lost(first_id)
                return
            self._rejoin_old_primary()
            self._check(first_id)
        self._check_fences_hold()
        wait_caught_up(self.cluster.primary, *self.cluster.standbys)
        for server in (self.cluster.primary, *self.cluster.standbys):
            verified = journal_verify(server.data_dir / "journal")
            assert verified.returncode == 0, \
                f"journal verify of {server.data_dir}:\n{verified.stdout}{verified.stderr}"

    def _verify_journal(self) -> None:
        """Not after each round (the harness's choice): `run_rounds` verifies both servers' journals,
        which hold every entry of every round that was not cut by a rejoin, once at the end."""

    def _fail_over(self, round_number: int) -> int:
        """Burst, kill the primary, promote the standby; returns the round's first transfer id."""
        wait_caught_up(self.cluster.primary, *self.cluster.standbys)
        first_id = self.ledger.next_id
        if self.standby_down:
            self.cluster.standbys[0].kill()
        self._burst_then_kill(round_number)
        if self.standby_down:
            self.cluster.standbys[0].start()
        promote(self.cluster.standbys[0])
        self.server = self.cluster.standbys[0]
        return first_id

    def _kill_delay(self, round_number: int) -> float:
        """With the standby down, long enough for the clients to have transfers acknowledged."""
        return super()._kill_delay(round_number) + (STANDBY_DOWN_MIN_BURST if self.standby_down else 0.0)

    def _rejoin_old_primary(self) -> None:
        old, new = self.cluster.primary, self.cluster.standbys[0]
        self.cluster.make_standby(old, new, STANDBY_NAME)
        old.start()
        self.cluster.primary, self.cluster.standbys[0] = new, old

    def _count_lost(self, first_id: int) -> None:
        """Async: acknowledged transfers the promoted standby lacks are lost (RPO > 0); nothing may
        be there twice or without having been attempted."""
        with self._checker() as checker:
            present = Counter(transfer_id for (transfer_id,) in checker.execute("SELECT id FROM transfers"))
        transfers = self.ledger.since(first_id)
        assert all(count == 1 for count in present.values()), "a transfer applied twice"
        assert set(present) <= {transfer.id for transfer in transfers}
        self.lost_acknowledged = sum(1 for transfer in transfers
                                     if transfer.state == State.ACKNOWLEDGED and transfer.id not in present)


def _run(cluster: Cluster, rounds: int, seed: int, max_kill_delay: float, standby_down: bool = False) -> int:
    with running(cluster):
        failovers = Failovers(cluster, rounds, seed, max_kill_delay, standby_down)
        try:
            failovers.run_rounds()
        except BaseException:
            for server in (cluster.primary, *cluster.standbys):
                print(f"{server.data_dir} log tail:\n" + "\n".join(server.stderr_lines[-30:]))
            raise
        return failovers.lost_acknowledged


def run_failovers(root: Path, mode: str, repetitions: int, seed: int, max_kill_delay: float = 0.6,
                  standby_down: bool = False) -> int:
    """`repetitions` failovers; returns the acknowledged transfers lost (0 unless async). With
    `standby_down` the standby is stopped while the primary runs each burst."""
    if mode != "async":
        return _run(Cluster(root, mode=mode), repetitions, seed, max_kill_delay, standby_down)
    rng = random.Random(seed)
    return sum(_run(Cluster(root / f"round{repetition}", mode=mode), 1, rng.getrandbits(32), max_kill_delay,
                    standby_down) for repetition in range(repetitions))
