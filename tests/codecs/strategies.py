"""Hypothesis strategies producing Python values of every codec's value model, and a canonical
form for comparing them (NaN equal to NaN, -0.0 distinct from 0.0, numeric by its text)."""

from __future__ import annotations

import json
import math
import struct
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.codecs import (
    INFINITY,
    NEG_INFINITY,
    TYPES,
    Interval,
    far_dates,
    network,
    normalize_jsonb,
)
from heliosdb_lite.protocol.codecs.numeric import numeric_text
from heliosdb_lite.protocol.codecs.range_values import (
    EMPTY,
    MULTIRANGE_TYPES,
    RANGE_TYPES,
    Multirange,
    Range,
    RangeType,
    compare_values,
    make_multirange,
    make_range,
)
from heliosdb_lite.protocol.codecs.times import END_OF_DAY, fixed_zone

INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
ZONES = [UTC, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe")]
zones = st.sampled_from(ZONES)

_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
_SPACES_AND_SPECIALS = st.text(st.sampled_from(" \t\n\"\\{},NULLnul'é"), max_size=8)
text_values = _TEXT | _SPACES_AND_SPECIALS


def _finite_numeric(value: Decimal) -> bool:
    if not value.is_finite():
        return not value.is_snan()
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent >= -1000 and value.adjusted() < 1000


_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
json_documents = st.recursive(
    _json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=4),
    max_leaves=12,
)
json_texts = st.builds(
    lambda document, ascii_only, spaced: json.dumps(
        document, ensure_ascii=ascii_only, separators=(", ", ": ") if spaced else (",", ":")
    ),
    json_documents,
    st.booleans(),
    st.booleans(),
)

_infinities = st.sampled_from([INFINITY, NEG_INFINITY])


def _timetz(clock: Any, east: int) -> Any:
    return clock.replace(tzinfo=fixed_zone(east))


def _inet(version: int, address: int, bits: int) -> Any:
    """An IPv4 or IPv6 inet value of the drawn address and mask length (reduced to the family's width)."""
    width = 32 if version == 4 else 128
    return network.make(version, address % 2**width, bits % (width + 1), cidr=False)


def _tsvector(lexemes: dict[str, list[tuple[int, int]]]) -> Any:
    """A tsvector value of drawn lexemes and (weight, position) pairs, in tsvector order."""
    def merged(pairs: list[tuple[int, int]]) -> tuple[int, ...]:
        weights: dict[int, int] = {}
        for weight, position in pairs:
            weights[position] = max(weights.get(position, 0), weight)
        return tuple(weights[position] << 14 | position for position in sorted(weights))

    return tuple((lexeme, merged(lexemes[lexeme])) for lexeme in sorted(lexemes, key=str.encode))


def _far_timestamps(*, aware: bool, margin: int) -> st.SearchStrategy[Any]:
    """Time stamps anywhere in PostgreSQL's range (most outside years 1..9999); a timestamptz a
    margin from its ends, whose text in a zone PostgreSQL itself could not read back."""
    return st.integers(far_dates.TIMESTAMP_MIN_USEC + margin, far_dates.TIMESTAMP_END_USEC - 1 - margin).map(
        lambda usec: far_dates.timestamp_of_usec(usec, aware))


SCALAR_VALUES: dict[int, st.SearchStrategy[Any]] = {
    16: st.booleans(),
    17: st.binary(max_size=40),
    18: st.sampled_from([""] + [chr(code) for code in range(1, 256)]),
    19: _TEXT.filter(lambda text: len(text.encode()) <= 63),
    20: INT64,
    21: st.integers(-(2**15), 2**15 - 1),
    23: INT32,
    25: text_values,
    22: st.lists(st.integers(-(2**15), 2**15 - 1), min_size=1, max_size=6).map(tuple),  # PostgreSQL's
    # int2vectorrecv refuses the empty vector int2vectorsend writes
    26: st.integers(0, 2**32 - 1),
    28: st.integers(0, 2**32 - 1),
    27: st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**16 - 1)),  # tid: (block, offset)
    114: json_texts,
    790: INT64,
    3614: st.dictionaries(
        _TEXT.filter(lambda text: text != "" and "\x00" not in text),
        st.lists(st.tuples(st.integers(0, 3), st.integers(1, 16383)), max_size=4),
        max_size=5,
    ).map(_tsvector),
    142: st.text(alphabet="ab <>&", max_size=12).map(
        lambda text: "<a>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</a>"),
    600: st.tuples(st.floats(allow_nan=False), st.floats(allow_nan=False)),
    603: st.tuples(*[st.floats(allow_nan=False)] * 4).map(
        lambda xy: ((max(xy[0], xy[2]), max(xy[1], xy[3])), (min(xy[0], xy[2]), min(xy[1], xy[3])))),
    829: st.binary(min_size=6, max_size=6).map(lambda raw: ":".join(f"{byte:02x}" for byte in raw)),
    700: st.floats(width=32, allow_nan=False) | st.just(math.nan),
    701: st.floats(allow_nan=False) | st.just(math.nan),
    705: text_values,
    2275: text_values,
    1042: text_values,
    1043: text_values,
    1082: st.dates() | _infinities,
    1083: st.times() | st.just(END_OF_DAY),
    1266: st.builds(_timetz, st.times() | st.just(END_OF_DAY), st.integers(-(16 * 3600 - 1), 16 * 3600 - 1)),
    1114: st.datetimes() | _infinities,
    1184: st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones)
    | _infinities,
    1186: st.builds(Interval, INT32, INT32, st.integers(-(2**63) + 1, 2**63 - 1)),
    1700: st.decimals(allow_nan=True, allow_infinity=True).filter(_finite_numeric),
    2206: st.sampled_from([0, *sorted(TYPES)]) | st.integers(4_000_000_000, 2**32 - 1),  # no type has these
    2950: st.uuids(),
    869: st.builds(_inet, st.sampled_from([4, 6]), st.integers(0, 2**128 - 1), st.integers(0, 128)),
    3802: json_texts.map(normalize_jsonb),
}
SCALAR_VALUES[650] = SCALAR_VALUES[869].map(lambda inet: network.make(*network.parts(inet), cidr=True))
# dates and time stamps anywhere in PostgreSQL's range, most of them outside years 1..9999
FAR_VALUES: dict[int, st.SearchStrategy[Any]] = {
    1082: st.integers(far_dates.MIN_DAYS, far_dates.DATE_END_DAYS - 1).map(far_dates.date_of_days),
    1114: _far_timestamps(aware=False, margin=0),
    1184: _far_timestamps(aware=True, margin=2 * far_dates.USECS_PER_DAY),
}


def _range(kind: RangeType, first: Any, second: Any, lower_inc: bool, upper_inc: bool) -> Range:
    """A range between two drawn bounds (None: unbounded), lower first; EMPTY where the type's
    canonical form overflows (an inclusive upper bound at the subtype's end)."""
    if first is not None and second is not None and compare_values(first, second) > 0:
        first, second = second, first
    try:
        return make_range(kind, first, second, lower_inc, upper_inc)
    except DatabaseError:
        return EMPTY


def range_values(oid: int) -> st.SearchStrategy[Range]:
    kind = RANGE_TYPES[oid]
    bound = _values_of_element(kind.subtype) | st.none()
    return st.builds(_range, st.just(kind), bound, bound, st.booleans(), st.booleans()) | st.just(EMPTY)


def multirange_values(oid: int) -> st.SearchStrategy[Multirange]:
    kind = MULTIRANGE_TYPES[oid]
    return st.lists(range_values(kind.oid), max_size=4).map(lambda ranges: make_multirange(kind, ranges))


def array_values(elem_oid: int) -> st.SearchStrategy[list[Any]]:
    """1-D lists with NULLs, or 2-D rectangular ones."""
    element = _values_of_element(elem_oid) | st.none()
    one_dimension = st.lists(element, max_size=6)
    two_dimensions = st.integers(1, 3).flatmap(
        lambda width: st.lists(st.lists(element, min_size=width, max_size=width), min_size=1, max_size=3)
    )
    return one_dimension | two_dimensions


def _values_of_element(oid: int) -> st.SearchStrategy[Any]:
    if oid in RANGE_TYPES:
        return range_values(oid)
    if oid in MULTIRANGE_TYPES:
        return multirange_values(oid)
    return SCALAR_VALUES[oid] | FAR_VALUES[oid] if oid in FAR_VALUES else SCALAR_VALUES[oid]


def values_of(oid: int) -> st.SearchStrategy[Any]:
    info = TYPES[oid]
    return array_values(info.elem_oid) if info.is_array and oid != 22 else _values_of_element(oid)


def canonical(oid: int, value: Any) -> Any:
    """A form of `value` whose equality is the value model's identity."""
    if value is None:
        return None
    info = TYPES[oid]
    if info.is_array and oid != 22:  # int2vector: a tuple of int2
        return [canonical(oid if isinstance(item, list) else info.elem_oid, item) for item in value]
    if oid in (700, 701):
        return "NaN" if math.isnan(value) else struct.pack(">d", value)
    if oid in RANGE_TYPES:
        subtype = RANGE_TYPES[oid].subtype
        return (canonical(subtype, value.lower), canonical(subtype, value.upper), value.lower_inc,
                value.upper_inc, value.empty)
    if oid in MULTIRANGE_TYPES:
        return [canonical(MULTIRANGE_TYPES[oid].oid, item) for item in value.ranges]
    if oid == 1700:
        return numeric_text(value)
    if oid == 1266:  # aware times compare by their UTC time: the offset is part of the identity
        return value.replace(tzinfo=None), value.utcoffset()
    if oid == 1184 and isinstance(value, datetime):
        return value.astimezone(UTC)  # PEP 495: inter-zone == is False for times in a DST gap or fold
    return value
