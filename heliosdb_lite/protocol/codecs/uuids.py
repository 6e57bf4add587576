"""Codec for uuid: uuid.UUID.

Text output is lowercase 8-4-4-4-12. Input (string_to_uuid) takes 32 hex digits in any case,
optionally wrapped in braces, with an optional hyphen after any group of four digits.
Binary: the 16 bytes.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from uuid import UUID

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import bad_binary, invalid_syntax

_UUID_TEXT = re.compile(rb"(\{)?[0-9a-fA-F]{4}(?:-?[0-9a-fA-F]{4}){7}(?(1)\})")


def _text_out(value: UUID, tz: tzinfo) -> bytes:
    return str(value).encode()


def _text_in(data: bytes, tz: tzinfo) -> UUID:
    if _UUID_TEXT.fullmatch(data) is None:
        raise invalid_syntax("uuid", data.decode(errors="replace"))
    return UUID(data.decode())


def _binary_out(value: UUID) -> bytes:
    return value.bytes


def _binary_in(data: bytes) -> UUID:
    if len(data) != 16:
        raise bad_binary(f"uuid must be 16 bytes, got {len(data)}")
    return UUID(bytes=bytes(data))


CODECS: dict[int, Codec] = {oids.UUID: Codec(_text_out, _text_in, _binary_out, _binary_in)}
