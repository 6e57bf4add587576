"""The user's relations as the catalog describes them, read from one SQLite connection.

Tables and views come from sqlite_schema and PRAGMA table_info/index_list/index_info/
foreign_key_list; sequences from the nextval defaults of serial columns and from `_helios_sequences`;
schemas from `schemas.user_schemas`; the types the database defines from `user_types`. A SQLite
object named `s.name` is object `name` of schema `s` (`schemas.split`); bare names are in public.
OIDs are derived from the storage names (CRC-32), so they are the same on every connection and
across restarts, and public's objects keep the OIDs they had before schemas existed. Key
constraints get PostgreSQL's names (`<table>_pkey`, `<table>_<columns>_key`, `<table>_<columns>_fkey`)
in place of SQLite's autoindex names. CHECK constraints, and the keys and foreign keys ALTER TABLE
added (an index, triggers), are read from the records DDL left in their stored SQL
(`store.constraint_markers`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import apsw
from sqlglot.tokens import TokenType

from heliosdb_lite.engine.pg_catalog.check_texts import renamed_columns
from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.engine.sql.quoting import quote_identifier
from heliosdb_lite.engine.store import (
    added_defaults,
    constraint_markers,
    constraint_names,
    schemas,
    sequences,
    serial_sequences,
    user_types,
)
from heliosdb_lite.engine.store import domains as store_domains
from heliosdb_lite.engine.store import extensions as store_extensions
from heliosdb_lite.engine.store import functions as store_functions
from heliosdb_lite.engine.store.conventions import (
    NO_COLUMNS,
    VIEW_COLUMNS_TABLE,
    identity_kind,
    without_identity_marker,
)
from heliosdb_lite.engine.store.table_info import effective_default
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type

_FIRST_USER_OID = 16384
_INTERNAL_PREFIXES = ("_helios", "sqlite_")
# a session's temporary relations: PostgreSQL names the schema pg_temp_<backend number>, 3 for the
# first session of a fresh server
TEMPORARY_SCHEMA = "pg_temp_3"

# the WHEN of a NOT NULL trigger (`ddl.alter._not_null_triggers`)
_NOT_NULL_TRIGGER = re.compile(r'WHEN NEW\."((?:[^"]|"")*)" IS NULL BEGIN SELECT RAISE\(ABORT, \'NOT NULL',
                               re.IGNORECASE)


def object_oid(name: str) -> int:
    """The OID of a user relation, index, constraint or schema: stable, derived from a name."""
    return _FIRST_USER_OID + zlib.crc32(name.encode()) % 1_000_000_000


def qualified(schema: str, name: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(name)}"


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    number: int
    type: PgType
    not_null: bool
    default: str | None  # as pg_get_expr shows it, except a nextval default: see `sequence`
    sequence: str | None = None  # storage name of the sequence a serial or identity column draws from
    identity: str = ""  # pg_attribute.attidentity: "a" for GENERATED ALWAYS AS IDENTITY (no default)

    @property
    def has_default(self) -> bool:
        return not self.identity and (self.default is not None or self.sequence is not None)


class _InSchema:
    """A relation or index: its storage name (`schemas`) and OID derive from its schema and name."""

    __slots__ = ()
    schema: str
    name: str

    @property
    def storage(self) -> str:
        return schemas.storage_name(self.schema, self.name)

    @property
    def oid(self) -> int:
        return object_oid(self.storage)


@dataclass(frozen=True, slots=True)
class Index(_InSchema):
    schema: str
    name: str
    table: str  # bare name of the indexed table
    columns: tuple[str, ...]
    unique: bool
    primary: bool
    constraint: bool  # made by PRIMARY KEY / UNIQUE (in the table definition or ALTER TABLE ADD)
    keys: tuple[str, ...] = ()  # an expression key's text as pg_get_indexdef shows it, "" for a column
    pretty_keys: tuple[str, ...] = ()  # the same, pretty
    descending: tuple[bool, ...] = ()  # by key: DESC

    def option(self, position: int) -> int:
        """pg_index.indoption of a key: 3 (DESC, NULLS FIRST) for a descending one, else 0."""
        return 3 if position < len(self.descending) and self.descending[position] else 0

    def key(self, position: int, pretty: bool = False) -> str:
        """The key at `position` (from 0) as pg_get_indexdef shows it."""
        texts = self.pretty_keys if pretty else self.keys
        return texts[position] if self.is_expression(position) else quote_identifier(self.columns[position])

    def is_expression(self, position: int) -> bool:
        return position < len(self.keys) and bool(self.keys[position])

    @property
    def constraint_oid(self) -> int:
        return object_oid(f"constraint {self.storage}")

    def definition(self, pretty: bool = False) -> str:
        """CREATE INDEX as pg_get_indexdef shows it (pretty: its keys as pretty shows them)."""
        unique = "UNIQUE " if self.unique else ""
        keys = ", ".join(self.key(position, pretty) + (" DESC" if self.option(position) else "")
                         for position in range(len(self.columns)))
        return (f"CREATE {unique}INDEX {quote_identifier(self.name)} ON {qualified(self.schema, self.table)} "
                f"USING btree ({keys})")

    @property
    def constraint_definition(self) -> str:
        kind = "PRIMARY KEY" if self.primary else "UNIQUE"
        return f"{kind} ({', '.join(quote_identifier(c) for c in self.columns)})"


class _Constraint:
    """A constraint that is not an index's: its OID derives from its schema and name."""

    __slots__ = ()
    schema: str
    name: str

    @property
    def oid(self) -> int:
        return object_oid(f"constraint {schemas.storage_name(self.schema, self.name)}")


@dataclass(frozen=True, slots=True)
class ForeignKey(_Constraint):
    schema: str
    name: str
    columns: tuple[str, ...]
    referenced: str  # storage name of the referenced table
    referenced_columns: tuple[str, ...]
    on_update: str = "NO ACTION"
    on_delete: str = "NO ACTION"


@dataclass(frozen=True, slots=True)
class Check(_Constraint):
    schema: str
    name: str
    definition: str  # as pg_get_constraintdef shows it: CHECK (...)
    columns: tuple[str, ...]  # those it uses, in PostgreSQL's order (conkey)
    pretty: str  # as pg_get_constraintdef(oid, true) shows it
    owner: str  # storage name of its table or domain (names of CHECKs repeat across tables)

    @property
    def oid(self) -> int:  # of its owner and name
        return object_oid(f"check {self.owner} {self.name}")


@dataclass(frozen=True, slots=True)
class SequenceOptions:
    type: int  # OID of int2, int4 or int8
    start: int
    increment: int
    owner: tuple[str, int] | None  # (storage name of the table, column number) of a serial or identity
    identity: bool  # owned by an identity column (pg_depend deptype 'i', else 'a')
    minimum: int = 1
    maximum: int = 2**63 - 1
    cache: int = 1
    cycle: bool = False

    @classmethod
    def of_column(cls, type_oid: int, owner: tuple[str, int], identity: bool) -> SequenceOptions:
        """A serial or identity column's sequence, as created with the column."""
        return cls(type_oid, 1, 1, owner, identity, maximum=sequences.RANGES[type_oid][1])

    def defined(self, options: sequences.Options) -> SequenceOptions:
        """These options as CREATE/ALTER SEQUENCE last defined them (`store.sequences`)."""
        return replace(self, type=options.type_oid, start=options.start, increment=options.increment,
                       minimum=options.minimum, maximum=options.maximum, cache=options.cache,
                       cycle=options.cycle)


@dataclass(frozen=True, slots=True)
class Relation(_InSchema):
    schema: str
    name: str
    kind: str  # pg_class.relkind
    attributes: tuple[Attribute, ...]
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    definition: str | None = None  # a view's SQLite text
    sequence: SequenceOptions | None = None  # a sequence's

    def number(self, column: str) -> int:
        return next((a.number for a in self.attributes if a.name == column), 0)


@dataclass(frozen=True, slots=True)
class Store:
    """Everything the catalog shows of one schema version."""

    schemas: dict[str, str]  # user schema → owner
    relations: tuple[Relation, ...]
    public: bool = True  # False after DROP SCHEMA public, until CREATE SCHEMA public
    types: tuple[user_types.StoredType, ...] = ()  # the types the database defines (enums)
    domains: dict[int, store_domains.Domain] = field(default_factory=dict)  # the domains among them, by OID
    # the extensions CREATE EXTENSION installed, by name
    extensions: dict[str, store_extensions.InstalledExtension] = field(default_factory=dict)
    functions: tuple[store_functions.Function, ...] = ()  # CREATE FUNCTION's


class CatalogReader:
    """Reads the user's schemas and relations from one connection, cached until the store changes."""

    def __init__(self, connection: apsw.Connection) -> None:
        self._connection = connection
        self._version: tuple[int, int, int, int] = (-1, -1, -1, -1)
        self._store = Store({}, ())
        self._by_oid: dict[int, Relation] = {}
        self._indexes: dict[int, Index] = {}

    def store(self) -> Store:
        """The store as of now. Schemas and sequences are rows of registry tables, so any write
        (this connection's, or another's commit) invalidates it, not only a schema change; so does a
        change of the session's temporary schema, whose version pragma_schema_version does not show."""
        versions: list[tuple[int, int]] = list(self._connection.execute(
            "SELECT schema_version, data_version FROM pragma_schema_version, pragma_data_version"))
        temporary: list[tuple[int]] = list(self._connection.execute("PRAGMA temp.schema_version"))
        ((schema_version, data_version),) = versions
        ((temporary_version,),) = temporary
        version = (schema_version, temporary_version, data_version, self._connection.total_changes())
        if version != self._version:
            self._store = Store(schemas.user_schemas(self._connection), tuple(self._load()),
                                not schemas.public_dropped(self._connection),
                                tuple(user_types.stored_types(self._connection)),
                                store_domains.domains(self._connection),
                                store_extensions.installed(self._connection),
                                store_functions.functions(self._connection))
            self._by_oid = {r.oid: r for r in self._store.relations}
            self._indexes = {i.oid: i for r in self._store.relations for i in r.indexes}
            self._version = version
        return self._store

    def relations(self) -> tuple[Relation, ...]:
        return self.store().relations

    def relation(self, oid: int | None) -> Relation | None:
        self.store()
        return self._by_oid.get(oid) if oid is not None else None

    def index(self, oid: int | None) -> Index | None:
        self.store()
        return self._indexes.get(oid) if oid is not None else None

    def _load(self) -> Iterator[Relation]:
        """Tables and views (the session's temporary ones in TEMPORARY_SCHEMA), then sequences:
        those serial and identity columns draw from and those created."""
        view_types = self._view_types()
        owned: dict[str, SequenceOptions] = {}
        for database, listing in (("main", "sqlite_schema"), ("temp", "sqlite_temp_schema")):
            query = f"SELECT type, name, sql FROM {listing} WHERE type IN ('table', 'view') ORDER BY name"
            listed: list[tuple[str, str, str | None]] = list(self._connection.execute(query))
            for kind, stored, sql in listed:
                if stored.lower().startswith(_INTERNAL_PREFIXES):
                    continue
                schema, name = schemas.split(stored) if database == "main" else (TEMPORARY_SCHEMA, stored)
                storage = schemas.storage_name(schema, name)
                table = _Table(database, stored, schema, name, sql)
                attributes = tuple(self._attributes(table, view_types.get(storage, {})))
                for a in attributes:
                    if a.sequence:
                        owned[a.sequence] = SequenceOptions.of_column(a.type.oid, (storage, a.number),
                                                                      bool(a.identity))
                if kind == "view":
                    yield Relation(schema, name, "v", attributes, definition=sql)
                else:
                    triggers = self._trigger_records(table)
                    indexes = tuple(self._indexes_of(table))
                    foreign_keys = (*self._foreign_keys(table), *(
                        ForeignKey(schema, r.name, r.columns, r.referenced, r.referenced_columns,
                                   *_actions(r.definition))
                        for _, _, r in triggers if r.kind == constraint_markers.FOREIGN_KEY))
                    names = {a.name for a in attributes}
                    declared = [(sql, start, r) for start, r in constraint_markers.recorded_at(sql)]
                    checks = tuple(_check(schema, storage, names, *found) for found in (*declared, *triggers)
                                   if found[2].kind == constraint_markers.CHECK)
                    yield Relation(schema, name, "r", attributes, indexes, foreign_keys, checks)
        found = dict(owned)
        store = sequences.Sequences(self._connection)
        for storage in self._created_sequences():
            read = store.read(storage)
            if read is not None:
                base = owned.get(storage) or SequenceOptions(t.INT8, 1, 1, None, False)
                found[storage] = base.defined(read[0])
        for storage, options in sorted(found.items()):
            yield Relation(*schemas.split(storage), "S", (), sequence=options)

    def _created_sequences(self) -> list[str]:
        """Storage names of the sequences `_helios_sequence_options` has rows for (made or changed by
        CREATE/ALTER SEQUENCE)."""
        if not self._connection.table_exists("main", sequences.SEQUENCE_OPTIONS_TABLE):
            return []
        rows: list[tuple[str]] = list(
            self._connection.execute(f"SELECT name FROM {sequences.SEQUENCE_OPTIONS_TABLE}"))
        return [name for (name,) in rows]

    def _view_types(self) -> dict[str, dict[int, PgType]]:
        if not self._connection.table_exists("main", VIEW_COLUMNS_TABLE):
            return {}
        found: dict[str, dict[int, PgType]] = {}
        rows: list[tuple[str, int, int, int]] = list(
            self._connection.execute(f"SELECT view, position, oid, typmod FROM {VIEW_COLUMNS_TABLE}"))
        for view, position, oid, typmod in rows:
            found.setdefault(view, {})[position] = PgType(oid, typmod)
        return found

    def _attributes(self, table: _Table, view_types: dict[int, PgType]) -> Iterator[Attribute]:
        rows: list[tuple[int, str, str | None, int, str | None, int]]
        try:
            rows = list(self._connection.execute('SELECT cid, name, type, "notnull", dflt_value, pk '
                                                 "FROM pragma_table_info(?, ?)", table.pragma))
        except apsw.SQLError:  # a view whose query no longer compiles (a column dropped under it)
            rows = []
        recorded = added_defaults.load(self._connection, table.stored) if table.database == "main" else {}
        triggered = self._not_null_by_trigger(table)
        for cid, name, declared, not_null, default, pk in rows:
            if name == NO_COLUMNS:
                continue
            default = effective_default(default, recorded.get(name.lower()))
            not_null = not_null or name.lower() in triggered
            pg_type = view_types.get(cid) or t.type_from_declared(declared) or t.TEXT_TYPE
            identity = identity_kind(default)
            if identity:
                default = without_identity_marker(str(default))
            sequence = serial_sequences.drawn_sequence(default, whole=True)
            if sequence or name == self._rowid_key(table):  # a serial or identity column
                name_of_sequence = sequence or serial_sequences.sequence_name(table.storage, name)
                yield Attribute(name, cid + 1, pg_type, True, None, name_of_sequence, identity)
            else:
                yield Attribute(name, cid + 1, pg_type, bool(not_null or pk), _default_text(default, pg_type))

    def _trigger_records(self, table: _Table) -> list[tuple[str, int, constraint_markers.Recorded]]:
        """The constraints recorded in the table's triggers (ALTER TABLE's ADD CHECK, ADD FOREIGN KEY),
        in the order they were added, each with its trigger's SQL and where the record is there."""
        listing = "sqlite_schema" if table.database == "main" else "sqlite_temp_schema"
        rows: list[tuple[str | None]] = list(self._connection.execute(
            f"SELECT sql FROM {listing} WHERE type = 'trigger' AND tbl_name = ? ORDER BY rowid",
            (table.stored,)))
        return [(sql or "", start, record) for (sql,) in rows
                for start, record in constraint_markers.recorded_at(sql)]

    def _not_null_by_trigger(self, table: _Table) -> set[str]:
        """Lower-cased names of the columns made NOT NULL after CREATE TABLE (triggers, `ddl.alter`)."""
        listing = "sqlite_schema" if table.database == "main" else "sqlite_temp_schema"
        query = f"SELECT sql FROM {listing} WHERE type = 'trigger' AND tbl_name = ?"
        triggers: list[tuple[str | None]] = list(self._connection.execute(query, (table.stored,)))
        return {match.group(1).replace('""', '"').lower() for (sql,) in triggers
                if (match := _NOT_NULL_TRIGGER.search(sql or "")) is not None}

    def _rowid_key(self, table: _Table) -> str | None:
        """The column that is SQLite's rowid (`integer PRIMARY KEY`): a serial or identity key,
        numbered by SQLite, with no nextval default and no index of its own."""
        rows: list[tuple[str, str | None]] = list(self._connection.execute(
            "SELECT name, type FROM pragma_table_info(?, ?) WHERE pk > 0", table.pragma))
        return rows[0][0] if len(rows) == 1 and (rows[0][1] or "").lower() == "integer" else None

    def _indexes_of(self, table: _Table) -> Iterator[Index]:
        schema, name = table.schema, table.name
        listed: list[tuple[str, int, str]] = list(self._connection.execute(
            'SELECT name, "unique", origin FROM pragma_index_list(?, ?) ORDER BY seq', table.pragma))
        rowid_key = self._rowid_key(table)
        listing = "sqlite_schema" if table.database == "main" else "sqlite_temp_schema"
        sql_of: dict[str, str | None] = dict(self._connection.execute(
            f"SELECT name, sql FROM {listing} WHERE type = 'index' AND tbl_name = ?", (table.stored,)))
        primary_kind = constraint_markers.PRIMARY_KEY
        if rowid_key is not None:
            key = constraint_markers.key_name(table.sql, primary_kind, (rowid_key,), f"{name}_pkey")
            yield Index(schema, key, name, (rowid_key,), True, True, True)
        for index, unique, origin in listed:
            described: list[tuple[str | None, int]] = list(self._connection.execute(
                'SELECT name, "desc" FROM pragma_index_xinfo(?, ?) WHERE key ORDER BY seqno',
                (index, table.database)))
            columns = tuple(str(column) for column, _ in described)
            descending = tuple(bool(desc) for _, desc in described)
            if origin == "pk":
                key = constraint_markers.key_name(table.sql, primary_kind, columns, f"{name}_pkey")
                yield Index(schema, key, name, columns, True, True, True)
            elif origin == "u":
                key = constraint_markers.key_name(table.sql, constraint_markers.UNIQUE, columns,
                                                  f"{name}_{'_'.join(columns)}_key")
                yield Index(schema, key, name, columns, True, False, True)
            else:
                bare = schemas.split(index)[1] if table.database == "main" else index
                records = constraint_markers.recorded(sql_of.get(index))
                kinds = {record.kind for record in records} - {constraint_markers.INDEX_KEYS}
                primary = constraint_markers.PRIMARY_KEY in kinds or (not kinds and bare == f"{name}_pkey")
                keys = next((r for r in records if r.kind == constraint_markers.INDEX_KEYS), None)
                if keys is None:
                    yield Index(schema, bare, name, columns, bool(unique), primary, primary or bool(kinds),
                                descending=descending)
                else:
                    yield Index(schema, bare, name, keys.columns, bool(unique), primary,
                                primary or bool(kinds), keys.keys, keys.pretty_keys, descending)

    def _foreign_keys(self, table: _Table) -> Iterator[ForeignKey]:
        rows: list[tuple[int, int, str, str, str | None, str, str]] = list(self._connection.execute(
            'SELECT id, seq, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?, ?) '
            "ORDER BY id, seq", table.pragma))
        keys: dict[int, list[tuple[str, str | None]]] = {}
        referenced: dict[int, str] = {}
        actions: dict[int, tuple[str, str]] = {}
        for key, _, target, column, target_column, on_update, on_delete in rows:
            keys.setdefault(key, []).append((column, target_column))
            referenced[key] = target
            actions[key] = on_update.upper(), on_delete.upper()
        declared = constraint_names.declared_foreign_keys(self._connection, table.stored, table.database)
        for key, pairs in sorted(keys.items(), reverse=True):  # SQLite lists the last declared first
            columns = tuple(column for column, _ in pairs)
            target_columns = tuple(c for _, c in pairs if c is not None) or self._primary_key(referenced[key])
            name = declared.get(key) or constraint_names.foreign_key(table.name, columns)
            yield ForeignKey(table.schema, name, columns, referenced[key], target_columns, *actions[key])

    def _primary_key(self, storage: str) -> tuple[str, ...]:
        rows: list[tuple[str, int]] = list(self._connection.execute(
            "SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (storage,)))
        return tuple(name for name, _ in rows)


@dataclass(frozen=True, slots=True)
class _Table:
    """Where a table or view is in SQLite (database main or temp, its name there) and in PostgreSQL."""

    database: str
    stored: str
    schema: str
    name: str
    sql: str | None = None  # its CREATE statement as stored

    @property
    def pragma(self) -> tuple[str, str]:
        """The arguments of PRAGMA table_info and friends."""
        return self.stored, self.database

    @property
    def storage(self) -> str:
        return schemas.storage_name(self.schema, self.name)


def _check(schema: str, owner: str, columns: set[str], sql: str | None, start: int,
           record: constraint_markers.Recorded) -> Check:
    """A CHECK constraint as recorded, its columns renamed as RENAME COLUMN renamed them since: the
    record keeps the names of when it was made, SQLite's condition before it the current ones (the
    distinct columns of both, in the same order)."""
    definition, pretty, used = record.definition, record.pretty, record.columns
    if any(column not in columns for column in used):
        before = (sql or "")[:start]
        current = _named_columns(before[max(before.rfind("CHECK ("), before.rfind("WHEN NOT (")):], columns)
        if len(current) == len(used):
            renamed = dict(zip(used, current, strict=True))
            definition, pretty = renamed_columns(definition, renamed), renamed_columns(pretty, renamed)
            used = tuple(current)
    return Check(schema, record.name, definition, used, pretty, owner)


def _named_columns(sql: str, columns: set[str]) -> list[str]:
    """The columns SQLite SQL names (quoted or bare, not as a function), each once, in order."""
    by_lower = {column.lower(): column for column in columns}
    tokens = tokenize(sql)
    found: list[str] = []
    for index, token in enumerate(tokens):
        called = index + 1 < len(tokens) and tokens[index + 1].token_type == TokenType.L_PAREN
        if token.token_type == TokenType.IDENTIFIER and token.text in columns:
            found.append(token.text)
        elif token.token_type == TokenType.VAR and not called and token.text.lower() in by_lower:
            found.append(by_lower[token.text.lower()])
    return list(dict.fromkeys(found))


def _actions(recorded: str) -> tuple[str, str]:
    """(ON UPDATE, ON DELETE) of a foreign key added by ALTER TABLE, from its recorded definition
    (`foreign_keys.recorded`: `ON UPDATE action ON DELETE action`)."""
    update, delete = recorded.removeprefix("ON UPDATE ").split(" ON DELETE ")
    return update, delete


def _default_text(default: str | None, pg_type: PgType) -> str | None:
    """A SQLite column default shown as PostgreSQL shows it: as recorded with it (`DEFAULT_TEXT`),
    else from SQLite's text (`'x'::text`, `now()`, `true`)."""
    if default is None:
        return None
    shown = next((record.definition for record in constraint_markers.recorded(default)
                  if record.kind == constraint_markers.DEFAULT_TEXT), None)
    if shown is not None:
        return shown
    if pg_type.oid == t.BOOL and default in ("0", "1"):
        return "true" if default == "1" else "false"
    if default.startswith("'") and pg_type.oid != t.NUMERIC:
        return f"{default}::{format_type(pg_type.oid, -1)}"
    return default.lower() if re.fullmatch(r"[A-Z_]+\(\)", default) else default
