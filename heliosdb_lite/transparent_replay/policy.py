"""How hard one recovery tries: reconnects with exponential backoff, a bounded number of replays of
the recorded transaction, and a hard deadline for the whole recovery.

A recovery starts when the connection to the server is lost. Reconnecting is retried, the first
time at once, then after `backoff_ms`, doubling up to MAX_BACKOFF_SECONDS, until the deadline
(`timeout_seconds` after the loss). Each re-execution of the recorded transaction is one replay
attempt; a replay interrupted by another connection loss counts, and after `max_attempts` the
recovery fails. Values come from the `[transaction_replay]` keys of the same names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from heliosdb_lite.config import TransactionReplayConfig

MAX_BACKOFF_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class ReplayPolicy:
    """The `[transaction_replay]` keys a client side honours."""

    enabled: bool = True
    max_attempts: int = 3
    backoff_ms: int = 100
    timeout_seconds: float = 30.0
    max_transaction_bytes: int = 1024 * 1024

    @classmethod
    def from_config(cls, config: TransactionReplayConfig) -> ReplayPolicy:
        return cls(enabled=config.replay_on_connection_loss, max_attempts=config.max_replay_attempts,
                   backoff_ms=config.replay_backoff_ms, timeout_seconds=config.replay_timeout_seconds,
                   max_transaction_bytes=config.replay_max_transaction_bytes)

    def budget(self, clock: Callable[[], float] = time.monotonic) -> RecoveryBudget:
        """The budget of one recovery, starting now."""
        return RecoveryBudget(self, clock)


class RecoveryBudget:
    """Attempts and deadline of one recovery (one per connection loss)."""

    def __init__(self, policy: ReplayPolicy, clock: Callable[[], float]) -> None:
        self._policy = policy
        self._clock = clock
        self.started = clock()
        self.deadline = self.started + policy.timeout_seconds
        self.replays = 0
        self.connects = 0
        self._backoff = policy.backoff_ms / 1000

    def remaining(self) -> float:
        """Seconds left before the deadline (0 when passed)."""
        return max(0.0, self.deadline - self._clock())

    @property
    def expired(self) -> bool:
        return self._clock() >= self.deadline

    def elapsed(self) -> float:
        return self._clock() - self.started

    def connect_delay(self) -> float:
        """Seconds to wait before the next reconnect: 0 the first time, then the backoff, doubling up
        to MAX_BACKOFF_SECONDS, never past the deadline."""
        self.connects += 1
        if self.connects == 1:
            return 0.0
        delay = self._backoff
        self._backoff = min(self._backoff * 2, max(MAX_BACKOFF_SECONDS, self._policy.backoff_ms / 1000))
        return min(delay, self.remaining())

    def start_replay(self) -> bool:
        """Count one replay attempt; False when `max_attempts` are used up."""
        if self.replays >= self._policy.max_attempts:
            return False
        self.replays += 1
        return True
