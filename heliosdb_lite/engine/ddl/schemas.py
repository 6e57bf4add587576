"""CREATE SCHEMA, DROP SCHEMA and ALTER SCHEMA (RENAME TO, OWNER TO), rendered as SQLite statements
over the `store.schemas` naming rule.

The statements are recognised from their tokens (sqlglot parses only part of this grammar). Each
becomes SQLite DDL plus writes to the registry, checked against the store when it is translated:
DROP SCHEMA drops the schema's views, tables, sequences and types (refusing with 2BP01 unless CASCADE),
ALTER SCHEMA RENAME renames them (SQLite rewrites the references of views, triggers and foreign
keys; views, indexes and triggers of the schema are re-created under their new names). Every
statement also changes SQLite's schema version (`object_names.schema_version_bump`): that invalidates
prepared statements that depended on which schemas exist.

Roles are the server's users and are not visible to the engine, so a schema can only be owned by
the session's user (AUTHORIZATION / OWNER TO another role is refused with 0A000).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import apsw

from heliosdb_lite.engine.ddl.object_names import (
    NO_OP,
    cascade_notice,
    refuse_dependents,
    schema_version_bump,
)
from heliosdb_lite.engine.pg_catalog.reader import qualified
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.quoting import quote_identifier, quote_name, string_literal
from heliosdb_lite.engine.sql.statement_words import Words
from heliosdb_lite.engine.store import added_defaults, schemas, user_types
from heliosdb_lite.engine.store.conventions import VIEW_COLUMNS_TABLE
from heliosdb_lite.engine.store.sequences import SEQUENCE_OPTIONS_TABLE, SEQUENCES_TABLE
from heliosdb_lite.engine.translate.result import Translation
from heliosdb_lite.errors import (
    DUPLICATE_SCHEMA,
    FEATURE_NOT_SUPPORTED,
    INVALID_SCHEMA_NAME,
    RESERVED_NAME,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_CURRENT_ROLES = frozenset({"current_user", "session_user", "current_role"})


def is_schema_statement(sql: str) -> bool:
    return parsing.first_words(sql, 2) in (["create", "schema"], ["drop", "schema"], ["alter", "schema"])


def translate(translator: Translator, sql: str) -> Translation:
    """The SQLite statements and notices of a CREATE/DROP/ALTER SCHEMA statement."""
    words = Words(parsing.tokenize(sql))
    verb = words.next_word()
    words.expect("schema")
    connection = translator.catalog.connection
    if verb == "create":
        return _create(translator, connection, words)
    if verb == "drop":
        return _drop(translator, connection, words)
    return _alter(translator, connection, words)


def _result(translator: Translator, sql: list[str], command: str) -> Translation:
    statements = [*sql, *schema_version_bump(schemas.REGISTRY_TABLE, "owner")] if sql else [NO_OP]
    return Translation("; ".join(statements), command, None, (), schema_change=True,
                       notices=tuple(translator.notices))


def _owner(translator: Translator, role: str) -> str:
    user = translator.user
    if role in _CURRENT_ROLES or role == user:
        return user
    raise DatabaseError(FEATURE_NOT_SUPPORTED, f'a schema owned by role "{role}" is not supported: roles are '
                        "the server's users, and a schema is owned by the user who creates it")


def _create(translator: Translator, connection: apsw.Connection, words: Words) -> Translation:
    """CREATE SCHEMA [IF NOT EXISTS] {name [AUTHORIZATION role] | AUTHORIZATION role}."""
    if_not_exists = words.accept("if", "not", "exists")
    if words.accept("authorization"):
        owner = _owner(translator, words.name())
        name = owner
    else:
        name = words.name()
        owner = _owner(translator, words.name()) if words.accept("authorization") else translator.user
    if not words.at_end():
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "CREATE SCHEMA with schema elements is not supported")
    if name.startswith("pg_"):
        raise DatabaseError(RESERVED_NAME, f'unacceptable schema name "{name}"',
                            detail='The prefix "pg_" is reserved for system schemas.')
    if "." in name:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f'schema names containing "." are not supported: "{name}"')
    if _exists(connection, name):
        if if_not_exists:
            translator.notice(f'schema "{name}" already exists, skipping')
            return _result(translator, [], "CREATE SCHEMA")
        raise DatabaseError(DUPLICATE_SCHEMA, f'schema "{name}" already exists')
    if name == schemas.PUBLIC:  # dropped before: exists again
        recreated = f"DELETE FROM {schemas.REGISTRY_TABLE} WHERE name = {string_literal(name)}"
        return _result(translator, [recreated], "CREATE SCHEMA")
    return _result(translator, _registered(name, owner), "CREATE SCHEMA")


def _registered(name: str, owner: str) -> list[str]:
    registry = schemas.REGISTRY_TABLE
    return [f"CREATE TABLE IF NOT EXISTS {registry} (name TEXT PRIMARY KEY, owner TEXT NOT NULL)",
            f"INSERT INTO {registry} (name, owner) VALUES ({string_literal(name)}, {string_literal(owner)})"]


def _exists(connection: apsw.Connection, name: str) -> bool:
    return name in schemas.SYSTEM_SCHEMAS or name in schemas.existing(connection)


def _user_schema(connection: apsw.Connection, name: str, *, dropping: bool = False) -> None:
    """3F000 unless `name` is a schema; 0A000 for the system schemas, and for public but to drop it."""
    if name in schemas.SYSTEM_SCHEMAS or (name == schemas.PUBLIC and not dropping):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"changing or dropping schema {name} is not supported")
    if not _exists(connection, name):
        raise DatabaseError(INVALID_SCHEMA_NAME, f'schema "{name}" does not exist')


def _in_schema(schema: str, column: str) -> str:
    """SQL true for the store names in `column` of `schema`'s objects: public's have no prefix (and
    the store's own `_helios_*` and SQLite's tables are nobody's)."""
    if schema == schemas.PUBLIC:
        return (f"instr({column}, '.') = 0 AND {column} NOT LIKE '\\_helios%' ESCAPE '\\' "
                f"AND {column} NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    prefix = schemas.storage_name(schema, "")
    return f"substr({column}, 1, {len(prefix)}) = {string_literal(prefix)}"


@dataclass(frozen=True, slots=True)
class _Member:
    kind: str  # table, view, sequence
    stored: str  # its SQLite name (or sequence name)

    def described(self) -> str:
        """As PostgreSQL names it in a DETAIL: qualified unless in public (on the default search_path)."""
        schema, name = schemas.split(self.stored)
        shown = quote_identifier(name) if schema == schemas.PUBLIC else qualified(schema, name)
        return f"{self.kind} {shown}"


def _members(connection: apsw.Connection, schema: str) -> list[_Member]:
    """The schema's tables, views, sequences (those CREATE SEQUENCE made; a serial column's
    sequence belongs to its table) and types, each kind in creation order."""
    relations: list[tuple[str, str]] = list(connection.execute(
        "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') "
        f"AND {_in_schema(schema, 'name')} ORDER BY rowid"))
    found = [_Member(kind, name) for kind, name in relations]
    if connection.table_exists("main", SEQUENCE_OPTIONS_TABLE):
        sequences: list[tuple[str]] = list(connection.execute(
            f"SELECT name FROM {SEQUENCE_OPTIONS_TABLE} WHERE {_in_schema(schema, 'name')} ORDER BY rowid"))
        found += [_Member("sequence", name) for (name,) in sequences]
    if user_types.defined(connection):
        defined: list[tuple[str]] = list(connection.execute(
            f"SELECT name FROM {user_types.TYPES_TABLE} WHERE {_in_schema(schema, 'name')} "
            f"AND kind <> {string_literal(user_types.MULTIRANGE_KIND)} ORDER BY oid"))  # one with its range
        found += [_Member("type", name) for (name,) in defined]
    return found


def _sequence_tables(connection: apsw.Connection) -> list[str]:
    return [table for table in (SEQUENCES_TABLE, SEQUENCE_OPTIONS_TABLE)
            if connection.table_exists("main", table)]


def _drop(translator: Translator, connection: apsw.Connection, words: Words) -> Translation:
    """DROP SCHEMA [IF EXISTS] name [, ...] [CASCADE | RESTRICT]."""
    if_exists, names, cascade = words.drop_list(words.name)
    statements: list[str] = []
    dropped: list[_Member] = []
    for name in names:
        if if_exists and not _exists(connection, name):
            translator.notice(f'schema "{name}" does not exist, skipping')
            continue
        _user_schema(connection, name, dropping=True)
        members = _members(connection, name)
        if not cascade:
            refuse_dependents(f"schema {name}", [member.described() for member in members])
        dropped += members
        statements += _drop_members(connection, name, members)
        if name == schemas.PUBLIC:  # recorded as dropped until CREATE SCHEMA public
            statements += _registered(schemas.PUBLIC, translator.user)
        else:
            statements.append(f"DELETE FROM {schemas.REGISTRY_TABLE} WHERE name = {string_literal(name)}")
    cascade_notice(translator, [member.described() for member in dropped])
    return _result(translator, statements, "DROP SCHEMA")


def _drop_members(connection: apsw.Connection, schema: str, members: list[_Member]) -> list[str]:
    in_schema = _in_schema(schema, "name")
    newest_first = list(reversed(members))  # a view or a referencing table is made after what it uses
    statements = [f"DROP VIEW {quote_name(m.stored)}" for m in newest_first if m.kind == "view"]
    statements += [f"DROP TABLE {quote_name(m.stored)}" for m in newest_first if m.kind == "table"]
    statements += [f"DELETE FROM {table} WHERE {in_schema}" for table in _sequence_tables(connection)]
    statements.append(added_defaults.dropped_where(_in_schema(schema, "table_name")))
    if connection.table_exists("main", VIEW_COLUMNS_TABLE):
        statements.append(f"DELETE FROM {VIEW_COLUMNS_TABLE} WHERE {_in_schema(schema, 'view')}")
    if user_types.defined(connection):
        types = f"SELECT oid FROM {user_types.TYPES_TABLE} WHERE {_in_schema(schema, 'name')}"
        statements.append(f"DELETE FROM {user_types.LABELS_TABLE} WHERE type_oid IN ({types})")
        if connection.table_exists("main", user_types.RANGES_TABLE):
            ranges = f"SELECT multirange FROM {user_types.RANGES_TABLE} WHERE oid IN ({types})"
            statements.append(f"DELETE FROM {user_types.TYPES_TABLE} WHERE oid IN ({ranges})")
            statements.append(f"DELETE FROM {user_types.CONSTRUCTORS_TABLE} "
                              f"WHERE type_oid IN ({types}) OR type_oid IN ({ranges})")
            statements.append(f"DELETE FROM {user_types.RANGES_TABLE} WHERE oid IN ({types})")
        statements.append(f"DELETE FROM {user_types.TYPES_TABLE} WHERE {_in_schema(schema, 'name')}")
    return statements


def _alter(translator: Translator, connection: apsw.Connection, words: Words) -> Translation:
    """ALTER SCHEMA name RENAME TO new_name | OWNER TO role."""
    name = words.name()
    if words.accept("owner", "to"):
        owner = _owner(translator, words.name())
        words.end()
        _user_schema(connection, name)
        return _result(translator, [f"UPDATE {schemas.REGISTRY_TABLE} SET owner = {string_literal(owner)} "
                        f"WHERE name = {string_literal(name)}"], "ALTER SCHEMA")
    words.expect("rename")
    words.expect("to")
    new_name = words.name()
    words.end()
    _user_schema(connection, name)
    if _exists(connection, new_name):
        raise DatabaseError(DUPLICATE_SCHEMA, f'schema "{new_name}" already exists')
    if new_name.startswith("pg_"):
        raise DatabaseError(RESERVED_NAME, f'unacceptable schema name "{new_name}"',
                            detail='The prefix "pg_" is reserved for system schemas.')
    return _result(translator, _renamed(connection, name, new_name), "ALTER SCHEMA")


def _renamed(connection: apsw.Connection, old: str, new: str) -> list[str]:
    """Statements moving every object of schema `old` to `new`: its views, indexes and triggers are
    dropped, its tables renamed, then the others re-created from their SQL with the schema's quoted
    name prefix replaced. A column default naming a sequence of the schema would keep the old name
    (SQLite cannot change a default in place): refused."""
    old_prefix, new_prefix = schemas.storage_name(old, ""), schemas.storage_name(new, "")
    objects: list[tuple[str, str, str | None]] = list(connection.execute(
        "SELECT type, name, sql FROM sqlite_schema WHERE substr(name, 1, ?) = ? ORDER BY rowid",
        (len(old_prefix), old_prefix)))
    for kind, name, _ in objects:
        declared: list[tuple[str | None]] = list(connection.execute(
            "SELECT dflt_value FROM pragma_table_info(?)", (name,))) if kind == "table" else []
        defaults = [default for (default,) in declared]
        if any("nextval(" in (default or "").lower()
               for default in [*defaults, *added_defaults.load(connection, name).values()]):
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f"ALTER SCHEMA {old} RENAME is not supported: table "
                                f"{name} has a column whose default draws from a sequence")
    dependents = [(kind, name, sql) for kind, name, sql in objects
                  if kind in ("index", "view", "trigger") and sql is not None]
    statements = [f"DROP {kind.upper()} {quote_name(name)}" for kind, name, _ in reversed(dependents)]
    statements += [f"ALTER TABLE {quote_name(name)} RENAME TO "
                   f"{quote_name(new_prefix + name[len(old_prefix):])}"
                   for kind, name, _ in objects if kind == "table"]
    statements += [sql.replace(quote_name(old_prefix)[:-1], quote_name(new_prefix)[:-1])
                   for _, _, sql in dependents]
    literal_old, literal_new = string_literal(old_prefix), string_literal(new_prefix)
    for table in _sequence_tables(connection):
        statements.append(f"UPDATE {table} SET name = {literal_new} || substr(name, {len(old_prefix) + 1}) "
                          f"WHERE substr(name, 1, {len(old_prefix)}) = {literal_old}")
    statements.append(f"UPDATE {SEQUENCE_OPTIONS_TABLE} SET owned_table = {literal_new} || "
                      f"substr(owned_table, {len(old_prefix) + 1}) WHERE substr(owned_table, 1, "
                      f"{len(old_prefix)}) = {literal_old}")
    statements.append(added_defaults.prefix_renamed(old_prefix, new_prefix))
    if connection.table_exists("main", VIEW_COLUMNS_TABLE):
        statements.append(f"UPDATE {VIEW_COLUMNS_TABLE} SET view = {literal_new} || substr(view, "
                          f"{len(old_prefix) + 1}) WHERE substr(view, 1, {len(old_prefix)}) = {literal_old}")
    for table in (user_types.TYPES_TABLE, user_types.CONSTRUCTORS_TABLE):
        if connection.table_exists("main", table):
            statements.append(f"UPDATE {table} SET name = {literal_new} || substr(name, "
                              f"{len(old_prefix) + 1}) "
                              f"WHERE substr(name, 1, {len(old_prefix)}) = {literal_old}")
    statements.append(f"UPDATE {schemas.REGISTRY_TABLE} SET name = {string_literal(new)} "
                      f"WHERE name = {string_literal(old)}")
    return statements
