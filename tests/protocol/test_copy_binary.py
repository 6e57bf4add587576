"""COPY's binary stream (protocol/copy_binary.py), sans-IO: rows from any chunking, NULLs, the header
extension skipped, and PostgreSQL's 22P04 for a bad signature, critical or OID flags, a wrong field
count or size, a missing end marker and data after it."""

from __future__ import annotations

import struct

import pytest

from heliosdb_lite.errors import BAD_COPY_FILE_FORMAT, DatabaseError
from heliosdb_lite.protocol.copy_binary import HEADER, SIGNATURE, TRAILER, BinaryCopyParser, binary_row

ROWS: list[list[bytes | None]] = [[b"\x00\x00\x00\x01", b"abc"], [None, b""], [b"\xff" * 3, None]]
STREAM = HEADER + b"".join(binary_row(row) for row in ROWS) + TRAILER


def _parse(chunks: list[bytes], columns: int = 2) -> list[list[bytes | None]]:
    parser = BinaryCopyParser(columns)
    rows = [row for chunk in chunks for row in parser.feed(chunk)]
    return rows + parser.finish()


def _refused(chunks: list[bytes], message: str, columns: int = 2) -> None:
    with pytest.raises(DatabaseError) as raised:
        _parse(chunks, columns)
    assert (raised.value.sqlstate, raised.value.message) == (BAD_COPY_FILE_FORMAT, message)


def test_rows_whatever_the_chunking() -> None:
    assert _parse([STREAM]) == ROWS
    assert _parse([STREAM[i:i + 1] for i in range(len(STREAM))]) == ROWS
    assert _parse([STREAM[:7], STREAM[7:20], STREAM[20:]]) == ROWS


def test_a_header_extension_is_skipped_and_low_flags_ignored() -> None:
    header = SIGNATURE + struct.pack("!ii", 0x0000FFFF, 3) + b"ext"
    assert _parse([header + binary_row([b"1", b"2"]) + TRAILER]) == [[b"1", b"2"]]


def test_the_row_encoding_is_postgresqls() -> None:
    assert binary_row([b"ab", None]) == b"\x00\x02" + b"\x00\x00\x00\x02ab" + b"\xff\xff\xff\xff"


@pytest.mark.parametrize(("stream", "message"), [
    (b"PGCOPX\n\xff\r\n\x00" + bytes(8) + TRAILER, "COPY file signature not recognized"),
    (b"garbage", "COPY file signature not recognized"),
    (SIGNATURE + struct.pack("!ii", 1 << 16, 0) + TRAILER, "invalid COPY file header (WITH OIDS)"),
    (SIGNATURE + struct.pack("!ii", 1 << 17, 0) + TRAILER, "unrecognized critical flags in COPY file header"),
    (SIGNATURE + struct.pack("!ii", 0, -1) + TRAILER, "invalid COPY file header (missing length)"),
    (HEADER + binary_row([b"1"]) + TRAILER, "row field count is 1, expected 2"),
    (HEADER + b"\x00\x02" + struct.pack("!i", -2) + TRAILER, "invalid field size"),
    (HEADER + binary_row([b"1", b"2"]), "unexpected EOF in COPY data"),
    (HEADER[:5], "unexpected EOF in COPY data"),
    (HEADER + TRAILER + b"\x00", "received copy data after EOF marker"),
])
def test_malformed_streams_are_refused(stream: bytes, message: str) -> None:
    _refused([stream], message)


def test_data_after_the_end_marker_in_a_later_chunk_is_refused() -> None:
    _refused([HEADER + TRAILER, b"x"], "received copy data after EOF marker")
