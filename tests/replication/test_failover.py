"""Failover under the bank workload (tests/replication/failover.py says what is checked): the sync
modes lose no acknowledged transfer (RPO 0), one pair swapping roles every round; async reports how
many it lost, and a round with the standby stopped shows the count sees losses. `make test` runs 10
failovers per sync mode, `make chaos` (-m chaos) 200. HELIOSDB_CHAOS_SEED reproduces the choices."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.replication.failover import run_failovers

SEED = int(os.environ.get("HELIOSDB_CHAOS_SEED", "20261207"))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("mode", ["sync", "sync-strict"])
def test_no_acknowledged_transfer_is_lost_in_10_failovers(tmp_path: Path, mode: str) -> None:
    assert run_failovers(tmp_path, mode, 10, SEED) == 0


@pytest.mark.timeout(600)
def test_async_failover_reports_what_it_lost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lost = run_failovers(tmp_path, "async", 3, SEED)
    with capsys.disabled():
        print(f"\nasync replication: {lost} acknowledged transfers lost in 3 failovers")
    assert lost >= 0


def test_async_failover_check_sees_losses(tmp_path: Path) -> None:
    """The standby is down while the primary acknowledges transfers, then promoted: what it lacks
    is counted as lost (the count can see a loss)."""
    assert run_failovers(tmp_path, "async", 1, SEED, standby_down=True) > 0


@pytest.mark.chaos
@pytest.mark.timeout(4 * 3600)
@pytest.mark.parametrize("mode", ["sync", "sync-strict"])
def test_no_acknowledged_transfer_is_lost_in_200_failovers(tmp_path: Path, mode: str) -> None:
    assert run_failovers(tmp_path, mode, 200, SEED) == 0
