"""Column references qualified by a schema (`public.t.col`) or a database (`db.public.t.col`).

PostgreSQL resolves `schema.table` to the table itself and finds the FROM item that is that table
under no alias, at this query level or an enclosing one (a schema that does not exist, or a table
named by an alias, is no match). When none is (or when a table name alone names no FROM item,
`SELECT o.a FROM o AS d`), the error is 42P01 `invalid reference to FROM-clause
entry for table "t"` if some FROM item is that table or is called `t` (with a HINT naming the alias,
or saying it cannot be referenced from there), else `missing FROM-clause entry for table "t"`. A
database other than the current one is 0A000 `cross-database references are not implemented`.
Once matched, the reference is written to SQLite by its FROM item's name alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine import pg_catalog
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, UNDEFINED_TABLE, DatabaseError

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator


def catalog_storage(relation_name: str) -> str:
    """The identity of a catalog relation `pg_catalog.relation_name` names (`pg_class`,
    `information_schema.tables`), as `Relation.storage` holds it."""
    return relation_name if "." in relation_name else f"pg_catalog.{relation_name}"


def _storage(translator: Translator, schema: str | None, table: str) -> str | None:
    """The identity of the table or view `schema.table` (None: there is none), `table` along the
    search path."""
    node = exp.Table(this=exp.to_identifier(table),
                     db=exp.to_identifier(schema) if schema is not None else None)
    catalog_relation = pg_catalog.relation_name(node.copy())
    if catalog_relation is not None:
        return catalog_storage(catalog_relation)
    stored = translator.relation(node)
    return stored if translator.catalog.table(stored) is not None else None


def _relations(scope: Scope) -> list[Relation]:
    """The FROM items of scope's level and the enclosing ones, innermost first."""
    found: list[Relation] = []
    level: Scope | None = scope
    while level is not None:
        found += level.relations
        level = level.parent
    return found


def _name_list(node: exp.Column) -> str:
    parts = [node.args.get(key) for key in ("catalog", "db", "table")]
    names = [part.name for part in parts if part is not None]
    return ".".join([*names, "*" if isinstance(node.this, exp.Star) else node.name])


def unqualified(translator: Translator, node: exp.Column, scope: Scope) -> None:
    """node, a column reference, without its schema (and database) once they are checked to name
    the FROM item its table name refers to (the module docstring)."""
    database, schema = node.args.get("catalog"), node.args.get("db")
    if schema is None:
        if node.table and scope.relation(node.table) is None:
            _refuse(node.table, _storage(translator, None, node.table), scope)
        return
    if not isinstance(node.args.get("table"), exp.Identifier):  # `t.*.x`: SQLite's syntax error, 42601
        node.set("db", None)
        return
    if database is not None and database.name != translator.database:
        raise DatabaseError(FEATURE_NOT_SUPPORTED,
                            f"cross-database references are not implemented: {_name_list(node)}")
    table = node.table
    storage = _storage(translator, schema.name, table)
    relations = _relations(scope)
    if storage is not None and any(relation.storage == storage and not relation.aliased
                                   for relation in relations):
        node.set("catalog", None)
        node.set("db", None)
        return
    _refuse(table, storage, scope)


def _refuse(table: str, storage: str | None, scope: Scope) -> None:
    """42P01 for a reference to table `table` (the table or view of identity `storage`, if any)
    that no FROM item answers, in PostgreSQL's words (errorMissingRTE)."""
    relations = _relations(scope)
    entry = next((relation for relation in relations
                  if (storage is not None and relation.storage == storage)
                  or relation.name.lower() == table.lower()), None)
    if entry is None:
        raise DatabaseError(UNDEFINED_TABLE, f'missing FROM-clause entry for table "{table}"')
    hint = f'There is an entry for table "{entry.name}", but it cannot be referenced from this part ' \
           "of the query."
    if entry.aliased and entry.name.lower() != table.lower() and scope.relation(entry.name) is entry:
        hint = f'Perhaps you meant to reference the table alias "{entry.name}".'
    raise DatabaseError(UNDEFINED_TABLE, f'invalid reference to FROM-clause entry for table "{table}"',
                        hint=hint)
