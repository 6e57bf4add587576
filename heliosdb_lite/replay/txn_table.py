"""`_helios_txn`: the store's record of every decided GTID, written inside the deciding transaction.

Schema: lsn (the journal entry's LSN, primary key) · gtid (16 bytes, unique) · outcome
('committed' | 'fenced' | 'aborted': the row of an abort entry, whose commit entry just before it
SQLite refused) · decided_us (µs since the epoch) · payload (the journal entry's payload, kept
until the journal is known durable past it, then NULL) · command_tags (of a committed transaction:
what the server answered each statement of the request that committed it, so a client that lost
that answer can be given it: a JSON array of [tag, rows] pairs, rows null when the statement
returned no result set; NULL for other outcomes and for stores written before the column existed,
to which `ensure` adds it).

Invariants: a row commits atomically with the transaction's data, so `max(lsn)` is the last journal
entry the store contains; a GTID has at most one row, so it is decided once (I3, I5).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import apsw
import msgspec

TXN_TABLE = "_helios_txn"
COMMITTED = "committed"
FENCED = "fenced"
ABORTED = "aborted"
# A row of the table in TxnRecord field order: lsn, gtid, outcome, decided_us, payload, command_tags.
TxnRow = tuple[int, bytes, str, int, bytes | None, str | None]

_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TXN_TABLE} ("
    "lsn INTEGER PRIMARY KEY, gtid BLOB NOT NULL UNIQUE, outcome TEXT NOT NULL, "
    "decided_us INTEGER NOT NULL, payload BLOB, command_tags TEXT)"
)


@dataclass(frozen=True, slots=True)
class TxnRecord:
    lsn: int
    gtid: bytes
    outcome: str
    decided_us: int
    payload: bytes | None
    command_tags: str | None = None


def ensure(connection: apsw.Connection) -> None:
    connection.execute(_CREATE)
    columns = {row[1] for row in connection.execute(f"PRAGMA table_info({TXN_TABLE})")}
    if "command_tags" not in columns:
        connection.execute(f"ALTER TABLE {TXN_TABLE} ADD COLUMN command_tags TEXT")


_JSON = msgspec.json.Encoder()


def format_command_tags(responses: Sequence[tuple[str, int | None]]) -> str | None:
    """The command_tags column for (tag, rows) pairs, as compact JSON; None when there are none."""
    if not responses:
        return None
    return _JSON.encode(responses).decode()


def lookup(connection: apsw.Connection, gtid: bytes) -> TxnRecord | None:
    for row in connection.execute(
        f"SELECT lsn, gtid, outcome, decided_us, payload, command_tags FROM {TXN_TABLE} WHERE gtid = ?",
        (gtid,)
    ):
        return TxnRecord(*row)
    return None


_INSERT = (f"INSERT INTO {TXN_TABLE} (lsn, gtid, outcome, decided_us, payload, command_tags) "
           "VALUES (?, ?, ?, ?, ?, ?)")


def insert(connection: apsw.Connection, record: TxnRecord) -> None:
    connection.execute(_INSERT, (record.lsn, record.gtid, record.outcome, record.decided_us, record.payload,
                                 record.command_tags))


def insert_undecided(connection: apsw.Connection, record: TxnRecord) -> TxnRecord | None:
    """Insert `record` unless its GTID has a row already (it was decided before): then nothing is
    inserted and that row is returned. The GTID's unique key makes the check, so a commit does not
    look the GTID up first."""
    try:
        insert(connection, record)
    except apsw.ConstraintError:
        existing = lookup(connection, record.gtid)
        if existing is None:
            raise
        return existing
    return None


def insert_many(connection: apsw.Connection, rows: list[TxnRow]) -> None:
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


def drop_payloads(connection: apsw.Connection, after_lsn: int, up_to_lsn: int) -> None:
    """Forget the payloads of rows after_lsn < lsn <= up_to_lsn, which the journal holds durably (they
    were kept only for write-back): a range of the key, so a checkpoint reads only the rows since the
    previous one, not the whole table."""
    connection.execute(
        f"UPDATE {TXN_TABLE} SET payload = NULL WHERE lsn > ? AND lsn <= ? AND payload IS NOT NULL",
        (after_lsn, up_to_lsn))


def drop_outcomes(connection: apsw.Connection, decided_before_us: int) -> int:
    """Forget outcomes older than the retention, always keeping the newest row (it marks max(lsn)).
    LSN order is commit order, so the expired rows are the oldest: rows are read in key order up to
    the first one still retained, not the whole table. A row decided before the clock was set back
    is kept until the rows before it expire too (longer than the retention, never shorter)."""
    kept: list[tuple[int]] = list(connection.execute(
        f"SELECT lsn FROM {TXN_TABLE} WHERE decided_us >= ? ORDER BY lsn LIMIT 1", (decided_before_us,)))
    if kept:
        connection.execute(f"DELETE FROM {TXN_TABLE} WHERE lsn < ?", kept[0])
    else:
        connection.execute(f"DELETE FROM {TXN_TABLE} WHERE lsn < (SELECT max(lsn) FROM {TXN_TABLE})")
    return connection.changes()
