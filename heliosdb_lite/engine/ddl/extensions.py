"""CREATE EXTENSION and DROP EXTENSION, read from the statement's tokens and rendered as writes to
the store's extension and type tables (`store.extensions`, `store.user_types`), so the journal
carries them as any DDL:

    CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]
    DROP EXTENSION [IF EXISTS] name [, ...] [CASCADE | RESTRICT]

The extensions that can be created are those `engine/extensions` describes (citext, ...): their
types get OIDs drawn as a user type's, in schema s or the first schema of the search path. Any other
is refused with 0A000 naming it. plpgsql, which every database has, exists already (42710, or IF
NOT EXISTS's notice) and cannot be dropped. DROP refuses with 2BP01 while a column, domain, range
type or composite type uses one of the extension's types; CASCADE drops those columns (and is
refused with 0A000 when other types use them). Dropping one that is not installed is 42704 (IF
EXISTS: its notice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import apsw
from sqlglot import exp

from heliosdb_lite.engine import extensions
from heliosdb_lite.engine.ddl import composite_types, types
from heliosdb_lite.engine.ddl.alter import columns_dropped
from heliosdb_lite.engine.ddl.object_names import (
    NO_OP,
    cascade_notice,
    refuse_dependents,
    schema_version_bump,
)
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.sql.statement_words import Words
from heliosdb_lite.engine.store import extensions as store_extensions
from heliosdb_lite.engine.store import schemas, user_types
from heliosdb_lite.engine.store.extensions import EXTENSIONS_TABLE, InstalledExtension
from heliosdb_lite.engine.store.user_types import TYPES_TABLE, StoredType
from heliosdb_lite.engine.translate.result import Translation, unsupported
from heliosdb_lite.errors import (
    DUPLICATE_OBJECT,
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    UNDEFINED_OBJECT,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator


def is_extension_statement(sql: str) -> bool:
    return parsing.first_words(sql, 2) in (["create", "extension"], ["drop", "extension"])


def translate(translator: Translator, sql: str) -> Translation:
    """The SQLite statements and notices of a CREATE or DROP EXTENSION statement."""
    words = Words(parsing.tokenize(sql))
    verb = words.next_word()
    words.expect("extension")
    if verb == "create":
        statements, command = _create(translator, words), "CREATE EXTENSION"
    else:
        statements, command = _drop(translator, words), "DROP EXTENSION"
    rendered = [*statements, *schema_version_bump(TYPES_TABLE, "name")] if statements else [NO_OP]
    return Translation("; ".join(rendered), command, None, (), schema_change=True,
                       notices=tuple(translator.notices))


def _create(translator: Translator, words: Words) -> list[str]:
    if_not_exists = words.accept("if", "not", "exists")
    name = words.name()
    words.accept("with")
    schema: str | None = None
    version: str | None = None
    while not words.at_end():
        if words.accept("schema"):
            schema = words.name()
        elif words.accept("version"):
            version = words.next_word().strip("'")
        else:
            words.expect("cascade")
    connection = translator.catalog.connection
    installed = store_extensions.installed(connection)
    if name == extensions.PLPGSQL or name in installed:
        if not if_not_exists:
            raise DatabaseError(DUPLICATE_OBJECT, f'extension "{name}" already exists')
        translator.notice(f'extension "{name}" already exists, skipping')
        return []
    extension = extensions.KNOWN.get(name)
    if extension is None:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f'extension "{name}" is not supported',
                            detail="The extensions HeliosDB-Lite provides are "
                                   f"{', '.join(sorted([extensions.PLPGSQL, *extensions.KNOWN]))}.")
    if version is not None and version != extension.version:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f'extension "{name}" has no installation script nor '
                                                     f'update path for version "{version}"')
    target = exp.Table(this=exp.to_identifier(name),
                       db=None if schema is None else exp.to_identifier(schema))
    schema = schemas.split(translator.new_object(target))[0]
    statements = [store_extensions.CREATE_TABLE, *user_types.CREATE_TABLES]
    oids = user_types.new_oids(connection, 1 + 2 * len(extension.types))
    values = ", ".join(string_literal(text) for text in (name, schema, extension.version))
    statements.append(f"INSERT INTO {EXTENSIONS_TABLE} VALUES ({oids[0]}, {values})")
    for number, defined in enumerate(extension.types):
        stored = schemas.storage_name(schema, defined.name)
        if user_types.find(connection, stored) is not None:
            raise DatabaseError(DUPLICATE_OBJECT, f'type "{defined.name}" already exists')
        oid, array_oid = oids[1 + 2 * number], oids[2 + 2 * number]
        statements.append(f"INSERT INTO {TYPES_TABLE} (oid, name, array_oid, kind) VALUES ({oid}, "
                          f"{string_literal(stored)}, {array_oid}, {string_literal(user_types.BASE_KIND)})")
    return statements


def _drop(translator: Translator, words: Words) -> list[str]:
    if_exists, names, cascade = words.drop_list(words.name)
    connection = translator.catalog.connection
    installed = store_extensions.installed(connection)
    statements: list[str] = []
    dropped: list[str] = []
    for name in names:
        if name == extensions.PLPGSQL:
            raise unsupported(f"DROP EXTENSION {extensions.PLPGSQL}")
        found = installed.get(name)
        if found is None:
            if not if_exists:
                raise DatabaseError(UNDEFINED_OBJECT, f'extension "{name}" does not exist')
            translator.notice(f'extension "{name}" does not exist, skipping')
            continue
        provided = provided_types(connection, found)
        columns = [column for defined in provided for column in types.columns_of(translator, defined)]
        others = _dependent_types(translator, provided)
        if not cascade:
            refuse_dependents(f"extension {name}", [column.described() for column in columns] + others,
                              details=[f"{column.described()} depends on type {column.type_shown}"
                                       for column in columns] + others)
        if others:
            raise unsupported(f"DROP EXTENSION ... CASCADE of an extension other types use ({others[0]})")
        dropped += [column.described() for column in columns]
        for stored in dict.fromkeys(column.table for column in columns):
            statements += columns_dropped(translator, stored,
                                          dict.fromkeys((column.column for column in columns
                                                         if column.table == stored), True))
        statements += [f"DELETE FROM {TYPES_TABLE} WHERE oid = {defined.oid}" for defined in provided]
        statements.append(f"DELETE FROM {EXTENSIONS_TABLE} WHERE oid = {found.oid}")
    cascade_notice(translator, dropped)
    return statements


def provided_types(connection: apsw.Connection, installed: InstalledExtension) -> list[StoredType]:
    """The types an installed extension provided, as the store keeps them."""
    extension = extensions.KNOWN[installed.name]
    found = [user_types.find(connection, schemas.storage_name(installed.schema, defined.name))
             for defined in extension.types]
    return [stored for stored in found if stored is not None]


def _dependent_types(translator: Translator, provided: list[StoredType]) -> list[str]:
    """The domains, range types and composite types made over the extension's types (or their array
    types), described as PostgreSQL's DETAIL does."""
    oids = {oid for defined in provided for oid in (defined.oid, defined.array_oid)}
    found = [f"type {user_types.shown_name(domain.stored)}" for domain in translator.domains().values()
             if domain.base.pg_type.oid in oids]
    every = user_types.stored_types(translator.catalog.connection)
    found += [f"type {other.shown}" for other in every if other.kind == user_types.RANGE_KIND
              and other.range is not None and other.range.subtype in oids]
    return found + composite_types.used_by(oids, every)
