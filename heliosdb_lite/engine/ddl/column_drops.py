"""DROP COLUMN's dependents, and the DROP COLUMN SQLite cannot do in place.

PostgreSQL drops with a column the constraints and indexes over it (its primary key, a UNIQUE
constraint or index, a CHECK constraint, a foreign key of its table), keeping the NOT NULL of the
other key columns; what other objects build on the column is 2BP01 (`cannot drop column c of table
t because other objects depend on it`) unless CASCADE drops it too, with its notice: a view reading
the column, a foreign key of another table referencing it.

SQLite's ALTER TABLE DROP COLUMN refuses a column of the primary key or of a UNIQUE constraint, one a
CHECK constraint of another column, a table constraint or a trigger uses, and one with a foreign
key. Such a column is dropped by rebuilding the table (`table_rebuild`, as ALTER COLUMN TYPE does)
under its CREATE TABLE without the column and without the constraints over it, in the statement's
transaction; the tables whose SQLite foreign keys reference it are rebuilt with it, without the
foreign keys CASCADE drops. Foreign keys added by ALTER TABLE (triggers, `foreign_keys`) go by
dropping their triggers.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

import apsw

from heliosdb_lite.engine.ddl import column_types, foreign_keys, table_rebuild
from heliosdb_lite.engine.ddl.object_names import cascade_notice, refuse_dependents
from heliosdb_lite.engine.ddl.table_rebuild import Column, expression_uses, mentions
from heliosdb_lite.engine.sql.quoting import quote_name, string_literal
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.store.conventions import NO_COLUMNS, VIEW_COLUMNS_TABLE
from heliosdb_lite.engine.translate.result import unsupported

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_FOREIGN_KEY = re.compile(r'^(?:CONSTRAINT\s+(?:"(?:[^"]|"")*"|\S+)\s+)?FOREIGN\s+KEY\s*\(([^)]*)\)\s*'
                          r'REFERENCES\s+("(?:[^"]|"")*"|[^\s(]+)', re.IGNORECASE)
_REFERENCES = re.compile(r'^(?:CONSTRAINT\s+(?:"(?:[^"]|"")*"|\S+)\s+)?REFERENCES\s+("(?:[^"]|"")*"|[^\s(]+)',
                         re.IGNORECASE)
_CHECK = re.compile(r"^(?:CONSTRAINT\s+(?:\"(?:[^\"]|\"\")*\"|\S+)\s+)?CHECK\b", re.IGNORECASE)


def _lowered(columns: list[str]) -> set[str]:
    return {column.lower() for column in columns}


def dependents_dropped(translator: Translator, table: str, column: str, cascade: bool,
                       dropping: Collection[str]) -> list[str]:
    """2BP01 for the generated columns (not `dropping` too) and views using the column and the
    foreign keys of other tables referencing it, unless `cascade`: then the statements dropping the
    views and the foreign keys added by ALTER TABLE (SQLite's own go in the rebuild,
    `rebuilt_without`), with PostgreSQL's notice."""
    connection = translator.catalog.connection
    bare = schemas.split(table)[1]
    views = _views_reading(connection, table, column)
    keys = dict.fromkeys((name, child) for name, child, _, parent, key
                         in column_types.foreign_keys_of(connection, table)
                         if parent == table and (key or "").lower() == column.lower())
    generated = [name for name in _generated_from(connection, table, column)
                 if name.lower() not in _lowered(list(dropping))]
    if generated and cascade:
        raise unsupported(f"DROP COLUMN ... CASCADE of column {column}, which generated column "
                          f"{generated[0]} uses")
    dropped = f"column {column} of table {bare}"
    described = [f"column {name} of table {bare}" for name in generated] \
        + [f"constraint {name} on table {schemas.split(child)[1]}" for name, child in keys] \
        + [f"view {schemas.split(view)[1]}" for view, _ in views]
    if not cascade:
        over_views = [f"view {schemas.split(view)[1]} depends on "
                      f"{f'view {schemas.split(over)[1]}' if over else dropped}" for view, over in views]
        others = [f"{what} depends on {dropped}" for what in described[:len(described) - len(views)]]
        refuse_dependents(dropped, described, others + over_views)
    cascade_notice(translator, described)
    statements: list[str] = []
    for view, _ in reversed(views):
        statements += [f"DROP VIEW IF EXISTS {quote_name(view)}",
                       *([f"DELETE FROM {VIEW_COLUMNS_TABLE} WHERE view = {string_literal(view)}"]
                         if connection.table_exists("main", VIEW_COLUMNS_TABLE) else [])]
    for name, child in keys:
        statements += [f"DROP TRIGGER IF EXISTS {quote_name(trigger)}"
                       for trigger in foreign_keys.trigger_names(child, name)]
    return statements


def _created_sql(connection: apsw.Connection, table: str) -> str:
    """The CREATE TABLE of a table, temporary or not."""
    rows: list[tuple[str]] = list(connection.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1 UNION ALL "
        "SELECT sql FROM sqlite_temp_schema WHERE type = 'table' AND name = ?1", (table,)))
    return rows[0][0]


def _generated_from(connection: apsw.Connection, table: str, column: str) -> list[str]:
    """The generated columns of the table computed from the column."""
    _, definitions = table_rebuild.column_definitions(_created_sql(connection, table))
    return [parsed.name for parsed in map(Column.parse, definitions)
            if parsed is not None and parsed.name.lower() != column.lower()
            and any(clause.upper().startswith("GENERATED") and expression_uses(clause, {column.lower()})
                    for clause in parsed.clauses)]


def _views_reading(connection: apsw.Connection, table: str, column: str) -> list[tuple[str, str | None]]:
    """The views reading the column (through other views too), and the views over those, in the
    order they were created, each with the view it was found over (None: reading the column)."""
    views: list[tuple[str, str]] = list(connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY rowid"))
    found: dict[str, str | None] = {
        view: None for view, sql in views
        if mentions(sql, schemas.split(table)[1]) and column_types.reads_column(connection, view, sql, table,
                                                                                column)}
    over = list(found)
    for dropped in over:
        for view, sql in views:
            if view not in found and mentions(sql, schemas.split(dropped)[1]):
                found[view] = dropped
                over.append(view)
    order = [view for view, _ in views]
    return sorted(found.items(), key=lambda item: order.index(item[0]))


def needs_rebuild(connection: apsw.Connection, table: str, columns: list[str]) -> bool:
    """Whether SQLite refuses to drop one of the columns in place (the module docstring)."""
    dropped = _lowered(columns)
    keyed: list[tuple[str]] = list(connection.execute(
        "SELECT i.name FROM pragma_index_list(?1) l, pragma_index_info(l.name) i WHERE l.origin <> 'c' "
        "UNION ALL SELECT name FROM pragma_table_info(?1) WHERE pk UNION ALL "
        "SELECT \"from\" FROM pragma_foreign_key_list(?1)", (table,)))
    if dropped & {name.lower() for (name,) in keyed if name}:
        return True
    _, definitions = table_rebuild.column_definitions(_created_sql(connection, table))
    for definition in definitions:
        column = Column.parse(definition)
        if column is None or column.name.lower() not in dropped:
            if any(mentions(definition, name) for name in dropped):
                return True
        elif any(_REFERENCES.match(clause) for clause in column.clauses):
            return True
    # besides the NOT NULL triggers and the indexes on the columns themselves, which go in place
    others: list[tuple[str]] = list(connection.execute(
        "SELECT sql FROM sqlite_schema s WHERE tbl_name = ?1 AND sql IS NOT NULL AND (type = 'trigger' "
        "AND sql NOT LIKE '%NOT NULL constraint failed: %' OR type = 'index' AND NOT EXISTS (SELECT 1 "
        f"FROM pragma_index_info(s.name) i WHERE lower(i.name) IN ({', '.join('?' * len(dropped))})))",
        (table, *dropped)))
    return any(mentions(sql, name) for (sql,) in others for name in dropped)


def rebuilt_without(connection: apsw.Connection, table: str, columns: list[str], cascade: bool) -> list[str]:
    """The statements rebuilding the table without the columns, the constraints over them and the
    indexes and triggers using them; with `cascade`, the tables whose SQLite foreign keys reference
    them (itself too) rebuilt without those keys."""
    table_rebuild.refuse_unrebuildable(connection, table, "DROP COLUMN")
    dropped = _lowered(columns)
    head, definitions = table_rebuild.column_definitions(table_rebuild.created_sql(connection, table))
    kept = [_without(definition, dropped) for definition in definitions]
    remaining = [definition for definition in kept if definition is not None]
    if not any(Column.parse(definition) for definition in remaining):  # its last columns
        remaining.insert(0, quote_name(NO_COLUMNS))
    others = {table: table_rebuild.create_table_sql(head, remaining)}
    if cascade:
        for _, child, column, parent, key in column_types.foreign_keys_of(connection, table):
            if parent == table and (key or "").lower() in dropped:
                others[child] = _without_reference(connection, others, child, column, table)
    return table_rebuild.rebuilt(connection, table, others.pop(table), {}, {}, dropped=dropped, others=others)


def _without(definition: str, dropped: set[str]) -> str | None:
    """A definition of the CREATE TABLE with the dropped columns gone: None for one of them or for a
    table constraint over them (a foreign key's own columns only); another column without its CHECK
    constraints over them."""
    column = Column.parse(definition)
    if column is None:
        if _CHECK.match(definition):
            return None if expression_uses(definition, dropped) else definition
        key = _FOREIGN_KEY.match(definition)
        used = key.group(1) if key is not None else definition
        return None if any(mentions(used, name) for name in dropped) else definition
    if column.name.lower() in dropped:
        return None
    clauses = [clause for clause in column.clauses
               if not (_CHECK.match(clause) and expression_uses(clause, dropped))]
    if clauses == column.clauses:
        return definition
    return Column(column.name, column.declared, clauses).sql()


def _without_reference(connection: apsw.Connection, changed: dict[str, str], child: str, column: str,
                       parent: str) -> str:
    """The child's CREATE TABLE (as already changed) without its foreign key from `column` to
    `parent`."""
    head, definitions = table_rebuild.column_definitions(changed.get(child)
                                                         or table_rebuild.created_sql(connection, child))
    referenced = quote_name(parent).lower()
    kept = []
    for definition in definitions:
        parsed = Column.parse(definition)
        if parsed is None:
            key = _FOREIGN_KEY.match(definition)
            if key is not None and mentions(key.group(1), column) and key.group(2).lower() == referenced:
                continue
        elif parsed.name.lower() == column.lower():
            clauses = [clause for clause in parsed.clauses
                       if not ((match := _REFERENCES.match(clause)) and match.group(1).lower() == referenced)]
            definition = Column(parsed.name, parsed.declared, clauses).sql()
        kept.append(definition)
    return table_rebuild.create_table_sql(head, kept)
