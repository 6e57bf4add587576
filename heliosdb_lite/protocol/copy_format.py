"""COPY row formats, text and csv, as PostgreSQL writes and reads them (sans-IO).

Fields are handled as str | None (None = SQL NULL); typed conversion is the codecs' job.
text: fields split by the delimiter, one row per line; backslash escapes (\\b \\f \\n \\r \\t \\v,
\\\\, \\<delimiter>, octal \\NNN, hex \\xHH); the null marker (default \\N) is compared before
unescaping; a line `\\.` ends the data.
csv: RFC 4180 style with configurable quote/escape; an unquoted field equal to the null marker
(default empty) is NULL, a quoted empty string is an empty string.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from heliosdb_lite.errors import BAD_COPY_FILE_FORMAT, CHARACTER_NOT_IN_REPERTOIRE, DatabaseError

_TEXT_ESCAPES = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}
_ESCAPE_RE = re.compile(rb"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", re.DOTALL)


def _unescape_token(match: re.Match[bytes]) -> bytes:
    token = match.group(1)
    if token in _TEXT_ESCAPES:
        return _TEXT_ESCAPES[token]
    if token[:1] == b"x" and len(token) > 1:
        return bytes([int(token[1:], 16)])
    if token[0] in b"01234567":
        return bytes([int(token, 8) & 0xFF])
    return token


def _unescape_text(raw: str) -> str:
    """De-escape one text-format field. Octal and hex escapes are bytes, as in PostgreSQL, so
    `\\303\\251` is "é" and the result must be valid UTF-8."""
    if "\\" not in raw:
        return raw
    try:
        return _ESCAPE_RE.sub(_unescape_token, raw.encode("utf-8")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatabaseError(CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8"') from exc


def _split_text(record: str, delimiter: str) -> list[str]:
    """Split a text-format line at unescaped delimiters (a backslash protects the next character);
    the scanning is the re module's, not a Python loop per character (rows of megabytes)."""
    if "\\" not in record:
        return record.split(delimiter)
    fields: list[str] = []
    start = 0
    for match in _delimiter_or_escape(delimiter).finditer(record):
        if match.group() == delimiter:
            fields.append(record[start:match.start()])
            start = match.end()
    fields.append(record[start:])
    return fields


def _printed(field: str | None) -> str:
    """A field as an error's CONTEXT shows it: at most 100 bytes, then "...", as PostgreSQL."""
    if field is None:
        return ""
    data = field.encode()
    if len(data) <= 100:
        return field
    return data[:100].decode(errors="ignore") + "..."


def _first_of(text: str, start: int, quote: str, escape: str) -> int:
    """The first quote or escape character of text from start, -1 if none."""
    found = [at for at in (text.find(quote, start), text.find(escape, start)) if at >= 0]
    return min(found) if found else -1


@functools.lru_cache(maxsize=16)
def _delimiter_or_escape(delimiter: str) -> re.Pattern[str]:
    """A backslash and the character it protects, or the delimiter."""
    return re.compile(r"\\.|" + re.escape(delimiter), re.DOTALL)


def _escape_text(value: str, delimiter: str) -> str:
    value = value.replace("\\", "\\\\")
    for char, escaped in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"),
                          ("\f", "\\f"), ("\v", "\\v")):
        value = value.replace(char, escaped)
    if delimiter not in "\t\n\r\\":
        value = value.replace(delimiter, "\\" + delimiter)
    return value


def _unconverted(index: int, field: str | None) -> Any:
    return field


class CopyInParser:
    """Turns CopyData chunks into rows of fields; rows may span chunk boundaries. The data is UTF-8,
    or decoded by `decoder` (the client encoding's, raising PostgreSQL's errors itself). Each row's
    fields go through `convert(column index, field)` in column order, as PostgreSQL converts them:
    a bad value is reported before a missing column after it. CSV's FORCE_NOT_NULL and FORCE_NULL
    columns (flags by position) read an unquoted null marker as the string, a quoted one as NULL."""

    def __init__(self, *, fmt: str, delimiter: str, null: str, header: bool, quote: str,
                 escape: str, column_names: Sequence[str], decoder: codecs.IncrementalDecoder | None = None,
                 convert: Callable[[int, str | None], Any] = _unconverted,
                 force_not_null: Sequence[bool] = (), force_null: Sequence[bool] = (),
                 relation: str = "") -> None:
        self._fmt = fmt
        self._delimiter = delimiter
        self._null = null
        self._skip_header = header
        self._quote = quote
        self._escape = escape
        self._column_names = tuple(column_names)
        self._convert = convert
        self._force_not_null = tuple(force_not_null)
        self._force_null = tuple(force_null)
        self._relation = relation  # the table, as a conversion error's CONTEXT names it
        self._pending = ""
        self._scanned = (0, False)  # how far _csv_record_end looked, and whether inside quotes there
        self._decoder = decoder or codecs.getincrementaldecoder("utf-8")()  # of the client encoding
        self._ended = False
        self._line_number = 0

    def feed(self, chunk: bytes) -> list[list[Any]]:
        """Rows completed by this chunk (a chunk may end inside a row or a UTF-8 character)."""
        self._decode(chunk, final=False)
        return list(self._complete_rows(final=False))

    def finish(self) -> list[list[Any]]:
        """Rows left when CopyDone arrives (a last line without a newline counts)."""
        self._decode(b"", final=True)
        return list(self._complete_rows(final=True))

    def _decode(self, chunk: bytes, *, final: bool) -> None:
        try:
            self._pending += self._decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise DatabaseError(CHARACTER_NOT_IN_REPERTOIRE,
                                'invalid byte sequence for encoding "UTF8"') from exc

    def _complete_rows(self, *, final: bool) -> Iterator[list[Any]]:
        while not self._ended:
            record = self._take_record(final)
            if record is None:
                return
            self._line_number += 1
            if record in ("\\.", "\\.\r"):
                self._ended = True
                return
            if self._skip_header:
                self._skip_header = False
                continue
            yield self._converted(self._split(record))

    def _converted(self, fields: list[str | None]) -> list[Any]:
        if len(fields) > len(self._column_names):
            raise DatabaseError(BAD_COPY_FILE_FORMAT, "extra data after last expected column",
                                detail=f"COPY line {self._line_number}")
        values = []
        for index, name in enumerate(self._column_names):
            if index >= len(fields):
                raise DatabaseError(BAD_COPY_FILE_FORMAT, f'missing data for column "{name}"',
                                    detail=f"COPY line {self._line_number}")
            field = fields[index]
            if self._force_not_null and field is None and self._force_not_null[index]:
                field = self._null
            elif self._force_null and field == self._null and self._force_null[index]:
                field = None
            try:
                values.append(self._convert(index, field))
            except DatabaseError as error:
                error.context = f'COPY {self._relation}, line {self._line_number}, column {name}: ' \
                                f'"{_printed(field)}"'
                raise
        return values

    def _take_record(self, final: bool) -> str | None:
        """One logical record; in csv a quoted field may contain newlines."""
        end = self._csv_record_end() if self._fmt == "csv" else self._pending.find("\n")
        if end < 0:
            if final and self._pending:
                record, self._pending = self._pending, ""
                return record.removesuffix("\r")
            return None
        record = self._pending[:end]
        self._pending = self._pending[end + 1 :]
        self._scanned = (0, False)
        return record.removesuffix("\r")

    def _csv_record_end(self) -> int:
        """Where the first record ends (its newline outside quotes), -1 if it has not yet. The scan
        goes on from where the last one stopped (a row of megabytes arrives in many chunks) and
        finds the quote, escape and newline characters with str.find."""
        text = self._pending
        i, in_quotes = self._scanned
        while True:
            if not in_quotes:
                quote, newline = text.find(self._quote, i), text.find("\n", i)
                if newline >= 0 and (quote < 0 or newline < quote):
                    return newline
                if quote < 0:
                    self._scanned = (len(text), False)
                    return -1
                in_quotes, i = True, quote + 1
                continue
            j = _first_of(text, i, self._quote, self._escape)
            if j < 0 or j + 1 >= len(text):  # none yet, or the next character decides
                self._scanned = (len(text) if j < 0 else j, True)
                return -1
            following = text[j + 1]
            escaped = following == self._quote if self._escape == self._quote \
                else following in (self._quote, self._escape)
            if text[j] == self._escape and escaped:
                i = j + 2
            else:
                in_quotes, i = text[j] != self._quote, j + 1

    def _split(self, record: str) -> list[str | None]:
        if self._fmt == "csv":
            return self._split_csv(record)
        return [None if raw == self._null else _unescape_text(raw)
                for raw in _split_text(record, self._delimiter)]

    def _split_csv(self, record: str) -> list[str | None]:
        fields: list[str | None] = []
        i = 0
        n = len(record)
        while True:
            if i < n and record[i] == self._quote:
                value, i = self._quoted_field(record, i + 1)
                fields.append(value)
            else:
                end = record.find(self._delimiter, i)
                end = n if end < 0 else end
                raw = record[i:end]
                fields.append(None if raw == self._null else raw)
                i = end
            if i >= n:
                return fields
            if record[i] != self._delimiter:
                raise DatabaseError(BAD_COPY_FILE_FORMAT, "unexpected character after quoted CSV field",
                                    detail=f"COPY line {self._line_number}")
            i += 1
            if i == n:
                fields.append(None if self._null == "" else "")
                return fields

    def _quoted_field(self, record: str, i: int) -> tuple[str, int]:
        """The quoted field starting after its opening quote at i, and where it ends; the text
        between two quote or escape characters is taken whole."""
        parts: list[str] = []
        n = len(record)
        escapable = (self._quote,) if self._escape == self._quote else (self._quote, self._escape)
        while (j := _first_of(record, i, self._quote, self._escape)) >= 0:
            parts.append(record[i:j])
            char = record[j]
            if char == self._escape and j + 1 < n and record[j + 1] in escapable:
                parts.append(record[j + 1])
                i = j + 2
            elif char == self._quote:
                return "".join(parts), j + 1
            else:  # an escape character before something else is itself
                parts.append(char)
                i = j + 1
        raise DatabaseError(BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field",
                            detail=f"COPY line {self._line_number}")


def format_row(fields: Sequence[str | None], *, fmt: str, delimiter: str, null: str,
               quote: str = '"', escape: str = '"', force_quote: Sequence[bool] = ()) -> bytes:
    """One COPY TO row, newline included; in csv, a value of a FORCE_QUOTE column (flags by
    position) is always quoted."""
    if fmt == "csv":
        buffer = io.StringIO()
        out: list[str] = []
        for index, value in enumerate(fields):
            if value is None:
                out.append(null)
            elif ((force_quote and force_quote[index]) or value in ("", null, "\\.")
                  or any(c in value for c in (delimiter, quote, "\n", "\r"))
                  or value.startswith(" ") or value.endswith(" ")):
                escaped = value.replace(escape, escape + escape) if escape == quote else \
                    value.replace(escape, escape + escape).replace(quote, escape + quote)
                out.append(f"{quote}{escaped}{quote}")
            else:
                out.append(value)
        buffer.write(delimiter.join(out))
        buffer.write("\n")
        return buffer.getvalue().encode("utf-8")
    line = delimiter.join(null if value is None else _escape_text(value, delimiter) for value in fields)
    return (line + "\n").encode("utf-8")
