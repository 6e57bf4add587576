"""`_helios_txn`: the store's record of every decided GTID, written inside the deciding transaction.

Schema: lsn (the journal entry's LSN, primary key) · gtid (16 bytes, unique) · outcome
('committed' | 'fenced' | 'aborted': the row of an abort entry, whose commit entry just before it
SQLite refused) · decided_us (µs since the epoch) · payload (the journal entry's payload, kept
until the journal is known durable past it, then NULL).

Invariants: a row commits atomically with the transaction's data, so `max(lsn)` is the last journal
entry the store contains; a GTID has at most one row, so it is decided once (I3, I5).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import apsw

TXN_TABLE = "_helios_txn"
COMMITTED = "committed"
FENCED = "fenced"
ABORTED = "aborted"

_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TXN_TABLE} ("
    "lsn INTEGER PRIMARY KEY, gtid BLOB NOT NULL UNIQUE, outcome TEXT NOT NULL, "
    "decided_us INTEGER NOT NULL, payload BLOB)"
)


@dataclass(frozen=True, slots=True)
class TxnRecord:
    lsn: int
    gtid: bytes
    outcome: str
    decided_us: int
    payload: bytes | None


def ensure(connection: apsw.Connection) -> None:
    connection.execute(_CREATE)


def lookup(connection: apsw.Connection, gtid: bytes) -> TxnRecord | None:
    for row in connection.execute(
        f"SELECT lsn, gtid, outcome, decided_us, payload FROM {TXN_TABLE} WHERE gtid = ?", (gtid,)
    ):
        return TxnRecord(*row)
    return None


_INSERT = f"INSERT INTO {TXN_TABLE} (lsn, gtid, outcome, decided_us, payload) VALUES (?, ?, ?, ?, ?)"


def insert(connection: apsw.Connection, record: TxnRecord) -> None:
    connection.execute(_INSERT, (record.lsn, record.gtid, record.outcome, record.decided_us, record.payload))


def insert_many(connection: apsw.Connection, rows: list[tuple[int, bytes, str, int, bytes | None]]) -> None:
    """Rows in TxnRecord field order, in one call (recovery and restore)."""
    connection.executemany(_INSERT, rows)


def last_lsn(connection: apsw.Connection) -> int:
    """The LSN of the last journal entry the store contains (0 for none)."""
    for (lsn,) in connection.execute(f"SELECT coalesce(max(lsn), 0) FROM {TXN_TABLE}"):
        return int(lsn)
    return 0


def records_after(connection: apsw.Connection, lsn: int) -> Iterator[TxnRecord]:
    for row in connection.execute(
        f"SELECT lsn, gtid, outcome, decided_us, payload FROM {TXN_TABLE} WHERE lsn > ? ORDER BY lsn", (lsn,)
    ):
        yield TxnRecord(*row)


def next_sequence(connection: apsw.Connection, session_id: bytes) -> int:
    """The commit sequence a (possibly resumed) session continues from: 1 + the highest decided."""
    low, high = session_id + b"\x00" * 8, session_id + b"\xff" * 8
    for (gtid,) in connection.execute(
        f"SELECT max(gtid) FROM {TXN_TABLE} WHERE gtid BETWEEN ? AND ?", (low, high)
    ):
        if gtid is not None:
            return int.from_bytes(gtid[8:], "big") + 1
    return 1


def drop_payloads(connection: apsw.Connection, up_to_lsn: int) -> None:
    """Forget payloads the journal holds durably (they were kept only for write-back)."""
    connection.execute(f"UPDATE {TXN_TABLE} SET payload = NULL WHERE lsn <= ? AND payload IS NOT NULL",
                       (up_to_lsn,))


def drop_outcomes(connection: apsw.Connection, decided_before_us: int) -> int:
    """Forget outcomes older than the retention, always keeping the newest row (it marks max(lsn))."""
    connection.execute(
        f"DELETE FROM {TXN_TABLE} WHERE decided_us < ? AND lsn < (SELECT max(lsn) FROM {TXN_TABLE})",
        (decided_before_us,),
    )
    return connection.changes()
