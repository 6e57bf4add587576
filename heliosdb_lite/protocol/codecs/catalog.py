"""The built-in types HeliosDB-Lite speaks, as pg_type describes them, and SQL type names both ways.

Every row mirrors PostgreSQL 15's pg_type (oid, typname, typlen, typarray, typelem,
typcategory); the test suite checks that against a real server. `type_by_name` understands
the SQL spellings (`integer`, `double precision`, `timestamp with time zone`, `varchar(20)`,
`int4[]`, `_int4`, `"char"`), ignoring typmods; `format_type` is the other way, PostgreSQL's
format_type: the SQL name of a type OID with its modifier (`character varying(20)`, `text[]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from heliosdb_lite.errors import UNDEFINED_OBJECT, DatabaseError


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One pg_type row: array_oid is typarray (0 if none), elem_oid is typelem (0 if none)."""

    oid: int
    name: str
    typlen: int
    array_oid: int
    elem_oid: int
    category: str

    @property
    def is_array(self) -> bool:
        return self.category == "A"


_SCALARS: tuple[tuple[int, str, int, int, str], ...] = (
    # oid, typname, typlen, typarray, typcategory
    (16, "bool", 1, 1000, "B"),
    (17, "bytea", -1, 1001, "U"),
    (18, "char", 1, 1002, "Z"),
    (19, "name", 64, 1003, "S"),
    (20, "int8", 8, 1016, "N"),
    (21, "int2", 2, 1005, "N"),
    (23, "int4", 4, 1007, "N"),
    (25, "text", -1, 1009, "S"),
    (26, "oid", 4, 1028, "N"),
    (114, "json", -1, 199, "U"),
    (700, "float4", 4, 1021, "N"),
    (701, "float8", 8, 1022, "N"),
    (705, "unknown", -2, 0, "X"),
    (2278, "void", 4, 0, "P"),
    (2206, "regtype", 4, 2211, "N"),
    (1042, "bpchar", -1, 1014, "S"),
    (1043, "varchar", -1, 1015, "S"),
    (1082, "date", 4, 1182, "D"),
    (1083, "time", 8, 1183, "D"),
    (1114, "timestamp", 8, 1115, "D"),
    (1184, "timestamptz", 8, 1185, "D"),
    (1186, "interval", 16, 1187, "T"),
    (1700, "numeric", -1, 1231, "N"),
    (2950, "uuid", 16, 2951, "U"),
    (3802, "jsonb", -1, 3807, "U"),
)
# name is a fixed-length array of "char" in pg_type, hence its typelem.
_TYPELEM_OF_SCALAR = {19: 18}


def _build_types() -> dict[int, TypeInfo]:
    types: dict[int, TypeInfo] = {}
    for oid, name, typlen, array_oid, category in _SCALARS:
        types[oid] = TypeInfo(oid, name, typlen, array_oid, _TYPELEM_OF_SCALAR.get(oid, 0), category)
        if array_oid:
            types[array_oid] = TypeInfo(array_oid, "_" + name, -1, 0, oid, "A")
    return types


TYPES: dict[int, TypeInfo] = _build_types()
_BY_TYPNAME = {info.name: info for info in TYPES.values()}

_SQL_ALIASES = {
    "int": "int4",
    "integer": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "real": "float4",
    "double precision": "float8",
    "float": "float8",
    "boolean": "bool",
    "decimal": "numeric",
    "dec": "numeric",
    "char": "bpchar",
    "character": "bpchar",
    "character varying": "varchar",
    "char varying": "varchar",
    "time without time zone": "time",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    '"char"': "char",
}
_TYPMOD = re.compile(r"\(\s*\d+\s*(?:,\s*-?\d+\s*)?\)")
_FLOAT_PRECISION = re.compile(r"^float\s*\(\s*(\d+)\s*\)$")
_INTERVAL_FIELDS = re.compile(r"^interval\b.*$")
_SPACES = re.compile(r"\s+")


def type_by_oid(oid: int) -> TypeInfo:
    """The type with this OID; 42704 if HeliosDB-Lite does not know it."""
    info = TYPES.get(oid)
    if info is None:
        raise DatabaseError(UNDEFINED_OBJECT, f"type with OID {oid} does not exist")
    return info


def _canonical_typname(spelling: str) -> str:
    precision = _FLOAT_PRECISION.match(spelling)
    if precision:
        return "float4" if int(precision.group(1)) <= 24 else "float8"
    bare = _SPACES.sub(" ", _TYPMOD.sub("", spelling)).strip()
    if _INTERVAL_FIELDS.match(bare):
        return "interval"
    return _SQL_ALIASES.get(bare, bare)


def type_by_name(name: str) -> TypeInfo:
    """The type a SQL type name denotes (aliases, typmods, `[]` and `_` array forms); 42704 if none."""
    spelling = _SPACES.sub(" ", name.strip())
    if not spelling.startswith('"'):
        spelling = spelling.lower()
    spelling = spelling.removeprefix("pg_catalog.")
    array = False
    while spelling.endswith("[]"):
        array = True
        spelling = spelling[:-2].rstrip()
    info = _BY_TYPNAME.get(_canonical_typname(spelling))
    if info is not None and array:
        info = TYPES.get(info.array_oid) if info.array_oid else None
    if info is None:
        raise DatabaseError(UNDEFINED_OBJECT, f'type "{name.strip()}" does not exist')
    return info


_SQL_NAMES = {
    16: "boolean", 20: "bigint", 21: "smallint", 23: "integer", 700: "real", 701: "double precision",
    1043: "character varying", 1042: "character", 1083: "time without time zone",
    1114: "timestamp without time zone", 1184: "timestamp with time zone", 18: '"char"',
}
_VARHDRSZ = 4
_NUMERIC_OID = 1700
_BPCHAR_OID = 1042
_CHARACTER_OIDS = (_BPCHAR_OID, 1043)
_PRECISION_OIDS = (1083, 1114, 1184)  # time, timestamp, timestamptz: `timestamp(3) with time zone`


def format_type(oid: int, typmod: int | None = None) -> str:
    """PostgreSQL's format_type(oid, typmod): the SQL name of a type with its modifier. typmod None
    (SQL NULL; also regtype's output) means no modifier; -1, a modifier given as none, leaves bpchar
    `bpchar` (`character` alone would mean character(1)); `???` for an OID no type here has."""
    info = TYPES.get(oid)
    if info is None:
        return "???"
    if info.is_array:
        return f"{format_type(info.elem_oid, typmod)}[]"
    if oid == _BPCHAR_OID and typmod is not None and typmod < 0:
        return "bpchar"
    name = _SQL_NAMES.get(oid, info.name)
    if typmod is None or typmod < 0:
        return name
    if oid in _CHARACTER_OIDS:
        return f"{name}({typmod - _VARHDRSZ})"
    if oid == _NUMERIC_OID:
        precision, scale = divmod(typmod - _VARHDRSZ, 1 << 16)
        return f"{name}({precision},{scale})"
    if oid in _PRECISION_OIDS:
        base, _, zone = name.partition(" ")
        return f"{base}({typmod}) {zone}"
    return name
