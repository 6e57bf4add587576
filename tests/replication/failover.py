"""The bank workload across a failover: run it against a primary, SIGKILL the primary at a random
instant, promote its standby, and check the promoted standby as `tests.chaos.harness` checks a
restarted server: every in-doubt GTID's outcome matches the data, every acknowledged transfer is
present exactly once, balances match the ledger, `journal verify` is clean. In the async mode
acknowledged transfers may be missing: `lost_acknowledged` counts them instead of failing.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from tests.chaos.bank import State, create_bank
from tests.chaos.harness import BankChaos, ChaosPlan
from tests.replication.cluster import Cluster, connect, running, wait_caught_up


def promote(server: object) -> None:
    with connect(server) as connection:  # type: ignore[arg-type]
        assert connection.execute("SELECT heliosdb_promote()").fetchone() == (True,)


class FailoverRound(BankChaos):
    """One primary + standby pair, one burst, one kill of the primary, one promotion."""

    def __init__(self, cluster: Cluster, seed: int, max_kill_delay: float) -> None:
        plan = ChaosPlan(kills=1, clients=4, max_kill_delay=max_kill_delay, seed=seed)
        super().__init__(cluster.primary, plan)
        self.cluster = cluster
        self.lost_acknowledged = 0

    def run_round(self) -> None:
        with self._checker() as checker:
            create_bank(checker)
        wait_caught_up(self.cluster.primary, *self.cluster.standbys)
        first_id = self.ledger.next_id
        self._burst_then_kill(0)
        standby = self.cluster.standbys[0]
        promote(standby)
        self.server = standby
        if self.cluster.mode == "async":
            self._count_lost(first_id)
            return
        self._check(first_id)

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


def run_failovers(root: Path, mode: str, repetitions: int, seed: int, max_kill_delay: float = 0.6) -> int:
    """`repetitions` failover rounds, each on a new pair; returns the acknowledged transfers lost."""
    rng = random.Random(seed)
    lost = 0
    for repetition in range(repetitions):
        cluster = Cluster(root / f"round{repetition}", mode=mode)
        with running(cluster):
            failover = FailoverRound(cluster, rng.getrandbits(32), max_kill_delay)
            try:
                failover.run_round()
            except BaseException:
                print("primary log tail:\n" + "\n".join(cluster.primary.stderr_lines[-30:]))
                print("standby log tail:\n" + "\n".join(cluster.standbys[0].stderr_lines[-30:]))
                raise
            lost += failover.lost_acknowledged
    return lost


