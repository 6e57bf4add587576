"""CREATE TYPE name AS (attribute type, ...) and ALTER TYPE name ADD | DROP | ALTER | RENAME
ATTRIBUTE, rendered as writes to the store's composite tables (`store.user_types`), with
PostgreSQL's errors: 42701 for an attribute named twice, 42703 for one the type lacks, 42809 for
ALTER ... ATTRIBUTE of a type that is not composite, and 0A000, as PostgreSQL, for altering a type
a column uses (its stored values would no longer match it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.errors import ParseError

from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.sql.statement_words import Words, syntax_error
from heliosdb_lite.engine.store import user_types
from heliosdb_lite.engine.store.user_types import ATTRIBUTES_TABLE, COMPOSITES_TABLE, TYPES_TABLE, StoredType
from heliosdb_lite.engine.translate import domain_values
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.errors import DUPLICATE_COLUMN, FEATURE_NOT_SUPPORTED, UNDEFINED_COLUMN, DatabaseError

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

Attribute = tuple[str, int, int]  # name, type OID, typmod


def created(translator: Translator, stored: str, sql: str) -> list[str]:
    """The statements of CREATE TYPE stored AS (...), whose attributes the statement `sql` lists."""
    tree = parsing.parse(sql)
    schema = tree.args.get("expression")
    if not isinstance(tree, exp.Create) or not isinstance(schema, exp.Schema):
        raise unsupported("this form of CREATE TYPE")
    attributes: list[Attribute] = []
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef) or not isinstance(column.args.get("kind"), exp.DataType):
            raise syntax_error(column.sql("postgres"))
        if any(not isinstance(constraint.args.get("kind"), exp.CollateColumnConstraint)
               for constraint in column.args.get("constraints") or ()):
            raise syntax_error(column.sql("postgres"))
        attributes.append(_attribute(translator, column.name, column.args["kind"], attributes))
    oid, array_oid, relid = user_types.new_oids(translator.catalog.connection, 3)
    statements = [*user_types.CREATE_TABLES, *user_types.CREATE_COMPOSITE_TABLES,
                  f"INSERT INTO {TYPES_TABLE} (oid, name, array_oid, kind) VALUES ({oid}, "
                  f"{string_literal(stored)}, {array_oid}, {string_literal(user_types.COMPOSITE_KIND)})",
                  f"INSERT INTO {COMPOSITES_TABLE} (oid, relid) VALUES ({oid}, {relid})"]
    return statements + [_attribute_inserted(oid, position, attribute)
                         for position, attribute in enumerate(attributes, start=1)]


def _attribute(translator: Translator, name: str, data_type: exp.DataType,
               existing: list[Attribute]) -> Attribute:
    if any(name == other for other, _, _ in existing):
        raise DatabaseError(DUPLICATE_COLUMN, f'column "{name}" specified more than once')
    resolved = translator.resolve_type(data_type)
    if resolved.serial:
        raise unsupported(f"a serial attribute of a composite type ({name})")
    domain = domain_values.domain_named(translator, data_type)  # kept as declared, as pg_attribute shows it
    return name, resolved.pg_type.oid if domain is None else domain.oid, resolved.pg_type.typmod


def _attribute_inserted(type_oid: int, position: int, attribute: Attribute) -> str:
    name, oid, typmod = attribute
    return (f"INSERT INTO {ATTRIBUTES_TABLE} (type_oid, position, name, attribute_type, typmod) "
            f"VALUES ({type_oid}, {position}, {string_literal(name)}, {oid}, {typmod})")


def altered(translator: Translator, composite: StoredType, words: Words, sql: str,
            users: list[str]) -> list[str]:
    """ALTER TYPE name ADD ATTRIBUTE a type | DROP ATTRIBUTE [IF EXISTS] a | ALTER ATTRIBUTE a
    [SET DATA] TYPE type | RENAME ATTRIBUTE a TO b (the verb read); `users`: the columns of the
    type, `table.column`. With such columns only RENAME ATTRIBUTE is done: their stored values would
    no longer match the type (PostgreSQL refuses ALTER ATTRIBUTE TYPE too, and adds or drops)."""
    verb = words.tokens[words.index - 2].text.lower()
    if users and verb == "alter":
        raise DatabaseError(FEATURE_NOT_SUPPORTED,
                            f'cannot alter type "{composite.name}" because column "{users[0]}" uses it')
    if users and verb != "rename":
        raise unsupported(f"ALTER TYPE ... {verb.upper()} ATTRIBUTE of a composite type column "
                          f'"{users[0]}" uses (its stored values would no longer match the type)')
    names = [name for name, _, _ in composite.attributes]
    if verb == "rename":
        old = words.name()
        words.expect("to")
        new = words.name()
        words.end()
        _position(composite, old)
        if new in names:
            raise _attribute_exists(composite, new)
        return [f"UPDATE {ATTRIBUTES_TABLE} SET name = {string_literal(new)} "
                f"WHERE type_oid = {composite.oid} AND name = {string_literal(old)}"]
    if verb == "drop":
        if_exists = words.accept("if", "exists")
        name = words.name()
        _behaviour(words)
        if if_exists and name not in names:
            translator.notice(f'column "{name}" of relation "{composite.name}" does not exist, skipping')
            return []
        position = _position(composite, name)
        return [f"DELETE FROM {ATTRIBUTES_TABLE} WHERE type_oid = {composite.oid} AND position = {position}",
                f"UPDATE {ATTRIBUTES_TABLE} SET position = position - 1 "
                f"WHERE type_oid = {composite.oid} AND position > {position}"]
    name = words.name()
    if verb == "alter":
        words.accept("set", "data")
        words.expect("type")
        position = _position(composite, name)
        _, oid, typmod = _attribute(translator, name, _type_named(words, sql), [])
        return [f"UPDATE {ATTRIBUTES_TABLE} SET attribute_type = {oid}, typmod = {typmod} "
                f"WHERE type_oid = {composite.oid} AND position = {position}"]
    if name in names:
        raise _attribute_exists(composite, name)
    attribute = _attribute(translator, name, _type_named(words, sql), [])
    return [_attribute_inserted(composite.oid, len(names) + 1, attribute)]


def _attribute_exists(composite: StoredType, name: str) -> DatabaseError:
    return DatabaseError(DUPLICATE_COLUMN, f'column "{name}" of relation "{composite.name}" already exists')


def _behaviour(words: Words) -> None:
    if not words.accept("cascade"):
        words.accept("restrict")
    words.end()


def _type_named(words: Words, sql: str) -> exp.DataType:
    """The type written from the next word to the end (but a trailing CASCADE | RESTRICT)."""
    start = words.token()
    if start is None:
        raise syntax_error(None)
    last = len(words.tokens)
    if words.tokens[-1].text.lower() in ("cascade", "restrict"):
        last -= 1
    text = sql[start.start:words.tokens[last - 1].end + 1]
    words.index = len(words.tokens)
    try:
        data_type = exp.DataType.build(text, dialect="postgres", udt=True)
    except (ParseError, ValueError):
        raise syntax_error(text) from None
    return data_type


def _position(composite: StoredType, name: str) -> int:
    """The position (from 1) of an attribute; 42703 if the type has none of that name."""
    for position, (attribute, _, _) in enumerate(composite.attributes, start=1):
        if attribute == name:
            return position
    raise DatabaseError(UNDEFINED_COLUMN, f'column "{name}" of relation "{composite.name}" does not exist')


def dropped(composite: StoredType) -> list[str]:
    """The rows of a composite type's own tables that DROP TYPE deletes."""
    return [f"DELETE FROM {ATTRIBUTES_TABLE} WHERE type_oid = {composite.oid}",
            f"DELETE FROM {COMPOSITES_TABLE} WHERE oid = {composite.oid}"]


def used_by(composite_oids: set[int], types: list[StoredType]) -> list[str]:
    """The composite types with an attribute of one of these types, described as PostgreSQL does."""
    return [f"column {name} of composite type {other.shown}" for other in types
            for name, oid, _ in other.attributes if oid in composite_oids]

