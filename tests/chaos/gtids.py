"""Client-side view of GTIDs: the next GTID a psycopg connection will commit under (from the
`heliosdb.session_id` and `heliosdb.txn_seq` ParameterStatus values), outcome lookups through
`heliosdb_txn_outcome`, and `heliosdb-lite journal verify` as an operator runs it.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg

SESSION_ID_PARAMETER = "heliosdb.session_id"
TXN_SEQ_PARAMETER = "heliosdb.txn_seq"
COMMITTED = "committed"
NOT_COMMITTED = "not committed"
VERIFY_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Outcome:
    gtid: str
    status: str
    lsn: int | None
    commit_time: datetime | None


def session_id(connection: psycopg.Connection) -> str:
    value = connection.info.parameter_status(SESSION_ID_PARAMETER)
    assert value is not None, f"the server sent no {SESSION_ID_PARAMETER}"
    return value


def txn_seq(connection: psycopg.Connection) -> int:
    value = connection.info.parameter_status(TXN_SEQ_PARAMETER)
    assert value is not None, f"the server sent no {TXN_SEQ_PARAMETER}"
    return int(value)


def gtid_of(session: str, sequence: int) -> str:
    """The default GTID: session id (8 bytes) ‖ commit sequence (8 bytes, big-endian), as a UUID."""
    return str(uuid.UUID(bytes=bytes.fromhex(session) + sequence.to_bytes(8, "big")))


def next_gtid(connection: psycopg.Connection) -> str:
    """The GTID the connection's next write transaction commits under, known before COMMIT."""
    return gtid_of(session_id(connection), txn_seq(connection))


def resume_options(session: str) -> str:
    """The startup `options` that continue session `session`'s commit sequence."""
    return f"-c {SESSION_ID_PARAMETER}={session}"


def lookup(connection: psycopg.Connection, gtid: str) -> Outcome:
    """`heliosdb_txn_outcome(gtid)`: committed, or not committed (and then fenced for good)."""
    rows = connection.execute("SELECT gtid, status, lsn, commit_time FROM heliosdb_txn_outcome(%s)",
                              (gtid,)).fetchall()
    assert len(rows) == 1, rows
    reported_gtid, status, lsn, commit_time = rows[0]
    return Outcome(str(reported_gtid), status, lsn, commit_time)


def journal_verify(journal_dir: Path) -> subprocess.CompletedProcess[str]:
    """`heliosdb-lite journal verify --journal DIR`, as a subprocess (read-only on the journal)."""
    return subprocess.run([sys.executable, "-m", "heliosdb_lite.cli", "journal", "verify",
                           "--journal", str(journal_dir)],
                          capture_output=True, text=True, timeout=VERIFY_TIMEOUT, stdin=subprocess.DEVNULL)
