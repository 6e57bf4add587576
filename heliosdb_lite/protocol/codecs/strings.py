"""Codecs for the character types: text, varchar, bpchar, name, unknown, and "char".

text/varchar/bpchar/unknown: str, UTF-8 on the wire in both formats (lengths and padding are
the engine's business: without a typmod PostgreSQL neither pads nor truncates).
name: str of at most 63 bytes; longer text input is cut at a character boundary like namein,
longer binary input is 42622 like namerecv.
"char": a one-byte type held as a str of length 0 or 1 whose code point is the byte (0..255);
the empty string is the zero byte. Text output writes bytes >= 128 as `\\ooo` octal; input takes
`\\ooo` or else the first byte of the text.
"""

from __future__ import annotations

from datetime import tzinfo

from heliosdb_lite.errors import NAME_TOO_LONG, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import bad_binary, decode_utf8

NAME_MAX_BYTES = 63


def _str_text_out(value: str, tz: tzinfo) -> bytes:
    return value.encode()


def _str_text_in(data: bytes, tz: tzinfo) -> str:
    return decode_utf8(data)


def _str_binary_out(value: str) -> bytes:
    return value.encode()


def _str_binary_in(data: bytes) -> str:
    return decode_utf8(data)


TEXT_CODEC = Codec(_str_text_out, _str_text_in, _str_binary_out, _str_binary_in)


def _name_text_in(data: bytes, tz: tzinfo) -> str:
    text = decode_utf8(data)
    if len(data) > NAME_MAX_BYTES:
        text = data[:NAME_MAX_BYTES].decode(errors="ignore")
    return text


def _name_binary_in(data: bytes) -> str:
    if len(data) > NAME_MAX_BYTES:
        raise DatabaseError(
            NAME_TOO_LONG, "identifier too long", detail="Identifier must be less than 64 characters."
        )
    return decode_utf8(data)


def _char_byte(value: str) -> int:
    if not value:
        return 0
    code = ord(value[0])
    return code if code < 256 else value[0].encode()[0]


def _char_text_out(value: str, tz: tzinfo) -> bytes:
    byte = _char_byte(value)
    if byte == 0:
        return b""
    if byte >= 128:
        return b"\\%03o" % byte
    return bytes((byte,))


def _char_text_in(data: bytes, tz: tzinfo) -> str:
    if len(data) == 4 and data[0] == 0x5C and all(0x30 <= b <= 0x37 for b in data[1:]):
        return chr(int(data[1:], 8) & 0xFF)
    return chr(data[0]) if data and data[0] else ""


def _char_binary_out(value: str) -> bytes:
    return bytes((_char_byte(value),))


def _char_binary_in(data: bytes) -> str:
    if len(data) != 1:
        raise bad_binary(f'"char" must be 1 byte, got {len(data)}')
    return chr(data[0]) if data[0] else ""


CODECS: dict[int, Codec] = {
    oids.TEXT: TEXT_CODEC,
    oids.VARCHAR: TEXT_CODEC,
    oids.BPCHAR: TEXT_CODEC,
    oids.UNKNOWN: TEXT_CODEC,
    oids.NAME: Codec(_str_text_out, _name_text_in, _str_binary_out, _name_binary_in),
    oids.CHAR: Codec(_char_text_out, _char_text_in, _char_binary_out, _char_binary_in),
}
