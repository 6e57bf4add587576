"""Type names in the catalog: format_type (the SQL name of a type OID with its modifier, as the
codecs name types) and the reverse lookup of to_regtype / ::regtype (a type name to its OID)."""

from __future__ import annotations

from typing import overload

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids


@overload
def format_type(oid: int, typmod: int | None) -> str: ...
@overload
def format_type(oid: int | None, typmod: int | None) -> str | None: ...
def format_type(oid: int | None, typmod: int | None) -> str | None:
    """The SQL name of a type with its modifier (typmod -1 or None: none), as PostgreSQL's messages
    and information_schema name types (`codecs.format_type`)."""
    if oid is None:
        return None
    return codecs.format_type(oid, None if typmod is None or typmod < 0 else typmod)


def format_type_function(oid: int | None, typmod: int | None) -> str | None:
    """pg_catalog.format_type(oid, typmod) as SQL calls it: a typmod of -1 is given as none, which
    names an unlengthed bpchar `bpchar`; NULL is no modifier."""
    return None if oid is None else codecs.format_type(oid, typmod)


def type_oid(name: str | None) -> int | None:
    """to_regtype: the OID of a type name (`int4`, `integer`, `pg_catalog.text`, `text[]`), NULL if
    there is no such type."""
    if name is None:
        return None
    try:
        return codecs.type_by_name(name).oid
    except DatabaseError:  # not a type we know: NULL, as to_regtype answers
        return None


_SPEC_TYPES = {"oid": PgType(t.OID), "name": PgType(t.NAME), "char": PgType(t.CHAR), "bool": t.BOOL_TYPE,
               "int2": PgType(t.INT2), "float4": PgType(t.FLOAT4),
               "int4": t.INT4_TYPE, "int8": PgType(t.INT8), "text": t.TEXT_TYPE,
               "varchar": PgType(t.VARCHAR), "timestamptz": PgType(t.TIMESTAMPTZ), "inet": PgType(t.INET),
               "oid[]": PgType(oids.OID_ARRAY), "regtype[]": PgType(oids.REGTYPE_ARRAY),
               "int2[]": PgType(oids.INT2_ARRAY),
               "xid": PgType(oids.XID),
               "yes_or_no": PgType(t.VARCHAR, 3 + t.VARHDRSZ)}  # information_schema's varchar(3) domain


def relation_columns(spec: str) -> list[tuple[str, PgType]]:
    """The columns of a catalog relation from 'name:type ...', types as in `_SPEC_TYPES`."""
    return [(column, _SPEC_TYPES[kind]) for column, kind in (item.split(":") for item in spec.split())]
