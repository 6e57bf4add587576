"""GTIDs as a client sees them: the session id and sequence the server reports as ParameterStatus
(`heliosdb.session_id`, `heliosdb.txn_seq`) make the GTID of the next write transaction, known
before COMMIT (docs/replay.md), and the startup option that resumes a session id."""

from __future__ import annotations

import uuid

SESSION_ID_PARAMETER = "heliosdb.session_id"
TXN_SEQ_PARAMETER = "heliosdb.txn_seq"
TRANSACTION_TIMESTAMP_PARAMETER = "heliosdb.transaction_timestamp"


def gtid_of(session_id: str, sequence: int) -> str:
    """session id (16 hex digits) ‖ sequence (8 bytes, big-endian), as a UUID."""
    return str(uuid.UUID(bytes=bytes.fromhex(session_id) + sequence.to_bytes(8, "big")))


def canonical_gtid(text: str) -> str | None:
    """`text` as a canonical UUID, or None when it is not one."""
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


def resume_option(session_id: str) -> str:
    """The `-c` option of the startup `options` parameter that continues `session_id`."""
    return f"-c {SESSION_ID_PARAMETER}={session_id}"
