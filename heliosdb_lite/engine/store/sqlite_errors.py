"""SQLite/APSW errors → PostgreSQL errors: one table of message patterns and their SQLSTATEs.

`database_error(exc, context)` turns anything SQLite raised into the `DatabaseError` PostgreSQL
would have sent for the same mistake, naming constraints the way PostgreSQL names them
(`<table>_pkey`, `<table>_<column>_key`, ...). Unrecognised SQLite errors become XX000 with
SQLite's own message, never a guess.
"""

from __future__ import annotations

import decimal
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import apsw
from sqlglot.errors import UnsupportedError

from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.types import casts
from heliosdb_lite.errors import (
    AMBIGUOUS_COLUMN,
    CHECK_VIOLATION,
    DATA_CORRUPTED,
    DATATYPE_MISMATCH,
    DUPLICATE_ALIAS,
    DUPLICATE_COLUMN,
    DUPLICATE_TABLE,
    FEATURE_NOT_SUPPORTED,
    FOREIGN_KEY_VIOLATION,
    GROUPING_ERROR,
    INTERNAL_ERROR,
    INVALID_ARGUMENT_FOR_NTH_VALUE_FUNCTION,
    INVALID_ARGUMENT_FOR_NTILE_FUNCTION,
    INVALID_COLUMN_REFERENCE,
    INVALID_OBJECT_DEFINITION,
    LOCK_NOT_AVAILABLE,
    NOT_NULL_VIOLATION,
    NUMERIC_VALUE_OUT_OF_RANGE,
    OUT_OF_MEMORY,
    PROGRAM_LIMIT_EXCEEDED,
    QUERY_CANCELED,
    READ_ONLY_SQL_TRANSACTION,
    SERIALIZATION_FAILURE,
    STATEMENT_TOO_COMPLEX,
    SYNTAX_ERROR,
    UNDEFINED_COLUMN,
    UNDEFINED_FUNCTION,
    UNDEFINED_OBJECT,
    UNDEFINED_PARAMETER,
    UNDEFINED_TABLE,
    UNIQUE_VIOLATION,
    WINDOWING_ERROR,
    DatabaseError,
)

CANCELED_MESSAGE = "canceling statement due to user request"
# PostgreSQL's 42P17 for a function that is not immutable where SQLite stores its results
INDEX_KEY = "functions in index expression must be marked IMMUTABLE"
INDEX_PREDICATE = "functions in index predicate must be marked IMMUTABLE"
GENERATION = "generation expression is not immutable"


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What the failing statement was doing, to name constraints and keys as PostgreSQL does."""

    primary_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> pk columns
    index_names: dict[tuple[str, ...], str] = field(default_factory=dict)  # unique index columns -> name
    key_values: dict[str, str] = field(default_factory=dict)  # column -> text of the value written
    table: str | None = None  # the table the statement writes


def _unique(match: re.Match[str], context: ErrorContext) -> DatabaseError:
    index = _EXPRESSION_INDEX.fullmatch(match.group(1))
    if index is not None:  # a unique index on expressions: SQLite names the index, not columns
        schema, name = schemas.split(index.group(1))
        return DatabaseError(UNIQUE_VIOLATION, f'duplicate key value violates unique constraint "{name}"',
                             schema_name=schema, table_name=schemas.split(context.table)[1] if context.table
                             else None, constraint_name=name)
    qualified = [part.strip().rpartition(".") for part in match.group(1).split(",")]
    table = qualified[0][0]  # a storage name (`schemas`): constraints are named by the bare name
    columns = tuple(column for _, _, column in qualified)
    if context.primary_keys.get(table) == columns:  # ADD PRIMARY KEY's is an index of its name
        name = schemas.split(context.index_names.get(columns, f"{table}_pkey"))[1]
    else:
        name = schemas.split(context.index_names.get(columns, f"{table}_{'_'.join(columns)}_key"))[1]
    detail = None
    if all(column in context.key_values for column in columns):
        values = ", ".join(context.key_values[column] for column in columns)
        detail = f"Key ({', '.join(columns)})=({values}) already exists."
    schema, bare = schemas.split(table)
    return DatabaseError(UNIQUE_VIOLATION, f'duplicate key value violates unique constraint "{name}"',
                         detail=detail, schema_name=schema, table_name=bare, constraint_name=name)


_EXPRESSION_INDEX = re.compile(r"index '(.+)'")


def _not_null(match: re.Match[str], _: ErrorContext) -> DatabaseError:
    table, _dot, column = match.group(1).rpartition(".")
    schema, bare = schemas.split(table)
    message = f'null value in column "{column}" of relation "{bare}" violates not-null constraint'
    return DatabaseError(NOT_NULL_VIOLATION, message, schema_name=schema, table_name=bare, column_name=column)


_RANGE_CHECK = re.compile(r"_(int2|int4|int8)_range$")
_INTEGER_NAMES = {"int2": "smallint", "int4": "integer", "int8": "bigint"}


def _check(match: re.Match[str], context: ErrorContext) -> DatabaseError:
    range_check = _RANGE_CHECK.search(match.group(1))
    if range_check is not None:
        type_name = _INTEGER_NAMES[range_check.group(1)]
        return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, f"{type_name} out of range")
    schema, bare = schemas.split(context.table) if context.table else (None, None)
    relation = f' for relation "{bare}"' if bare else ""
    return DatabaseError(CHECK_VIOLATION, f'new row{relation} violates check constraint "{match.group(1)}"',
                         schema_name=schema, table_name=bare, constraint_name=match.group(1))


def _foreign_key(match: re.Match[str], context: ErrorContext) -> DatabaseError:
    """SQLite's own foreign keys name nothing (the session tells them: `engine.foreign_key_violations`);
    those added by ALTER TABLE (`ddl.foreign_keys`) name the constraint, and the referencing table
    when a parent row's change is refused (the error's table field, as PostgreSQL's)."""
    schema, table = schemas.split(context.table) if context.table else (None, None)
    name, referencing = match.group(1), match.group(2)
    child_schema, detail = _key_detail(match.group(3))
    if referencing is not None:
        return DatabaseError(FOREIGN_KEY_VIOLATION, f'update or delete on table "{table}" violates '
                             f'foreign key constraint "{name}" on table "{referencing}"', detail=detail,
                             schema_name=child_schema, table_name=referencing, constraint_name=name)
    on_table = f' on table "{table}"' if table else ""
    if name is not None:
        return DatabaseError(FOREIGN_KEY_VIOLATION,
                             f'insert or update{on_table} violates foreign key constraint "{name}"',
                             detail=detail, schema_name=schema, table_name=table, constraint_name=name)
    return DatabaseError(FOREIGN_KEY_VIOLATION, f"insert or update{on_table} violates foreign key constraint",
                         hint="SQLite does not name the constraint or the key.")


def _key_detail(recorded: str | None) -> tuple[str | None, str | None]:
    """(the referencing table's schema, the DETAIL naming the key) from what a foreign key's trigger
    raised (`ddl.foreign_keys._failure`); (None, None) from a trigger made before it said them."""
    if recorded is None:
        return None, None
    schema, before, after, *typed = json.loads(recorded)
    values = [_quoted_value(text) for text in typed[1::2]]
    shown = ", ".join("null" if value is None else casts.stored_text(oid, value)
                      for oid, value in zip(typed[::2], values, strict=True))
    return schema, f"{before}{shown}{after}"


def _quoted_value(text: str) -> Any:
    """The value SQLite's quote() wrote: NULL, a string, a blob X'..', an integer or a real."""
    if text == "NULL":
        return None
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text[:2].upper() == "X'":
        return bytes.fromhex(text[2:-1])
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _mismatch(_: re.Match[str], context: ErrorContext) -> DatabaseError:
    """SQLite's one datatype mismatch: a serial key (its rowid) set to what is not an integer, which
    after translation is NULL (an UPDATE; an INSERT of NULL draws the next rowid)."""
    key = context.primary_keys.get(context.table or "", ())
    if len(key) != 1:
        return DatabaseError(DATATYPE_MISMATCH, "datatype mismatch")
    bare = schemas.split(context.table or "")[1]
    return DatabaseError(NOT_NULL_VIOLATION,
                         f'null value in column "{key[0]}" of relation "{bare}" violates not-null constraint')


def _no_column(name: str) -> str:
    """PostgreSQL quotes a bare column's name, not a qualified one's (`column t.x does not exist`)."""
    return f"column {name} does not exist" if "." in name else f'column "{name}" does not exist'


def _more_or_fewer(match: re.Match[str]) -> str:
    return "many" if int(match.group(1)) > int(match.group(2)) else "few"


def _lowered(sqlstate: str, template: str) -> Callable[[re.Match[str], ErrorContext], DatabaseError]:
    return lambda match, _: DatabaseError(sqlstate, template.format(*(g.lower() for g in match.groups())))


def _simple(sqlstate: str, template: str) -> Callable[[re.Match[str], ErrorContext], DatabaseError]:
    return lambda match, _: DatabaseError(sqlstate, template.format(*match.groups()))


_PATTERNS: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str], ErrorContext], DatabaseError]]] = [
    (re.compile(r"UNIQUE constraint failed: (.+)"), _unique),
    (re.compile(r"NOT NULL constraint failed: (\S+)"), _not_null),
    (re.compile(r"CHECK constraint failed: (.+)"), _check),
    (re.compile(r"FOREIGN KEY constraint failed(?:: (\S+)(?: referenced from (\S+))?)?(?: detail (\[.*\]))?",
                re.DOTALL), _foreign_key),
    (re.compile(r"no such table: (?:main\.|temp\.)?\"?([^\"\s]+)\"?"),
     _simple(UNDEFINED_TABLE, 'relation "{}" does not exist')),
    (re.compile(r"no such view: (?:\w+\.)?(\S+)"), _simple(UNDEFINED_TABLE, 'view "{}" does not exist')),
    (re.compile(r"no such index: (\S+)"), _simple(UNDEFINED_OBJECT, 'index "{}" does not exist')),
    (re.compile(r"no such column: \"*([^\"\s]+)\"*"),
     lambda match, _: DatabaseError(UNDEFINED_COLUMN, _no_column(match.group(1)))),
    (re.compile(r"no such function: (\S+)"), _lowered(UNDEFINED_FUNCTION, "function {}() does not exist")),
    (re.compile(r"wrong number of arguments to function (\w+)\(\)"),
     _lowered(UNDEFINED_FUNCTION, "function {}() with these arguments does not exist")),
    (re.compile(r"(?:table|view|index) \"?([^\"\s]+)\"? already exists"),
     lambda match, _: DatabaseError(DUPLICATE_TABLE,
                                    f'relation "{schemas.split(match.group(1))[1]}" already exists')),
    (re.compile(r"ambiguous column name: (\S+)"),
     _simple(AMBIGUOUS_COLUMN, 'column reference "{}" is ambiguous')),
    (re.compile(r"near \"(.*)\": syntax error"), _simple(SYNTAX_ERROR, 'syntax error at or near "{}"')),
    (re.compile(r"integer overflow"), _simple(NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range")),
    (re.compile(r"Incorrect number of bindings supplied.*there are (\d+) supplied"),  # `select $1`, no value
     lambda match, _: DatabaseError(UNDEFINED_PARAMETER,
                                    f"there is no parameter ${int(match.group(1)) + 1}")),
    (re.compile(r"datatype mismatch"), _mismatch),
    (re.compile(r"argument of ntile must be a positive integer"),
     _simple(INVALID_ARGUMENT_FOR_NTILE_FUNCTION, "argument of ntile must be greater than zero")),
    (re.compile(r"second argument to nth_value must be a positive integer"),
     _simple(INVALID_ARGUMENT_FOR_NTH_VALUE_FUNCTION, "argument of nth_value must be greater than zero")),
    # a function the translator did not make deterministic (now(), random(), ...): volatile or stable
    (re.compile(r"non-deterministic functions prohibited in index expressions"),
     _simple(INVALID_OBJECT_DEFINITION, INDEX_KEY)),
    (re.compile(r"non-deterministic functions prohibited in partial index WHERE clauses"),
     _simple(INVALID_OBJECT_DEFINITION, INDEX_PREDICATE)),
    (re.compile(r"non-deterministic functions prohibited in generated columns"),
     _simple(INVALID_OBJECT_DEFINITION, GENERATION)),
    (re.compile(r"misuse of aggregate function (\w+)\(\)"),  # an aggregate where none may be (WHERE, ...)
     _lowered(GROUPING_ERROR, "aggregate function {}() is not allowed here")),
    # SQLite's bound on parameters (PostgreSQL's is 65535)
    (re.compile(r"variable number must be between \?1 and \?(\d+)"),
     _simple(PROGRAM_LIMIT_EXCEEDED, "statements with more than {} parameters are not supported")),
    # what the translator's own checks should have refused first, in PostgreSQL's class at least
    (re.compile(r"table (\S+) has no column named (\S+)"),
     _simple(UNDEFINED_COLUMN, 'column "{1}" of relation "{0}" does not exist')),
    (re.compile(r"duplicate WITH table name: (\S+)"),
     _simple(DUPLICATE_ALIAS, 'WITH query name "{}" specified more than once')),
    (re.compile(r"duplicate column name: (\S+)"),
     _simple(DUPLICATE_COLUMN, 'column "{}" specified more than once')),
    (re.compile(r"ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint"),
     _simple(INVALID_COLUMN_REFERENCE,
             "there is no unique or exclusion constraint matching the ON CONFLICT specification")),
    (re.compile(r"sub-select returns (\d+) columns - expected (\d+)"),
     lambda match, _: DatabaseError(SYNTAX_ERROR, f"subquery has too {_more_or_fewer(match)} columns")),
    (re.compile(r"row value misused"), _simple(SYNTAX_ERROR, "unequal number of entries in row expressions")),
    (re.compile(r"all VALUES must have the same number of terms"),
     _simple(SYNTAX_ERROR, "VALUES lists must all be the same length")),
    (re.compile(r"cannot join using column (\S+) - column not present in both tables"),
     _simple(UNDEFINED_COLUMN, 'column "{}" specified in USING clause does not exist in left table')),
    (re.compile(r"a NATURAL join may not have an ON or USING clause"),
     _simple(SYNTAX_ERROR, 'syntax error at or near "ON"')),
    (re.compile(r"misuse of aggregate|HAVING clause on a non-aggregate|aggregate functions are not allowed"),
     _simple(GROUPING_ERROR, "aggregate functions are not allowed here")),
    (re.compile(r"misuse of window function"),
     _simple(WINDOWING_ERROR, "window functions are not allowed here")),
    (re.compile(r"(?:ORDER|GROUP) BY term out of range"),
     _simple(INVALID_COLUMN_REFERENCE, "position is not in select list")),
]

_BY_CLASS: Sequence[tuple[type[BaseException], str, str | None]] = [
    (apsw.InterruptError, QUERY_CANCELED, CANCELED_MESSAGE),
    (apsw.BusyError, LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout"),
    (apsw.LockedError, LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout"),
    (apsw.ReadOnlyError, READ_ONLY_SQL_TRANSACTION, "cannot execute statement in a read-only transaction"),
    (apsw.CorruptError, DATA_CORRUPTED, None),
    (RecursionError, STATEMENT_TOO_COMPLEX, "stack depth limit exceeded"),  # a statement nested too deeply
    (MemoryError, OUT_OF_MEMORY, "out of memory"),
]

_APSW_PREFIX = re.compile(r"^\w+Error: ")
BUSY_SNAPSHOT = 517  # SQLITE_BUSY_SNAPSHOT: the read snapshot is stale, the write cannot proceed


def database_error(exc: BaseException, context: ErrorContext | None = None) -> DatabaseError:
    """The DatabaseError a client should see for an exception raised while running SQL."""
    if isinstance(exc, DatabaseError):
        return exc
    if isinstance(exc, UnsupportedError):  # sqlglot cannot express the construct in SQLite
        return DatabaseError(FEATURE_NOT_SUPPORTED, f"not supported: {exc}")
    if isinstance(exc, decimal.Overflow):  # past the exponent numeric arithmetic keeps (beyond PostgreSQL's)
        return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")
    if isinstance(exc, decimal.DecimalException):  # a numeric computation Python's decimal cannot do
        name = type(exc).__name__
        return DatabaseError(FEATURE_NOT_SUPPORTED, f"numeric computation not supported ({name})")
    if isinstance(exc, OverflowError):  # a function's result past int8 ("int too big to convert") or float8
        integer = "int" in str(exc)
        return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE,
                             "bigint out of range" if integer else "value out of range: overflow")
    if isinstance(exc, apsw.TooBigError):  # a string or blob past SQLite's limit (1 GB, PostgreSQL's too)
        return DatabaseError(PROGRAM_LIMIT_EXCEEDED, "requested length too large")
    if isinstance(exc, apsw.BusyError) and getattr(exc, "extendedresult", None) == BUSY_SNAPSHOT:
        return DatabaseError(SERIALIZATION_FAILURE,
                             "could not serialize access due to concurrent update")
    for cls, sqlstate, message in _BY_CLASS:
        if isinstance(exc, cls):
            return DatabaseError(sqlstate, message or str(exc))
    text = _APSW_PREFIX.sub("", str(exc))
    for pattern, build in _PATTERNS:
        match = pattern.search(text)
        if match:
            return build(match, context or ErrorContext())
    return DatabaseError(INTERNAL_ERROR, text or type(exc).__name__)
