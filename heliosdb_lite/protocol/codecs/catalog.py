"""The built-in types HeliosDB-Lite speaks, as pg_type describes them, and SQL type names both ways.

Every row is PostgreSQL 15's pg_type (oid, typname, typlen, typarray, typelem, typcategory) as
`oids.PG_TYPE` has it; the test suite checks that against a real server. `type_by_name` understands
the SQL spellings (`integer`, `double precision`, `timestamp with time zone`, `varchar(20)`,
`int4[]`, `_int4`, `"char"`), ignoring typmods; `format_type` is the other way, PostgreSQL's
format_type: the SQL name of a type OID with its modifier (`character varying(20)`, `text[]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from heliosdb_lite.errors import UNDEFINED_OBJECT, DatabaseError
from heliosdb_lite.protocol.codecs import oids


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


# The types HeliosDB-Lite speaks; each has a codec, and so has its array type if PostgreSQL gives it one.
_SPOKEN = (
    oids.BOOL, oids.BYTEA, oids.CHAR, oids.NAME, oids.INT8, oids.INT2, oids.INT4, oids.TEXT, oids.OID,
    oids.JSON, oids.FLOAT4, oids.FLOAT8, oids.UNKNOWN, oids.VOID, oids.REGTYPE, oids.BPCHAR, oids.VARCHAR,
    oids.DATE, oids.TIME, oids.TIMETZ, oids.TIMESTAMP, oids.TIMESTAMPTZ, oids.INTERVAL, oids.NUMERIC,
    oids.UUID,
    oids.JSONB, oids.INT4RANGE, oids.INT8RANGE, oids.NUMRANGE, oids.DATERANGE, oids.TSRANGE, oids.TSTZRANGE,
    oids.INT4MULTIRANGE, oids.INT8MULTIRANGE, oids.NUMMULTIRANGE, oids.DATEMULTIRANGE, oids.TSMULTIRANGE,
    oids.TSTZMULTIRANGE, oids.RECORD, oids.INET, oids.CIDR, oids.XID, oids.INT2VECTOR, oids.CSTRING, oids.TID,
    oids.MONEY, oids.MACADDR, oids.POINT, oids.BOX, oids.TSVECTOR, oids.XML,
)


def _type_info(oid: int) -> TypeInfo:
    name, typlen, array_oid, elem_oid, category = oids.PG_TYPE[oid]
    return TypeInfo(oid, name, typlen, array_oid, elem_oid, category)


def _build_types() -> dict[int, TypeInfo]:
    types: dict[int, TypeInfo] = {}
    for oid in _SPOKEN:
        types[oid] = info = _type_info(oid)
        if info.array_oid:
            types[info.array_oid] = _type_info(info.array_oid)
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
    "time with time zone": "timetz",
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
    oids.BOOL: "boolean", oids.INT8: "bigint", oids.INT2: "smallint", oids.INT4: "integer",
    oids.FLOAT4: "real", oids.FLOAT8: "double precision", oids.VARCHAR: "character varying",
    oids.BPCHAR: "character", oids.CHAR: '"char"', oids.TIME: "time without time zone",
    oids.TIMESTAMP: "timestamp without time zone", oids.TIMESTAMPTZ: "timestamp with time zone",
    oids.TIMETZ: "time with time zone",
}
_VARHDRSZ = 4
_CHARACTER_OIDS = (oids.BPCHAR, oids.VARCHAR)
_PRECISION_OIDS = (oids.TIME, oids.TIMETZ, oids.TIMESTAMP, oids.TIMESTAMPTZ)  # `timestamp(3) with time zone`


def format_type(oid: int, typmod: int | None = None) -> str:
    """PostgreSQL's format_type(oid, typmod): the SQL name of a type with its modifier. typmod None
    (SQL NULL; also regtype's output) means no modifier; -1, a modifier given as none, leaves bpchar
    `bpchar` (`character` alone would mean character(1)); `???` for an OID no type here has."""
    info = TYPES.get(oid)
    if info is None:
        return "???"
    if info.elem_oid and info.typlen == -1 and oid != oids.INT2VECTOR:  # a true array (record[]'s category
        # is P, not A; int2vector is stored plain, as no true array is)
        return f"{format_type(info.elem_oid, typmod)}[]"
    if oid == oids.BPCHAR and typmod is not None and typmod < 0:
        return "bpchar"
    name = _SQL_NAMES.get(oid, info.name)
    if typmod is None or typmod < 0:
        return name
    if oid in _CHARACTER_OIDS:
        return f"{name}({typmod - _VARHDRSZ})"
    if oid == oids.NUMERIC:
        precision, scale = divmod(typmod - _VARHDRSZ, 1 << 16)
        return f"{name}({precision},{scale})"
    if oid in _PRECISION_OIDS:
        base, _, zone = name.partition(" ")
        return f"{base}({typmod}) {zone}"
    return name
