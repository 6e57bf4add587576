"""PostgreSQL's format(formatstr, ...): `%s` (text), `%I` (quote_ident), `%L` (quote_literal,
NULL unquoted), `%%`, argument positions (`%2$s`), the `-` flag and widths (`%10s`, `%*s`,
`%*3$s`), with PostgreSQL's errors (varlena.c's text_format). The translator hands every argument
after the format string over in its text output form; NULL stays None.
"""

from __future__ import annotations

from heliosdb_lite.engine.functions.strings import check_text_size, quote_literal
from heliosdb_lite.engine.sql.quoting import quote_identifier
from heliosdb_lite.errors import (
    INVALID_PARAMETER_VALUE,
    INVALID_TEXT_REPRESENTATION,
    NULL_VALUE_NOT_ALLOWED,
    NUMERIC_VALUE_OUT_OF_RANGE,
    DatabaseError,
)

_INT4_MAX = 2**31 - 1
_PERCENT_HINT = 'For a single "%" use "%%".'


class _Cursor:
    """The position in the format string, advanced as text_format's ADVANCE_PARSE_POINTER does."""

    def __init__(self, text: str, position: int) -> None:
        self.text = text
        self.position = position

    @property
    def char(self) -> str:
        return self.text[self.position]

    def advance(self) -> None:
        self.position += 1
        if self.position >= len(self.text):
            raise DatabaseError(INVALID_PARAMETER_VALUE, "unterminated format() type specifier",
                                hint=_PERCENT_HINT)

    def digits(self) -> int | None:
        if not self.char.isdigit():
            return None
        number = 0
        while self.char.isdigit():
            number = number * 10 + int(self.char)
            if number > _INT4_MAX:
                raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "number is out of range")
            self.advance()
        return number


def _argument_number(number: int) -> int:
    if number == 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            "format specifies argument 0, but arguments are numbered from 1")
    return number


def _specifier(cursor: _Cursor) -> tuple[int, int, bool, int]:
    """(argument position or -1, width position (0: the next argument) or -1, left-aligned, width)."""
    position, width_position, left_aligned, width = -1, -1, False, 0
    number = cursor.digits()
    if number is not None:
        if cursor.char != "$":
            return position, width_position, left_aligned, number
        position = _argument_number(number)
        cursor.advance()
    while cursor.char == "-":
        left_aligned = True
        cursor.advance()
    if cursor.char == "*":
        cursor.advance()
        number = cursor.digits()
        if number is not None:
            if cursor.char != "$":
                raise DatabaseError(INVALID_PARAMETER_VALUE, 'width argument position must be ended by "$"')
            width_position = _argument_number(number)
            cursor.advance()
        else:
            width_position = 0
    else:
        width = cursor.digits() or 0
    return position, width_position, left_aligned, width


def _width(value: str | None) -> int:
    if value is None:
        return 0
    try:
        width = int(value.strip())
    except ValueError:
        raise DatabaseError(INVALID_TEXT_REPRESENTATION,
                            f'invalid input syntax for type integer: "{value}"') from None
    if not -_INT4_MAX - 1 <= width <= _INT4_MAX:
        raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, f'value "{value}" is out of range for type integer')
    return width


def _converted(kind: str, value: str | None) -> str:
    if kind == "s":
        return "" if value is None else value
    if kind == "L":
        return "NULL" if value is None else quote_literal(value)
    if value is None:
        raise DatabaseError(NULL_VALUE_NOT_ALLOWED, "null values cannot be formatted as an SQL identifier")
    return quote_identifier(value)


def format_text(template: str | None, *arguments: str | None) -> str | None:
    """format(template, arguments...): NULL when the template is NULL."""
    if template is None:
        return None
    values = (template, *arguments)  # positions count from 1, as the function's arguments do
    out: list[str] = []
    index = 0
    last = 0
    while index < len(template):
        char = template[index]
        if char != "%":
            out.append(char)
            index += 1
            continue
        cursor = _Cursor(template, index)
        cursor.advance()
        if cursor.char == "%":
            out.append("%")
            index = cursor.position + 1
            continue
        position, width_position, left_aligned, width = _specifier(cursor)
        kind = cursor.char
        if kind not in "sIL":
            raise DatabaseError(INVALID_PARAMETER_VALUE, f'unrecognized format() type specifier "{kind}"',
                                hint=_PERCENT_HINT)
        if width_position >= 0:
            last = width_position if width_position > 0 else last + 1
            if last >= len(values):
                raise DatabaseError(INVALID_PARAMETER_VALUE, "too few arguments for format()")
            width = _width(values[last])
            if width < 0:
                left_aligned, width = True, -width
        last = position if position > 0 else last + 1
        if last >= len(values):
            raise DatabaseError(INVALID_PARAMETER_VALUE, "too few arguments for format()")
        text = _converted(kind, values[last])
        check_text_size(width)
        out.append(text.ljust(width) if left_aligned else text.rjust(width))
        index = cursor.position + 1
    return "".join(out)
