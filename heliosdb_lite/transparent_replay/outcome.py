"""The outcome lookup of an interrupted COMMIT and what it decides.

`heliosdb_txn_outcome(gtid)` answers committed (with the command tags of the statements the
committing request ran, so the client can be answered as the server would have) or not committed
(the GTID is then fenced for good). Committed: answer as recorded. Not committed: the transaction
is replayed and commits under a fresh GTID. Never both.
"""

from __future__ import annotations

import enum
import json
import uuid
from dataclasses import dataclass

COMMITTED = "committed"
NOT_COMMITTED = "not committed"


class Resolution(enum.Enum):
    ANSWER_AS_RECORDED = "committed: answer as the server would have"
    REPLAY_UNDER_FRESH_GTID = "not committed (now fenced): replay under a fresh GTID"


@dataclass(frozen=True, slots=True)
class RecordedResponse:
    """One statement of the committing request as the server answered it: its command tag, and the
    rows of its result set (None: it returned none). Rows a lost answer cannot reproduce."""

    tag: str
    rows: int | None = None


@dataclass(frozen=True, slots=True)
class TxnOutcome:
    gtid: str
    status: str
    lsn: int | None = None
    responses: tuple[RecordedResponse, ...] | None = None  # None: not known (an older server)

    @property
    def resolution(self) -> Resolution:
        if self.status == COMMITTED:
            return Resolution.ANSWER_AS_RECORDED
        if self.status == NOT_COMMITTED:
            return Resolution.REPLAY_UNDER_FRESH_GTID
        raise ValueError(f"unknown outcome status {self.status!r} for {self.gtid}")


def outcome_query(gtid: str) -> str:
    """The lookup as one simple query (the GTID is validated, so it is safe to inline)."""
    return f"SELECT status, lsn, command_tags FROM heliosdb_txn_outcome('{uuid.UUID(gtid)}')"


def parse_responses(text: str | None) -> tuple[RecordedResponse, ...] | None:
    """The `command_tags` column: a JSON array of [tag, rows] pairs (rows null: no result set), or
    NULL."""
    if text is None:
        return None
    return tuple(RecordedResponse(str(tag), None if rows is None else int(rows))
                 for tag, rows in json.loads(text))


def outcome_from_row(gtid: str, status: str, lsn: str | int | None, command_tags: str | None) -> TxnOutcome:
    return TxnOutcome(gtid, status, int(lsn) if lsn is not None else None, parse_responses(command_tags))
