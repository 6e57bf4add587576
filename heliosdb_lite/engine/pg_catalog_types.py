"""Type names in the catalog: format_type (the SQL name of a type OID with its modifier) and the
reverse lookup of to_regtype / ::regtype (a type name to its OID)."""

from __future__ import annotations

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import codecs

from . import pgtypes as t
from .pgtypes import PgType

_TYPE_NAMES = {
    t.BOOL: "boolean", t.INT2: "smallint", t.INT4: "integer", t.INT8: "bigint", t.FLOAT4: "real",
    t.FLOAT8: "double precision", t.VARCHAR: "character varying", t.BPCHAR: "character",
    t.TIMESTAMP: "timestamp without time zone", t.TIMESTAMPTZ: "timestamp with time zone",
    t.TIME: "time without time zone", t.CHAR: '"char"',
}
_SQL_SPELLINGS = {name: oid for oid, name in _TYPE_NAMES.items()} | {
    "int": t.INT4, "character varying": t.VARCHAR, "varchar": t.VARCHAR, "char": t.BPCHAR,
    "timestamp": t.TIMESTAMP, "timestamptz": t.TIMESTAMPTZ, "double precision": t.FLOAT8,
    "decimal": t.NUMERIC}


def format_type(oid: int | None, typmod: int | None) -> str | None:
    """pg_catalog.format_type: the SQL name of a type with its modifiers."""
    if oid is None:
        return None
    try:
        info = codecs.type_by_oid(oid)
    except DatabaseError:  # PostgreSQL answers ??? for an unknown OID
        return "???"
    if info.is_array:
        return f"{format_type(info.elem_oid, typmod)}[]"
    name = _TYPE_NAMES.get(oid, info.name)
    typmod = -1 if typmod is None else typmod
    if typmod >= 0 and oid in (t.VARCHAR, t.BPCHAR):
        return f"{name}({typmod - t.VARHDRSZ})"
    if typmod >= 0 and oid == t.NUMERIC:
        precision, scale = divmod(typmod - t.VARHDRSZ, 1 << 16)
        return f"{name}({precision},{scale})"
    return name


def type_oid(name: str | None) -> int | None:
    """to_regtype: the OID of a type name (`int4`, `integer`, `pg_catalog.text`, `text[]`), NULL if
    there is no such type."""
    if name is None:
        return None
    lowered = " ".join(name.strip().lower().split()).removeprefix("pg_catalog.").strip('"')
    if lowered.endswith("[]"):
        element = type_oid(lowered[:-2])
        return None if element is None else codecs.type_by_oid(element).array_oid or None
    if lowered in _SQL_SPELLINGS:
        return _SQL_SPELLINGS[lowered]
    try:
        return codecs.type_by_name(lowered).oid
    except DatabaseError:  # not a type we know: NULL, as to_regtype answers
        return None


_SPEC_TYPES = {"oid": PgType(t.OID), "name": PgType(t.NAME), "char": PgType(t.CHAR), "bool": t.BOOL_TYPE,
               "int2": PgType(t.INT2), "int4": t.INT4_TYPE, "int8": PgType(t.INT8), "text": t.TEXT_TYPE,
               "varchar": PgType(t.VARCHAR),
               "yes_or_no": PgType(t.VARCHAR, 3 + t.VARHDRSZ)}  # information_schema's varchar(3) domain


def relation_columns(spec: str) -> list[tuple[str, PgType]]:
    """The columns of a catalog relation from 'name:type ...', types as in `_SPEC_TYPES`."""
    return [(column, _SPEC_TYPES[kind]) for column, kind in (item.split(":") for item in spec.split())]
