"""Codec for tsvector (3614): a tuple of (lexeme, positions) pairs in tsvector order, positions a
tuple of WordEntryPos values (the weight in the top two bits: A 3, B 2, C 1, D 0; the position, 1
to 16383, below).

Text input is PostgreSQL 15's tsvectorin: lexemes separated by white space, a backslash escaping
the next character, a lexeme in single quotes taking white space and `''` for a quote, then
optionally `:` and positions separated by commas, each a number (at most 16383: larger ones are
16383, 0 is 42601) with an optional weight letter A-D; the lexemes are sorted (by their bytes, a
prefix first) and merged, their positions sorted, one per position with its highest weight.
Output quotes every lexeme (`'` and `\\` doubled) and writes the positions with their weights (none
for D), the lexemes separated by a space. Binary (tsvectorsend): the count, then each lexeme's
bytes, a zero byte, the number of positions and each position as u16.
"""

from __future__ import annotations

import struct
from datetime import tzinfo

from heliosdb_lite.errors import SYNTAX_ERROR, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import bad_binary, decode_utf8

Lexeme = tuple[str, tuple[int, ...]]
_MAX_POSITION = 16383
_WEIGHTS = {"a": 3, "b": 2, "c": 1, "d": 0}
_WEIGHT_LETTERS = {3: "A", 2: "B", 1: "C"}
_SPACES = " \t\n\r\f\v"


def _syntax_error(text: str) -> DatabaseError:
    return DatabaseError(SYNTAX_ERROR, f'syntax error in tsvector: "{text}"')


def _read_positions(text: str, at: int) -> tuple[list[int], int]:
    """The positions after a lexeme's `:` (at points past it) and where they end."""
    positions: list[int] = []
    while True:
        start = at
        while at < len(text) and text[at].isdigit():
            at += 1
        if at == start:
            raise _syntax_error(text)
        position = min(int(text[start:at]), _MAX_POSITION)
        if position == 0:
            raise DatabaseError(SYNTAX_ERROR, f'wrong position info in tsvector: "{text}"')
        weight = 0
        while at < len(text) and text[at].lower() in _WEIGHTS:  # the last letter wins, as in PostgreSQL
            weight = _WEIGHTS[text[at].lower()]
            at += 1
        positions.append(weight << 14 | position)
        if at < len(text) and text[at] == ",":
            at += 1
            continue
        if at < len(text) and text[at] not in _SPACES:
            raise _syntax_error(text)
        return positions, at


def _read_lexeme(text: str, at: int) -> tuple[str, int]:
    """A lexeme starting at `at` (its first character, not white space) and where it ends."""
    chars: list[str] = []
    quoted = text[at] == "'"
    at += quoted
    while True:
        if at >= len(text):
            if quoted:
                raise _syntax_error(text)
            break
        char = text[at]
        if char == "\\":
            if at + 1 >= len(text):
                raise DatabaseError(SYNTAX_ERROR, f'there is no escaped character: "{text}"')
            chars.append(text[at + 1])
            at += 2
        elif quoted and char == "'":
            if text.startswith("'", at + 1):
                chars.append("'")
                at += 2
            else:
                at += 1
                break
        elif not quoted and (char in _SPACES or (char == ":" and chars)):  # a word may start with ":"
            break
        else:
            chars.append(char)
            at += 1
    if not chars:
        raise _syntax_error(text)
    return "".join(chars), at


def _merged_positions(positions: list[int]) -> tuple[int, ...]:
    """Sorted by position, one entry per position with the highest weight given it (uniquePos)."""
    weights: dict[int, int] = {}
    for entry in positions:
        position = entry & _MAX_POSITION
        weights[position] = max(weights.get(position, 0), entry >> 14)
    return tuple(weights[position] << 14 | position for position in sorted(weights))


def _text_in(data: bytes, tz: tzinfo) -> tuple[Lexeme, ...]:
    text = decode_utf8(data)
    lexemes: dict[str, list[int]] = {}
    at = 0
    while True:
        while at < len(text) and text[at] in _SPACES:
            at += 1
        if at >= len(text):
            break
        lexeme, at = _read_lexeme(text, at)
        positions: list[int] = []
        if at < len(text) and text[at] == ":":
            positions, at = _read_positions(text, at + 1)
        lexemes.setdefault(lexeme, []).extend(positions)
    ordered = sorted(lexemes, key=lambda lexeme: lexeme.encode())
    return tuple((lexeme, _merged_positions(lexemes[lexeme])) for lexeme in ordered)


def _position_text(entry: int) -> str:
    return f"{entry & _MAX_POSITION}{_WEIGHT_LETTERS.get(entry >> 14, '')}"


def _text_out(value: tuple[Lexeme, ...], tz: tzinfo) -> bytes:
    parts = []
    for lexeme, positions in value:
        quoted = "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
        parts.append(quoted + (":" + ",".join(map(_position_text, positions)) if positions else ""))
    return " ".join(parts).encode()


_COUNT = struct.Struct(">i")
_U16 = struct.Struct(">H")


def _binary_out(value: tuple[Lexeme, ...]) -> bytes:
    parts = [_COUNT.pack(len(value))]
    for lexeme, positions in value:
        parts += [lexeme.encode(), b"\x00", _U16.pack(len(positions)), *map(_U16.pack, positions)]
    return b"".join(parts)


def _binary_in(data: bytes) -> tuple[Lexeme, ...]:
    try:
        (count,) = _COUNT.unpack_from(data)
        at, lexemes = _COUNT.size, []
        for _ in range(count):
            end = data.index(b"\x00", at)
            lexeme = decode_utf8(data[at:end])
            (npos,) = _U16.unpack_from(data, end + 1)
            at = end + 1 + _U16.size
            positions = tuple(_U16.unpack_from(data, at + 2 * i)[0] for i in range(npos))
            at += 2 * npos
            lexemes.append((lexeme, positions))
    except (struct.error, ValueError):
        raise bad_binary("invalid tsvector") from None
    if at != len(data) or count < 0:
        raise bad_binary("invalid tsvector")
    return tuple(lexemes)


CODECS: dict[int, Codec] = {oids.TSVECTOR: Codec(_text_out, _text_in, _binary_out, _binary_in)}
