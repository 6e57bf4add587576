"""Keys that order values of one type as PostgreSQL orders them (its *_cmp functions), over codec-model
values: intervals with 30-day months, char(n) without its padding, arrays element by element
(`array_cmp`), ranges and multiranges (`range_cmp`), rows field by field (`record_cmp`), network
addresses, timetz by its UTC time then its offset (`timetz_cmp`), an enum's labels as the enum
declares them, an extension's type's values by its sort key (citext's lowered), a float NaN after
every number and equal to itself (float8_cmp_internal); date, timestamp and timestamptz values as
instants (µs since 2000, date and timestamp on the session time zone's clock, so they compare with
timestamptz; outside years 1..9999 too). Used by the comparison functions and by the collations of
stored values."""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import far_dates, hstore, jsons, network, times, user_types
from heliosdb_lite.protocol.codecs.composites import Record
from heliosdb_lite.protocol.codecs.interval import interval_key
from heliosdb_lite.protocol.codecs.range_values import Multirange, Range, sort_key


@functools.total_ordering
class _NaNKey:
    """The key of a float NaN: equal to itself, greater than any number."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return hash(math.nan)

    def __lt__(self, other: object) -> bool:
        return False


NAN_KEY = _NaNKey()


def instant_key(value: Any, oid: int, tz: dt.tzinfo) -> int | float:
    """A date, timestamp or timestamptz as µs since 2000-01-01 00:00 UTC, a date or timestamp read
    on tz's wall clock (in or outside years 1..9999); ±infinity as ±inf."""
    if isinstance(value, codecs.DateTimeInfinity):
        return math.inf * value.sign
    if oid == t.TIMESTAMPTZ:
        return far_dates.usec_of(value)
    wall = far_dates.days_of(value) * far_dates.USECS_PER_DAY if oid == t.DATE else far_dates.usec_of(value)
    return far_dates.wall_clock_usec(wall, tz)


def comparison_key(value: Any, oid: int, tz: dt.tzinfo) -> Any:
    """A Python value that orders like PostgreSQL orders values of this type (a domain's as its base's)."""
    oid = user_types.DOMAIN_BASES.get(oid, oid)
    if oid == t.JSONB:
        return jsonb_key(value)
    if oid == t.INTERVAL:
        return interval_key(value)
    if oid in t.FLOAT_TYPES and math.isnan(value):
        return NAN_KEY
    if oid in (t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ):
        return instant_key(value, oid, tz)
    if oid == t.BPCHAR:
        return value.rstrip(" ")  # char(n) compares without its padding
    if isinstance(value, list):
        return _array_key(value, codecs.type_by_oid(oid).elem_oid, tz)
    if isinstance(value, Range | Multirange):
        return sort_key(value)
    if isinstance(value, dict):  # an hstore: hstore_cmp's order
        return hstore.order_key(value)
    if isinstance(value, Record):  # record_cmp: field by field, a NULL after every value
        return tuple((1,) if field is None else (0, comparison_key(field, field_oid, tz))
                     for field, field_oid in zip(value.values, value.oids, strict=True))
    if oid in t.NETWORK_TYPES:
        return network.sort_key(value)
    if oid == t.TIMETZ:
        return times.sort_key(value)
    enum = user_types.ENUMS.get(oid)
    if enum is not None:
        return enum.sort_key(value)
    base = user_types.BASE_TYPES.get(oid)
    if base is not None and base.sort_key is not None:  # an extension's type: citext's lowered text
        return base.sort_key(value)
    return value


def _array_key(value: list[Any], element_oid: int, tz: dt.tzinfo) -> tuple[Any, ...]:
    """PostgreSQL's array order (array_cmp): element by element in storage order, a NULL after
    every value; then fewer elements first, then fewer dimensions, then shorter ones."""
    elements = tuple((1,) if element is None else (0, comparison_key(element, element_oid, tz))
                     for element in leaves(value))
    dims = dimensions(value)
    return elements, len(dims), tuple(dims)


def dimensions(value: list[Any]) -> list[int]:
    """The lengths of a (rectangular) array's dimensions; [] for an empty array."""
    dims: list[int] = []
    probe: Any = value
    while isinstance(probe, list) and probe:
        dims.append(len(probe))
        probe = probe[0]
    return dims


def leaves(value: list[Any]) -> list[Any]:
    """An array's elements in storage order (row-major), all dimensions flattened."""
    return [leaf for item in value for leaf in (leaves(item) if isinstance(item, list) else [item])]


# jsonb's value types in compareJsonbContainers' order (jbvNull < jbvString < jbvNumeric < jbvBool
# < jbvArray < jbvObject)
_JSONB_NULL, _JSONB_STRING, _JSONB_NUMERIC, _JSONB_BOOL, _JSONB_ARRAY, _JSONB_OBJECT = 0, 1, 2, 3, 16, 17
_JSONB_END = (-1,)


@functools.lru_cache(maxsize=4096)  # ORDER BY and joins compare one value with many
def jsonb_key(text: str) -> tuple[Any, ...]:
    """A key that orders jsonb values as PostgreSQL's compareJsonbContainers: the tokens of both
    walked together, a container first by its size (a top-level scalar being a one-element array
    below a real one of that size), object keys in jsonb's storage order, scalars of one type by
    value (numbers as numbers, strings by code point), values of different types by type."""
    tokens: list[tuple[Any, ...]] = []
    value = jsons.parse_jsonb(text)
    if isinstance(value, dict | list):
        _jsonb_tokens(value, tokens)
    else:  # a raw scalar: a pseudo array of one element
        tokens.extend(((_JSONB_ARRAY, 1, 0), _jsonb_scalar(value), _JSONB_END))
    return tuple(tokens)


def _jsonb_scalar(value: Any) -> tuple[Any, ...]:
    if value is None:
        return (_JSONB_NULL, 0)
    if isinstance(value, str):
        return (_JSONB_STRING, value)
    if isinstance(value, bool):
        return (_JSONB_BOOL, value)
    return (_JSONB_NUMERIC, value)


def _jsonb_tokens(value: Any, tokens: list[tuple[Any, ...]]) -> None:
    if isinstance(value, dict):
        tokens.append((_JSONB_OBJECT, len(value)))
        for key in sorted(value, key=jsons.key_order):
            tokens.append((_JSONB_STRING, key))
            _jsonb_tokens(value[key], tokens)
        tokens.append(_JSONB_END)
    elif isinstance(value, list):
        tokens.append((_JSONB_ARRAY, len(value), 1))
        for item in value:
            _jsonb_tokens(item, tokens)
        tokens.append(_JSONB_END)
    else:
        tokens.append(_jsonb_scalar(value))
