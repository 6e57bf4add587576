"""What the translator knows about tables: their columns' PostgreSQL types, keys and defaults.

Read from SQLite itself (PRAGMA table_info and index_list on the session's connection; declared
types decoded by `pgtypes.type_from_declared`; defaults of added columns from `added_defaults`),
cached until the schema version changes.

The schema version itself (`PRAGMA schema_version`, which the statement cache keys on) is read
again only when it can have changed: after a `SchemaGeneration` the engine's connections share has
moved (a schema change committed or undone on any of them), while the connection's own schema
change is uncommitted, or inside a read snapshot (REPEATABLE READ), which may be older than the
latest commit.

A version number names one schema only among committed ones: an uncommitted change undone (ROLLBACK,
ROLLBACK TO SAVEPOINT) takes the version back, and the next change brings it to the same number
with other tables and types (a type dropped and made again has a new OID). So every schema change
of the connection, before it runs and when it ends, forgets what was read under any version, and
moves the connection's `epoch`, which a statement prepared during an uncommitted change is checked
against.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import apsw

from heliosdb_lite.engine.store import (
    added_defaults,
    constraint_markers,
    schemas,
    serial_sequences,
    user_types,
)
from heliosdb_lite.engine.store.conventions import NO_COLUMNS
from heliosdb_lite.engine.types.pgtypes import PgType, type_from_declared


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    name: str
    type: PgType | None  # None: a declared type that is not one of ours
    not_null: bool
    primary_key_position: int  # 0: not part of the primary key
    default: str | None
    rowid_alias: bool = False  # `integer PRIMARY KEY`: a serial key numbered by SQLite
    added_default: bool = False  # `default` is filled in by INSERT (`added_defaults`), not by SQLite

    @property
    def filled_default(self) -> str:
        """The SQLite expression a write fills an added-default column with."""
        return self.default if self.default is not None else added_defaults.NO_DEFAULT

    @property
    def sequence(self) -> str | None:
        """The sequence a serial column draws its default from."""
        return serial_sequences.drawn_sequence(self.default)


@dataclass(frozen=True, slots=True)
class TableInfo:
    name: str
    columns: tuple[ColumnInfo, ...]

    unique_indexes: dict[tuple[str, ...], str] = field(default_factory=dict)  # columns -> index name
    unique_keys: tuple[tuple[str, ...], ...] = ()  # the columns of the UNIQUE constraints of CREATE TABLE
    primary_index: str | None = None  # the unique index ALTER TABLE ... ADD PRIMARY KEY made
    # the names of CREATE TABLE's keys named otherwise than <table>_pkey / <table>_<columns>_key, by columns
    key_names: dict[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def key_indexes(self) -> dict[tuple[str, ...], str]:
        """The storage names of the table's unique indexes and of its keys named otherwise than
        PostgreSQL's default names, by columns (the names errors give them)."""
        schema = schemas.split(self.name)[0]
        named = {columns: schemas.storage_name(schema, name) for columns, name in self.key_names.items()}
        return {**named, **self.unique_indexes}

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The declared primary key, else the columns of the unique index ADD PRIMARY KEY made (one
        named <table>_pkey, in a store of an earlier version)."""
        keyed = sorted((c for c in self.columns if c.primary_key_position),
                       key=lambda c: c.primary_key_position)
        if keyed:
            return tuple(c.name for c in keyed)
        pkey = self.primary_index or f"{self.name}_pkey"
        return next((columns for columns, name in self.unique_indexes.items() if name == pkey), ())

    def unfilled_defaults(self, given: list[str]) -> list[ColumnInfo]:
        """Columns with an added default (`added_defaults`) that a write of the `given` columns
        leaves out, so the write must compute their defaults itself."""
        named = {name.lower() for name in given}
        return [c for c in self.columns if c.added_default and c.name.lower() not in named]

    def key_constraint(self, name: str) -> tuple[str, ...] | None:
        """The columns of the primary key or unique constraint (or unique index) named `name` as
        PostgreSQL names them (`<table>_pkey`, `<table>_<columns>_key`, or the index's name)."""
        bare = schemas.split(self.name)[1]
        if name == self.key_names.get(self.primary_key, f"{bare}_pkey") and self.primary_key:
            return self.primary_key
        named = {schemas.split(index)[1]: columns for columns, index in self.unique_indexes.items()}
        named.update({self.key_names.get(columns, f"{bare}_{'_'.join(columns)}_key"): columns
                      for columns in self.unique_keys})
        return named.get(name)

    def column(self, name: str) -> ColumnInfo | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


def object_kind(connection: apsw.Connection, stored: str) -> str | None:
    """'table', 'view' or 'index' for a stored object (temporary ones too), None if there is none."""
    rows: list[tuple[str]] = list(connection.execute(
        "SELECT type FROM sqlite_schema WHERE name = ?1 UNION ALL "
        "SELECT type FROM sqlite_temp_schema WHERE name = ?1", (stored,)))
    return rows[0][0] if rows else None


def effective_default(declared: str | None, recorded: str | None) -> str | None:
    """A column's default: the one recorded by ALTER TABLE (`added_defaults`) if any, else SQLite's."""
    if recorded is None:
        return declared
    return None if recorded == added_defaults.NO_DEFAULT else recorded


class SchemaGeneration:
    """A count shared by the engine's connections, moved after a change of the store's schema ends
    (committed or rolled back) on any of them: a connection that saw another count reads the
    schema version again. Moved after the change ends, never before, so a connection reading the
    version after seeing the new count reads the version that change left."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def moved(self) -> None:
        with self._lock:  # two connections moving it at once must move it twice
            self.value += 1


class Catalog:
    """Table metadata of one connection."""

    def __init__(self, connection: apsw.Connection, generation: SchemaGeneration | None = None) -> None:
        self._connection = connection
        self._version = -1
        self._types_version = -1
        self._tables: dict[str, TableInfo | None] = {}
        self._generation = generation if generation is not None else SchemaGeneration()
        self._read_at = -1  # the generation at which _schema_version was read; -1: read it again
        self._schema_version = -1
        # this connection changed the schema in a transaction still open (a savepoint may undo it)
        self.changing = False
        self.epoch = 0  # moved by each schema change of this connection (the module docstring)

    @property
    def connection(self) -> apsw.Connection:
        return self._connection

    def schema_version(self) -> int:
        """SQLite's schema version; when it has changed, the store's user types are registered again
        (CREATE TYPE and ALTER TYPE change it, in this session or another)."""
        generation = self._generation.value
        if generation == self._read_at and not self.changing:
            return self._schema_version
        rows: list[tuple[int]] = list(self._connection.execute("PRAGMA schema_version"))
        if rows[0][0] != self._schema_version:
            # another connection's DDL: a statement over sqlite_master has this connection load the
            # schema it left, which `table_exists` reads (PRAGMA schema_version does not load it); the
            # engine tables a first CREATE TYPE, DOMAIN, EXTENSION or FUNCTION makes are found then
            self._connection.execute("SELECT 1 FROM sqlite_master WHERE 0")
        self._schema_version = rows[0][0]
        if self._schema_version != self._types_version:
            user_types.load(self._connection)
            self._types_version = self._schema_version
        in_snapshot = self._connection.txn_state("main") == apsw.SQLITE_TXN_READ
        self._read_at = -1 if self.changing or in_snapshot else generation
        return self._schema_version

    def schema_changing(self) -> None:
        """A schema change runs in the open transaction: read the version at every use until it ends."""
        self.changing = True
        self._forget()

    def schema_changed(self) -> None:
        """A schema change of this connection ended, committed or undone: every connection of the
        engine reads the version again."""
        self.changing = False
        self._forget()
        self._generation.moved()

    def _forget(self) -> None:
        """Drops the tables and types read under any version: the version they were read under may
        come back with another schema (the module docstring)."""
        self._tables.clear()
        self._version = -1
        self._types_version = -1
        self._read_at = -1
        self.epoch += 1

    def transaction_ended(self) -> None:
        """The transaction ended (committed or rolled back); if it changed the schema, as schema_changed."""
        if self.changing:
            self.schema_changed()

    def schemas(self) -> set[str]:
        """The names of the schemas that exist (not cached: CREATE SCHEMA does not change the schema
        version)."""
        return schemas.existing(self._connection)

    def table(self, name: str) -> TableInfo | None:
        version = self.schema_version()
        if version != self._version:
            self._tables.clear()
            self._version = version
        key = name.lower()
        if key not in self._tables:
            self._tables[key] = self._load(name)
        return self._tables[key]

    def _load(self, name: str) -> TableInfo | None:
        rows: list[tuple[str, str | None, int, str | None, int]] = list(self._connection.execute(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)", (name,)))
        if not rows:
            return None
        single_key = sum(1 for row in rows if row[4]) == 1
        added = added_defaults.load(self._connection, name)
        columns = tuple(
            ColumnInfo(column, type_from_declared(declared), bool(not_null), pk,
                       effective_default(default, added.get(column.lower())),
                       rowid_alias=single_key and pk == 1 and (declared or "").lower() == "integer",
                       added_default=column.lower() in added)
            for column, declared, not_null, default, pk in rows if column != NO_COLUMNS)
        unique_keys = self._unique_keys(name)
        return TableInfo(name, columns, self._unique_indexes(name), unique_keys, self._primary_index(name),
                         self._key_names(name, columns, unique_keys))

    def _key_names(self, table: str, columns: tuple[ColumnInfo, ...],
                   unique_keys: tuple[tuple[str, ...], ...]) -> dict[tuple[str, ...], str]:
        """The names recorded for CREATE TABLE's keys (`constraint_markers.key_name`) that are not
        PostgreSQL's default ones."""
        rows: list[tuple[str | None]] = list(self._connection.execute(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1 UNION ALL "
            "SELECT sql FROM sqlite_temp_schema WHERE type = 'table' AND name = ?1", (table,)))
        sql = rows[0][0] if rows else None
        bare = schemas.split(table)[1]
        primary = tuple(c.name for c in sorted((c for c in columns if c.primary_key_position),
                                               key=lambda c: c.primary_key_position))
        keys = [(constraint_markers.UNIQUE, key, f"{bare}_{'_'.join(key)}_key") for key in unique_keys]
        if primary:
            keys.append((constraint_markers.PRIMARY_KEY, primary, f"{bare}_pkey"))
        named = {key: (constraint_markers.key_name(sql, kind, key, default), default)
                 for kind, key, default in keys}
        return {key: name for key, (name, default) in named.items() if name != default}

    def _primary_index(self, table: str) -> str | None:
        """The index recorded as the table's primary key (`constraint_markers`), if any."""
        indexes: list[tuple[str, str | None]] = list(self._connection.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 UNION ALL "
            "SELECT name, sql FROM sqlite_temp_schema WHERE type = 'index' AND tbl_name = ?1", (table,)))
        primary = constraint_markers.PRIMARY_KEY
        return next((index for index, sql in indexes
                     if any(record.kind == primary for record in constraint_markers.recorded(sql))), None)

    def _unique_keys(self, table: str) -> tuple[tuple[str, ...], ...]:
        """The columns of each UNIQUE constraint of the table's CREATE TABLE (SQLite's autoindexes)."""
        names: list[tuple[str]] = list(self._connection.execute(
            "SELECT name FROM pragma_index_list(?) WHERE origin = 'u'", (table,)))
        return tuple(tuple(str(column) for (column,) in self._connection.execute(
            "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,))) for (index,) in names)

    def _unique_indexes(self, table: str) -> dict[tuple[str, ...], str]:
        """Unique indexes created by CREATE UNIQUE INDEX (SQLite's own names for key constraints
        are not the constraints' names)."""
        indexes: dict[tuple[str, ...], str] = {}
        names: list[tuple[str]] = list(self._connection.execute(
            "SELECT name FROM pragma_index_list(?) WHERE \"unique\" AND origin = 'c'", (table,)))
        for (index,) in names:
            columns: list[tuple[str | None]] = list(self._connection.execute(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,)))
            named = [column for (column,) in columns if column is not None]
            if len(named) == len(columns):  # an index on an expression has a NULL column name
                indexes[tuple(named)] = index
        return indexes
