"""The messages of a replication connection, carried in CopyData frames after START_REPLICATION.

The standby opens a normal PostgreSQL connection with the startup parameter `replication` set to
its standby name, authenticates like any client, and sends one simple query

    START_REPLICATION <next lsn> LAST <lsn> <epoch> EPOCH <epoch>

(the LSN it wants first; the LSN and epoch of the last entry it holds, 0 0 when none; the
highest epoch it knows). The primary answers CopyBothResponse, then streams:

    'w' DATA       primary's last LSN u64 · epoch u32 · send time µs u64 · entries (encoded exactly
                   as on disk: 64-byte header + payload, each verified by the standby)
    'k' KEEPALIVE  primary's last LSN u64 · epoch u32 · send time µs u64
and the standby answers with
    'r' STATUS     flushed LSN u64 · applied LSN u64 · epoch u32 · send time µs u64
after each DATA message and each KEEPALIVE. Every integer is big-endian, as in PostgreSQL's
replication messages.

Before START_REPLICATION a standby may send `EPOCH_HISTORY` (PostgreSQL's TIMELINE_HISTORY, in our
terms): the primary answers rows (first_lsn, last_lsn, epoch) of its retained journal, oldest first,
then ReadyForQuery; a rejoining standby finds there where its own journal parts from the primary's.
`BASE_BACKUP` answers a consistent copy of the primary's store (APSW's backup API) as CopyOutResponse,
CopyData chunks, CopyDone, then CommandComplete `BASE_BACKUP <lsn> <epoch>` (the last journal entry
the copy contains, and its epoch) and ReadyForQuery: a standby the primary's retained journal no
longer reaches starts from it and streams from the next LSN. `USERS_FILE` answers one row, one
column: the primary's users file (roles, verifiers, its journal position; the changes of entries
its journal has not synced left out), NULL when it has none. A standby takes it whenever it builds
its state from the primary's (a new standby, a copy of the store, a rejoin's rewind), so its roles
are the primary's as its data is.
"""

from __future__ import annotations

import re
import struct
import time
from dataclasses import dataclass

from heliosdb_lite.errors import PROTOCOL_VIOLATION, DatabaseError

REPLICATION_PARAMETER = "replication"
DATA = b"w"
KEEPALIVE = b"k"
STATUS = b"r"
_PRIMARY = struct.Struct("!QIQ")
_STATUS = struct.Struct("!QQIQ")
_START = re.compile(r"^\s*START_REPLICATION\s+(\d+)\s+LAST\s+(\d+)\s+(\d+)\s+EPOCH\s+(\d+)\s*;?\s*$",
                    re.IGNORECASE)


HISTORY_QUERY = "EPOCH_HISTORY"
HISTORY_COLUMNS = ("first_lsn", "last_lsn", "epoch")


BACKUP_QUERY = "BASE_BACKUP"
USERS_QUERY = "USERS_FILE"
USERS_COLUMN = "users_file"


def is_history_request(sql: str) -> bool:
    return _command(sql) == HISTORY_QUERY


def is_backup_request(sql: str) -> bool:
    return _command(sql) == BACKUP_QUERY


def is_users_request(sql: str) -> bool:
    return _command(sql) == USERS_QUERY


def is_preamble_request(sql: str) -> bool:
    """A request a standby may send before START_REPLICATION."""
    return _command(sql) in (HISTORY_QUERY, BACKUP_QUERY, USERS_QUERY)


def _command(sql: str) -> str:
    return sql.strip().rstrip(";").strip().upper()


def backup_tag(lsn: int, epoch: int) -> str:
    return f"{BACKUP_QUERY} {lsn} {epoch}"


def parse_backup_tag(tag: str) -> tuple[int, int]:
    """(lsn, epoch) of a BASE_BACKUP's CommandComplete tag."""
    match = re.fullmatch(rf"{BACKUP_QUERY} (\d+) (\d+)", tag)
    if match is None:
        raise DatabaseError(PROTOCOL_VIOLATION, f"unexpected BASE_BACKUP completion {tag!r}")
    return int(match.group(1)), int(match.group(2))


def now_us() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True, slots=True)
class StartRequest:
    """What a standby asks for: entries from `next_lsn`; it holds `last_lsn` written in `last_epoch`."""

    next_lsn: int
    last_lsn: int
    last_epoch: int
    epoch: int

    def query(self) -> str:
        return (f"START_REPLICATION {self.next_lsn} LAST {self.last_lsn} {self.last_epoch} "
                f"EPOCH {self.epoch}")


def parse_start(sql: str) -> StartRequest:
    match = _START.match(sql)
    if match is None:
        raise DatabaseError(PROTOCOL_VIOLATION, f"a replication connection accepts only START_REPLICATION, "
                                                f"not {sql[:60]!r}")
    return StartRequest(*(int(group) for group in match.groups()))


@dataclass(frozen=True, slots=True)
class PrimaryState:
    """The header of DATA and KEEPALIVE messages."""

    last_lsn: int
    epoch: int
    sent_us: int


def data_message(state: PrimaryState, entries: bytes) -> bytes:
    return DATA + _PRIMARY.pack(state.last_lsn, state.epoch, state.sent_us) + entries


def keepalive_message(state: PrimaryState) -> bytes:
    return KEEPALIVE + _PRIMARY.pack(state.last_lsn, state.epoch, state.sent_us)


def parse_primary(message: bytes) -> tuple[bytes, PrimaryState, memoryview]:
    """(kind, header, entry bytes) of a DATA or KEEPALIVE message."""
    kind = message[:1]
    if kind not in (DATA, KEEPALIVE) or len(message) < 1 + _PRIMARY.size:
        raise DatabaseError(PROTOCOL_VIOLATION, f"unexpected replication message {message[:1]!r}")
    state = PrimaryState(*_PRIMARY.unpack_from(message, 1))
    return kind, state, memoryview(message)[1 + _PRIMARY.size:]


@dataclass(frozen=True, slots=True)
class StandbyStatus:
    flushed_lsn: int
    applied_lsn: int
    epoch: int
    sent_us: int


def status_message(status: StandbyStatus) -> bytes:
    return STATUS + _STATUS.pack(status.flushed_lsn, status.applied_lsn, status.epoch, status.sent_us)


def parse_status(message: bytes) -> StandbyStatus:
    if message[:1] != STATUS or len(message) != 1 + _STATUS.size:
        raise DatabaseError(PROTOCOL_VIOLATION, f"unexpected standby message {message[:1]!r}")
    return StandbyStatus(*_STATUS.unpack_from(message, 1))
