"""Codecs for float4 (real) and float8 (double precision).

Text output is PostgreSQL's shortest round-trip form (extra_float_digits >= 1, the default):
the fewest significant digits that read back as the same value, fixed-point when the decimal
exponent is in [-4, 15) for float8 or [-4, 6) for float4, else `d.ddde+XX` with at least two
exponent digits; `Infinity`, `-Infinity`, `NaN`, `-0`. Input accepts decimal and C hex-float
literals, `inf`/`infinity`/`nan` in any case, surrounding whitespace; results that overflow or
underflow to zero are 22003 like PostgreSQL. A float4 is carried as the Python float equal to
the single-precision value.
Binary: IEEE 754 big-endian, 4 or 8 bytes.
"""

from __future__ import annotations

import math
import re
import struct
from datetime import tzinfo
from decimal import Decimal

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import C_SPACES, bad_binary, invalid_syntax, out_of_range

_FLOAT4 = struct.Struct(">f")
_FLOAT8 = struct.Struct(">d")
_DECIMAL_LITERAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_HEX_LITERAL = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?", re.ASCII
)
_SPECIALS = {
    "nan": math.nan,
    "+nan": math.nan,  # strtod's, which PostgreSQL tries first
    "-nan": math.nan,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-infinity": -math.inf,
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
}
_SPECIAL_TEXT = {math.inf: b"Infinity", -math.inf: b"-Infinity"}


def _format_shortest(negative: bool, digits: str, exponent: int, fixed_below: int) -> bytes:
    """Lay out significant `digits` (no trailing zeros) whose first digit has weight 10**exponent."""
    sign = "-" if negative else ""
    if -4 <= exponent < fixed_below:
        if exponent < 0:
            text = "0." + "0" * (-exponent - 1) + digits
        elif len(digits) <= exponent + 1:
            text = digits + "0" * (exponent + 1 - len(digits))
        else:
            text = digits[: exponent + 1] + "." + digits[exponent + 1 :]
    else:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return (sign + text).encode()


def _digits_and_exponent(scientific: str) -> tuple[str, int]:
    """Split Python's `d.ddde±x` / repr text into significant digits and decimal exponent."""
    mantissa, _, exp_text = scientific.partition("e")
    whole, _, fraction = mantissa.partition(".")
    exponent = (int(exp_text) if exp_text else 0) + len(whole) - 1
    digits = (whole + fraction).lstrip("0")
    exponent -= len(whole + fraction) - len((whole + fraction).lstrip("0"))
    return digits.rstrip("0"), exponent


def _float8_text_out(value: float, tz: tzinfo) -> bytes:
    text = repr(value)
    if "e" not in text and "n" not in text and -1e15 < value < 1e15:
        # Python's fixed-point range is a superset of PostgreSQL's below 1e15: same digits.
        return (text[:-2] if text.endswith(".0") else text).encode()
    if value != value:
        return b"NaN"
    special = _SPECIAL_TEXT.get(value)
    if special is not None:
        return special
    magnitude = abs(value)
    digits, exponent = _digits_and_exponent(text.lstrip("-"))
    if magnitude >= 2.0**53:  # only here can Python's shortest digits sit exactly on a bound
        interval = _rounding_interval(
            magnitude, math.nextafter(magnitude, 0), math.nextafter(magnitude, math.inf)
        )
        if not _inside(int(digits), exponent - len(digits) + 1, interval):
            digits, exponent = _shortest_inside(magnitude, interval, 17)
    return _format_shortest(value < 0, digits, exponent, 15)


def _rounding_interval(magnitude: float, down: float, up: float) -> tuple[int, int, int]:
    """(low, high, denominator): the open interval (low/den, high/den) of the reals that round
    to `magnitude`, whose neighbours are down and up. All are dyadic: one denominator serves."""
    (a, b), (c, d) = magnitude.as_integer_ratio(), down.as_integer_ratio()
    e, f = (0, 1) if math.isinf(up) else up.as_integer_ratio()
    common = max(b, d, f)
    here, below, above = a * (common // b), c * (common // d), e * (common // f)
    high = 3 * here - below if math.isinf(up) else here + above
    return here + below, high, 2 * common


def _inside(digits: int, exponent: int, interval: tuple[int, int, int]) -> bool:
    """Whether digits * 10**exponent lies strictly inside the interval."""
    low, high, denominator = interval
    if exponent >= 0:
        scaled = digits * 10**exponent * denominator
        return low < scaled < high
    scale = 10**-exponent
    scaled = digits * denominator
    return low * scale < scaled < high * scale


def _shortest_inside(
    magnitude: float,
    interval: tuple[int, int, int],
    max_digits: int,
    quick_bounds: tuple[float, float] | None = None,
) -> tuple[str, int]:
    """Ryu as PostgreSQL builds it (bounds never accepted): the fewest significant digits
    strictly inside the interval, the nearest to `magnitude` among them, as (digits, exponent).

    `quick_bounds`, the interval's ends as exact doubles, lets a candidate that rounds outside
    them be skipped without exact arithmetic (rounding to double is monotonic).
    """
    lopsided = math.frexp(magnitude)[0] == 0.5  # at a power of two the gap below is halved
    for precision in range(1, max_digits + 1):
        candidate = f"{magnitude:.{precision - 1}e}"
        nearest = float(candidate)
        if quick_bounds and not lopsided and not quick_bounds[0] <= nearest <= quick_bounds[1]:
            continue
        mantissa, _, exp_text = candidate.partition("e")
        digits = int(mantissa.replace(".", ""))
        exponent = int(exp_text) - precision + 1
        if _inside(digits, exponent, interval):
            break
        if lopsided:  # the correctly rounded candidate missed; its other neighbour may fit
            other = digits + 1 if nearest < magnitude else digits - 1
            if other > 0 and _inside(other, exponent, interval):
                digits = other
                break
    text = str(digits)
    return text.rstrip("0"), exponent + len(text) - 1


def _as_float32(value: float) -> float:
    return float(_FLOAT4.unpack(_FLOAT4.pack(value))[0])


def _nearest_float32(literal: str) -> float:
    """The float32 nearest to a decimal literal (correct even where float64 rounding ties)."""
    wide = float(literal)
    try:
        narrow = _as_float32(wide)
    except OverflowError:
        return math.copysign(math.inf, wide)
    if narrow == wide or math.isinf(narrow):
        return narrow
    other = _next_float32(narrow, math.inf if wide > narrow else -math.inf)
    if wide - narrow == other - wide:  # the double landed exactly on a float32 midpoint
        exact = Decimal(literal)
        if exact != Decimal(wide):
            return other if (exact > Decimal(wide)) == (other > narrow) else narrow
    return narrow


def _next_float32(value: float, toward: float) -> float:
    bits = struct.unpack(">i", _FLOAT4.pack(value))[0]
    step = 1 if (toward > value) == (bits >= 0) else -1
    if value == 0:
        bits, step = (0, 1) if toward > 0 else (-(2**31), 1)
    return float(_FLOAT4.unpack(struct.pack(">i", bits + step))[0])


def _float4_text_out(value: float, tz: tzinfo) -> bytes:
    value = _as_float32(value)
    if value != value:
        return b"NaN"
    special = _SPECIAL_TEXT.get(value)
    if special is not None:
        return special
    if value == 0:
        return b"-0" if math.copysign(1.0, value) < 0 else b"0"
    magnitude = abs(value)
    down, up = _next_float32(magnitude, -math.inf), _next_float32(magnitude, math.inf)
    quick_bounds = ((magnitude + down) / 2, math.inf if math.isinf(up) else (magnitude + up) / 2)
    interval = _rounding_interval(magnitude, down, up)
    digits, exponent = _shortest_inside(magnitude, interval, 9, quick_bounds)
    return _format_shortest(value < 0, digits, exponent, 6)


def _parse_float(data: bytes, type_name: str) -> tuple[str, str]:
    """(whole input, stripped literal); 22P02 unless the literal is a float strtod accepts."""
    text = data.decode(errors="replace")
    literal = text.strip(C_SPACES)
    lowered = literal.lower()
    if lowered in _SPECIALS or _DECIMAL_LITERAL.fullmatch(literal) or _HEX_LITERAL.fullmatch(literal):
        return text, literal
    raise invalid_syntax(type_name, text)


def _float_value(literal: str) -> float:
    special = _SPECIALS.get(literal.lower())
    if special is not None:
        return special
    if "x" in literal or "X" in literal:
        return float.fromhex(literal)
    return float(literal)


def _has_nonzero_digit(literal: str) -> bool:
    mantissa = re.split(r"[eEpP]", literal.lower().replace("0x", "", 1), maxsplit=1)[0]
    return any(ch not in "0.+-" for ch in mantissa)


def _range_error(literal: str, type_name: str) -> Exception:
    return out_of_range(f'"{literal}" is out of range for type {type_name}')


def _float8_text_in(data: bytes, tz: tzinfo) -> float:
    _, literal = _parse_float(data, "double precision")
    try:
        value = _float_value(literal)
    except OverflowError:
        raise _range_error(literal, "double precision") from None
    overflowed = math.isinf(value) and literal.lower() not in _SPECIALS
    if overflowed or (value == 0 and _has_nonzero_digit(literal)):
        raise _range_error(literal, "double precision")
    return value


def _float4_text_in(data: bytes, tz: tzinfo) -> float:
    _, literal = _parse_float(data, "real")
    lowered = literal.lower()
    if lowered in _SPECIALS:
        return _SPECIALS[lowered]
    try:
        value = _as_float32(_float_value(literal)) if "x" in lowered else _nearest_float32(literal)
    except OverflowError:
        raise _range_error(literal, "real") from None
    if math.isinf(value) or (value == 0 and _has_nonzero_digit(literal)):
        raise _range_error(literal, "real")
    return value


def _float4_binary_out(value: float) -> bytes:
    try:
        return _FLOAT4.pack(value)
    except OverflowError:
        raise out_of_range("value out of range: overflow") from None


def _float4_binary_in(data: bytes) -> float:
    if len(data) != 4:
        raise bad_binary(f"float4 must be 4 bytes, got {len(data)}")
    return float(_FLOAT4.unpack(data)[0])


def _float8_binary_out(value: float) -> bytes:
    return _FLOAT8.pack(value)


def _float8_binary_in(data: bytes) -> float:
    if len(data) != 8:
        raise bad_binary(f"float8 must be 8 bytes, got {len(data)}")
    return float(_FLOAT8.unpack(data)[0])


CODECS: dict[int, Codec] = {
    oids.FLOAT4: Codec(_float4_text_out, _float4_text_in, _float4_binary_out, _float4_binary_in),
    oids.FLOAT8: Codec(_float8_text_out, _float8_text_in, _float8_binary_out, _float8_binary_in),
}
