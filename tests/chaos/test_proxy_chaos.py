"""Transparent replay under SIGKILL: the bank workload with psycopg, asyncpg, pg8000 and SQLAlchemy
ORM sessions through `heliosdb-lite proxy`, with zero errors seen by the application
(tests/chaos/proxy_harness.py says what is checked). `make test` runs 20 kills; `make chaos`
(-m chaos) runs 200. HELIOSDB_CHAOS_SEED reproduces a run's kill delays and fault draws (not the
threads' interleaving)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.chaos.proxy_harness import ProxyBankChaos, ProxyChaosPlan

SEED = int(os.environ.get("HELIOSDB_CHAOS_SEED", "20261207"))


def _run(plan: ProxyChaosPlan, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def report(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}")

    ProxyBankChaos(tmp_path / "data", plan).run(report)


@pytest.mark.timeout(300)
def test_bank_through_the_proxy_survives_20_kills(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(ProxyChaosPlan(kills=20, max_kill_delay=1.0, seed=SEED, commit_fault_probability=0.05), tmp_path,
         capsys)


@pytest.mark.chaos
@pytest.mark.timeout(4 * 3600)
def test_bank_through_the_proxy_survives_200_kills(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _run(ProxyChaosPlan(kills=200, max_kill_delay=1.5, seed=SEED, commit_fault_probability=0.05), tmp_path,
         capsys)
