"""The types a database defines (CREATE TYPE ... AS ENUM, AS (...), AS RANGE), as the store
keeps them, and what every connection needs to use them: the codecs' registration
(`protocol/codecs/user_types.py`) and the collations that order an enum's values.

Storage format (tables made by the first CREATE TYPE, written by `engine/ddl/types.py`, so the
journal carries them as it carries any DDL and row change):

- `_helios_types(oid, name, array_oid, kind)`: one row per type; name is its storage name
  (`schemas`: `mood`, `s.mood`), kind `e` for an enum, `c` for a composite type, `r` for a range
  type and `m` for its multirange (a row of its own, so that its name resolves); oid and
  array_oid are pg_type's OIDs of the type and of its array type, drawn at random in
  `user_types.FIRST_OID`..`LAST_OID`.
- `_helios_enum_labels(oid, type_oid, sort_order, label)`: an enum's labels, pg_enum's rows.
- `_helios_composites(oid, relid)`: a composite type's pg_class OID (typrelid), drawn likewise.
- `_helios_type_attributes(type_oid, position, name, attribute_type, typmod)`: a composite type's
  attributes from position 1, pg_attribute's rows.
- `_helios_ranges(oid, subtype, multirange, collation, opclass, subtype_diff)`: a range type's
  subtype, its multirange's OID, pg_range's rngcollation, rngsubopc and rngsubdiff.
- `_helios_range_constructors(name, type_oid)`: the constructor functions of a range type and of
  its multirange, by storage name: named as the types are when they are made, they keep that name
  when the type is renamed (they are functions of their own in PostgreSQL).

- kind `b`: a base type an installed extension provides (`store.extensions`, `engine/extensions`):
  its behaviour (codec, order) is the extension's description of the type of that name.

A column of a composite type keeps its value's text form, `(1,a)`, and collates with
`helios_composite_<oid>`, which compares the values field by field.

A column of a range type or multirange keeps its value's canonical text form and collates with
`helios_range_<oid>`, which orders values as range_cmp / multirange_cmp do. An array of one of
these types collates with `helios_user_array_<oid>`, element by element as array_cmp.

A column of an enum keeps the label as TEXT; its declared type names the type's OID
(`pgtypes.ResolvedType.declared`) and it collates with `helios_enum_<oid>`, which orders labels
as the enum declares them. Every store connection registers those collations when SQLite first
asks for one (`collation_needed`), from the codecs' registry, loaded from the store when it lacks
the type.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import apsw

from heliosdb_lite.engine.sql.quoting import quote_identifier
from heliosdb_lite.engine.store import domains, schemas
from heliosdb_lite.engine.store import extensions as store_extensions
from heliosdb_lite.engine.types import cast_contexts, extension_types
from heliosdb_lite.engine.types.extension_types import ExtensionType
from heliosdb_lite.engine.types.value_order import comparison_key
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import user_types as codec_types

TYPES_TABLE = "_helios_types"
LABELS_TABLE = "_helios_enum_labels"
COMPOSITES_TABLE = "_helios_composites"
ATTRIBUTES_TABLE = "_helios_type_attributes"
RANGES_TABLE = "_helios_ranges"
CONSTRUCTORS_TABLE = "_helios_range_constructors"
ENUM_KIND = "e"
COMPOSITE_KIND = "c"
RANGE_KIND = "r"
MULTIRANGE_KIND = "m"
BASE_KIND = "b"
CREATE_TABLES = (
    f"CREATE TABLE IF NOT EXISTS {TYPES_TABLE} (oid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
    "array_oid INTEGER NOT NULL UNIQUE, kind TEXT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {LABELS_TABLE} (oid INTEGER PRIMARY KEY, type_oid INTEGER NOT NULL, "
    "sort_order REAL NOT NULL, label TEXT NOT NULL, UNIQUE (type_oid, label))",
)
CREATE_COMPOSITE_TABLES = (
    f"CREATE TABLE IF NOT EXISTS {COMPOSITES_TABLE} (oid INTEGER PRIMARY KEY, relid INTEGER NOT NULL UNIQUE)",
    f"CREATE TABLE IF NOT EXISTS {ATTRIBUTES_TABLE} (type_oid INTEGER NOT NULL, position INTEGER NOT NULL, "
    "name TEXT NOT NULL, attribute_type INTEGER NOT NULL, typmod INTEGER NOT NULL, "
    "PRIMARY KEY (type_oid, position), UNIQUE (type_oid, name))",
)
CREATE_RANGE_TABLE = (f"CREATE TABLE IF NOT EXISTS {RANGES_TABLE} (oid INTEGER PRIMARY KEY, "
                      "subtype INTEGER NOT NULL, multirange INTEGER NOT NULL UNIQUE, "
                      "collation INTEGER NOT NULL, opclass INTEGER NOT NULL, subtype_diff INTEGER NOT NULL)")
CREATE_CONSTRUCTORS_TABLE = (f"CREATE TABLE IF NOT EXISTS {CONSTRUCTORS_TABLE} (name TEXT PRIMARY KEY, "
                             "type_oid INTEGER NOT NULL)")
_COLLATION_PREFIX = "helios_enum_"
_COMPOSITE_COLLATION_PREFIX = "helios_composite_"
_RANGE_COLLATION_PREFIX = "helios_range_"
_ARRAY_COLLATION_PREFIX = "helios_user_array_"
_EXTENSION_TYPES: dict[int, ExtensionType] = {}  # an extension's base type's OID -> its description


@dataclass(frozen=True, slots=True)
class StoredRange:
    """A range type as `_helios_ranges` and `_helios_types` keep it, with its multirange."""

    oid: int
    stored: str
    array_oid: int
    subtype: int
    multirange: int
    multirange_stored: str
    multirange_array_oid: int
    collation: int  # pg_range.rngcollation (0: the subtype has none)
    opclass: int  # pg_range.rngsubopc
    subtype_diff: int  # pg_range.rngsubdiff, a pg_proc OID (0: none)


@dataclass(frozen=True, slots=True)
class StoredType:
    """One row of `_helios_types` with its labels (label, sort order), in their order."""

    oid: int
    stored: str
    array_oid: int
    kind: str
    labels: tuple[tuple[str, float], ...]
    label_oids: tuple[int, ...]
    relid: int = 0  # a composite type's pg_class OID
    attributes: tuple[tuple[str, int, int], ...] = ()  # a composite type's: (name, type OID, typmod)
    range: StoredRange | None = None  # a range type's or a multirange's: the range type and its multirange

    @property
    def schema(self) -> str:
        return schemas.split(self.stored)[0]

    @property
    def name(self) -> str:
        return schemas.split(self.stored)[1]

    @property
    def shown(self) -> str:
        """The name format_type gives it, quoted where needed: bare in public, else schema-qualified."""
        return shown_name(self.stored)


def shown_name(stored: str) -> str:
    """The name format_type gives a type of this storage name: bare in public, else schema-qualified."""
    schema, name = schemas.split(stored)
    shown = quote_identifier(name)
    return shown if schema == schemas.PUBLIC else f"{quote_identifier(schema)}.{shown}"


def defined(connection: apsw.Connection) -> bool:
    return bool(connection.table_exists("main", TYPES_TABLE))


def stored_types(connection: apsw.Connection, stored: str | None = None) -> list[StoredType]:
    """Every type of the store, by OID (only the one named `stored`, if given)."""
    if not defined(connection):
        return []
    types: list[tuple[int, str, int, str]] = list(connection.execute(
        f"SELECT oid, name, array_oid, kind FROM {TYPES_TABLE} WHERE ?1 IS NULL OR name = ?1 ORDER BY oid",
        (stored,)))
    labels: dict[int, list[tuple[str, float, int]]] = {}
    rows: list[tuple[int, int, float, str]] = list(connection.execute(
        f"SELECT type_oid, oid, sort_order, label FROM {LABELS_TABLE} "
        f"WHERE ?1 IS NULL OR type_oid = (SELECT oid FROM {TYPES_TABLE} WHERE name = ?1) "
        "ORDER BY type_oid, sort_order", (stored,)))
    for type_oid, oid, order, label in rows:
        labels.setdefault(type_oid, []).append((label, order, oid))
    relids, attributes = _composites(connection)
    ranges = _ranges(connection)
    return [StoredType(oid, name, array_oid, kind,
                       tuple((label, order) for label, order, _ in labels.get(oid, ())),
                       tuple(label_oid for _, _, label_oid in labels.get(oid, ())),
                       relids.get(oid, 0), tuple(attributes.get(oid, ())), ranges.get(oid))
            for oid, name, array_oid, kind in types]


def _ranges(connection: apsw.Connection) -> dict[int, StoredRange]:
    """The range types, by the OID of the range type and by that of its multirange."""
    if not connection.table_exists("main", RANGES_TABLE):
        return {}
    found: dict[int, StoredRange] = {}
    rows: list[tuple[int, str, int, int, int, str, int, int, int, int]] = list(connection.execute(
        f"SELECT r.oid, t.name, t.array_oid, r.subtype, r.multirange, m.name, m.array_oid, r.collation, "
        f"r.opclass, r.subtype_diff FROM {RANGES_TABLE} r JOIN {TYPES_TABLE} t ON t.oid = r.oid "
        f"JOIN {TYPES_TABLE} m ON m.oid = r.multirange"))
    for row in rows:
        defined = StoredRange(*row)
        found[defined.oid] = found[defined.multirange] = defined
    return found


def _composites(connection: apsw.Connection) -> tuple[dict[int, int], dict[int, list[tuple[str, int, int]]]]:
    """The composite types' pg_class OIDs and attributes in order, by type OID (none in a store
    whose types are all enums made before composite types were)."""
    if not connection.table_exists("main", COMPOSITES_TABLE):
        return {}, {}
    relids: dict[int, int] = dict(connection.execute(f"SELECT oid, relid FROM {COMPOSITES_TABLE}"))
    attributes: dict[int, list[tuple[str, int, int]]] = {}
    rows: list[tuple[int, str, int, int]] = list(connection.execute(
        f"SELECT type_oid, name, attribute_type, typmod FROM {ATTRIBUTES_TABLE} ORDER BY type_oid, position"))
    for type_oid, name, attribute_type, typmod in rows:
        attributes.setdefault(type_oid, []).append((name, attribute_type, typmod))
    return relids, attributes


def constructor(connection: apsw.Connection, stored: str) -> int | None:
    """The OID of the range type or multirange whose constructor function has the storage name
    `stored` (registered with the codecs); None if none."""
    if not connection.table_exists("main", CONSTRUCTORS_TABLE):
        return None
    found: list[tuple[int]] = list(connection.execute(
        f"SELECT type_oid FROM {CONSTRUCTORS_TABLE} WHERE name = ?", (stored,)))
    if not found:
        return None
    if found[0][0] not in codecs.TYPES:
        load(connection)
    return found[0][0]


def find(connection: apsw.Connection, stored: str) -> StoredType | None:
    """The type whose storage name is `stored`, registered with the codecs; None if none."""
    found = stored_types(connection, stored)
    if not found:
        return None
    if found[0].kind == domains.DOMAIN_KIND:
        _register_domains(connection)
    else:
        register(found[0])
    return found[0]


def load(connection: apsw.Connection) -> None:
    """Registers every type of the store with the codecs."""
    for stored_type in stored_types(connection):
        if stored_type.kind != domains.DOMAIN_KIND:
            register(stored_type)
    _register_domains(connection)


def _register_domains(connection: apsw.Connection) -> None:
    for domain in domains.domains(connection).values():
        domains.register(domain, shown_name(domain.stored))


def register(stored_type: StoredType) -> None:
    if stored_type.range is not None:
        defined = stored_type.range
        codec_types.register_range(codec_types.RangeUserType(
            defined.oid, shown_name(defined.stored), defined.array_oid, defined.subtype, defined.multirange,
            shown_name(defined.multirange_stored), defined.multirange_array_oid))
        return
    if stored_type.kind == BASE_KIND:
        provided = extension_types.type_named(stored_type.name)
        assert provided is not None, stored_type
        _EXTENSION_TYPES[stored_type.oid] = provided
        codec_types.register_base(codec_types.BaseUserType(
            stored_type.oid, stored_type.shown, stored_type.array_oid, provided.typlen, provided.category,
            provided.codec, provided.sort_key))
        _register_casts(stored_type)
        return
    if stored_type.kind == COMPOSITE_KIND:
        codec_types.register_composite(codec_types.CompositeType(
            stored_type.oid, stored_type.shown, stored_type.array_oid, stored_type.relid,
            stored_type.attributes))
        return
    codec_types.register_enum(codec_types.EnumType(stored_type.oid, stored_type.shown, stored_type.array_oid,
                                                   stored_type.labels))


def _register_casts(stored_type: StoredType) -> None:
    """The casts the extension declares for this type of it, by OID (`cast_contexts.add_cast`)."""

    def oid_of(name: str) -> int:
        return stored_type.oid if name == stored_type.name else codecs.type_by_name(name).oid

    contexts = {"i": cast_contexts.Context.IMPLICIT, "a": cast_contexts.Context.ASSIGNMENT,
                "e": cast_contexts.Context.EXPLICIT}
    for cast in extension_types.casts_of(stored_type.name):
        cast_contexts.add_cast(oid_of(cast.source), oid_of(cast.target), contexts[cast.context],
                               binary=cast.binary)


def new_oids(connection: apsw.Connection, count: int) -> list[int]:
    """`count` OIDs no type, array type or label of the store has (random, so two stores one process
    opens do not give one OID to two types)."""
    taken: set[int] = set()
    if defined(connection):
        for table, columns in ((TYPES_TABLE, ("oid", "array_oid")), (LABELS_TABLE, ("oid",)),
                               (COMPOSITES_TABLE, ("relid",)), (store_extensions.EXTENSIONS_TABLE, ("oid",))):
            if not connection.table_exists("main", table):
                continue
            for column in columns:
                taken.update(oid for (oid,) in connection.execute(f"SELECT {column} FROM {table}"))
    drawn: list[int] = []
    while len(drawn) < count:
        oid = random.randint(codec_types.FIRST_OID, codec_types.LAST_OID)
        if oid not in taken:
            taken.add(oid)
            drawn.append(oid)
    return drawn


def extension_type(oid: int) -> ExtensionType | None:
    """The description of the extension's base type of this OID (registered); None for another type."""
    return _EXTENSION_TYPES.get(oid)


def collation(oid: int) -> str | None:
    """The collation that orders the stored values of type `oid` as PostgreSQL orders the values: an
    enum's labels as the enum declares them, a composite type's values field by field, a range
    type's or multirange's as range_cmp / multirange_cmp, an array of one of these element by
    element; None for another type."""
    if oid in codec_types.ENUMS:
        return f"{_COLLATION_PREFIX}{oid}"
    info = codecs.TYPES.get(oid) if codec_types.is_user_type(oid) else None
    if info is None:
        return None
    if oid in codec_types.COMPOSITES:
        return f"{_COMPOSITE_COLLATION_PREFIX}{oid}"
    if oid in _EXTENSION_TYPES:
        return _EXTENSION_TYPES[oid].collation
    if info.category == codec_types.RANGE_CATEGORY:
        return f"{_RANGE_COLLATION_PREFIX}{oid}"
    return f"{_ARRAY_COLLATION_PREFIX}{oid}" if info.is_array else None


def collation_needed(connection: apsw.Connection, name: str) -> None:
    """SQLite's callback for a collation no one registered on `connection` (`collation`)."""
    defined = extension_types.collation_type(name)
    if defined is not None:
        connection.create_collation(name, defined.stored_compare)
        return
    for prefix, order in ((_COLLATION_PREFIX, _enum_order), (_COMPOSITE_COLLATION_PREFIX, _value_order),
                          (_RANGE_COLLATION_PREFIX, _value_order), (_ARRAY_COLLATION_PREFIX, _value_order)):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            oid = int(name[len(prefix):])
            if oid not in codecs.TYPES:
                load(connection)
            connection.create_collation(name, order(oid))
            return


def _value_order(oid: int) -> Callable[[str, str], int]:
    """The comparison of two stored values (texts) of type `oid` by the type's current definition
    (`value_order`): a composite type's field by field as PostgreSQL's record_cmp, a range type's or
    multirange's as range_cmp / multirange_cmp, an array's element by element as array_cmp; as
    texts when one is not of the type (a UNION branch of another type, a label an enum lost)."""

    def key(text: str) -> Any:
        return comparison_key(codecs.decode_text(oid, text.encode()), oid, dt.UTC)

    def compare(left: str, right: str) -> int:
        try:
            left_key, right_key = key(left), key(right)
        except DatabaseError:
            return (left > right) - (left < right)
        return (left_key > right_key) - (left_key < right_key)

    return compare


def _enum_order(oid: int) -> Callable[[str, str], int]:
    """The comparison of two labels of enum `oid`, by the enum's current definition (a label it does
    not have sorts after those it has, by its text)."""

    def key(label: str) -> tuple[int, str]:
        enum = codec_types.ENUMS.get(oid)
        return enum.sort_key(label) if enum is not None else (0, label)

    def compare(left: str, right: str) -> int:
        left_key, right_key = key(left), key(right)
        return (left_key > right_key) - (left_key < right_key)

    return compare
