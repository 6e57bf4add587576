"""PostgreSQL 15's parsing and display of numeric configuration values (guc.c's parse_int,
parse_real, convert_to_base_unit and _ShowOption), for the settings of `settings`.

An integer setting may carry a memory unit: its value is counted in a base unit (kB, or 8kB
blocks), written with an optional unit B/kB/MB/GB/TB (case-sensitive, fractions rounded to the
next smaller unit) and shown in the largest unit that divides it exactly ('64MB', '1536kB').
Real settings are shown as C's %g. Bad values raise 22023 with PostgreSQL's message and hint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, DatabaseError

Normalizer = Callable[[str, str], str]  # (canonical name, raw value) -> stored value

KILOBYTES = "kB"
BLOCKS = "8kB"  # PostgreSQL's BLCKSZ pages
_INT_MAX = 2**31 - 1
_MEMORY_UNITS_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".'
# unit -> how many kilobytes, from the largest unit down (the order matters for rounding and display)
_MEMORY_KB = {"TB": 1024.0**3, "GB": 1024.0**2, "MB": 1024.0, "kB": 1.0, "B": 1.0 / 1024}
_BASE_KB = {KILOBYTES: 1.0, BLOCKS: 8.0}
_INTEGER_PREFIX = re.compile(r"\s*[-+]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_FLOAT_PREFIX = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _invalid(name: str, value: str, hint: str | None = None) -> DatabaseError:
    return DatabaseError(INVALID_PARAMETER_VALUE, f'invalid value for parameter "{name}": "{value}"',
                         hint=hint)


def _number_prefix(value: str) -> tuple[float, str] | None:
    """strtol (octal/hex allowed), falling back to strtod at a '.' or 'e': the number and the rest."""
    match = _INTEGER_PREFIX.match(value)
    if match and value[match.end():match.end() + 1] not in (".", "e", "E"):
        return float(int(match.group(1), 0) * (-1 if match.group(0).strip().startswith("-") else 1)), \
            value[match.end():]
    match = _FLOAT_PREFIX.match(value)
    if not match:
        return None
    return float(match.group(0)), value[match.end():]


def _to_base_unit(number: float, unit: str, base: str) -> float | None:
    """number `unit` in the base unit, a fraction rounded off to the next smaller unit."""
    units = list(_MEMORY_KB)
    if unit not in _MEMORY_KB:
        return None
    value = number * _MEMORY_KB[unit] / _BASE_KB[base]
    following = units.index(unit) + 1
    if following < len(units):
        smaller = _MEMORY_KB[units[following]] / _BASE_KB[base]
        value = rint(value / smaller) * smaller
    return value


def rint(value: float) -> float:
    """C's rint under the default rounding mode: to nearest, ties to even."""
    return float(round(value))


def _show_integer(value: int, base: str | None) -> str:
    if base is None or value <= 0:
        return str(value)
    kilobytes = value * _BASE_KB[base]
    for unit, size in _MEMORY_KB.items():
        if size <= 1.0 or kilobytes % size == 0:
            shown = kilobytes / size
            return f"{int(shown)}{unit}"
    return str(value)  # unreachable: kB always divides


def integer(low: int, high: int, base: str | None = None) -> Normalizer:
    """An integer setting in [low, high], counted in `base` (None: no unit accepted)."""
    def normalize(name: str, value: str) -> str:
        parsed = _number_prefix(value)
        if parsed is None or math.isnan(parsed[0]):
            raise _invalid(name, value)
        number, rest = parsed
        unit = rest.strip()
        if unit:
            converted = _to_base_unit(number, unit, base) if base is not None else None
            if converted is None:
                raise _invalid(name, value, _MEMORY_UNITS_HINT if base is not None else None)
            number = converted
        number = rint(number)
        if not -_INT_MAX - 1 <= number <= _INT_MAX:
            raise _invalid(name, value, "Value exceeds integer range.")
        result = int(number)
        if not low <= result <= high:
            shown_unit = f" {base}" if base is not None else ""
            raise DatabaseError(INVALID_PARAMETER_VALUE, f"{result}{shown_unit} is outside the valid range "
                                                         f'for parameter "{name}" ({low} .. {high})')
        return _show_integer(result, base)
    return normalize


def real(low: float, high: float) -> Normalizer:
    """A floating-point setting in [low, high] without a unit, shown as %g."""
    def normalize(name: str, value: str) -> str:
        match = _FLOAT_PREFIX.match(value)
        if not match or value[match.end():].strip():
            raise _invalid(name, value)
        number = float(match.group(0))
        if not low <= number <= high:
            raise DatabaseError(INVALID_PARAMETER_VALUE, f"{number:g} is outside the valid range for "
                                                         f'parameter "{name}" ({low:g} .. {high:g})')
        return f"{number:g}"
    return normalize


def enumeration(*options: str, aliases: dict[str, str] | None = None) -> Normalizer:
    """One of options (case-insensitive; aliases are hidden spellings of an option)."""
    spellings = {option.lower(): option for option in options} | (aliases or {})

    def normalize(name: str, value: str) -> str:
        chosen = spellings.get(value.lower())
        if chosen is None:
            raise _invalid(name, value, f"Available values: {', '.join(options)}.")
        return chosen
    return normalize
