"""Automatic failover under the bank workload through the replay proxy (tests/failover/
bank_failovers.py says what is checked): etcd, two nodes in sync mode, ttl 3 s; 5 SIGKILLs of the
primary in `make test`, 100 in `make chaos`; RTO printed per failover. HELIOSDB_CHAOS_SEED
reproduces the kill instants."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.failover.bank_failovers import run_bank_failovers

SEED = int(os.environ.get("HELIOSDB_CHAOS_SEED", "20261207"))


def _report(capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    def report(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}", flush=True)

    return report


@pytest.mark.timeout(300)
def test_five_sigkills_of_the_primary_lose_nothing_and_show_no_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_bank_failovers(tmp_path, 5, SEED, _report(capsys))
    assert len(run.rtos) == 5


@pytest.mark.chaos
@pytest.mark.timeout(4 * 3600)
def test_a_hundred_sigkills_of_the_primary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_bank_failovers(tmp_path, 100, SEED, _report(capsys))
    assert len(run.rtos) == 100


@pytest.mark.timeout(300)
def test_planned_switchovers_under_load_lose_nothing_and_show_no_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_bank_failovers(tmp_path, 3, SEED, _report(capsys), switchover=True)
    assert len(run.rtos) == 3
