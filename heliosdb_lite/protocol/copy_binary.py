"""COPY's binary format, PostgreSQL's "PGCOPY" stream, as rows of raw field values (sans-IO).

The stream is an 11-byte signature, an Int32 flags field (bit 16: OIDs included, refused; the
other high 16 bits are critical: an unknown one is refused, the low 16 are ignored), an Int32
header-extension length and that many bytes (skipped); then one tuple per row: Int16 field
count, and per field an Int32 length (-1: NULL) and that many bytes in the column type's binary
form; an Int16 -1 ends the data, and nothing may follow it. Fields are bytes | None here; typed
conversion is the codecs' job. Errors are 22P04 (bad_copy_file_format), as PostgreSQL's.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from heliosdb_lite.errors import BAD_COPY_FILE_FORMAT, DatabaseError

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)
_INT16 = struct.Struct("!h")
_INT32 = struct.Struct("!i")
_OIDS_FLAG = 1 << 16
_CRITICAL_FLAGS = 0xFFFF0000


def _bad(message: str) -> DatabaseError:
    return DatabaseError(BAD_COPY_FILE_FORMAT, message)


class BinaryCopyParser:
    """Accumulates CopyData bytes and yields complete rows of `column_count` raw fields."""

    def __init__(self, column_count: int) -> None:
        self._column_count = column_count
        self._buffer = bytearray()
        self._header_read = False
        self._ended = False

    def feed(self, chunk: bytes) -> list[list[bytes | None]]:
        self._buffer += chunk
        return self._rows()

    def finish(self) -> list[list[bytes | None]]:
        """The rows still buffered at CopyDone; 22P04 when the end marker never came."""
        rows = self._rows()
        if not self._ended:
            raise _bad("unexpected EOF in COPY data")
        return rows

    def _rows(self) -> list[list[bytes | None]]:
        if self._ended:
            if self._buffer:
                raise _bad("received copy data after EOF marker")
            return []
        if not self._header_read and not self._read_header():
            return []
        rows: list[list[bytes | None]] = []
        position = 0
        buffer = self._buffer
        while not self._ended and position + 2 <= len(buffer):
            (count,) = _INT16.unpack_from(buffer, position)
            if count == -1:
                self._ended = True
                position += 2
                break
            if count != self._column_count:
                raise _bad(f"row field count is {count}, expected {self._column_count}")
            row, end = self._row(position + 2, count)
            if row is None:
                break
            rows.append(row)
            position = end
        del buffer[:position]
        if self._ended and buffer:
            raise _bad("received copy data after EOF marker")
        return rows

    def _row(self, position: int, count: int) -> tuple[list[bytes | None] | None, int]:
        """The row's fields starting at `position` and the position after it; (None, _) if incomplete."""
        buffer = self._buffer
        fields: list[bytes | None] = []
        for _ in range(count):
            if position + 4 > len(buffer):
                return None, position
            (length,) = _INT32.unpack_from(buffer, position)
            position += 4
            if length == -1:
                fields.append(None)
                continue
            if length < 0:
                raise _bad("invalid field size")
            if position + length > len(buffer):
                return None, position
            fields.append(bytes(buffer[position:position + length]))
            position += length
        return fields, position

    def _read_header(self) -> bool:
        buffer = self._buffer
        fixed = len(SIGNATURE) + 8
        if len(buffer) < fixed:
            if not SIGNATURE.startswith(bytes(buffer[:len(SIGNATURE)])):
                raise _bad("COPY file signature not recognized")
            return False
        if bytes(buffer[:len(SIGNATURE)]) != SIGNATURE:
            raise _bad("COPY file signature not recognized")
        flags, extension = struct.unpack_from("!ii", buffer, len(SIGNATURE))
        if flags & _OIDS_FLAG:
            raise _bad("invalid COPY file header (WITH OIDS)")
        if flags & _CRITICAL_FLAGS & ~_OIDS_FLAG:
            raise _bad("unrecognized critical flags in COPY file header")
        if extension < 0:
            raise _bad("invalid COPY file header (missing length)")
        if len(buffer) < fixed + extension:
            return False
        del buffer[:fixed + extension]
        self._header_read = True
        return True


def binary_row(fields: Sequence[bytes | None]) -> bytes:
    """One tuple of the binary COPY stream."""
    parts = [_INT16.pack(len(fields))]
    for field in fields:
        parts.append(_INT32.pack(-1) if field is None else _INT32.pack(len(field)) + field)
    return b"".join(parts)
