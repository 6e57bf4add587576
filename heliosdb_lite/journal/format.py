"""The journal's entry format: encoding an entry, and decoding and verifying one in place.

On disk an entry is a 64-byte header followed by its payload; every integer is little-endian.

    offset size field
         0    4 magic          0x4C4A5448, the bytes "HTJL"
         4    1 version        1
         5    1 type           1 commit, 2 fence, 3 checkpoint, 4 epoch, 5 abort (0 is never
                               valid)
         6    2 flags          bits 0-1 isolation level (`Isolation`), bits 2-3 payload encoding
                               (0 = msgpack), bits 4-15 reserved, zero
         8    8 LSN            1, 2, 3, ... with no gaps across the whole journal
        16   16 GTID           the transaction's global id (shown as a UUID)
        32    8 timestamp      microseconds since the Unix epoch
        40    4 payload length bytes of payload after the header
        44    4 epoch          the primary's epoch when it wrote the entry
        48   16 checksum       XXH3-128 (digest bytes) over header bytes 0-47, then the payload
        64    n payload        opaque to the journal (see payload.py for what the server stores)

Entries follow each other with no padding. An entry is valid only if its magic, version and type
are known, it lies wholly inside its segment and its checksum matches; the LSN sequence is checked
by the reader, which knows which LSN comes next.
"""

from __future__ import annotations

import enum
import struct
import uuid

from xxhash import xxh3_128

MAGIC = 0x4C4A5448
MAGIC_BYTES = MAGIC.to_bytes(4, "little")
VERSION = 1
HEADER_SIZE = 64
CHECKED_HEADER_SIZE = 48
MAX_PAYLOAD = 2**32 - 1

_HEADER = struct.Struct("<IBBHQ16sQII")
_FULL_HEADER = struct.Struct("<IBBHQ16sQII16s")
assert _HEADER.size == CHECKED_HEADER_SIZE and _FULL_HEADER.size == HEADER_SIZE


class EntryType(enum.IntEnum):
    """What an entry records."""

    COMMIT = 1
    FENCE = 2
    CHECKPOINT = 3
    EPOCH = 4
    ABORT = 5  # the commit entry just before it does not count (SQLite refused its COMMIT)


class Isolation(enum.IntEnum):
    """The isolation level of a committed transaction, kept in flag bits 0-1."""

    READ_COMMITTED = 0
    REPEATABLE_READ = 1
    SERIALIZABLE = 2


ISOLATION_MASK = 0x3
_ENTRY_TYPES = {member.value: member for member in EntryType}


def isolation_of(flags: int) -> Isolation:
    """The isolation level recorded in an entry's flags."""
    return Isolation(flags & ISOLATION_MASK)


def encode_entry(entry_type: int, flags: int, lsn: int, gtid: bytes, timestamp_us: int, epoch: int,
                 payload: bytes | memoryview) -> bytes:
    """One entry, header and payload, ready to be written."""
    header = _HEADER.pack(MAGIC, VERSION, entry_type, flags, lsn, gtid, timestamp_us, len(payload), epoch)
    checksum = xxh3_128(header)
    checksum.update(payload)
    return b"".join((header, checksum.digest(), payload))


class EntryView:
    """One verified entry, read in place: `payload` is a view into the segment, not a copy."""

    __slots__ = ("entry_type", "epoch", "flags", "gtid", "lsn", "offset", "payload", "segment",
                 "timestamp_us")

    def __init__(self, entry_type: EntryType, flags: int, lsn: int, gtid: bytes, timestamp_us: int,
                 epoch: int, payload: memoryview, segment: str, offset: int) -> None:
        self.entry_type = entry_type
        self.flags = flags
        self.lsn = lsn
        self.gtid = gtid
        self.timestamp_us = timestamp_us
        self.epoch = epoch
        self.payload = payload
        self.segment = segment
        self.offset = offset

    @property
    def size(self) -> int:
        """Bytes the entry occupies on disk, header included."""
        return HEADER_SIZE + len(self.payload)

    @property
    def end(self) -> int:
        """Offset just past the entry in its segment."""
        return self.offset + HEADER_SIZE + len(self.payload)

    @property
    def gtid_uuid(self) -> uuid.UUID:
        return uuid.UUID(bytes=self.gtid)

    def __repr__(self) -> str:
        return (f"EntryView(lsn={self.lsn}, type={self.entry_type.name}, gtid={self.gtid_uuid}, "
                f"epoch={self.epoch}, payload={len(self.payload)} B, at {self.segment}:{self.offset})")


def decode_entry(buf: memoryview, offset: int, segment: str) -> EntryView | str:
    """The valid entry at `offset` of a segment's bytes, or the reason there is none."""
    left = len(buf) - offset
    if left < HEADER_SIZE:
        return f"{left} bytes left, too few for an entry header"
    (magic, version, entry_type, flags, lsn, gtid, timestamp_us, length, epoch,
     checksum) = _FULL_HEADER.unpack_from(buf, offset)
    if magic != MAGIC:
        return f"bad magic 0x{magic:08X}"
    if version != VERSION:
        return f"unsupported entry version {version}"
    kind = _ENTRY_TYPES.get(entry_type)
    if kind is None:
        return f"unknown entry type {entry_type}"
    start = offset + HEADER_SIZE
    if length > len(buf) - start:
        return f"payload of {length} bytes runs past the end of the segment ({left - HEADER_SIZE} left)"
    payload = buf[start:start + length]
    computed = xxh3_128(buf[offset:offset + CHECKED_HEADER_SIZE])
    computed.update(payload)
    if computed.digest() != checksum:
        return "checksum mismatch"
    return EntryView(kind, flags, lsn, gtid, timestamp_us, epoch, payload, segment, offset)
