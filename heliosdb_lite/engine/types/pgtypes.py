"""PostgreSQL types as the engine sees them: OIDs, typmods, and the SQLite declared-type mapping.

A table column keeps its PostgreSQL type as its SQLite declared type, so PRAGMA table_info and
`apsw.ext.query_info` give it back. Format of a declared type:

    <typname>[ text][(<m1>[,<m2>])]        e.g. int4, varchar(20), numeric text(10,2), _int4

typname is the canonical PostgreSQL name (`codecs.type_by_name(...).name`; arrays `_elem`). The
word ` text` is added when the type is stored as its PostgreSQL text form (`value_storage`) and its
name alone would give the column a non-TEXT SQLite affinity (NUMERIC affinity would turn '10.50'
into the REAL 10.5). `integer` (exactly) is a serial primary key: SQLite's rowid alias. A type the
database defines (an enum, or its array type) is named by its OID, whose name may change and
depends on the search_path: `helios_type_<oid> text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp

from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    SYNTAX_ERROR,
    UNDEFINED_OBJECT,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids, range_values, user_types

# the type OIDs the engine names, from the table generated from PostgreSQL 15 (protocol/codecs/oids.py)
BOOL = oids.BOOL
BPCHAR = oids.BPCHAR
BYTEA = oids.BYTEA
CHAR = oids.CHAR
DATE = oids.DATE
FLOAT4 = oids.FLOAT4
FLOAT8 = oids.FLOAT8
INT2 = oids.INT2
INT4 = oids.INT4
INT8 = oids.INT8
INTERVAL = oids.INTERVAL
JSON = oids.JSON
JSONB = oids.JSONB
NAME = oids.NAME
NUMERIC = oids.NUMERIC
OID = oids.OID
REGTYPE = oids.REGTYPE
TEXT = oids.TEXT
TIME = oids.TIME
TIMETZ = oids.TIMETZ
TIMESTAMP = oids.TIMESTAMP
TIMESTAMPTZ = oids.TIMESTAMPTZ
UNKNOWN = oids.UNKNOWN
UUID = oids.UUID
VARCHAR = oids.VARCHAR
VOID = oids.VOID
INET = oids.INET
CIDR = oids.CIDR
CSTRING = oids.CSTRING
XID = oids.XID
TID = oids.TID  # kept as its text form: no ordering here (PostgreSQL's tidlt ... are not made)
MONEY = oids.MONEY
POINT = oids.POINT
XML = oids.XML
INCOMPARABLE_TYPES = frozenset({POINT, XML})  # types with no = < > (point has ~= and geometric operators)
WITHOUT_EQUALITY = frozenset({oids.JSON, oids.JSON_ARRAY})  # no = operator: no GROUP BY, DISTINCT, UNION
# types with no ordering operator (btree class)
UNORDERED_TYPES = frozenset({XID, TID}) | INCOMPARABLE_TYPES | WITHOUT_EQUALITY
MACADDR = oids.MACADDR
TSVECTOR = oids.TSVECTOR
BOX = oids.BOX
WITHOUT_MIN_MAX = UNORDERED_TYPES | {MACADDR, TSVECTOR, BOX, JSON, JSONB}  # types min and max do not take
# types PostgreSQL compares and HeliosDB-Lite does not (0A000): tsvector_cmp's order, box's by area
UNCOMPARED_TYPES = frozenset({TSVECTOR, BOX})
NETWORK_TYPES = frozenset({INET, CIDR})

INTEGER_TYPES = frozenset({INT2, INT4, INT8, OID})
OID_TYPES = frozenset({OID, REGTYPE})  # an OID, and one that reads and prints as a type's name
FLOAT_TYPES = frozenset({FLOAT4, FLOAT8})
NUMBER_TYPES = INTEGER_TYPES | FLOAT_TYPES | {NUMERIC}
STRING_TYPES = frozenset({TEXT, VARCHAR, BPCHAR, NAME, CHAR, UNKNOWN})
PRECISION_TYPES = frozenset({TIME, TIMETZ, TIMESTAMP, TIMESTAMPTZ, INTERVAL})  # time(3), interval(2)
DATETIME_TYPES = frozenset({DATE}) | PRECISION_TYPES
RANGE_TYPES = frozenset(range_values.RANGE_TYPES)
MULTIRANGE_TYPES = frozenset(range_values.MULTIRANGE_TYPES)
VARHDRSZ = 4


@dataclass(frozen=True, slots=True)
class PgType:
    """A PostgreSQL type with its modifier (-1: none), as RowDescription reports it."""

    oid: int
    typmod: int = -1

    @property
    def is_unknown(self) -> bool:
        return self.oid == UNKNOWN


UNKNOWN_TYPE = PgType(UNKNOWN)
TEXT_TYPE = PgType(TEXT)
BOOL_TYPE = PgType(BOOL)
INT4_TYPE = PgType(INT4)
INT8_TYPE = PgType(INT8)
NUMERIC_TYPE = PgType(NUMERIC)
FLOAT8_TYPE = PgType(FLOAT8)


def output_type(pg_type: PgType) -> PgType:
    """What a result column of this type is reported as: unknown literals become text."""
    return TEXT_TYPE if pg_type.is_unknown else pg_type


# sqlglot's data types -> canonical PostgreSQL type names.
_DTYPE_NAMES: dict[exp.DType, str] = {
    exp.DType.BOOLEAN: "bool",
    exp.DType.SMALLINT: "int2",
    exp.DType.INT: "int4",
    exp.DType.BIGINT: "int8",
    exp.DType.FLOAT: "float4",
    exp.DType.DOUBLE: "float8",
    exp.DType.DECIMAL: "numeric",
    exp.DType.TEXT: "text",
    exp.DType.VARCHAR: "varchar",
    exp.DType.CHAR: "bpchar",
    exp.DType.BPCHAR: "bpchar",
    exp.DType.NAME: "name",
    exp.DType.VARBINARY: "bytea",
    exp.DType.DATE: "date",
    exp.DType.TIME: "time",
    exp.DType.TIMETZ: "timetz",
    exp.DType.TIMESTAMP: "timestamp",
    exp.DType.TIMESTAMPTZ: "timestamptz",
    exp.DType.INTERVAL: "interval",
    exp.DType.UUID: "uuid",
    exp.DType.UNKNOWN: "unknown",
    exp.DType.MONEY: "money",
    exp.DType.POINT: "point",
    exp.DType.XML: "xml",
    exp.DType.INET: "inet",
    exp.DType.JSON: "json",
    exp.DType.JSONB: "jsonb",
    exp.DType.SERIAL: "int4",
    exp.DType.BIGSERIAL: "int8",
    exp.DType.SMALLSERIAL: "int2",
    exp.DType.INT4RANGE: "int4range",
    exp.DType.INT8RANGE: "int8range",
    exp.DType.NUMRANGE: "numrange",
    exp.DType.DATERANGE: "daterange",
    exp.DType.TSRANGE: "tsrange",
    exp.DType.TSTZRANGE: "tstzrange",
    exp.DType.INT4MULTIRANGE: "int4multirange",
    exp.DType.INT8MULTIRANGE: "int8multirange",
    exp.DType.NUMMULTIRANGE: "nummultirange",
    exp.DType.DATEMULTIRANGE: "datemultirange",
    exp.DType.TSMULTIRANGE: "tsmultirange",
    exp.DType.TSTZMULTIRANGE: "tstzmultirange",
}
SERIAL_DTYPES = frozenset({exp.DType.SERIAL, exp.DType.BIGSERIAL, exp.DType.SMALLSERIAL})
_NAMED_TYPES = {"oid": "oid", "regclass": "oid", "regtype": "regtype", "regproc": "oid",
                "regnamespace": "oid"}
_NATIVE_STORED_OIDS = frozenset({BOOL, BYTEA, INT2, INT4, INT8, FLOAT4, FLOAT8, MONEY}) | OID_TYPES \
    | STRING_TYPES
_USER_TYPE_DECLARED = re.compile(r"^helios_type_(\d+)(?: text)?$")
# a type the database defines, named in SQL: (schema or None, name) -> its OID, None if none has it
UserTypes = Callable[[str | None, str], int | None]


@dataclass(frozen=True, slots=True)
class ResolvedType:
    """A type written in SQL (`::numeric(10,2)`, a column definition), resolved."""

    pg_type: PgType
    name: str  # canonical typname, "_elem" for arrays
    modifiers: tuple[int, ...]
    serial: bool = False

    @property
    def declared(self) -> str:
        """The SQLite declared type that keeps this type (see the module docstring)."""
        if user_types.is_user_type(self.pg_type.oid):
            return f"helios_type_{self.pg_type.oid} text"
        text_form = self.pg_type.oid not in _NATIVE_STORED_OIDS
        hint = " text" if text_form and _affinity(self.name) != "TEXT" else ""
        mods = f"({','.join(map(str, self.modifiers))})" if self.modifiers else ""
        return f"{self.name}{hint}{mods}"


def declared_type(pg_type: PgType) -> str:
    """The SQLite declared type of a column of this type (CREATE TABLE AS)."""
    info = codecs.type_by_oid(pg_type.oid)
    modified = info.elem_oid if info.is_array else pg_type.oid  # an array's modifier is its elements'
    modifiers: tuple[int, ...] = ()
    if pg_type.typmod >= 0:
        if modified in (VARCHAR, BPCHAR):
            modifiers = (pg_type.typmod - VARHDRSZ,)
        elif modified == NUMERIC:
            modifiers = numeric_modifiers(pg_type.typmod) or ()
        elif modified in PRECISION_TYPES:
            modifiers = (pg_type.typmod,)
    return ResolvedType(pg_type, info.name, modifiers).declared


def resolve_datatype(data_type: exp.DataType, named: UserTypes | None = None) -> ResolvedType:
    """The PostgreSQL type a sqlglot DataType names, a built-in one or one `named` finds; 42704 if
    unknown, 0A000 if unsupported."""
    if isinstance(data_type, exp.PseudoType):  # of the pseudo-types, a value can be only a cstring
        if str(data_type.this).lower() != "cstring":
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f"type {str(data_type.this).lower()} is not supported")
        return ResolvedType(PgType(CSTRING), "cstring", ())
    dtype = data_type.this
    if dtype == exp.DType.HSTORE:  # a name sqlglot knows that only an extension makes a type (hstore)
        data_type = exp.DataType(this=exp.DType.USERDEFINED, kind=exp.to_identifier("hstore"),
                                 expressions=data_type.expressions)
        dtype = exp.DType.USERDEFINED
    modifiers = tuple(_modifier(param) for param in data_type.expressions
                      if not isinstance(param, exp.DataType))
    if dtype == exp.DType.CHAR and not modifiers:
        modifiers = (1,)  # char and character are character(1); only bpchar has no length
    if dtype == exp.DType.ARRAY:
        element = resolve_datatype(data_type.expressions[0], named)  # numeric(5,1)[]: the elements' modifier
        if codecs.type_by_oid(element.pg_type.oid).is_array:
            return element  # int[][] is int[]: PostgreSQL ignores the number of dimensions written
        array_oid = codecs.type_by_oid(element.pg_type.oid).array_oid
        return ResolvedType(PgType(array_oid, element.pg_type.typmod), f"_{element.name}", element.modifiers)
    if dtype == exp.DType.DOUBLE and modifiers:  # float(p): p <= 24 is real
        name, modifiers = ("float4" if modifiers[0] <= 24 else "float8"), ()
    elif isinstance(dtype, str) and dtype.lower() in _NAMED_TYPES:
        name = _NAMED_TYPES[dtype.lower()]
    elif dtype in _DTYPE_NAMES:
        name = _DTYPE_NAMES[dtype]
    elif dtype == exp.DType.USERDEFINED:
        defined = _defined_type(data_type.args.get("kind"), named)
        if defined is not None:
            _check_modifiers(defined.oid, modifiers)
            return ResolvedType(PgType(defined.oid), defined.name, ())
        name = _user_defined_name(data_type.args.get("kind"))
    else:
        raise DatabaseError(FEATURE_NOT_SUPPORTED,
                            f"type {data_type.sql('postgres').lower()} is not supported")
    info = codecs.type_by_name(name)
    _check_modifiers(info.oid, modifiers)
    return ResolvedType(PgType(info.oid, typmod_for(info.oid, modifiers)), info.name, modifiers,
                        serial=dtype in SERIAL_DTYPES)


_LONGEST_CHARACTER = 10_485_760
_MODIFIED_TYPES = frozenset({VARCHAR, BPCHAR, NUMERIC}) | PRECISION_TYPES


def _check_modifiers(oid: int, modifiers: tuple[int, ...]) -> None:
    """22023 for a length or precision PostgreSQL's typmodin refuses; 42601 for modifiers on a type
    that takes none (SQLite would ignore them)."""
    if not modifiers:
        return
    if oid not in _MODIFIED_TYPES:
        raise DatabaseError(SYNTAX_ERROR, f'type modifier is not allowed for type "{type_name(oid)}"')
    if oid in (VARCHAR, BPCHAR):
        name = "varchar" if oid == VARCHAR else "char"
        if modifiers[0] < 1:
            raise DatabaseError(INVALID_PARAMETER_VALUE, f"length for type {name} must be at least 1")
        if modifiers[0] > _LONGEST_CHARACTER:
            raise DatabaseError(INVALID_PARAMETER_VALUE,
                                f"length for type {name} cannot exceed {_LONGEST_CHARACTER}")
    if oid == NUMERIC and not 1 <= modifiers[0] <= 1000:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"NUMERIC precision {modifiers[0]} must be between 1 and 1000")


def _defined_type(kind: exp.Expr | str | None, named: UserTypes | None) -> codecs.TypeInfo | None:
    """The type the database defines that a type name denotes (`schema.name` or a name found along
    the search_path), None for another name."""
    if named is None:
        return None
    if isinstance(kind, exp.Dot) and isinstance(kind.this, exp.Identifier) and \
            isinstance(kind.expression, exp.Identifier):
        oid = named(kind.this.name, kind.expression.name)
    elif isinstance(kind, exp.Identifier | str):  # a str: a DataType built from a name (DataType.build)
        oid = named(None, kind.name if isinstance(kind, exp.Identifier) else kind)
    else:
        return None
    return None if oid is None else codecs.type_by_oid(oid)


# every built-in type name of PostgreSQL 15 (its pg_type), spoken here or not
_POSTGRESQL_TYPE_NAMES = frozenset(row[0] for row in oids.PG_TYPE.values())


def _user_defined_name(kind: exp.Expr | str | None) -> str:
    """A type name sqlglot does not know as a type (`_int4`, `"char"`, `"text"`, also qualified
    `"pg_catalog"."int4"`): the type's typname, else 42704 naming it as written."""
    named = kind
    if isinstance(kind, exp.Dot) and isinstance(kind.this, exp.Identifier) and \
            isinstance(kind.expression, exp.Identifier):
        named = f"{kind.this.name}.{kind.expression.name}"
        if kind.this.name == "pg_catalog":  # the built-in types are pg_catalog's
            kind = kind.expression
    quoted = isinstance(kind, exp.Identifier) and kind.quoted
    written = kind.name if isinstance(kind, exp.Identifier) else str(kind)
    spelling = '"char"' if quoted and written == "char" else written if quoted else written.lower()
    try:
        info = codecs.type_by_name(spelling)
    except DatabaseError:
        shown = named if isinstance(named, str) else written
        if spelling in _POSTGRESQL_TYPE_NAMES:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f'type "{shown}" is not supported',
                                detail="PostgreSQL 15 has this type; HeliosDB-Lite does not.") from None
        raise DatabaseError(UNDEFINED_OBJECT, f'type "{shown}" does not exist') from None
    return '"char"' if info.oid == CHAR else info.name  # bare, char is bpchar


def _modifier(param: exp.Expr) -> int:
    value = param.this if isinstance(param, exp.DataTypeParam) else param
    if not (isinstance(value, exp.Literal) and not value.is_string):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"type modifier {param.sql('postgres')} is not supported")
    return int(value.this)


def typmod_for(oid: int, modifiers: tuple[int, ...]) -> int:
    """The atttypmod PostgreSQL stores for these modifiers (-1 when none; an array's are its
    elements')."""
    if not modifiers:
        return -1
    if oid in (VARCHAR, BPCHAR):
        return modifiers[0] + VARHDRSZ
    info = codecs.TYPES.get(oid)
    if info is not None and info.is_array:
        return typmod_for(info.elem_oid, modifiers)
    if oid == NUMERIC:
        scale = modifiers[1] if len(modifiers) > 1 else 0
        return ((modifiers[0] << 16) | scale) + VARHDRSZ
    if oid in PRECISION_TYPES:
        return modifiers[0]
    return -1


def numeric_modifiers(typmod: int) -> tuple[int, int] | None:
    """(precision, scale) of a numeric typmod, or None when unconstrained."""
    if typmod < VARHDRSZ:
        return None
    value = typmod - VARHDRSZ
    return value >> 16, value & 0xFFFF


_DECLARED = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$")


def type_from_declared(declared: str | None) -> PgType | None:
    """The PostgreSQL type behind a SQLite declared type (None if it is not one of ours)."""
    if not declared:
        return None
    return _type_from_declared(declared)


@lru_cache(maxsize=4096)
def _type_from_declared(declared: str) -> PgType | None:
    result: PgType | None = None
    user_type = _USER_TYPE_DECLARED.match(declared)
    if user_type:
        return PgType(int(user_type.group(1)))
    match = _DECLARED.match(declared)
    if match:
        words = match.group(1).lower().split()
        if len(words) > 1 and words[-1] == "text":
            words.pop()
        name = " ".join(words)
        modifiers = tuple(int(group) for group in match.groups()[1:] if group is not None)
        oid = _oid_of_name(name)
        if oid is not None:
            result = PgType(oid, typmod_for(oid, modifiers))
    return result


def _oid_of_name(name: str) -> int | None:
    try:
        return codecs.type_by_name(name).oid
    except DatabaseError:
        return None


def type_name(oid: int) -> str:
    """The canonical name of a type, as error messages and column names use it."""
    try:
        return codecs.type_by_oid(oid).name
    except DatabaseError:
        return str(oid)


def _affinity(name: str) -> str:
    """SQLite's column affinity for a declared type name (https://sqlite.org/datatype3.html 3.1)."""
    upper = name.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in upper:
        return "BLOB"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def is_text_stored(oid: int) -> bool:
    """Whether values of this type are stored as their PostgreSQL text form."""
    return oid not in _NATIVE_STORED_OIDS
