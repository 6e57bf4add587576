"""What the server stores in an entry's payload: msgpack through msgspec structs, one per entry type.

Structs are encoded as msgpack arrays (field order is the format): fields may only be appended,
each with a default, so older entries keep decoding. Byte fields decode as memoryviews into the
buffer they came from, so a changeset read from a mapped segment is never copied.
"""

from __future__ import annotations

from typing import Any

import msgspec

from heliosdb_lite.journal.format import EntryType

# A bind parameter as the client sent it: any msgpack value (None, bool, int, float, str, bytes,
# lists). msgspec cannot type a union of str and bytes, hence Any.
Param = Any


class Statement(msgspec.Struct, array_like=True, frozen=True):
    """One statement of a transaction: its text, bind parameters and a digest of its result."""

    sql: str
    params: list[Param] = []
    result_digest: bytes = b""


class ReadSet(msgspec.Struct, array_like=True, frozen=True):
    """What the transaction read: the tables, and the last LSN its snapshot could see."""

    tables: list[str] = []
    snapshot_lsn: int = 0


class WriteStep(msgspec.Struct, array_like=True, frozen=True):
    """Row changes made before some DDL of the transaction, then that DDL."""

    changeset: memoryview = memoryview(b"")
    schema_sql: list[str] = []


class WriteSet(msgspec.Struct, array_like=True, frozen=True):
    """What the transaction wrote, in the order replay redoes it: `schema_sql` (DDL before any row
    change), each of `steps` (a changeset, then DDL), then `changeset` (`replay.write_capture`)."""

    tables: list[str] = []
    changeset: memoryview = memoryview(b"")
    schema_sql: list[str] = []  # SQLite DDL run by the transaction before it changed any row
    autoincrement: dict[str, int] = {}  # sqlite_sequence after the transaction (serial high-water marks)
    steps: list[WriteStep] = []


class SessionState(msgspec.Struct, array_like=True, frozen=True):
    """The session settings a replay needs to reproduce the transaction's context."""

    user: str = ""
    database: str = ""
    settings: dict[str, str] = {}


class CommandResponse(msgspec.Struct, array_like=True, frozen=True):
    """What the server answered one statement of the committing request: its command tag, and the
    rows of its result set (None: it returned none). Kept with the outcome (`_helios_txn`)."""

    tag: str
    rows: int | None = None


class RoleRecord(msgspec.Struct, array_like=True, frozen=True):
    """A change CREATE / ALTER / DROP ROLE made to the server's roles (`engine.interface.RoleChange`):
    create (verifier, login), alter (the verifier when set_verifier, login unless None), or drop."""

    action: str
    name: str
    verifier: str | None = None
    set_verifier: bool = False
    login: bool | None = None


class CommitPayload(msgspec.Struct, array_like=True, frozen=True):
    """A committed transaction."""

    statements: list[Statement] = []
    read_set: ReadSet = msgspec.field(default_factory=ReadSet)
    write_set: WriteSet = msgspec.field(default_factory=WriteSet)
    session: SessionState = msgspec.field(default_factory=SessionState)
    responses: list[CommandResponse] = []
    roles: list[RoleRecord] = []  # the server's roles it changed, in order (postgres database only)


class FencePayload(msgspec.Struct, array_like=True, frozen=True):
    """A GTID reported as not committed, which may therefore never commit (the header holds it)."""

    reason: str = ""


class CheckpointPayload(msgspec.Struct, array_like=True, frozen=True):
    """The store was checkpointed up to and including `store_lsn`."""

    store_lsn: int


class EpochPayload(msgspec.Struct, array_like=True, frozen=True):
    """A node became primary: entries from here on carry `epoch` (the header holds it too)."""

    node: str = ""
    previous_last_lsn: int = 0


class AbortPayload(msgspec.Struct, array_like=True, frozen=True):
    """The commit entry at `aborted_lsn` does not count: it was appended, then SQLite refused the
    COMMIT (the header holds the same GTID). It is appended before anything else can be, so it
    always directly follows the entry it names."""

    aborted_lsn: int
    reason: str = ""


Payload = CommitPayload | FencePayload | CheckpointPayload | EpochPayload | AbortPayload

PAYLOAD_TYPES: dict[EntryType, type[Payload]] = {
    EntryType.COMMIT: CommitPayload,
    EntryType.FENCE: FencePayload,
    EntryType.CHECKPOINT: CheckpointPayload,
    EntryType.EPOCH: EpochPayload,
    EntryType.ABORT: AbortPayload,
}

_ENCODER = msgspec.msgpack.Encoder()
_DECODERS = {kind: msgspec.msgpack.Decoder(struct) for kind, struct in PAYLOAD_TYPES.items()}


def encode_payload(payload: Payload) -> bytes:
    """The msgpack bytes of a payload struct."""
    return _ENCODER.encode(payload)


def decode_payload(entry_type: EntryType, buf: bytes | memoryview) -> Payload:
    """The payload struct of an entry of `entry_type`; raises msgspec.DecodeError (a ValueError)."""
    return _DECODERS[entry_type].decode(buf)
