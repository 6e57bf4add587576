"""Metrics of the client side of transparent replay (the proxy, the remote Python API).

Prometheus counters on the default registry (names start `heliosdb_transparent_replay_`, distinct
from the server's `heliosdb_replays_total`, which counts start-up recoveries), and
`ReplayStatistics`: the same events in the keys of `heliosdb_replay_metrics()` (the seed's
total_replays ... data_loss_prevented), where a "replay" is one recovery after a lost connection.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict, dataclass

from prometheus_client import Counter, Histogram

RECOVERIES = Counter("heliosdb_transparent_replay_attempts_total",
                     "Recoveries after a lost server connection, by what was in flight", ["kind"])
SUCCEEDED = Counter("heliosdb_transparent_replay_succeeded_total",
                    "Recoveries the client did not notice, by what was in flight", ["kind"])
FAILED = Counter("heliosdb_transparent_replay_failed_total",
                 "Recoveries that ended in the HZ001 error, by reason", ["reason"])
OUTCOME_LOOKUPS = Counter("heliosdb_transparent_replay_outcome_lookups_total",
                          "Outcome lookups of an interrupted COMMIT, by answer", ["answer"])
RECOVERY_SECONDS = Histogram("heliosdb_transparent_replay_seconds",
                             "From the lost connection to the recovered session",
                             buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
RECORDED_BYTES = Counter("heliosdb_transparent_replay_recorded_bytes_total",
                         "Bytes of open transactions recorded for replay")
REPLAY_DISABLED = Counter("heliosdb_transparent_replay_disabled_total",
                          "Transactions not recorded for replay, by reason", ["reason"])

# What was in flight when the connection was lost (the `kind` label).
IDLE = "idle"
OPEN_TRANSACTION = "open_transaction"
COMMIT_IN_FLIGHT = "commit_in_flight"


@dataclass
class _Counts:
    total_replays: int = 0
    successful_replays: int = 0
    failed_replays: int = 0
    avg_replay_time_ms: float = 0.0
    journal_size_mb: float = 0.0
    last_replay_timestamp: str | None = None
    data_loss_prevented: int = 0


class ReplayStatistics:
    """The `heliosdb_replay_metrics()` keys for one process's client side. `data_loss_prevented`
    counts transactions whose loss the client did not see: replayed ones and interrupted COMMITs
    answered from their outcome; `journal_size_mb` is what is recorded now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = _Counts()

    def outcome_looked_up(self, committed: bool) -> None:
        OUTCOME_LOOKUPS.labels("committed" if committed else "not_committed").inc()

    def recovery_started(self, kind: str) -> None:
        RECOVERIES.labels(kind).inc()

    def recovery_finished(self, kind: str, *, seconds: float, failure: str | None,
                          transaction_saved: bool) -> None:
        """One recovery ended: `failure` is the FailureReason value, None on success."""
        if failure is None:
            SUCCEEDED.labels(kind).inc()
        else:
            FAILED.labels(failure).inc()
        RECOVERY_SECONDS.observe(seconds)
        with self._lock:
            counts = self._counts
            total_ms = counts.avg_replay_time_ms * counts.total_replays + seconds * 1000
            counts.total_replays += 1
            counts.successful_replays += failure is None
            counts.failed_replays += failure is not None
            counts.avg_replay_time_ms = total_ms / counts.total_replays
            counts.last_replay_timestamp = dt.datetime.now(dt.UTC).isoformat()
            counts.data_loss_prevented += failure is None and transaction_saved

    def snapshot(self, recorded_bytes: int = 0) -> dict[str, object]:
        with self._lock:
            values = asdict(self._counts)
        values["journal_size_mb"] = round(recorded_bytes / (1024 * 1024), 3)
        return values
