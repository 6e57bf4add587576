r"""PostgreSQL's string functions that SQLite lacks, with PostgreSQL's edge cases.

left/right (negative counts drop from the other end), lpad/rpad (truncating), repeat, reverse,
initcap (words are runs of letters and digits), md5, split_part (negative positions count from
the end; 0 is an error), chr/ascii, translate, starts_with, quote_literal/quote_nullable,
regexp_replace (PostgreSQL's flags g i c n x; `\1`..`\9` and `\&` in the replacement; Python's
regular expressions, which read PostgreSQL's common patterns alike: `.` matches a newline unless
the n flag says otherwise, as in PostgreSQL).
NULL in, NULL out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.errors import (
    INVALID_PARAMETER_VALUE,
    INVALID_REGULAR_EXPRESSION,
    PROGRAM_LIMIT_EXCEEDED,
    DatabaseError,
)

MAX_TEXT_BYTES = 0x3FFFFFFF  # PostgreSQL's MaxAllocSize: no text value holds more
MAX_CHARACTER_BYTES = 4  # UTF-8


def check_text_size(size_in_bytes: int) -> None:
    """54000 before a function builds a text larger than PostgreSQL lets any value be: repeat(),
    lpad() or format('%*s') of 2^31 characters would otherwise take gigabytes of the server's
    memory (and seconds) before SQLite refused the result."""
    if size_in_bytes > MAX_TEXT_BYTES:
        raise DatabaseError(PROGRAM_LIMIT_EXCEEDED, "requested length too large")


def null_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return None if any(arg is None for arg in args) else function(*args)
    return call


def left(text: str, count: int) -> str:
    return text[:count] if count >= 0 else text[:max(len(text) + count, 0)]


def right(text: str, count: int) -> str:
    if count >= 0:
        return text[len(text) - count:] if count else ""
    return text[-count:]


def _pad(text: str, length: int, fill: str, *, on_left: bool) -> str:
    check_text_size(length * MAX_CHARACTER_BYTES)  # as PostgreSQL reserves for the result
    if length <= len(text):
        return text[:max(length, 0)]
    if not fill:
        return text
    padding = (fill * (length // len(fill) + 1))[:length - len(text)]
    return padding + text if on_left else text + padding


def repeat(text: str, count: int) -> str:
    check_text_size(len(text.encode()) * count)
    return text * max(count, 0)


def initcap(text: str) -> str:
    out = []
    previous_alphanumeric = False
    for char in text:
        out.append(char.lower() if previous_alphanumeric else char.upper())
        previous_alphanumeric = char.isalnum()
    return "".join(out)


def split_part(text: str, delimiter: str, position: int) -> str:
    if position == 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "field position must not be zero")
    parts = text.split(delimiter) if delimiter else [text]
    index = position - 1 if position > 0 else len(parts) + position
    return parts[index] if 0 <= index < len(parts) else ""


def chr_(code: int) -> str:
    if code == 0:
        raise DatabaseError(PROGRAM_LIMIT_EXCEEDED, "null character not permitted")
    if not 0 < code <= 0x10FFFF or 0xD800 <= code < 0xE000:
        raise DatabaseError(PROGRAM_LIMIT_EXCEEDED, f"requested character too large for encoding: {code}")
    return chr(code)


def translate(text: str, source: str, target: str) -> str:
    table: dict[int, int | None] = {}
    for index, char in enumerate(source):
        table.setdefault(ord(char), ord(target[index]) if index < len(target) else None)
    return text.translate(table)


def quote_literal(text: str) -> str:
    """PostgreSQL's quote_literal: a string literal, an E'' one with its backslashes doubled when it
    has any."""
    escaped = str(text).replace("\\", "\\\\")
    return ("E" if escaped != str(text) else "") + string_literal(escaped)


_REGEXP_FLAGS = {"i": re.IGNORECASE, "x": re.VERBOSE}


def _regexp_options(flags: str) -> tuple[int, bool]:
    """Python's flags and whether every match is replaced, from PostgreSQL's flag letters."""
    options, everywhere, newline_sensitive = 0, False, False
    for letter in flags:
        if letter == "g":
            everywhere = True
        elif letter == "c":
            options &= ~re.IGNORECASE
        elif letter == "n":
            newline_sensitive = True
        elif letter in _REGEXP_FLAGS:
            options |= _REGEXP_FLAGS[letter]
        else:
            raise DatabaseError(INVALID_PARAMETER_VALUE, f'invalid regular expression option: "{letter}"')
    return options | (re.MULTILINE if newline_sensitive else re.DOTALL), everywhere


def _substitution(replacement: str) -> Callable[[re.Match[str]], str]:
    r"""PostgreSQL's replacement text: `\1`..`\9` a group, `\&` the match, `\\` a backslash, any
    other backslash as it is."""
    def substitute(match: re.Match[str]) -> str:
        out: list[str] = []
        position = 0
        while position < len(replacement):
            character = replacement[position]
            following = replacement[position + 1:position + 2]
            if character == "\\" and following.isdigit() and following != "0":
                group = int(following)
                out.append((match.group(group) or "") if group <= match.re.groups else "")
                position += 2
            elif character == "\\" and following in ("&", "\\"):
                out.append(match.group(0) if following == "&" else "\\")
                position += 2
            else:
                out.append(character)
                position += 1
        return "".join(out)
    return substitute


def regexp_replace(source: str, pattern: str, replacement: str, flags: str = "") -> str:
    options, everywhere = _regexp_options(flags)
    try:
        compiled = re.compile(pattern, options)
    except re.error as error:
        raise DatabaseError(INVALID_REGULAR_EXPRESSION, f"invalid regular expression: {error}") from None
    return compiled.sub(_substitution(replacement), source, count=0 if everywhere else 1)


def md5(value: str | bytes) -> str:
    data = value if isinstance(value, bytes) else value.encode()
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "left": null_safe(left),
    "right": null_safe(right),
    "lpad": null_safe(lambda text, length, fill=" ": _pad(text, length, fill, on_left=True)),
    "rpad": null_safe(lambda text, length, fill=" ": _pad(text, length, fill, on_left=False)),
    "repeat": null_safe(repeat),
    "reverse": null_safe(lambda text: text[::-1]),
    "initcap": null_safe(initcap),
    "md5": null_safe(md5),
    "regexp_replace": null_safe(regexp_replace),
    "split_part": null_safe(split_part),
    "chr": null_safe(chr_),
    "ascii": null_safe(lambda text: ord(text[0]) if text else 0),
    "translate": null_safe(translate),
    "starts_with": null_safe(lambda text, prefix: text.startswith(prefix)),
    "quote_literal": null_safe(quote_literal),
    "quote_nullable": lambda value: "NULL" if value is None else quote_literal(value),
}
