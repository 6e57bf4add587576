"""The bank workload under SIGKILL at random instants (tests/chaos/harness.py says what is checked
after every restart). `make test` runs 30 kills; `make chaos` (-m chaos) runs 1000, some of them
after a periodic checkpoint, verifying the journal also as each kill left it, and reporting the
counts every 100 kills. HELIOSDB_CHAOS_SEED reproduces a run's kill delays and transfer choices
(not the threads' interleaving).
"""

from __future__ import annotations

import os

import pytest

from tests.chaos.bank import State
from tests.chaos.harness import BankChaos, ChaosPlan
from testsupport.server_process import ServerProcess

SEED = int(os.environ.get("HELIOSDB_CHAOS_SEED", "20260505"))


def _run(plan: ChaosPlan, server: ServerProcess, capsys: pytest.CaptureFixture[str]) -> None:
    def report(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}")

    counts = BankChaos(server, plan).run(report)
    assert counts.kills == plan.kills
    assert counts.transfers[State.ACKNOWLEDGED] > 0
    assert counts.journal_verified == plan.kills


@pytest.mark.timeout(600)  # a hang detector: 30 restarts and verifications take minutes when loaded
def test_bank_survives_30_kills(crash_server: ServerProcess, capsys: pytest.CaptureFixture[str]) -> None:
    _run(ChaosPlan(kills=30, clients=4, max_kill_delay=0.3, seed=SEED), crash_server, capsys)


@pytest.mark.chaos
@pytest.mark.timeout(4 * 3600)
def test_bank_survives_1000_kills(crash_server: ServerProcess, capsys: pytest.CaptureFixture[str]) -> None:
    _run(ChaosPlan(kills=1000, clients=6, max_kill_delay=0.5, seed=SEED, long_round_every=100,
                   verify_crashed_journal=True, report_every=100),
         crash_server, capsys)
