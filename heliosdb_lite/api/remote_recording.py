"""What remote mode keeps to replay: the session's state (statements a new connection must run
again: SET, RESET, PREPARE, ...) and the open transaction (its BEGIN, every statement with its
parameters and the digest of its answer, a client-named GTID, the transaction timestamp the
server reported, which a replay pins so now() answers the same), within the recording budget of
`transparent_replay.recording` (`replay_max_transaction_bytes`, and the off switch of unsafe
statements)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from heliosdb_lite.transparent_replay.recording import TransactionRecording


@dataclass(frozen=True, slots=True)
class Recorded:
    """One statement as it ran: replay must get the same answer (`failed`: the same error)."""

    sql: str
    params: tuple[Any, ...] | None
    digest: bytes
    failed: bool = False


@dataclass
class RecordedTransaction:
    """The open transaction. `named_gtid`: set by `SET heliosdb.gtid` before it began."""

    begin_sql: str
    recording: TransactionRecording
    named_gtid: str | None = None
    timestamp: str | None = None  # the transaction timestamp the server reported: a replay pins it
    statements: list[Recorded] = field(default_factory=list)
    session_changes: list[tuple[str, tuple[Any, ...] | None]] = field(default_factory=list)
    broken: str | None = None  # why the transaction can only be rolled back (a failed replay)

    def record(self, sql: str, params: Sequence[Any] | None, digest: bytes, *, failed: bool = False) -> None:
        kept = tuple(params) if params is not None else None
        if self.recording.admit(len(sql) + sum(len(repr(value)) for value in kept or ())):
            self.statements.append(Recorded(sql, kept, digest, failed))


@dataclass
class SessionState:
    """Statements that changed the session (outside a transaction, or in one that committed)."""

    statements: list[tuple[str, tuple[Any, ...] | None]] = field(default_factory=list)

    def add(self, sql: str, params: Sequence[Any] | None) -> None:
        self.statements.append((sql, tuple(params) if params is not None else None))
