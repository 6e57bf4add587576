"""The types a database defines (CREATE TYPE ... AS ENUM, AS (...), AS RANGE), as the
codecs know them: their pg_type rows and codecs added to `catalog.TYPES` and `registry.CODECS`
beside the built-in ones, under the OIDs the database gave them.

The engine registers every type of its store when it opens it and whenever its schema changes
(`engine/store/user_types.py`); a type is registered with its array type. Names are not
registered for lookup (`catalog.type_by_name` knows only the built-in types): which type a name
denotes depends on the database and the session's search_path, which the engine resolves.
User type OIDs are drawn at random from `FIRST_OID`..`LAST_OID` per database, so types of two
stores opened by one process do not meet under one OID; a dropped type's entry stays (nothing
names it any more).

An enum's value is its label, a str; text and binary forms are both the label's UTF-8 bytes
(enum_out / enum_send). Input of a label the enum does not have is 22P02, as enum_in. A composite
type's value is a `composites.Record`; its codec reads the fields of the type's current definition.
A range type's values are `range_values.Range`, its multirange's `Multirange`: the type joins
`range_values.RANGE_TYPES` (continuous: no canonical function), its codecs are built from its
subtype's as the built-in ranges' are. A base type an extension provides (citext) brings its codec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from heliosdb_lite.errors import INVALID_TEXT_REPRESENTATION, DatabaseError
from heliosdb_lite.protocol.codecs.arrays import array_codec
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.catalog import TYPES, TypeInfo
from heliosdb_lite.protocol.codecs.composites import composite_codec
from heliosdb_lite.protocol.codecs.faults import decode_utf8
from heliosdb_lite.protocol.codecs.range_values import MULTIRANGE_TYPES, RANGE_TYPES, RangeType
from heliosdb_lite.protocol.codecs.ranges import multirange_codec, range_codec
from heliosdb_lite.protocol.codecs.registry import CODECS, codec_for

# above the OIDs of user relations (`engine/pg_catalog/reader.py:object_oid`), below 2^31 (drivers
# that read an OID as a signed int4 still read it right)
FIRST_OID = 1_100_000_000
LAST_OID = 2_100_000_000
ENUM_CATEGORY = "E"
COMPOSITE_CATEGORY = "C"
RANGE_CATEGORY = "R"
ENUM_LENGTH = 4  # pg_type.typlen of an enum (its value is a pg_enum OID in PostgreSQL)


@dataclass(frozen=True)
class EnumType:
    """One enum: its OIDs, its name as format_type shows it, and its labels in their order with
    their pg_enum.enumsortorder."""

    oid: int
    name: str
    array_oid: int
    labels: tuple[tuple[str, float], ...]
    _positions: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        positions = {label: number for number, (label, _) in enumerate(self.labels)}
        object.__setattr__(self, "_positions", positions)

    def position(self, label: str) -> int | None:
        """Where a label comes in the enum's order; None if it has no such label."""
        return self._positions.get(label)

    def sort_key(self, label: str) -> tuple[int, str]:
        """A key that orders labels as the enum declares them (one it lacks after all, by its text)."""
        position = self._positions.get(label)
        return (len(self.labels) if position is None else position), label


ENUMS: dict[int, EnumType] = {}  # enum OID -> its registered definition
# a domain's OID (and its array type's) -> its base type's (and that's array type's): the codecs of a
# domain are its base type's (`engine/store/domains.py` registers them)
DOMAIN_BASES: dict[int, int] = {}


def is_user_type(oid: int) -> bool:
    return FIRST_OID <= oid <= LAST_OID


def register_enum(enum: EnumType) -> None:
    """Adds (or replaces) an enum and its array type among the types the codecs speak."""
    if ENUMS.get(enum.oid) == enum:
        return
    element = _enum_codec(enum)
    TYPES[enum.oid] = TypeInfo(enum.oid, enum.name, ENUM_LENGTH, enum.array_oid, 0, ENUM_CATEGORY)
    TYPES[enum.array_oid] = TypeInfo(enum.array_oid, f"_{enum.name}", -1, 0, enum.oid, "A")
    CODECS[enum.oid] = element
    CODECS[enum.array_oid] = array_codec(enum.oid, enum.name, element)
    ENUMS[enum.oid] = enum


def _enum_codec(enum: EnumType) -> Codec:
    def label_in(data: bytes) -> str:
        label = decode_utf8(data)
        if ENUMS.get(enum.oid, enum).position(label) is None:
            raise DatabaseError(INVALID_TEXT_REPRESENTATION,
                                f'invalid input value for enum {enum.name}: "{label}"')
        return label

    def text_out(value: str, tz: tzinfo) -> bytes:
        return value.encode()

    def text_in(data: bytes, tz: tzinfo) -> str:
        return label_in(data)

    return Codec(text_out, text_in, str.encode, label_in)


@dataclass(frozen=True)
class CompositeType:
    """One composite type (CREATE TYPE ... AS (...)): its OIDs, its name as format_type shows it,
    and its attributes in order: (name, type OID, typmod)."""

    oid: int
    name: str
    array_oid: int
    relid: int  # its pg_class row (relkind 'c')
    fields: tuple[tuple[str, int, int], ...]

    @property
    def field_oids(self) -> tuple[int, ...]:
        return tuple(oid for _, oid, _ in self.fields)

    def position(self, name: str) -> int | None:
        """The number (from 0) of the attribute of this name; None if it has none."""
        return next((number for number, (field, _, _) in enumerate(self.fields) if field == name), None)


COMPOSITES: dict[int, CompositeType] = {}  # composite OID -> its registered definition


def register_composite(composite: CompositeType) -> None:
    """Adds (or replaces) a composite type and its array type among the types the codecs speak."""
    if COMPOSITES.get(composite.oid) == composite:
        return
    COMPOSITES[composite.oid] = composite
    oid, array_oid = composite.oid, composite.array_oid
    TYPES[oid] = TypeInfo(oid, composite.name, -1, array_oid, 0, COMPOSITE_CATEGORY)
    TYPES[array_oid] = TypeInfo(array_oid, f"_{composite.name}", -1, 0, oid, "A")
    if oid in CODECS:
        return  # its codec reads the fields of the definition registered last
    element = composite_codec(lambda: COMPOSITES[oid].field_oids, codec_for)
    CODECS[oid] = element
    CODECS[array_oid] = array_codec(oid, composite.name, element)


@dataclass(frozen=True)
class RangeUserType:
    """One range type (CREATE TYPE ... AS RANGE) and its multirange: their OIDs and names as
    format_type shows them, and the subtype's OID."""

    oid: int
    name: str
    array_oid: int
    subtype: int
    multirange: int
    multirange_name: str
    multirange_array_oid: int


RANGES: dict[int, RangeUserType] = {}  # range OID -> its registered definition


def register_range(defined: RangeUserType) -> None:
    """Adds (or replaces) a range type, its multirange and their array types among the types the
    codecs speak."""
    if RANGES.get(defined.oid) == defined:
        return
    kind = RangeType(defined.oid, defined.name, defined.subtype, defined.multirange, defined.multirange_name)
    for oid, name, array_oid in ((defined.oid, defined.name, defined.array_oid),
                                 (defined.multirange, defined.multirange_name, defined.multirange_array_oid)):
        TYPES[oid] = TypeInfo(oid, name, -1, array_oid, 0, RANGE_CATEGORY)
        TYPES[array_oid] = TypeInfo(array_oid, f"_{name}", -1, 0, oid, "A")
    element = range_codec(kind, codec_for(defined.subtype))
    multirange = multirange_codec(kind, element)
    CODECS[defined.oid] = element
    CODECS[defined.array_oid] = array_codec(defined.oid, defined.name, element)
    CODECS[defined.multirange] = multirange
    CODECS[defined.multirange_array_oid] = array_codec(defined.multirange, defined.multirange_name,
                                                       multirange)
    RANGE_TYPES[defined.oid] = kind
    MULTIRANGE_TYPES[defined.multirange] = kind
    RANGES[defined.oid] = defined


@dataclass(frozen=True)
class BaseUserType:
    """A base type an extension provides (CREATE EXTENSION): its OIDs, its name as format_type shows
    it, pg_type's typlen and typcategory, and the codec of its values."""

    oid: int
    name: str
    array_oid: int
    typlen: int
    category: str
    codec: Codec
    sort_key: Callable[[Any], Any] | None = None  # the order of its values (None: as Python orders them)


BASE_TYPES: dict[int, BaseUserType] = {}  # base type OID -> its registered definition


def register_base(defined: BaseUserType) -> None:
    """Adds (or replaces) an extension's base type and its array type among the types the codecs speak."""
    if BASE_TYPES.get(defined.oid) == defined:
        return
    TYPES[defined.oid] = TypeInfo(defined.oid, defined.name, defined.typlen, defined.array_oid, 0,
                                  defined.category)
    TYPES[defined.array_oid] = TypeInfo(defined.array_oid, f"_{defined.name}", -1, 0, defined.oid, "A")
    CODECS[defined.oid] = defined.codec
    CODECS[defined.array_oid] = array_codec(defined.oid, defined.name, defined.codec)
    BASE_TYPES[defined.oid] = defined
