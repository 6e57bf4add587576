"""to_char(number, template): PostgreSQL 15's numeric template patterns (formatting.c's
NUM_processor for to_char, C locale: D is '.', G is ',', the signs are '-' and '+').

Supported: 9 (digit, leading zeros blank), 0 (digit, zeros kept from there on), . and D (decimal
point), , and G (group separator, blank before the first digit), FM (fill mode: no padding
blanks, no trailing fraction zeros beyond the last 0), S (sign anchored to the number), MI / PL /
SG (sign at that place), PR (negative in angle brackets); upper or lower case; other characters
and double-quoted text are copied. A number with more integer digits than the template has is
all '#'. TH / th append the ordinal suffix of a non-negative integer. B, C, EEEE, L, RN, SP and V
raise 0A000 naming them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from heliosdb_lite.engine.functions.to_char_format import ordinal_suffix
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.exact_numeric import EXACT, round_to_scale
from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_TEXT_REPRESENTATION,
    SYNTAX_ERROR,
    DatabaseError,
)

_KEYWORDS = (",", ".", "0", "9", "B", "C", "D", "EEEE", "FM", "G", "L", "MI", "PL", "PR", "RN", "SG", "SP",
             "S", "TH", "V")
_UNSUPPORTED = frozenset({"B", "C", "EEEE", "L", "RN", "SP", "V"})
_DIGITS_OF_FLOAT = {t.FLOAT4: 6, t.FLOAT8: 15}  # FLT_DIG, DBL_DIG


@dataclass(slots=True)
class _Template:
    """The parsed template (NUMDesc): its items and what they declare."""

    items: list[tuple[str | None, str]] = field(default_factory=list)  # (keyword or None, literal text)
    pre: int = 0
    post: int = 0
    decimal: bool = False
    zero: bool = False
    zero_start: int = 0
    zero_end: int = 0
    fill: bool = False
    bracket: bool = False
    minus: bool = False
    plus: bool = False
    local_sign: str | None = None  # "pre" / "post" for S
    pre_local_sign: int = 0


def _keyword_at(template: str, position: int) -> str | None:
    for word in _KEYWORDS:
        if template.startswith(word, position) or template.startswith(word.lower(), position):
            return word
    return None


def _misuse(message: str) -> DatabaseError:
    return DatabaseError(SYNTAX_ERROR, message)


def _declare(parsed: _Template, word: str) -> None:
    """NUMDesc_prepare: what one keyword adds to the template's description."""
    if word in _UNSUPPORTED:
        raise DatabaseError(FEATURE_NOT_SUPPORTED,
                            f'to_char with the number pattern "{word}" is not supported')
    if word in ("9", "0"):
        if parsed.bracket:
            raise _misuse(f'"{word}" must be ahead of "PR"')
        if word == "0" and not parsed.zero and not parsed.decimal:
            parsed.zero, parsed.zero_start = True, parsed.pre + 1
        if parsed.decimal:
            parsed.post += 1
        else:
            parsed.pre += 1
        if word == "0":
            parsed.zero_end = parsed.pre + parsed.post
    elif word in (".", "D"):
        if parsed.decimal:
            raise _misuse("multiple decimal points")
        parsed.decimal = True
    elif word == "FM":
        parsed.fill = True
    elif word == "S":
        if parsed.local_sign is not None:
            raise _misuse('cannot use "S" twice')
        if parsed.plus or parsed.minus or parsed.bracket:
            raise _misuse('cannot use "S" and "PL"/"MI"/"SG"/"PR" together')
        if not parsed.decimal:
            parsed.local_sign, parsed.pre_local_sign = "pre", parsed.pre
        else:
            parsed.local_sign = "post"
    elif word in ("MI", "PL", "SG"):
        if parsed.local_sign is not None:
            raise _misuse(f'cannot use "S" and "{word}" together')
        parsed.minus = parsed.minus or word in ("MI", "SG")
        parsed.plus = parsed.plus or word in ("PL", "SG")
    elif word == "PR":
        if parsed.local_sign is not None or parsed.plus or parsed.minus:
            raise _misuse('cannot use "PR" and "S"/"PL"/"MI"/"SG" together')
        parsed.bracket = True


def _parse(template: str) -> _Template:
    parsed = _Template()
    position = 0
    while position < len(template):
        word = _keyword_at(template, position)
        if word is not None:
            _declare(parsed, word)
            parsed.items.append((word, template[position:position + len(word)]))
            position += len(word)
        elif template[position] == '"':
            position += 1
            while position < len(template) and template[position] != '"':
                if template[position] == "\\" and position + 1 < len(template):
                    position += 1
                parsed.items.append((None, template[position]))
                position += 1
            position += 1
        else:
            if template.startswith('\\"', position):
                position += 1
            parsed.items.append((None, template[position]))
            position += 1
    return parsed


def _digits(value: int | float | Decimal, oid: int, parsed: _Template) -> tuple[str, str]:
    """(sign, digits): the value rounded to the template's fraction digits, without its sign."""
    if oid in t.INTEGER_TYPES:
        text = str(int(value))
        sign, text = ("-", text[1:]) if text.startswith("-") else ("+", text)
        return sign, text + ("." + "0" * parsed.post if parsed.post else "")
    if oid in _DIGITS_OF_FLOAT:
        number = float(value)
        if not math.isfinite(number):
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "to_char of an infinite or NaN float is not supported")
        limit = _DIGITS_OF_FLOAT[oid]
        whole = len(f"{abs(number):.0f}")
        parsed.post = 0 if whole >= limit else min(parsed.post, limit - whole)
        text = f"{number:.{parsed.post}f}"
        return ("-", text[1:]) if text.startswith("-") else ("+", text)
    rounded = round_to_scale(Decimal(value), parsed.post)
    if rounded == 0:
        rounded = EXACT.abs(rounded)
    text = f"{rounded:f}"
    return ("-", text[1:]) if text.startswith("-") else ("+", text)


@dataclass(slots=True)
class _Writer:
    """NUM_processor's state while it writes the output."""

    parsed: _Template
    number: str
    sign: str
    pre_spaces: int
    out: list[str] = field(default_factory=list)
    position: int = 0  # in number
    current: int = 0  # digit positions of the template passed
    count: int = 0
    sign_written: bool = False
    inside: bool = False  # a digit has been written
    last_relevant: int | None = None

    def predecimal_space(self) -> bool:
        """'0.1' with 9.9 is ' .1': the lone zero before the point is not written."""
        return (not self.parsed.zero and self.position == 0 and self.number.startswith("0")
                and self.parsed.post != 0)

    def at_last_relevant_point(self) -> bool:
        return self.last_relevant is not None and self.number[self.last_relevant] == "."

    def write_sign(self) -> None:
        p = self.parsed
        if p.local_sign is not None:
            if p.local_sign == "pre":
                self.out.append(self.sign)
                self.sign_written = True
        elif p.bracket:
            self.out.append(" " if self.sign == "+" else "<")
            self.sign_written = True
        elif self.sign == "+":
            if not p.fill:
                self.out.append(" ")
            self.sign_written = True
        else:
            self.out.append("-")
            self.sign_written = True

    def digit(self, word: str) -> None:
        """NUM_numpart_to_char: one 9, 0, . or D of the template."""
        p = self.parsed
        self.inside = False
        reached = self.current >= self.pre_spaces or (p.zero and p.zero_start == self.current)
        shown = not self.predecimal_space() or self.at_last_relevant_point()
        if not self.sign_written and reached and shown:
            self.write_sign()
        if self.current < self.pre_spaces and (p.zero_start > self.current or not p.zero):
            if not p.fill:
                self.out.append(" ")
        elif p.zero and self.current < self.pre_spaces and p.zero_start <= self.current:
            self.out.append("0")
            self.inside = True
        else:
            self.number_character(word)
        end = self.count + (1 if self.pre_spaces else 0) + (1 if p.decimal else 0)
        if self.last_relevant is not None and self.last_relevant == self.position:
            end = self.current
        if self.current + 1 == end:
            if self.sign_written and p.bracket:
                self.out.append(" " if self.sign == "+" else ">")
            elif p.local_sign == "post":
                self.out.append(self.sign)
        self.current += 1

    def number_character(self, word: str) -> None:
        p = self.parsed
        # past the number's end PostgreSQL writes its terminating NUL, which ends the output there
        character = self.number[self.position] if self.position < len(self.number) else "\0"
        if character == ".":
            if not self.at_last_relevant_point() or p.fill:
                self.out.append(".")
        elif self.last_relevant is not None and self.position > self.last_relevant and word != "0":
            pass
        elif self.predecimal_space():
            if not p.fill:
                self.out.append(" ")
            elif self.at_last_relevant_point():
                self.out.append("0")
        else:
            self.out.append(character)
            self.inside = True
        if self.position < len(self.number):
            self.position += 1


def _last_relevant(number: str) -> int | None:
    """The last non-zero digit after the point, or the point itself."""
    point = number.find(".")
    if point < 0:
        return None
    relevant = point
    for index in range(point + 1, len(number)):
        if number[index] != "0":
            relevant = index
    return relevant


def format_number(value: int | float | Decimal, oid: int, template: str) -> str | None:
    """to_char(value, template) for a value of a number type oid; NULL for an empty template."""
    if not template:
        return None
    parsed = _parse(template)
    sign, number = _digits(value, oid, parsed)
    whole = number.find(".") if "." in number else len(number)
    pre_spaces = 0
    if whole < parsed.pre:
        pre_spaces = parsed.pre - whole
    elif whole > parsed.pre:
        number = "#" * parsed.pre + "." + "#" * parsed.post
    writer = _Writer(parsed, number, sign, pre_spaces)
    if parsed.zero_start:
        parsed.zero_start -= 1
    if parsed.plus or parsed.minus:
        writer.sign_written = not (parsed.plus and not parsed.minus)
    else:
        if sign != "-" and parsed.fill:
            parsed.bracket = False
        writer.sign_written = sign == "+" and parsed.fill and parsed.local_sign is None
        if parsed.local_sign == "pre" and parsed.pre == parsed.pre_local_sign:
            parsed.local_sign = "post"
    writer.count = parsed.post + parsed.pre - 1
    if parsed.fill and parsed.decimal:
        writer.last_relevant = _last_relevant(number)
        if writer.last_relevant is not None and parsed.zero_end > pre_spaces:
            last_zero = min(len(number) - 1, parsed.zero_end - pre_spaces)
            writer.last_relevant = max(writer.last_relevant, last_zero)
    if not writer.sign_written and pre_spaces == 0:
        writer.count += 1
    for word, text in parsed.items:
        if word is None:
            writer.out.append(text)
        elif word in ("9", "0", ".", "D"):
            writer.digit(word)
        elif word in (",", "G"):
            if writer.inside:
                writer.out.append(",")
            elif not parsed.fill:
                writer.out.append(" ")
        elif word == "MI":
            _sign_place(writer, "-", " ")
        elif word == "PL":
            _sign_place(writer, "+", " ")
        elif word == "SG":
            writer.out.append(sign)
        elif word == "TH" and not (number.startswith("#") or sign == "-" or parsed.decimal):
            if not number[-1:].isdigit():
                raise DatabaseError(INVALID_TEXT_REPRESENTATION, f'"{number}" is not a number')
            writer.out.append(ordinal_suffix(number, upper=text == "TH"))
    return "".join(writer.out).split("\0")[0]


def _sign_place(writer: _Writer, shown: str, blank: str) -> None:
    """MI / PL: the sign when it is `shown`, else a blank (none in fill mode)."""
    if writer.sign == shown:
        writer.out.append(shown)
    elif not writer.parsed.fill:
        writer.out.append(blank)
