"""Prometheus metrics of Transaction Replay (recovery, commits, outcome lookups) and the
`heliosdb_replay_metrics()` view of the same numbers, with the seed's field names."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from prometheus_client import Counter, Gauge

COMMITS = Counter("heliosdb_commits_journaled_total", "Write transactions journaled")
COMMITS_ABORTED = Counter("heliosdb_commits_aborted_total",
                          "Journaled transactions whose COMMIT SQLite refused (an abort entry follows)")
OUTCOME_LOOKUPS = Counter("heliosdb_outcome_lookups_total", "heliosdb_txn_outcome() calls by outcome",
                          ["outcome"])
REPLAYS = Counter("heliosdb_replays_total", "Recoveries (start-up replays) by result", ["result"])
REPLAYED_TRANSACTIONS = Counter("heliosdb_replayed_transactions_total",
                                "Journal entries applied to the store by recovery")
WRITTEN_BACK = Counter("heliosdb_written_back_transactions_total",
                       "Store-ahead transactions written back into the journal by recovery")
LAST_REPLAY_SECONDS = Gauge("heliosdb_last_replay_seconds", "Duration of the last recovery")
LAST_REPLAY_TIMESTAMP = Gauge("heliosdb_last_replay_timestamp_seconds", "When the last recovery ended")


@dataclass
class ReplayStatistics:
    """The seed's replay metrics (000_…: total_replays … data_loss_prevented)."""

    total_replays: int = 0
    successful_replays: int = 0
    failed_replays: int = 0
    avg_replay_time_ms: float = 0.0
    journal_size_mb: float = 0.0
    last_replay_timestamp: str | None = None
    data_loss_prevented: int = 0


_lock = threading.Lock()
_statistics = ReplayStatistics()


def record_replay(*, succeeded: bool, seconds: float, applied: int, finished_at: str) -> None:
    with _lock:
        total_time = _statistics.avg_replay_time_ms * _statistics.total_replays + seconds * 1000
        _statistics.total_replays += 1
        if succeeded:
            _statistics.successful_replays += 1
        else:
            _statistics.failed_replays += 1
        _statistics.avg_replay_time_ms = total_time / _statistics.total_replays
        _statistics.last_replay_timestamp = finished_at
        _statistics.data_loss_prevented += applied
    REPLAYS.labels("success" if succeeded else "failure").inc()
    REPLAYED_TRANSACTIONS.inc(applied)
    LAST_REPLAY_SECONDS.set(seconds)


def snapshot(journal_bytes: int) -> dict[str, object]:
    with _lock:
        values = asdict(_statistics)
    values["journal_size_mb"] = round(journal_bytes / (1024 * 1024), 3)
    return values
