"""The byte budget and the off switch of one session's recording of its open transaction.

A transaction is recorded until it grows past `replay_max_transaction_bytes` or runs a statement
that cannot be replayed (LISTEN, COPY to a file, ...): from then on it is not recorded, a
connection loss surfaces as it would without replay, and the reason is logged once and counted.
`reset()` starts the next transaction with a fresh budget.
"""

from __future__ import annotations

import logging

from heliosdb_lite.transparent_replay import metrics

log = logging.getLogger("heliosdb.transparent_replay")
METRIC_BATCH_BYTES = 65536  # the recorded-bytes metric is added to once a transaction ends, or per this many


class TransactionRecording:
    """Bytes recorded for the open transaction, and whether it is still recorded."""

    __slots__ = ("_uncounted", "bytes", "disabled", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.bytes = 0
        self._uncounted = 0  # recorded, not yet added to the recorded-bytes metric
        self.disabled: str | None = None

    @property
    def active(self) -> bool:
        return self.disabled is None

    def admit(self, size: int) -> bool:
        """Count `size` more bytes; False (recording switched off) past the limit."""
        if self.disabled is not None:
            return False
        self.bytes += size
        self._uncounted += size
        if self._uncounted >= METRIC_BATCH_BYTES:
            self._count()
        if self.bytes > self.limit:
            self.disable("too_large", f"the transaction is larger than replay_max_transaction_bytes "
                                      f"({self.limit} bytes)")
            return False
        return True

    def _count(self) -> None:
        metrics.RECORDED_BYTES.inc(self._uncounted)
        self._uncounted = 0

    def disable(self, label: str, reason: str) -> None:
        """Stop recording this transaction (logged once, counted by `label`)."""
        if self.disabled is not None:
            return
        self.disabled = reason
        metrics.REPLAY_DISABLED.labels(label).inc()
        log.info("transparent replay switched off for this transaction: %s", reason)

    def reset(self) -> None:
        self._count()
        self.bytes = 0
        self.disabled = None
