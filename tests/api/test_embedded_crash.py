"""Embedded mode under crashes: a child process (tests/api/crash_child.py) commits orders, then
dies at a fault point inside COMMIT or in the middle of a transaction; reopening the directory
must show every committed order exactly once, the interrupted one exactly once when its commit
reached the journal and not at all otherwise, and the seed's metrics keys with the recovery."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import heliosdb_lite as hdb
from heliosdb_lite.fault_points import FAULT_EXIT
from heliosdb_lite.replay import metrics as replay_metrics
from tests.api.crash_child import INTERRUPTED_CUSTOMER, MID_TRANSACTION_EXIT

COMMITTED = 5
METRICS_KEYS = {"total_replays", "successful_replays", "failed_replays", "avg_replay_time_ms",
                "journal_size_mb", "last_replay_timestamp", "data_loss_prevented"}


def crash(data_dir: Path, scenario: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tests.api.crash_child", str(data_dir), scenario, str(COMMITTED)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          cwd=Path(__file__).resolve().parents[2])


@pytest.mark.parametrize(("scenario", "applied_by_recovery"), [
    ("journal_appended", 1),
    ("autocommit_journal_appended", 1),
    ("commit_acknowledged", 0),
])
def test_commit_interrupted_after_journaling_is_kept_exactly_once(tmp_path: Path, scenario: str,
                                                                  applied_by_recovery: int) -> None:
    data_dir = tmp_path / "data"
    child = crash(data_dir, scenario)
    assert child.returncode == FAULT_EXIT, child.stdout + child.stderr
    assert f"committed {COMMITTED}" in child.stdout
    before = replay_metrics.snapshot(0)
    with hdb.Database.open(data_dir) as db:
        customers = [customer for (customer,) in db.query("SELECT customer FROM orders ORDER BY id")]
        assert customers == [*range(COMMITTED), INTERRUPTED_CUSTOMER]
        assert db.query_one("SELECT total FROM orders WHERE customer = ?", (INTERRUPTED_CUSTOMER,)) == (
            hdb_decimal(INTERRUPTED_CUSTOMER * 1.5),)
        metrics = db.replay_metrics()
        assert set(metrics) == METRICS_KEYS
        assert counted(metrics, before, "total_replays") == 1
        assert counted(metrics, before, "successful_replays") == 1
        assert counted(metrics, before, "failed_replays") == 0
        assert counted(metrics, before, "data_loss_prevented") == applied_by_recovery
        assert metrics["last_replay_timestamp"] is not None
        assert metrics["journal_size_mb"] > 0
        db.execute("INSERT INTO orders (customer, total) VALUES (?, ?)", (1000, 1))  # writable, keys go on
        assert db.query_one("SELECT max(id), count(*) FROM orders") == (COMMITTED + 2, COMMITTED + 2)


def test_process_dying_mid_transaction_leaves_nothing_of_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    child = crash(data_dir, "mid_transaction")
    assert child.returncode == MID_TRANSACTION_EXIT, child.stdout + child.stderr
    assert "inside the transaction" in child.stdout
    before = replay_metrics.snapshot(0)
    with hdb.Database.open(data_dir) as db:
        rows = db.query("SELECT customer, total FROM orders ORDER BY id")
        assert rows == [(customer, hdb_decimal(customer * 1.5)) for customer in range(COMMITTED)]
        metrics = db.replay_metrics()
        assert set(metrics) == METRICS_KEYS
        assert counted(metrics, before, "data_loss_prevented") == 0
        assert counted(metrics, before, "total_replays") == 1


def counted(metrics: dict[str, Any], before: dict[str, Any], key: str) -> int:
    """What the reopening added to `key` (the figures are this test process's, across tests)."""
    return int(metrics[key]) - int(before[key])


def hdb_decimal(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")
