"""The one error a failed transparent replay reports: SQLSTATE HZ001 (class HZ, HeliosDB's own).

Its message names the GTID, the statement and the reason; the reasons are the `FailureReason`
members. The transaction is not applied twice whatever happened: either it committed once (the
result was lost: UNREPRODUCIBLE) or nothing of it is applied. The session stays usable; inside an
explicit transaction the client rolls back first, as after any error.
"""

from __future__ import annotations

import enum

from heliosdb_lite.errors import TRANSACTION_REPLAY_FAILED, DatabaseError

STATEMENT_SHOWN = 200


class FailureReason(enum.Enum):
    """Why a replay failed; the value is the metric label."""

    DIVERGED = "diverged"
    UNREPRODUCIBLE = "unreproducible"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    DEADLINE = "deadline"
    RESTORE_FAILED = "restore_failed"

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    FailureReason.DIVERGED: "the replayed statement's results differ from what the client already received",
    FailureReason.UNREPRODUCIBLE: "the transaction committed, but its results never reached the client "
                                  "and cannot be reproduced",
    FailureReason.ATTEMPTS_EXHAUSTED: "max_replay_attempts exhausted",
    FailureReason.DEADLINE: "replay_timeout_seconds passed before a server could be reached",
    FailureReason.RESTORE_FAILED: "the session state could not be restored on the new connection",
}


def replay_error(gtid: str | None, statement: str | None, reason: FailureReason, *,
                 committed: bool = False, detail: str | None = None) -> DatabaseError:
    """The HZ001 error for a replay of `gtid` that failed at `statement` for `reason`."""
    shown = (statement or "").strip() or "(none)"
    if len(shown) > STATEMENT_SHOWN:
        shown = shown[:STATEMENT_SHOWN] + "..."
    hint = ("The transaction committed exactly once; only its answer was lost." if committed else
            "Nothing of the transaction was applied: roll back and retry it.")
    return DatabaseError(
        TRANSACTION_REPLAY_FAILED,
        f"transparent replay of transaction {gtid or '(unknown GTID)'} failed at statement "
        f'"{shown}": {reason.message}',
        detail=detail, hint=hint)
