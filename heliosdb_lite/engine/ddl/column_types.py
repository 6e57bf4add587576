"""ALTER TABLE ... ALTER [COLUMN] c [SET DATA] TYPE type [COLLATE ...] [USING expr], as PostgreSQL.

Every ALTER COLUMN TYPE of one ALTER TABLE is done by one rebuild of the table
(`table_rebuild`), before its other actions (PostgreSQL also changes types before it adds columns
or constraints). A column's values become the new type by the assignment cast, or by the USING
expression (over the row's columns) followed by the assignment cast, so a value that does not
convert fails the statement with PostgreSQL's error (22P02, 22003, 22001 for a string too long)
and nothing is changed; numeric(p,s) rounds as PostgreSQL. The column's default is converted by
the assignment cast too (42804 when there is none), its NOT NULL, keys, unique indexes and foreign
keys stay, and the CHECK constraints and NOT NULL kept as triggers check the converted rows.

PostgreSQL's refusals are kept: 42804 for a type without an assignment cast (with its HINT), a
USING result or a default that cannot be assigned, or a foreign key between types that cannot be
compared; 0A000 for a column used by a view or by a generated column, for a subquery in USING,
a column altered twice. Refused here (0A000), since the store keeps them translated for the old
type: a CHECK constraint or index expression over the column when the new type is not of the
same family (integers, strings), a column of a domain or a change to one, the serial primary
key SQLite numbers itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import apsw
import apsw.ext
from sqlglot import exp

from heliosdb_lite.engine.ddl import table_rebuild
from heliosdb_lite.engine.ddl.table_rebuild import Column, mentions
from heliosdb_lite.engine.ddl.tables import range_check_name, storage_clauses
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.sql.quoting import quote_name, string_literal
from heliosdb_lite.engine.store import added_defaults, constraint_names, schemas, serial_sequences
from heliosdb_lite.engine.store.sequences import SEQUENCES_TABLE
from heliosdb_lite.engine.store.table_info import ColumnInfo, TableInfo, object_kind
from heliosdb_lite.engine.translate import domain_values
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    DATATYPE_MISMATCH,
    FEATURE_NOT_SUPPORTED,
    GROUPING_ERROR,
    UNDEFINED_COLUMN,
    UNDEFINED_OBJECT,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_FAMILIES = ({t.TEXT, t.VARCHAR}, {t.INT2, t.INT4, t.INT8})
_INTEGERS = {t.INT2, t.INT4, t.INT8}
_CROSS_TYPE_FAMILIES = ({t.INT2, t.INT4, t.INT8}, {t.FLOAT4, t.FLOAT8})
_PLACEHOLDER = "_helios_converted_value"


def is_type_change(action: exp.Expr) -> bool:
    return isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None


def altered_types(translator: Translator, table: str, info: TableInfo | None,
                  actions: list[exp.AlterColumn]) -> list[str]:
    """The statements of the ALTER COLUMN TYPE actions of one ALTER TABLE."""
    assert info is not None
    connection = translator.catalog.connection
    if object_kind(connection, table) == "view":
        raise DatabaseError(WRONG_OBJECT_TYPE, "ALTER action ALTER COLUMN ... SET DATA TYPE cannot be "
                            f'performed on relation "{schemas.split(table)[1]}"',
                            detail="This operation is not supported for views.")
    table_rebuild.refuse_unrebuildable(connection, table)
    bare = schemas.split(table)[1]
    head, definitions = table_rebuild.column_definitions(table_rebuild.created_sql(connection, table))
    scope = Scope(relations=[Relation(bare, [(c.name, c.type) for c in info.columns])])
    selected: dict[str, str] = {}
    changed: dict[str, t.PgType] = {}
    before: list[str] = []  # run before the rebuild
    statements: list[str] = []  # after it
    for action in actions:
        column = _column(connection, table, info, action.this.name)
        earlier = changed.get(column.name.lower())
        if earlier is not None and earlier != column.type:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f'cannot alter type of column "{column.name}" twice')
        resolved = _target_type(translator, action.args["dtype"])
        target = changed[column.name.lower()] = resolved.pg_type
        source = column.type
        if source is None or (column.rowid_alias and target.oid not in _INTEGERS):
            kind = " to a type other than an integer, the serial primary key" if column.rowid_alias else ""
            raise unsupported(f"ALTER COLUMN TYPE of column {column.name}{kind}")
        selected[column.name] = _converted_values(translator, scope, column, action.args.get("using") or None,
                                                  target)
        _refuse_dependents(connection, table, definitions, column.name, source, target)
        position, defined = _definition(definitions, column.name)
        recorded = added_defaults.load(connection, table).get(column.name.lower())
        if column.rowid_alias and target != source:
            definitions[position] = _drawing_key(table, defined, resolved).sql()
            before += _sequence_from_rowid(table, column.name)
        elif not column.rowid_alias:
            definitions[position] = _new_definition(translator, bare, defined, source, resolved,
                                                    recorded is not None).sql()
        statements += _recorded_default(translator, table, column, target)
    _check_foreign_keys(connection, table, changed)
    create_sql = table_rebuild.create_table_sql(head, definitions)
    rebuilt = table_rebuild.rebuilt(connection, table, create_sql, selected, _unique_keys(bare, info))
    return [*before, *rebuilt, *statements]


def _unique_keys(bare: str, info: TableInfo) -> dict[str, tuple[str, ...]]:
    """The table's primary key and unique constraints and indexes, by PostgreSQL's names."""
    keys = {schemas.split(index)[1]: columns for columns, index in info.unique_indexes.items()}
    keys.update({f"{bare}_{'_'.join(columns)}_key": columns for columns in info.unique_keys})
    if info.primary_key:
        keys[f"{bare}_pkey"] = info.primary_key
    return keys


def _column(connection: apsw.Connection, table: str, info: TableInfo, name: str) -> ColumnInfo:
    """The column altered: one the catalog knows, or a generated column (which it leaves out)."""
    column = info.column(name)
    if column is not None:
        return column
    generated: list[tuple[str, str | None]] = list(connection.execute(
        "SELECT name, type FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3) AND lower(name) = lower(?)",
        (table, name)))
    if not generated:
        raise DatabaseError(UNDEFINED_COLUMN, f'column "{name}" of relation "{schemas.split(table)[1]}" '
                            "does not exist")
    return ColumnInfo(generated[0][0], t.type_from_declared(generated[0][1]), False, 0, None)


def _target_type(translator: Translator, data_type: exp.DataType) -> t.ResolvedType:
    resolved = translator.resolve_type(data_type)
    if resolved.serial:
        raise DatabaseError(UNDEFINED_OBJECT, f'type "{data_type.sql("postgres").lower()}" does not exist')
    if domain_values.domain_named(translator, data_type) is not None:
        raise unsupported("ALTER COLUMN TYPE to a domain")
    return resolved


def _definition(definitions: list[str], name: str) -> tuple[int, Column]:
    for position, definition in enumerate(definitions):
        column = Column.parse(definition)
        if column is not None and column.name.lower() == name.lower():
            return position, column
    raise unsupported(f"ALTER COLUMN TYPE of column {name}")


def _same_family(source: t.PgType, target: t.PgType) -> bool:
    """Whether expressions translated over a value of type source stay right over target."""
    return source.oid == target.oid or any({source.oid, target.oid} <= family for family in _FAMILIES)


def _refuse_dependents(connection: apsw.Connection, table: str, definitions: list[str], name: str,
                       source: t.PgType, target: t.PgType) -> None:
    """PostgreSQL's 0A000 for a column a view or a generated column uses; 0A000 for a CHECK or an
    index expression kept translated for the old type."""
    for definition in definitions:
        other = Column.parse(definition)
        if other is None or other.name.lower() == name.lower():
            continue
        if any(clause.upper().startswith("GENERATED") and mentions(clause, name)
               for clause in other.clauses):
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                "cannot alter type of a column used by a generated column",
                                detail=f'Column "{name}" is used by generated column "{other.name}".')
    views: list[tuple[str, str]] = list(connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'view'"))
    for view, sql in views:
        if mentions(sql, table) and reads_column(connection, view, sql, table, name):
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                "cannot alter type of a column used by a view or rule",
                                detail=f"rule _RETURN on view {schemas.split(view)[1]} depends on column "
                                       f'"{name}"')
    if _same_family(source, target):
        return
    stale = f"CONSTRAINT {quote_name(range_check_name(schemas.split(table)[1], name, source.oid))}".upper()
    checks = [clause for definition in definitions for clause in _check_clauses(definition)
              if not clause.upper().startswith(stale)]
    dependents: list[tuple[str, str]] = list(connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type IN ('trigger', 'index') AND tbl_name = ? "
        "AND sql IS NOT NULL", (table,)))
    checks += [sql for trigger, sql in dependents if "CHECK constraint failed" in sql]
    indexes = [sql.partition("(")[2] for _, sql in dependents if sql.upper().startswith(("CREATE INDEX",
                                                                                        "CREATE UNIQUE"))]
    if any(mentions(check, name) for check in checks):
        raise unsupported(f"ALTER COLUMN TYPE of column {name} to another kind of type while a CHECK "
                          "constraint uses it")
    if any(mentions(index, name) and "(" in index for index in indexes):
        raise unsupported(f"ALTER COLUMN TYPE of column {name} to another kind of type while an index "
                          "expression uses it")


def reads_column(connection: apsw.Connection, view: str, sql: str, table: str, column: str) -> bool:
    """Whether a view reads the table's column: the columns SQLite's authorizer reports read when
    the view is prepared (through the views it reads too); by name if it cannot be prepared."""
    try:
        info = apsw.ext.query_info(connection, f"SELECT * FROM {quote_name(view)}", actions=True)
    except apsw.Error:
        return mentions(sql, column) or "*" in sql
    return any(action.action_name == "SQLITE_READ" and action.table_name == table
               and (action.column_name or "").lower() == column.lower() for action in info.actions or [])


def _check_clauses(definition: str) -> list[str]:
    column = Column.parse(definition)
    if column is None:
        return [definition] if re.match(r"(CONSTRAINT\s+\S+\s+)?CHECK\b", definition, re.IGNORECASE) else []
    return [clause for clause in column.clauses if re.search(r"\bCHECK\s*\(", clause, re.IGNORECASE)]


def _converted_values(translator: Translator, scope: Scope, column: ColumnInfo, using: exp.Expr | None,
                      target: t.PgType) -> str:
    """The SQLite expression of the column's new values over the old row: the assignment cast of the
    column, or of the USING expression."""
    assert column.type is not None
    if using is None:
        if not cast_contexts.can_coerce(column.type, target, cast_contexts.Context.ASSIGNMENT):
            written = f"{column.name}::{format_type(target.oid, target.typmod)}"
            raise DatabaseError(DATATYPE_MISMATCH, f'column "{column.name}" cannot be cast automatically to '
                                f"type {format_type(target.oid, -1)}",
                                hint=f'You might need to specify "USING {written}".')
        value, source = translator.expr(exp.column(column.name, quoted=True), scope)
        return render(translator.assigned(value, source, target))
    if any(using.find_all(exp.Subquery, exp.Exists)) or isinstance(using, exp.Select):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "cannot use subquery in transform expression")
    if any(using.find_all(exp.AggFunc)):
        raise DatabaseError(GROUPING_ERROR, "aggregate functions are not allowed in transform expressions")
    value, source = translator.expr(using, scope)
    if not cast_contexts.can_coerce(source, target, cast_contexts.Context.ASSIGNMENT):
        raise DatabaseError(DATATYPE_MISMATCH, f'result of USING clause for column "{column.name}" cannot be '
                            f"cast automatically to type {format_type(target.oid, -1)}",
                            hint="You might need to add an explicit cast.")
    return render(translator.assigned(value, source, target))


def converted_sql(translator: Translator, sql: str, source: t.PgType, target: t.PgType) -> str:
    """SQLite SQL of a value of type source (a default, a generation expression) assigned to type
    target; the SQL as it was when the assignment changes nothing."""
    placeholder = exp.column(_PLACEHOLDER)
    rendered = render(translator.assigned(placeholder, source, target))
    if rendered == render(placeholder):
        return sql
    return rendered.replace(render(placeholder), f"({sql})")


def _new_definition(translator: Translator, bare: str, column: Column, source: t.PgType,
                    resolved: t.ResolvedType, recorded_default: bool) -> Column:
    """The column's definition with the new type: its declared type and storage clauses (range
    check, collation) those of the new type, its default and generation expression converted (a
    DEFAULT clause a default recorded by ALTER TABLE overrides goes)."""
    target = resolved.pg_type
    stale = {f"CONSTRAINT {quote_name(range_check_name(bare, column.name, source.oid))}".upper()}
    clauses = []
    for clause in column.clauses:
        upper = clause.upper()
        if upper.startswith("COLLATE") or any(upper.startswith(prefix) for prefix in stale):
            continue
        if re.match(r"CHECK\s*\(.*\bIS\s+" + re.escape(quote_name(column.name)) + r"\s*\)$", clause,
                    re.IGNORECASE | re.DOTALL):
            raise unsupported(f"ALTER COLUMN TYPE of column {column.name}, of a domain")
        if upper.startswith("DEFAULT") and recorded_default:
            continue
        if upper.startswith("DEFAULT"):
            clause = f"DEFAULT ({_default(translator, column.name, clause, source, target)})"
        elif upper.startswith("GENERATED"):
            clause = _generated(translator, clause, source, target)
        clauses.append(clause)
    return Column(column.name, resolved.declared, [*clauses, *storage_clauses(bare, column.name, target)])


def _drawing_key(table: str, column: Column, resolved: t.ResolvedType) -> Column:
    """The serial (or identity) primary key SQLite numbers itself (`integer PRIMARY KEY
    AUTOINCREMENT`) as a key of another integer type: drawing from its sequence, as CREATE TABLE
    makes a bigserial key (the identity marker kept)."""
    marker = re.search(r"/\*.*?\*/", " ".join(column.clauses))
    sequence = serial_sequences.sequence_name(table, column.name)
    default = f"{serial_sequences.drawing_default(sequence, fn.NEXTVAL)} {marker.group(0) if marker else ''}"
    clauses = ["PRIMARY KEY", "NOT NULL", f"DEFAULT ({default.rstrip()})",
               *storage_clauses(schemas.split(table)[1], column.name, resolved.pg_type)]
    return Column(column.name, resolved.declared, clauses)


def _sequence_from_rowid(table: str, column: str) -> list[str]:
    """The key's sequence continues from SQLite's AUTOINCREMENT high-water mark (statements run
    before the rebuild, which drops the mark)."""
    sequence = string_literal(serial_sequences.sequence_name(table, column))
    return [f"INSERT OR REPLACE INTO {SEQUENCES_TABLE} (name, value, is_called) SELECT {sequence}, seq, 1 "
            f"FROM {table_rebuild.AUTOINCREMENT_TABLE} WHERE name = {string_literal(table)}"]


def _default(translator: Translator, name: str, clause: str, source: t.PgType, target: t.PgType) -> str:
    """A DEFAULT clause's expression converted to the new type; 42804 when it cannot be assigned."""
    body = clause[len("DEFAULT"):].strip()
    if not cast_contexts.can_coerce(source, target, cast_contexts.Context.ASSIGNMENT):
        raise DatabaseError(DATATYPE_MISMATCH, f'default for column "{name}" cannot be cast automatically to '
                            f"type {format_type(target.oid, -1)}")
    expression = body[1:-1] if body.startswith("(") else body
    if serial_sequences.drawn_sequence(re.sub(r"\s*/\*.*?\*/", "", expression), whole=True) is not None:
        return expression  # a serial's nextval (the integer range check refuses what does not fit)
    return converted_sql(translator, expression, source, target)


def _generated(translator: Translator, clause: str, source: t.PgType, target: t.PgType) -> str:
    match = re.match(r"(GENERATED\s+ALWAYS\s+AS\s*)\((.*)\)(\s*STORED|\s*VIRTUAL)?$", clause,
                     re.IGNORECASE | re.DOTALL)
    if match is None:
        raise unsupported("ALTER COLUMN TYPE of this generated column")
    converted = converted_sql(translator, match.group(2), source, target)
    return f"{match.group(1)}({converted}){match.group(3) or ''}"


def _recorded_default(translator: Translator, table: str, column: ColumnInfo, target: t.PgType) -> list[str]:
    """A default ALTER TABLE recorded (`added_defaults`) converted to the new type."""
    recorded = added_defaults.load(translator.catalog.connection, table).get(column.name.lower())
    if recorded is None or recorded == added_defaults.NO_DEFAULT:
        return []
    assert column.type is not None
    if not cast_contexts.can_coerce(column.type, target, cast_contexts.Context.ASSIGNMENT):
        raise DatabaseError(DATATYPE_MISMATCH, f'default for column "{column.name}" cannot be cast '
                            f"automatically to type {format_type(target.oid, -1)}")
    converted = converted_sql(translator, recorded, column.type, target)
    return [added_defaults.recorded(table, column.name, converted)]


# the insert trigger of a key ALTER TABLE added (`foreign_keys`): its parent, pairs and name (its message
# then ends, or goes on with ` detail ` and the key)
_TRIGGER_KEY = re.compile(r'FROM ("(?:[^"]|"")*") AS p WHERE (.*?)\) BEGIN .*constraint failed: (.*?)'
                          r"(?:'\)| detail ' \|\|)", re.DOTALL)
_TRIGGER_PAIR = re.compile(r'p\.("(?:[^"]|"")*") = NEW\.("(?:[^"]|"")*")')


def foreign_keys_of(connection: apsw.Connection, table: str) -> list[tuple[str, str, str, str, str | None]]:
    """(name, child, column, parent, key column) of the foreign keys from or to `table`: SQLite's own
    (named as PostgreSQL names them by default) and those ALTER TABLE added as triggers
    (`foreign_keys`), one row per column pair."""
    # no key given: the primary key's
    native: list[tuple[str, int, str, str, str | None]] = list(connection.execute(
        "SELECT s.name, f.id, f.\"from\", f.\"table\", coalesce(f.\"to\", (SELECT k.name "
        "FROM pragma_table_info(f.\"table\") k WHERE k.pk = f.seq + 1)) "
        "FROM sqlite_schema s, pragma_foreign_key_list(s.name) f "
        "WHERE s.type = 'table' AND (s.name = ?1 OR f.\"table\" = ?1) ORDER BY s.rowid, f.id, f.seq",
        (table,)))
    columns: dict[tuple[str, int], list[str]] = {}
    for child, key_id, column, _, _ in native:
        columns.setdefault((child, key_id), []).append(column)
    declared = {child: constraint_names.declared_foreign_keys(connection, child) for child, *_ in native}
    keys = [(declared[child].get(key_id) or f"{schemas.split(child)[1]}_{'_'.join(columns[child, key_id])}"
             "_fkey", child, column, parent, key) for child, key_id, column, parent, key in native]
    triggers: list[tuple[str, str]] = list(connection.execute(
        "SELECT tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%\\_fk\\_insert' "
        "ESCAPE '\\'"))
    for child, sql in triggers:
        found = _TRIGGER_KEY.search(sql or "")
        if found is None:
            continue
        parent = table_rebuild.unquoted(found.group(1))
        if table not in (child, parent):
            continue
        keys += [(found.group(3).replace("''", "'"), child, table_rebuild.unquoted(column), parent,
                  table_rebuild.unquoted(key)) for key, column in _TRIGGER_PAIR.findall(found.group(2))]
    return keys


def _check_foreign_keys(connection: apsw.Connection, table: str, changed: dict[str, t.PgType]) -> None:
    """42804 when a foreign key from or to a changed column would compare types of different
    categories (PostgreSQL finds no equality operator between them)."""
    for name, child, child_column, parent, parent_column in foreign_keys_of(connection, table):
        ends = [(child, child_column), (parent, parent_column or "")]
        if not any(owner == table and column.lower() in changed for owner, column in ends):
            continue
        child_type, parent_type = (changed.get(column.lower()) if owner == table and column.lower() in changed
                                   else _column_type(connection, owner, column) for owner, column in ends)
        if child_type is None or parent_type is None:
            continue
        if not _comparable_keys(child_type, parent_type):
            raise DatabaseError(DATATYPE_MISMATCH, f'foreign key constraint "{name}" cannot be implemented',
                                detail=f'Key columns "{child_column}" and "{parent_column}" are of '
                                       f"incompatible types: {format_type(child_type.oid, -1)} and "
                                       f"{format_type(parent_type.oid, -1)}.")


def _comparable_keys(child: t.PgType, parent: t.PgType) -> bool:
    """Whether PostgreSQL finds the equality a foreign key needs: the referencing type converts to
    the key's implicitly, or both are of an operator family with cross-type operators."""
    return cast_contexts.can_coerce(child, parent, cast_contexts.Context.IMPLICIT) \
        or any({child.oid, parent.oid} <= family for family in _CROSS_TYPE_FAMILIES)


def _column_type(connection: apsw.Connection, table: str, column: str) -> t.PgType | None:
    rows: list[tuple[str | None]] = list(connection.execute(
        "SELECT type FROM pragma_table_info(?) WHERE lower(name) = lower(?)", (table, column)))
    return t.type_from_declared(rows[0][0]) if rows else None
