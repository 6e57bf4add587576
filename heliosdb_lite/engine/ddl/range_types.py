"""CREATE TYPE name AS RANGE (SUBTYPE = type [, SUBTYPE_OPCLASS = ...] [, COLLATION = ...] [,
SUBTYPE_DIFF = ...] [, MULTIRANGE_TYPE_NAME = ...]), rendered as writes to the store's type tables
(`store.user_types`): the range type, its multirange (named as PostgreSQL's makeMultirangeTypeName
names it unless MULTIRANGE_TYPE_NAME is given: `xxxrange` gives `xxxmultirange`, another name
`name_multirange`), their array types, the pg_range row and the names of the constructor functions,
with PostgreSQL's errors (42601 for an unknown or repeated attribute and a missing subtype, 42710
for a name taken, 42809 for a collation of a subtype without one, 42883 for a SUBTYPE_DIFF that is
not a function of two subtype values). A renamed range type's constructor keeps its first name, as
in PostgreSQL; one that another range type's of the same arguments has is 42723, one of another
subtype's 0A000 (PostgreSQL overloads the function).

The subtype is continuous here: a range type with a CANONICAL function needs a shell type created
first, which HeliosDB-Lite does not have, and PostgreSQL refuses CANONICAL without one (42P17) as
this does. SUBTYPE_DIFF (GiST's penalty function: no answer depends on it) is one of PostgreSQL's
built-in difference functions; SUBTYPE_OPCLASS the subtype's default btree operator class (another
would order the values differently: 0A000).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.tokens import TokenType

from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.sql.statement_words import Words, syntax_error
from heliosdb_lite.engine.store import schemas, user_types
from heliosdb_lite.engine.store.user_types import RANGES_TABLE, TYPES_TABLE
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    DUPLICATE_FUNCTION,
    DUPLICATE_OBJECT,
    INVALID_OBJECT_DEFINITION,
    SYNTAX_ERROR,
    UNDEFINED_FUNCTION,
    UNDEFINED_OBJECT,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.range_values import RANGE_TYPES

if TYPE_CHECKING:
    from collections.abc import Callable

    from heliosdb_lite.engine.translate import Translator

_ATTRIBUTES = ("subtype", "subtype_opclass", "collation", "canonical", "subtype_diff", "multirange_type_name")
# pg_opclass: the default btree operator class of each subtype HeliosDB-Lite has, by the subtype's OID
_DEFAULT_OPCLASSES = {
    oids.INT2: (1979, "int2_ops"), oids.INT4: (1978, "int4_ops"), oids.INT8: (3124, "int8_ops"),
    oids.FLOAT4: (10012, "float4_ops"), oids.FLOAT8: (3123, "float8_ops"),
    oids.NUMERIC: (3125, "numeric_ops"),
    oids.TEXT: (3126, "text_ops"), oids.VARCHAR: (3126, "text_ops"), oids.BPCHAR: (10004, "bpchar_ops"),
    oids.NAME: (10028, "name_ops"), oids.CHAR: (10007, "char_ops"), oids.DATE: (3122, "date_ops"),
    oids.TIME: (10038, "time_ops"), oids.TIMESTAMP: (3128, "timestamp_ops"),
    oids.TIMESTAMPTZ: (3127, "timestamptz_ops"), oids.INTERVAL: (10022, "interval_ops"),
    oids.UUID: (10065, "uuid_ops"), oids.BOOL: (10003, "bool_ops"), oids.BYTEA: (10006, "bytea_ops"),
    oids.OID: (1981, "oid_ops"), oids.INET: (10015, "inet_ops"), oids.CIDR: (10015, "inet_ops"),
}
# PostgreSQL's built-in subtype difference functions: name -> (pg_proc OID, the subtype it takes)
_SUBTYPE_DIFFS = {"float8mi": (219, oids.FLOAT8), "int4range_subdiff": (3922, oids.INT4),
                 "int8range_subdiff": (3923, oids.INT8), "numrange_subdiff": (3924, oids.NUMERIC),
                 "daterange_subdiff": (3925, oids.DATE), "tsrange_subdiff": (3929, oids.TIMESTAMP),
                 "tstzrange_subdiff": (3930, oids.TIMESTAMPTZ)}
# the collations a collatable subtype may be given (pg_collation's rows), and each type's own
_COLLATIONS = {"default": 100, "C": 950, "POSIX": 951}
_TYPE_COLLATIONS = {oids.TEXT: 100, oids.VARCHAR: 100, oids.BPCHAR: 100, oids.NAME: 950}


def multirange_name(range_name: str) -> str:
    """makeMultirangeTypeName: `multi` before the first `range` of the name, else `_multirange` after it."""
    position = range_name.find("range")
    if position < 0:
        return f"{range_name}_multirange"
    return f"{range_name[:position]}multi{range_name[position:]}"


def created(translator: Translator, stored: str, words: Words, sql: str,
            type_exists: Callable[[str], bool]) -> list[str]:
    """The statements of CREATE TYPE stored AS RANGE (...), `words` read to the parenthesis."""
    options = _options(words, sql)
    if "subtype" not in options:
        raise DatabaseError(SYNTAX_ERROR, 'type attribute "subtype" is required')
    subtype = _subtype(translator, options["subtype"])
    if "canonical" in options:
        raise DatabaseError(INVALID_OBJECT_DEFINITION,
                            "cannot specify a canonical function without a pre-created shell type",
                            hint="Create the type as a shell type, then create its canonicalization "
                                 "function, then do a full CREATE TYPE.")
    collation = _collation(subtype, options.get("collation"))
    if "subtype_opclass" in options:
        _check_opclass(subtype, options["subtype_opclass"])
    subtype_diff = _subtype_diff(subtype, options.get("subtype_diff"))
    if type_exists(stored):
        raise DatabaseError(DUPLICATE_OBJECT, f'type "{schemas.split(stored)[1]}" already exists')
    multirange = _multirange_stored(translator, stored, options.get("multirange_type_name"))
    if type_exists(multirange):
        named = "multirange_type_name" in options
        raise DatabaseError(DUPLICATE_OBJECT, f'type "{schemas.split(multirange)[1]}" already exists',
                            detail=None if named else "Failed while creating a multirange type for type "
                                                      f'"{schemas.split(stored)[1]}".',
                            hint=None if named else "You can manually specify a multirange type name using "
                                                    'the "multirange_type_name" attribute.')
    _check_constructors(translator, stored, subtype, multirange)
    if subtype in (oids.JSON, oids.POINT):
        raise DatabaseError(UNDEFINED_OBJECT, f"data type {format_type(subtype, -1)} has no default operator "
                                              'class for access method "btree"')
    provided = user_types.extension_type(subtype)
    if subtype not in _DEFAULT_OPCLASSES and provided is None:
        raise unsupported(f"a range type of {format_type(subtype, -1)}")
    # an extension's type's operator class has no pg_opclass row here
    opclass = _DEFAULT_OPCLASSES[subtype][0] if provided is None else 0
    connection = translator.catalog.connection
    oid, array_oid, multirange_oid, multirange_array_oid = user_types.new_oids(connection, 4)
    return [*user_types.CREATE_TABLES, user_types.CREATE_RANGE_TABLE,
            f"INSERT INTO {TYPES_TABLE} (oid, name, array_oid, kind) VALUES "
            f"({oid}, {string_literal(stored)}, {array_oid}, {string_literal(user_types.RANGE_KIND)}), "
            f"({multirange_oid}, {string_literal(multirange)}, {multirange_array_oid}, "
            f"{string_literal(user_types.MULTIRANGE_KIND)})",
            f"INSERT INTO {RANGES_TABLE} (oid, subtype, multirange, collation, opclass, subtype_diff) "
            f"VALUES ({oid}, {subtype}, {multirange_oid}, {collation}, {opclass}, {subtype_diff})",
            user_types.CREATE_CONSTRUCTORS_TABLE,
            f"INSERT INTO {user_types.CONSTRUCTORS_TABLE} (name, type_oid) VALUES "
            f"({string_literal(stored)}, {oid}), ({string_literal(multirange)}, {multirange_oid})"]


def _check_constructors(translator: Translator, stored: str, subtype: int, multirange: str) -> None:
    """42723 when a constructor function of the same name and arguments exists (another range type's
    of the subtype, or any multirange's: `name()` takes none); 0A000 for another range type's of
    another subtype, which PostgreSQL would overload."""
    connection = translator.catalog.connection
    existing = user_types.constructor(connection, stored)
    if existing is not None and (existing not in RANGE_TYPES or RANGE_TYPES[existing].subtype == subtype):
        raise _function_exists(stored)
    if user_types.constructor(connection, multirange) is not None:
        raise _function_exists(multirange)
    if existing is not None:
        raise unsupported(f'a range type whose constructor has the name of another range type\'s, '
                          f'"{schemas.split(stored)[1]}" (overloaded functions)')


def _function_exists(stored: str) -> DatabaseError:
    return DatabaseError(DUPLICATE_FUNCTION,
                         f'function "{schemas.split(stored)[1]}" already exists with same argument types')


def _options(words: Words, sql: str) -> dict[str, str]:
    """The attributes between the parentheses: name -> its value as written."""
    words.expect("(")
    options: dict[str, str] = {}
    while True:
        name = words.name()
        if name not in _ATTRIBUTES:
            raise DatabaseError(SYNTAX_ERROR, f'type attribute "{name}" not recognized')
        if name in options:
            raise DatabaseError(SYNTAX_ERROR, "conflicting or redundant options")
        words.expect("=")
        options[name] = _value(words, sql)
        if words.accept(")"):
            break
        words.expect(",")
    words.end()
    return options


def _value(words: Words, sql: str) -> str:
    """The text of an attribute's value: the tokens up to a comma or the closing parenthesis."""
    first = words.token()
    depth, last = 0, None
    while (token := words.token()) is not None:
        if depth == 0 and token.token_type in (TokenType.COMMA, TokenType.R_PAREN):
            break
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        last = token
        words.index += 1
    if first is None or last is None:
        raise syntax_error(words.peek())
    return sql[first.start:last.end + 1]


def _subtype(translator: Translator, text: str) -> int:
    try:
        data_type = exp.DataType.build(text, dialect="postgres", udt=True)
    except (ParseError, ValueError):
        raise syntax_error(text) from None
    resolved = translator.resolve_type(data_type)
    if resolved.serial:
        raise DatabaseError(UNDEFINED_OBJECT, f'type "{text}" does not exist')
    return resolved.pg_type.oid


def _name(text: str) -> str:
    """A name as written: its quotes removed, else folded to lower case."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text.lower()


def _collation(subtype: int, written: str | None) -> int:
    """pg_range.rngcollation: the subtype's own collation or the one given (42809 for a subtype
    without collations); 0 for such a subtype."""
    provided = user_types.extension_type(subtype)
    own = _TYPE_COLLATIONS.get(subtype, 100 if provided is not None and provided.collatable else 0)
    if written is None:
        return own
    if not own:
        raise DatabaseError(WRONG_OBJECT_TYPE,
                            "range collation specified but subtype does not support collation")
    name = _name(written.split(".")[-1])
    collation = _COLLATIONS.get(name)
    if collation is None:
        raise DatabaseError(UNDEFINED_OBJECT, f'collation "{name}" for encoding "UTF8" does not exist')
    return collation


def _check_opclass(subtype: int, written: str) -> None:
    name = _name(written.split(".")[-1])
    default = _DEFAULT_OPCLASSES.get(subtype)
    if default is None or name != default[1]:
        raise unsupported(f"SUBTYPE_OPCLASS {name} (only the subtype's default btree operator class)")


def _subtype_diff(subtype: int, written: str | None) -> int:
    """pg_range.rngsubdiff: the pg_proc OID of the function named (0 when none); 42883 when it is no
    difference function of the subtype."""
    if written is None:
        return 0
    name = _name(written.split(".")[-1])
    known = _SUBTYPE_DIFFS.get(name)
    if known is None or known[1] != subtype:
        shown = format_type(subtype, -1)
        raise DatabaseError(UNDEFINED_FUNCTION, f"function {name}({shown}, {shown}) does not exist")
    return known[0]


def _multirange_stored(translator: Translator, stored: str, written: str | None) -> str:
    """The storage name of the multirange: named by MULTIRANGE_TYPE_NAME (in its schema, else the
    first of the search path), else after the range type, in its schema."""
    if written is None:
        schema, name = schemas.split(stored)
        return schemas.storage_name(schema, multirange_name(name))
    try:
        table = exp.to_table(written, dialect="postgres")
    except (ParseError, ValueError):
        raise syntax_error(written) from None
    return translator.new_object(table)
