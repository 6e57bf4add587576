"""hstore (the extension's type, PostgreSQL 15's hstore 1.8): a map of text keys to text values or
NULL. Its OID is the database's (given when CREATE EXTENSION hstore makes it), so this module owns the
value, its I/O and its order, not a registration.

The value is a dict of str to str | None whose items are in hstore's own order: by the key's length
in UTF-8 bytes, then by its bytes (hstoreUniquePairs' comparePairs); a key given twice keeps its
first value (what hstore_in and hstore_recv keep for the few pairs their insertion sort orders).

Text input is hstore_in's state machine (`parse`): `key => value` pairs separated by `,`, either
word bare (ended by white space, `=` in a key, `,` in a value; a backslash escapes the next
character) or in double quotes (backslash escapes); a bare value spelled NULL in any case is NULL.
Its errors are PostgreSQL 15's, SQLSTATE XX000 (elog without a code): `Syntax error near "c" at
position n` (n counted in bytes) and `Unexpected end of string`. Output (`text`) quotes every key
and value, backslash before `"` and `\\`, pairs joined by `, `, NULL bare.

Binary (hstore_send / hstore_recv): an int32 count, then per pair the key's byte length and bytes,
the value's byte length and bytes or -1 for NULL; a NULL key is 22004.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from datetime import tzinfo

from heliosdb_lite.errors import (
    INTERNAL_ERROR,
    NULL_VALUE_NOT_ALLOWED,
    DatabaseError,
)
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import bad_binary, decode_utf8, utf8_sequence_length

Hstore = dict[str, str | None]

_INT32 = struct.Struct(">i")
_SPACES = frozenset(b" \t\n\r\f\v")
_END = "Unexpected end of string"


def key_order(key: str) -> tuple[int, bytes]:
    """A key's place in an hstore: by its length in bytes, then by its bytes."""
    data = key.encode()
    return len(data), data


def build(pairs: Iterable[tuple[str, str | None]]) -> Hstore:
    """An hstore of these pairs, in hstore's order; a key given again keeps its first value."""
    kept: Hstore = {}
    for key, value in pairs:
        kept.setdefault(key, value)
    return {key: kept[key] for key in sorted(kept, key=key_order)}


def null_key() -> DatabaseError:
    return DatabaseError(NULL_VALUE_NOT_ALLOWED, "null value not allowed for hstore key")


def _syntax_error(data: bytes, position: int) -> DatabaseError:
    near = data[position:position + utf8_sequence_length(data[position])].decode(errors="replace")
    return DatabaseError(INTERNAL_ERROR, f'Syntax error near "{near}" at position {position}')


class _Parser:
    """hstore_in's parse_hstore and get_val over the input bytes (a zero byte ends them, as C's)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        return self.data[self.at] if self.at < len(self.data) else 0

    def word(self, in_value: bool) -> tuple[bytes, bool] | None:
        """get_val: the next key (in_value False) or value, and whether it was quoted; None at the
        end of the input before a word starts. Leaves `at` on the word's last character."""
        word = bytearray()
        state = "wait"
        quoted = False
        while True:
            byte = self.byte()
            if state == "wait":
                if byte == ord('"'):
                    quoted = True
                    state = "quoted"
                elif byte == 0:
                    return None
                elif byte == ord("=") and not in_value:
                    raise _syntax_error(self.data, self.at)
                elif byte == ord("\\"):
                    state = "escape"
                elif byte not in _SPACES:
                    word.append(byte)
                    state = "bare"
            elif state == "bare":
                if byte == ord("\\"):
                    state = "escape"
                elif (byte == ord("=") and not in_value) or (byte == ord(",") and in_value) or byte == 0:
                    self.at -= 1
                    return bytes(word), quoted
                elif byte in _SPACES:
                    return bytes(word), quoted
                else:
                    word.append(byte)
            elif state == "quoted":
                if byte == ord("\\"):
                    state = "quoted escape"
                elif byte == ord('"'):
                    return bytes(word), quoted
                elif byte == 0:
                    raise DatabaseError(INTERNAL_ERROR, _END)
                else:
                    word.append(byte)
            else:  # after a backslash, bare or quoted
                if byte == 0:
                    raise DatabaseError(INTERNAL_ERROR, _END)
                word.append(byte)
                state = "bare" if state == "escape" else "quoted"
            self.at += 1

    def pairs(self) -> list[tuple[str, str | None]]:
        """parse_hstore: the pairs in the order written."""
        found: list[tuple[str, str | None]] = []
        state = "key"
        key = b""
        while True:
            byte = self.byte()
            if state == "key":
                word = self.word(in_value=False)
                if word is None:
                    return found
                key = word[0]
                state = "="
            elif state == "=":
                if byte == ord("="):
                    state = ">"
                elif byte == 0:
                    raise DatabaseError(INTERNAL_ERROR, _END)
                elif byte not in _SPACES:
                    raise _syntax_error(self.data, self.at)
            elif state == ">":
                if byte == ord(">"):
                    state = "value"
                elif byte == 0:
                    raise DatabaseError(INTERNAL_ERROR, _END)
                else:
                    raise _syntax_error(self.data, self.at)
            elif state == "value":
                word = self.word(in_value=True)
                if word is None:
                    raise DatabaseError(INTERNAL_ERROR, _END)
                value, quoted = word
                null = not quoted and value.lower() == b"null"
                found.append((decode_utf8(key), None if null else decode_utf8(value)))
                state = "delimiter"
            else:
                if byte == ord(","):
                    state = "key"
                elif byte == 0:
                    return found
                elif byte not in _SPACES:
                    raise _syntax_error(self.data, self.at)
            self.at += 1


def parse(data: bytes) -> Hstore:
    """hstore_in."""
    decode_utf8(data)  # invalid UTF-8 is 22021 before any syntax error
    return build(_Parser(data).pairs())


def order_key(value: Hstore) -> tuple[object, ...]:
    """hstore_cmp's order: empty first, then the buffer of keys and values, its length, the count, and
    each key's and value's end position with whether the value is NULL."""
    if not value:
        return (0,)
    buffer = bytearray()
    entries: list[tuple[int, bool]] = []
    for key, item in value.items():
        buffer += key.encode()
        entries.append((len(buffer), False))
        buffer += b"" if item is None else item.encode()
        entries.append((len(buffer), item is None))
    return 1, bytes(buffer), len(value), entries


def _quoted(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def text(value: Hstore) -> str:
    """hstore_out."""
    return ", ".join(f"{_quoted(key)}=>{'NULL' if item is None else _quoted(item)}"
                     for key, item in value.items())


def send(value: Hstore) -> bytes:
    """hstore_send."""
    parts = [_INT32.pack(len(value))]
    for key, item in value.items():
        data = key.encode()
        parts += [_INT32.pack(len(data)), data]
        if item is None:
            parts.append(_INT32.pack(-1))
        else:
            data = item.encode()
            parts += [_INT32.pack(len(data)), data]
    return b"".join(parts)


def receive(data: bytes) -> Hstore:
    """hstore_recv: 22004 for a NULL key, 22P03 for a count or length the data does not hold."""
    view = memoryview(data)
    at = 0

    def integer() -> int:
        nonlocal at
        if at + 4 > len(view):
            raise bad_binary("insufficient data left in message")
        (number,) = _INT32.unpack_from(view, at)
        at += 4
        return int(number)

    def string(length: int) -> str:
        nonlocal at
        if length > len(view) - at:
            raise bad_binary("insufficient data left in message")
        at += length
        return decode_utf8(bytes(view[at - length:at]))

    count = integer()
    if count < 0:
        raise bad_binary(f"number of pairs ({count}) exceeds the maximum allowed")
    pairs: list[tuple[str, str | None]] = []
    for _ in range(count):
        length = integer()
        if length < 0:
            raise null_key()
        key = string(length)
        length = integer()
        pairs.append((key, None if length < 0 else string(length)))
    if at != len(view):
        raise bad_binary()
    return build(pairs)


def _text_out(value: Hstore, tz: tzinfo) -> bytes:
    return text(value).encode()


def _text_in(data: bytes, tz: tzinfo) -> Hstore:
    return parse(data)


CODEC = Codec(_text_out, _text_in, send, receive)
