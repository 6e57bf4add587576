"""Which type conversions PostgreSQL 15 makes without being asked, and where.

pg_cast's rows between the engine's types with their castcontext (implicit: anywhere, e.g. an
operand or a UNION branch; assignment: also a value written to a column; explicit: only in a
cast), plus the conversions PostgreSQL finds without a pg_cast row: an array to an array when its
elements convert in that context, a row to a composite type and back (anywhere), any type
to a string type by its output function on assignment, and a string type to any type by its
input function in an explicit cast. Also the type categories (pg_type.typcategory) and their
preferred types (typispreferred), which decide the common type of UNION / CASE / VALUES branches
(`typing_rules.common_type`).
"""

from __future__ import annotations

from enum import IntEnum

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs.oids import RECORD
from heliosdb_lite.protocol.codecs.range_values import RANGE_TYPES


class Context(IntEnum):
    """Where a conversion happens; each context allows the conversions of the ones before it."""

    IMPLICIT = 0
    ASSIGNMENT = 1
    EXPLICIT = 2


_I, _A, _E = Context.IMPLICIT, Context.ASSIGNMENT, Context.EXPLICIT
_REGTYPE = 2206  # pg_type's OID of regtype
# pg_cast rows among the engine's types: source -> {target: castcontext}
_CASTS: dict[int, dict[int, Context]] = {
    t.BOOL: {t.TEXT: _A, t.BPCHAR: _A, t.VARCHAR: _A, t.INT4: _E},
    t.CHAR: {t.TEXT: _I, t.BPCHAR: _A, t.VARCHAR: _A, t.INT4: _E},
    t.NAME: {t.TEXT: _I, t.BPCHAR: _A, t.VARCHAR: _A},
    t.INT2: {t.INT4: _I, t.INT8: _I, t.OID: _I, _REGTYPE: _I, t.FLOAT4: _I, t.FLOAT8: _I, t.NUMERIC: _I},
    t.INT4: {t.INT8: _I, t.OID: _I, _REGTYPE: _I, t.FLOAT4: _I, t.FLOAT8: _I, t.NUMERIC: _I, t.INT2: _A,
             t.BOOL: _E, t.CHAR: _E},
    t.INT8: {t.OID: _I, _REGTYPE: _I, t.FLOAT4: _I, t.FLOAT8: _I, t.NUMERIC: _I, t.INT2: _A, t.INT4: _A},
    t.OID: {_REGTYPE: _I, t.INT4: _A, t.INT8: _A},
    _REGTYPE: {t.OID: _I, t.INT4: _A, t.INT8: _A},
    t.FLOAT4: {t.FLOAT8: _I, t.INT2: _A, t.INT4: _A, t.INT8: _A, t.NUMERIC: _A},
    t.FLOAT8: {t.FLOAT4: _A, t.INT2: _A, t.INT4: _A, t.INT8: _A, t.NUMERIC: _A},
    t.NUMERIC: {t.FLOAT4: _I, t.FLOAT8: _I, t.INT2: _A, t.INT4: _A, t.INT8: _A},
    t.TEXT: {t.NAME: _I, t.BPCHAR: _I, t.VARCHAR: _I, t.CHAR: _A},
    t.BPCHAR: {t.NAME: _I, t.TEXT: _I, t.VARCHAR: _I, t.CHAR: _A},
    t.VARCHAR: {t.NAME: _I, t.TEXT: _I, t.BPCHAR: _I, t.CHAR: _A},
    t.DATE: {t.TIMESTAMP: _I, t.TIMESTAMPTZ: _I},
    t.TIME: {t.INTERVAL: _I, t.TIMETZ: _I},
    t.TIMETZ: {t.TIME: _A},
    t.TIMESTAMP: {t.TIMESTAMPTZ: _I, t.DATE: _A, t.TIME: _A},
    t.TIMESTAMPTZ: {t.DATE: _A, t.TIME: _A, t.TIMESTAMP: _A, t.TIMETZ: _A},
    t.INTERVAL: {t.TIME: _A},
    t.JSON: {t.JSONB: _A},
    t.JSONB: {t.JSON: _A, t.BOOL: _E, t.INT2: _E, t.INT4: _E, t.INT8: _E, t.FLOAT4: _E, t.FLOAT8: _E,
              t.NUMERIC: _E},
}
_CASTS.update({t.CIDR: {t.INET: _I}, t.INET: {t.CIDR: _A}})
_CASTS[t.MONEY] = {t.NUMERIC: _A}
for _number in (t.INT4, t.INT8, t.NUMERIC):
    _CASTS[_number][t.MONEY] = _A
PREFERRED = frozenset({t.BOOL, t.TEXT, t.OID, t.FLOAT8, t.TIMESTAMPTZ, t.INTERVAL})
_STRING_CATEGORY = "S"
_COMPOSITE_CATEGORY = "C"


# the casts between two types whose stored values are the same (WITHOUT FUNCTION): an extension's
# text-like type (citext) and the built-in string types (`add_cast`)
BINARY_COERCIBLE: set[tuple[int, int]] = set()


def add_cast(source: int, target: int, context: Context, *, binary: bool) -> None:
    """A pg_cast row an installed extension provides (`engine/extensions`), by the types' OIDs."""
    _CASTS.setdefault(source, {})[target] = context
    if binary:
        BINARY_COERCIBLE.add((source, target))


def category(oid: int) -> str:
    """pg_type.typcategory: N numbers, S strings, D date/time, T interval, B bool, A arrays, ..."""
    return codecs.type_by_oid(oid).category


def can_coerce(source: PgType, target: PgType, context: Context) -> bool:
    """Whether PostgreSQL converts a value of type source to target in this context (an unknown
    literal converts to anything)."""
    return _can_coerce(source.oid, target.oid, context)


def _can_coerce(source: int, target: int, context: Context) -> bool:
    if source in (target, t.UNKNOWN):
        return True
    allowed = _CASTS.get(source, {}).get(target)
    if allowed is not None:
        return allowed <= context
    kind = RANGE_TYPES.get(source)
    if kind is not None and target == kind.multirange:  # the multirange constructor of one range
        return context == Context.EXPLICIT
    source_info, target_info = codecs.type_by_oid(source), codecs.type_by_oid(target)
    if (source == RECORD and target_info.category == _COMPOSITE_CATEGORY) \
            or (target == RECORD and source_info.category == _COMPOSITE_CATEGORY):
        return True  # a row converts to a composite type field by field, and a composite value is a record
    if source_info.is_array and target_info.is_array \
            and _can_coerce(source_info.elem_oid, target_info.elem_oid, context):
        return True
    if context >= Context.ASSIGNMENT and target_info.category == _STRING_CATEGORY:
        return True
    return context == Context.EXPLICIT and source_info.category == _STRING_CATEGORY
