"""Sequences as PostgreSQL 15 keeps them: their options and rules (CREATE/ALTER SEQUENCE's
init_params, nextval's bounds and CYCLE, setval's bounds) and the store rows that hold them.

Storage format (one row per sequence, keyed by its storage name, `schemas`):

- `_helios_sequences(name, value, is_called)`: the sequence's last_value and is_called. With
  is_called = 1 (the default, and what serial columns' rows always are) nextval answers
  value + increment; with 0 it answers value itself (after CREATE, RESTART or setval(.., false)).
- `_helios_sequence_options(name, start, increment, minvalue, maxvalue, cache, cycle, type_oid,
  owned_table, owned_column)`: CREATE/ALTER SEQUENCE's options. minvalue/maxvalue NULL (rows
  written before they existed) mean the defaults for the increment's sign and the type; type_oid
  is 21, 23 or 20 (AS smallint/integer/bigint); owned_table/owned_column (storage name, column)
  the column OWNED BY names, NULL for none. A sequence with no options row (a serial column's)
  has the defaults of a bigint sequence.

TEMPORARY sequences live in the same two tables in SQLite's temp schema, named
`_helios_temp_sequences` and `_helios_temp_sequence_options`: never journaled, gone with the
session, and found before the permanent ones (PostgreSQL searches pg_temp first).

CACHE n is kept (and shown) but values are drawn one at a time: as in PostgreSQL a session only
ever sees ascending values; other sessions' values are never skipped over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import apsw

from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import (
    DUPLICATE_TABLE,
    INVALID_NAME,
    INVALID_PARAMETER_VALUE,
    INVALID_SCHEMA_NAME,
    NUMERIC_VALUE_OUT_OF_RANGE,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
    UNDEFINED_COLUMN,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)

SEQUENCES_TABLE = "_helios_sequences"
SEQUENCE_OPTIONS_TABLE = "_helios_sequence_options"
TEMP_SEQUENCES_TABLE = "_helios_temp_sequences"
TEMP_SEQUENCE_OPTIONS_TABLE = "_helios_temp_sequence_options"
# columns added after the first release, in order (store.initialise adds those a store lacks)
SEQUENCE_COLUMNS = (("is_called", "INTEGER NOT NULL DEFAULT 1"),)
OPTION_COLUMNS = (("minvalue", "INTEGER"), ("maxvalue", "INTEGER"), ("cache", "INTEGER NOT NULL DEFAULT 1"),
                  ("cycle", "INTEGER NOT NULL DEFAULT 0"), ("type_oid", f"INTEGER NOT NULL DEFAULT {t.INT8}"),
                  ("owned_table", "TEXT"), ("owned_column", "TEXT"))
CREATE_SEQUENCES = "CREATE TABLE IF NOT EXISTS {} (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
CREATE_OPTIONS = ("CREATE TABLE IF NOT EXISTS {} (name TEXT PRIMARY KEY, start INTEGER NOT NULL, "
                  "increment INTEGER NOT NULL)")



def _with_added_columns(create: str, table: str, columns: tuple[tuple[str, str], ...]) -> str:
    return create.format(table).removesuffix(")") + "".join(f", {name} {declaration}"
                                                             for name, declaration in columns) + ")"


# The session's temporary sequence tables, all columns at once (they never outlive a release). A
# temporary table with a serial column creates them with itself: creating them later, inside the
# statement whose nextval first needs them, changes the schema under a running statement (an INSERT
# ... RETURNING crashed SQLite with SIGSEGV).
CREATE_TEMPORARY_TABLES = "; ".join((
    _with_added_columns(CREATE_SEQUENCES, f"temp.{TEMP_SEQUENCES_TABLE}", SEQUENCE_COLUMNS),
    _with_added_columns(CREATE_OPTIONS, f"temp.{TEMP_SEQUENCE_OPTIONS_TABLE}", OPTION_COLUMNS)))

# (values table, options table, SQLite schema): where a sequence name is looked up, in order
_TABLES = ((TEMP_SEQUENCES_TABLE, TEMP_SEQUENCE_OPTIONS_TABLE, "temp"),
           (SEQUENCES_TABLE, SEQUENCE_OPTIONS_TABLE, "main"))

RANGES = {oid: (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
          for oid, bits in ((t.INT2, 16), (t.INT4, 32), (t.INT8, 64))}
TYPE_NAMES = {t.INT2: "smallint", t.INT4: "integer", t.INT8: "bigint"}
INTEGER_TYPE_NAMES = {"smallint": t.INT2, "int2": t.INT2, "integer": t.INT4, "int": t.INT4, "int4": t.INT4,
                      "bigint": t.INT8, "int8": t.INT8}


def create_sequence_tables(connection: apsw.Connection, schema: str, values: str, options: str) -> None:
    """The two tables (in SQLite schema `schema`: main or temp), as first released plus, by ALTER
    TABLE ADD COLUMN, the columns added since (so a store made before has the same columns)."""
    for create, table, columns in ((CREATE_SEQUENCES, values, SEQUENCE_COLUMNS),
                                   (CREATE_OPTIONS, options, OPTION_COLUMNS)):
        connection.execute(create.format(f"{schema}.{table}"))
        present = {name for (name,) in connection.execute(f"SELECT name FROM {schema}.pragma_table_info(?)",
                                                          (table,))}
        for name, declaration in columns:
            if name not in present:
                connection.execute(f"ALTER TABLE {schema}.{table} ADD COLUMN {name} {declaration}")


@dataclass(frozen=True)
class Options:
    """One sequence's pg_sequence row, and the column that owns it."""

    type_oid: int = t.INT8
    start: int = 1
    increment: int = 1
    minimum: int = 1
    maximum: int = RANGES[t.INT8][1]
    cache: int = 1
    cycle: bool = False
    owned_table: str | None = None
    owned_column: str | None = None


@dataclass(frozen=True)
class State:
    last_value: int
    is_called: bool


def defined(given: dict[str, Any], options: Options | None, state: State | None) -> tuple[Options, State]:
    """The options and state after CREATE SEQUENCE (options None) or ALTER SEQUENCE gives `given`
    (option name -> value; a NO MINVALUE/NO MAXVALUE is None): PostgreSQL's init_params, its
    defaults and its checks in its order."""
    creating = options is None
    current = options or Options()
    state = state or State(current.start, False)
    type_oid, reset_max, reset_min = current.type_oid, False, False
    if "as" in given:
        type_oid = INTEGER_TYPE_NAMES.get(given["as"], 0)
        if not type_oid and t.type_from_declared(given["as"]) is None and given["as"] != "double precision":
            raise DatabaseError(UNDEFINED_OBJECT, f'type "{given["as"]}" does not exist')
        if not type_oid:
            raise DatabaseError(INVALID_PARAMETER_VALUE, "sequence type must be smallint, integer, or bigint")
        if not creating:  # bounds that were the old type's limits become the new type's
            reset_max = current.maximum == RANGES[current.type_oid][1]
            reset_min = current.minimum == RANGES[current.type_oid][0]
    increment = given.get("increment", current.increment)
    if increment == 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "INCREMENT must not be zero")
    low, high = RANGES[type_oid]
    type_name = TYPE_NAMES[type_oid]
    maximum = current.maximum
    if given.get("maxvalue") is not None:
        maximum = given["maxvalue"]
    elif creating or "maxvalue" in given or reset_max:
        maximum = high if increment > 0 or reset_max else -1
    if not low <= maximum <= high:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"MAXVALUE ({maximum}) is out of range for sequence data type {type_name}")
    minimum = current.minimum
    if given.get("minvalue") is not None:
        minimum = given["minvalue"]
    elif creating or "minvalue" in given or reset_min:
        minimum = low if increment < 0 or reset_min else 1
    if not low <= minimum <= high:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"MINVALUE ({minimum}) is out of range for sequence data type {type_name}")
    if minimum >= maximum:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"MINVALUE ({minimum}) must be less than MAXVALUE ({maximum})")
    start = given.get("start", (minimum if increment > 0 else maximum) if creating else current.start)
    if start < minimum:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"START value ({start}) cannot be less than MINVALUE ({minimum})")
    if start > maximum:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"START value ({start}) cannot be greater than MAXVALUE ({maximum})")
    if "restart" in given:
        restart = given["restart"]
        state = State(start if restart is None else restart, False)
    elif creating:
        state = State(start, False)
    if state.last_value < minimum:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"RESTART value ({state.last_value}) cannot be less than MINVALUE ({minimum})")
    if state.last_value > maximum:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"RESTART value ({state.last_value}) cannot be greater than MAXVALUE ({maximum})")
    cache = given.get("cache", current.cache)
    if cache <= 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f"CACHE ({cache}) must be greater than zero")
    cycle = given.get("cycle", current.cycle)
    return Options(type_oid, start, increment, minimum, maximum, cache, cycle, current.owned_table,
                   current.owned_column), state


def following(options: Options, state: State, shown: str) -> int:
    """The value nextval hands out after `state` (2200H past MAXVALUE/MINVALUE unless CYCLE)."""
    if not state.is_called:
        return state.last_value
    value = state.last_value + options.increment
    if options.increment > 0 and value > options.maximum:
        if not options.cycle:
            raise DatabaseError(SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                                f'nextval: reached maximum value of sequence "{shown}" ({options.maximum})')
        return options.minimum
    if options.increment < 0 and value < options.minimum:
        if not options.cycle:
            raise DatabaseError(SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                                f'nextval: reached minimum value of sequence "{shown}" ({options.minimum})')
        return options.maximum
    return value


def regclass_name(text: str) -> tuple[str | None, str]:
    """(schema or None, name) of a relation named in text, as PostgreSQL's regclass input reads it:
    `s.q`, `"Mixed Case"`; unquoted parts lower-cased."""
    parts: list[str] = []
    part, quoted, position = "", False, 0
    while position < len(text):
        character = text[position]
        if quoted and character == '"' and text[position + 1:position + 2] == '"':
            part, position = part + '"', position + 2
            continue
        if character == '"':
            quoted = not quoted
        elif character.isspace() and not quoted:
            raise DatabaseError(INVALID_NAME, "invalid name syntax")
        elif character == "." and not quoted:
            parts.append(part)
            part = ""
        else:
            part += character if quoted else character.lower()
        position += 1
    parts.append(part)
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


# value, is_called, then the options table's columns (NULL: a serial column's sequence, which has no row)
_SequenceRow = tuple[int, int, int | None, int | None, int | None, int | None, int | None, int | None,
                     int | None, str | None, str | None]


def _options(type_oid: int | None, start: int | None, increment: int | None, minimum: int | None,
             maximum: int | None, cache: int | None, cycle: int | None, owned_table: str | None,
             owned_column: str | None) -> Options:
    """Options from an options row (all None: a serial column's sequence, which has none);
    minvalue/maxvalue NULL (rows written before those columns existed) are the defaults."""
    if type_oid is None or start is None or increment is None or cache is None:
        return Options()
    low, high = RANGES.get(type_oid, RANGES[t.INT8])
    minimum = minimum if minimum is not None else (1 if increment > 0 else low)
    maximum = maximum if maximum is not None else (high if increment > 0 else -1)
    return Options(type_oid, start, increment, minimum, maximum, cache, bool(cycle), owned_table,
                   owned_column)


def shown_name(stored: str) -> str:
    """The name PostgreSQL's messages give a sequence: its relation name, without the schema."""
    return schemas.split(stored)[1]


class Sequences:
    """The sequences one session's connection sees: its temporary ones, then the store's."""

    def __init__(self, connection: apsw.Connection) -> None:
        self._connection = connection

    def _tables(self, stored: str, only_temporary: bool | None = None) -> tuple[str, str] | None:
        """(values table, options table) of the one holding `stored`, None if neither does (with
        only_temporary True or False: if that one does not)."""
        for values, options, schema in _TABLES:
            if only_temporary is not None and only_temporary != (schema == "temp"):
                continue
            if self._connection.table_exists(schema, values) and self._connection.execute(
                    f"SELECT 1 FROM {values} WHERE name = ?", (stored,)).fetchall():
                return values, options
        return None

    def exists(self, stored: str) -> bool:
        return self._tables(stored) is not None

    def missing(self, stored: str, argument: str) -> DatabaseError:
        """The error of nextval/currval/setval naming no sequence: 42809 if it names a table or view."""
        schema, name = regclass_name(argument)
        if schema is not None and schema not in {schemas.PUBLIC, *schemas.user_schemas(self._connection)}:
            return DatabaseError(INVALID_SCHEMA_NAME, f'schema "{schema}" does not exist')
        if self._relation_exists(stored, False) or self._relation_exists(stored, True):
            return DatabaseError(WRONG_OBJECT_TYPE, f'"{name}" is not a sequence')
        return DatabaseError(UNDEFINED_TABLE, f'relation "{name if schema is None else f"{schema}.{name}"}" '
                                              "does not exist")

    def _found(self, stored: str) -> tuple[str, Options, State] | None:
        """(values table, options, state) of the sequence, None if there is none."""
        for values, options_table, schema in _TABLES:
            if not self._connection.table_exists(schema, values):
                continue
            rows: list[_SequenceRow] = list(self._connection.execute(
                "SELECT s.value, s.is_called, o.type_oid, o.start, o.increment, o.minvalue, o.maxvalue, "
                f"o.cache, o.cycle, o.owned_table, o.owned_column FROM {values} s "
                f"LEFT JOIN {options_table} o ON o.name = s.name WHERE s.name = ?", (stored,)))
            if rows:
                value, is_called = rows[0][:2]
                return values, _options(*rows[0][2:]), State(value, bool(is_called))
        return None

    def read(self, stored: str) -> tuple[Options, State] | None:
        found = self._found(stored)
        return None if found is None else found[1:]

    def _write(self, stored: str, options: Options, state: State, tables: tuple[str, str]) -> None:
        """The rows of a created or altered sequence in `tables` (values table, options table)."""
        values, options_table = tables
        self._connection.execute(f"INSERT OR REPLACE INTO {options_table}(name, start, increment, minvalue, "
                                 "maxvalue, cache, cycle, type_oid, owned_table, owned_column) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (stored, options.start, options.increment, options.minimum, options.maximum,
                                  options.cache, int(options.cycle), options.type_oid, options.owned_table,
                                  options.owned_column))
        self.set_state(stored, state, values)

    def set_state(self, stored: str, state: State, values: str | None = None) -> None:
        table = values or (self._tables(stored) or (SEQUENCES_TABLE, ""))[0]
        self._connection.execute(f"INSERT INTO {table}(name, value, is_called) VALUES (?, ?, ?) "
                                 "ON CONFLICT(name) DO UPDATE SET value = excluded.value, "
                                 "is_called = excluded.is_called",
                                 (stored, state.last_value, int(state.is_called)))

    def _created_tables(self, temporary: bool) -> tuple[str, str]:
        if not temporary:
            return SEQUENCES_TABLE, SEQUENCE_OPTIONS_TABLE
        if not self._connection.table_exists("temp", TEMP_SEQUENCES_TABLE):
            self._connection.execute(CREATE_TEMPORARY_TABLES)
        return TEMP_SEQUENCES_TABLE, TEMP_SEQUENCE_OPTIONS_TABLE

    def define(self, stored: str, given_json: str, mode: str) -> bool:
        """CREATE SEQUENCE (mode 'create', 'create temporary', 'create if not exists' (the caller
        has sent the notice)) or ALTER SEQUENCE ('alter') with the options `given_json` names;
        whether it created a sequence."""
        given = json.loads(given_json)
        temporary = "temporary" in mode
        if mode.startswith("create"):  # beside a sequence of the name in the other schema (pg_temp)
            if self._tables(stored, temporary) is not None or self._relation_exists(stored, temporary):
                if mode == "create if not exists":
                    return False
                raise DatabaseError(DUPLICATE_TABLE, f'relation "{shown_name(stored)}" already exists')
            options, state = defined(given, None, None)
            tables = self._created_tables(temporary)
        else:
            found, existing = self.read(stored), self._tables(stored)
            if found is None or existing is None:
                raise DatabaseError(UNDEFINED_TABLE, f'relation "{shown_name(stored)}" does not exist')
            options, state = defined(given, *found)
            tables = existing
        if "owned_by" in given:
            options = self._owned(stored, options, given["owned_by"])
        self._write(stored, options, state, tables)
        return mode.startswith("create")

    def _relation_exists(self, stored: str, temporary: bool) -> bool:
        master = "sqlite_temp_schema" if temporary else "sqlite_schema"
        return bool(self._connection.execute(
            f"SELECT 1 FROM {master} WHERE name = ? AND type IN ('table', 'view')", (stored,)).fetchall())

    def _owned(self, stored: str, options: Options, owner: list[str] | None) -> Options:
        """OWNED BY table.column (owner: [storage name of the table, column]) or NONE (None)."""
        if owner is None:
            return replace(options, owned_table=None, owned_column=None)
        table, column = owner
        if schemas.split(table)[0] != schemas.split(stored)[0]:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                "sequence must be in same schema as table it is linked to")
        columns = {name.lower(): name for (name,) in
                   self._connection.execute("SELECT name FROM pragma_table_info(?)", (table,))}
        if column not in columns:
            raise DatabaseError(UNDEFINED_COLUMN,
                                f'column "{column}" of relation "{shown_name(table)}" does not exist')
        return replace(options, owned_table=table, owned_column=columns[column])

    def rename(self, stored: str, renamed: str) -> None:
        tables = self._tables(stored)
        if tables is None:
            raise DatabaseError(UNDEFINED_TABLE, f'relation "{shown_name(stored)}" does not exist')
        if self.exists(renamed) or self._relation_exists(renamed, False):
            raise DatabaseError(DUPLICATE_TABLE, f'relation "{shown_name(renamed)}" already exists')
        for table in tables:
            self._connection.execute(f"UPDATE {table} SET name = ? WHERE name = ?", (renamed, stored))

    def _options_tables(self) -> list[str]:
        return [options for _, options, schema in _TABLES if self._connection.table_exists(schema, options)]

    def owned_by(self, table: str, column: str | None = None) -> list[str]:
        """The sequences OWNED BY a column of `table` (storage name), or by `column` of it."""
        return [name for options in self._options_tables() for (name,) in self._connection.execute(
            f"SELECT name FROM {options} WHERE owned_table = ?1 AND (?2 IS NULL OR lower(owned_column) = "
            "lower(?2))", (table, column))]

    def owner_renamed(self, table: str, renamed: str, column: str | None = None) -> list[str]:
        """UPDATEs keeping OWNED BY in step when `table` (storage name) is renamed to `renamed`, or
        (with `column`) when that column of it is renamed to `renamed`."""
        owner = f"owned_table = {string_literal(table)}"
        if column is None:
            return [f"UPDATE {options} SET owned_table = {string_literal(renamed)} WHERE {owner}"
                    for options in self._options_tables()]
        return [f"UPDATE {options} SET owned_column = {string_literal(renamed)} WHERE {owner} "
                f"AND lower(owned_column) = lower({string_literal(column)})"
                for options in self._options_tables()]

    def drop(self, stored: str) -> bool:
        """Drops the sequence; False if there is none."""
        tables = self._tables(stored)
        for table in tables or ():
            self._connection.execute(f"DELETE FROM {table} WHERE name = ?", (stored,))
        return tables is not None

    def start_serial(self, stored: str, value: int, *, temporary: bool, is_called: bool = True) -> None:
        """The first row of a serial or identity column's sequence (`serial_sequences`): in the
        session's temporary table for a temporary table's column."""
        self.set_state(stored, State(value, is_called), self._created_tables(temporary)[0])

    def set_value(self, stored: str, value: int, is_called: bool) -> bool:
        """setval on a sequence with a row here (22003 outside its bounds); False if it has none."""
        found = self.read(stored)
        if found is None:
            return False
        options = found[0]
        if not options.minimum <= value <= options.maximum:
            raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE,
                                f'setval: value {value} is out of bounds for sequence "{shown_name(stored)}" '
                                f"({options.minimum}..{options.maximum})")
        self.set_state(stored, State(value, is_called))
        return True

    def next_value(self, stored: str) -> int | None:
        """nextval on a sequence with a row here; None if it has none."""
        found = self._found(stored)
        if found is None:
            return None
        values, options, state = found
        value = following(options, state, shown_name(stored))
        self._connection.execute(f"UPDATE {values} SET value = ?, is_called = 1 WHERE name = ?",
                                 (value, stored))
        return value
