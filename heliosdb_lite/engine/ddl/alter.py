"""ALTER TABLE, ALTER INDEX and ALTER VIEW, rendered for SQLite by hand.

SQLite alters little in place, so most actions are rebuilt from what it can do:
- ADD COLUMN with a default SQLite cannot keep (serial, identity, now(), nextval) and ALTER COLUMN
  SET/DROP DEFAULT record the default in `added_defaults` (INSERT and COPY fill it in);
- NOT NULL added later (ADD COLUMN ... NOT NULL, SET NOT NULL, ADD PRIMARY KEY) and CHECK
  constraints added later are triggers that RAISE SQLite's own constraint messages (so `store.sqlite_errors`
  reports 23502/23514), after the rows already there are checked with PostgreSQL's message;
- ADD FOREIGN KEY is triggers on both tables (`foreign_keys`);
- ADD PRIMARY KEY/UNIQUE is a unique index under the constraint's name; DROP CONSTRAINT drops such
  an index or such triggers;
- RENAME of an index or a view drops it and re-creates it from its SQL under the new name;
- ALTER COLUMN TYPE rebuilds the table (`column_types`, `table_rebuild`), and so does DROP COLUMN of a
  column of a key or a constraint (`column_drops`).
What SQLite cannot do faithfully (DROP of a constraint or NOT NULL declared in CREATE TABLE, SET
SCHEMA) is refused with 0A000.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import apsw
from sqlglot import exp

from heliosdb_lite.engine.ddl import column_drops, column_types, foreign_keys, sequences
from heliosdb_lite.engine.ddl.object_names import (
    NO_OP,
    existing,
    fails_if_rows,
    index_exists,
    object_kind,
    schema_version_bump,
)
from heliosdb_lite.engine.ddl.tables import TableBuilder, constraint_kinds, key_name
from heliosdb_lite.engine.ddl.taken_names import chosen_constraint_name, chosen_relation_name
from heliosdb_lite.engine.pg_catalog.check_texts import check_record, default_text, referenced_columns
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.sql.quoting import quote_name, string_literal
from heliosdb_lite.engine.store import added_defaults, schemas, serial_sequences
from heliosdb_lite.engine.store.constraint_markers import DEFAULT_TEXT, PRIMARY_KEY, UNIQUE, Recorded
from heliosdb_lite.engine.store.conventions import NO_COLUMNS, VIEW_COLUMNS_TABLE
from heliosdb_lite.engine.store.sequences import SEQUENCES_TABLE
from heliosdb_lite.engine.store.table_info import ColumnInfo, TableInfo
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import (
    CHECK_VIOLATION,
    DUPLICATE_COLUMN,
    DUPLICATE_TABLE,
    INVALID_TABLE_DEFINITION,
    NOT_NULL_VIOLATION,
    UNDEFINED_COLUMN,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator


def translate_alter(translator: Translator, node: exp.Alter) -> tuple[str, str]:
    """(SQLite SQL, command tag) for ALTER TABLE / INDEX / VIEW."""
    kind = (node.args.get("kind") or "").upper()
    if kind not in ("TABLE", "INDEX", "VIEW"):
        raise unsupported(f"ALTER {kind}")
    command = f"ALTER {kind}"
    found = index_exists(translator) if kind == "INDEX" else None
    target = existing(translator, node.this, found)
    exists = found or (lambda stored: translator.catalog.table(stored) is not None)
    if not exists(target):
        if node.args.get("exists"):
            translator.notice(f'relation "{node.this.name}" does not exist, skipping')
            return NO_OP, command
        raise DatabaseError(UNDEFINED_TABLE, f'relation "{_written(node.this)}" does not exist')
    if kind == "TABLE":
        return _alter_table(translator, target, node), command
    actions = node.args.get("actions") or []
    if len(actions) != 1 or not isinstance(actions[0], exp.AlterRename):
        raise unsupported(f"{command} other than RENAME TO")
    renamed = schemas.storage_name(schemas.split(target)[0], actions[0].this.name)
    if kind == "INDEX":
        return _renamed_index(translator.catalog.connection, target, renamed), command
    return _renamed_view(translator.catalog.connection, target, renamed), command


_UNNAMED_CHECK = re.compile(r"\badd\s+check\s*\(", re.IGNORECASE)
_UNNAMED = "_helios_unnamed_check"


def with_unnamed_check_named(sql: str) -> exp.Alter | None:
    """ALTER TABLE ... ADD CHECK (...) parsed, the parser needing a constraint name there (a
    placeholder that gets PostgreSQL's default name); None for any other statement."""
    if _UNNAMED_CHECK.search(sql) is None:
        return None
    tree = parsing.parse(_UNNAMED_CHECK.sub(f"ADD CONSTRAINT {_UNNAMED} CHECK (", sql))
    return tree if isinstance(tree, exp.Alter) else None


def _written(table: exp.Expr) -> str:
    """A name as the statement wrote it (with its schema, if qualified)."""
    db = table.args.get("db")
    return f"{db.name}.{table.name}" if db is not None else table.name


def _created_sql(connection: apsw.Connection, stored: str) -> str:
    rows: list[tuple[str]] = list(connection.execute("SELECT sql FROM sqlite_schema WHERE name = ?",
                                                     (stored,)))
    return rows[0][0]


_CREATED_NAME = re.compile(r'^(CREATE\s+(?:UNIQUE\s+)?(?:INDEX|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?)'
                           r'("(?:[^"]|"")*"|[^\s(]+)', re.IGNORECASE)


def _recreated(connection: apsw.Connection, kind: str, old: str, new: str) -> list[str]:
    sql = _CREATED_NAME.sub(lambda match: match.group(1) + quote_name(new), _created_sql(connection, old),
                            count=1)
    return [f"DROP {kind} {quote_name(old)}", sql]


def _free_name(connection: apsw.Connection, stored: str) -> None:
    if object_kind(connection, stored) is not None:
        raise DatabaseError(DUPLICATE_TABLE, f'relation "{schemas.split(stored)[1]}" already exists')


def _renamed_index(connection: apsw.Connection, old: str, new: str) -> str:
    _free_name(connection, new)
    return "; ".join(_recreated(connection, "INDEX", old, new))


def _renamed_view(connection: apsw.Connection, old: str, new: str) -> str:
    """A view re-created under its new name; refused while another view or trigger names it
    (SQLite would not follow the rename, PostgreSQL does)."""
    _free_name(connection, new)
    mention = re.compile(rf'(?<![\w"])(?:{re.escape(quote_name(old))}|{re.escape(old)})(?![\w"])',
                         re.IGNORECASE)
    others: list[tuple[str, str | None]] = list(connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type IN ('view', 'trigger') AND name <> ?", (old,)))
    users = [schemas.split(name)[1] for name, sql in others if mention.search(sql or "")]
    if users:
        raise unsupported(f"renaming view {schemas.split(old)[1]} while {users[0]} uses it")
    statements = _recreated(connection, "VIEW", old, new)
    if connection.table_exists("main", VIEW_COLUMNS_TABLE):
        statements.append(f"UPDATE {VIEW_COLUMNS_TABLE} SET view = {string_literal(new)} "
                          f"WHERE view = {string_literal(old)}")
    return "; ".join(statements)


def _alter_table(translator: Translator, table: str, node: exp.Alter) -> str:
    info = translator.catalog.table(table)
    actions = node.args.get("actions") or []
    # PostgreSQL changes column types before it adds columns or constraints: one rebuild for all
    changes = [action for action in actions if column_types.is_type_change(action)]
    statements = column_types.altered_types(translator, table, info, changes) if changes else []
    drops = [action for action in actions if _drops_column(action)]
    chosen: set[str] = set()  # the names of the constraints added so far, which their SQL has not made yet
    for action in actions:
        if column_types.is_type_change(action):
            continue
        if isinstance(action, exp.ColumnDef) and info is not None \
                and any(c.name == action.name for c in info.columns):
            message = f'column "{action.name}" of relation "{schemas.split(table)[1]}" already exists'
            if not action.args.get("exists"):
                raise DatabaseError(DUPLICATE_COLUMN, message)
            translator.notice(f"{message}, skipping")
        elif isinstance(action, exp.ColumnDef):
            kinds = constraint_kinds(action)
            # SQLite cannot add a NOT NULL column without a default: triggers refuse NULL instead,
            # and the rows already there fail them (23502) as PostgreSQL's would
            not_null = any(isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null")
                           for k in kinds)
            by_trigger = not_null and not any(isinstance(k, exp.DefaultColumnConstraint) for k in kinds)
            if by_trigger:
                action.set("constraints", [c for c in action.constraints
                                           if not isinstance(c.kind, exp.NotNullColumnConstraint)])
            builder = TableBuilder(translator, table, [action])
            builder.scope.relations[0].columns += [(c.name, c.type) for c in info.columns] if info else []
            default = builder.default_sql(action)
            if default is not None and not added_defaults.is_constant(default):
                statements += _added_column(builder, action, default)
                continue
            statements.append(f"ALTER TABLE {quote_name(table)} ADD COLUMN {builder.column_sql(action)}")
            if by_trigger:
                statements.append(_not_null_triggers(table, [action.name]))
        elif _drops_column(action):
            if action is drops[0]:
                statements += _dropped_columns(translator, table, actions, drops)
        elif isinstance(action, exp.RenameColumn):
            statements.append(f"ALTER TABLE {quote_name(table)} RENAME COLUMN {quote_name(action.this.name)} "
                              f"TO {quote_name(action.args['to'].name)}")
            statements.append(added_defaults.column_renamed(table, action.this.name, action.args["to"].name))
            statements += sequences.owner_renamed(translator, table, action.args["to"].name,
                                                     action.this.name)
        elif isinstance(action, exp.AddConstraint):
            statements += [_added_constraint(translator, table, info, definition, chosen)
                           for definition in action.expressions]
        elif isinstance(action, exp.AlterColumn) and _sets_not_null(action):
            statements.append(_not_null_triggers(table, [action.this.name]))
        elif isinstance(action, exp.AlterColumn) and _only(action, "drop", "allow_null"):
            statements += _dropped_not_null(translator, table, info, action.this.name)
        elif isinstance(action, exp.AlterColumn) and (_only(action, "default") or _only(action, "drop")):
            statements += _set_default(translator, table, info, action)
        elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "CONSTRAINT":
            statements += _dropped_constraint(translator, table, action)
        elif isinstance(action, exp.AlterRename):
            renamed = schemas.storage_name(schemas.split(table)[0], action.this.name)
            statements.append(f"ALTER TABLE {quote_name(table)} RENAME TO {quote_name(renamed)}")
            statements.append(added_defaults.table_renamed(table, renamed))
            statements += sequences.owner_renamed(translator, table, renamed)
        else:
            raise unsupported(f"ALTER TABLE action {action.sql('postgres')}")
    added = any(isinstance(action, exp.ColumnDef) for action in node.args.get("actions") or [])
    if info is not None and not info.columns and added:  # the stand-in column of no columns goes
        statements.append(f"ALTER TABLE {quote_name(table)} DROP COLUMN {quote_name(NO_COLUMNS)}")
    return "; ".join(statements)


def _drops_column(action: exp.Expr) -> bool:
    return isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN"


def _dropped_columns(translator: Translator, table: str, actions: list[exp.Expr],
                     drops: list[exp.Drop]) -> list[str]:
    """The DROP COLUMN actions of one ALTER TABLE, done together (`columns_dropped`); 0A000 when
    they rebuild the table and the statement has other actions (the rebuild is made from the table
    as it was)."""
    cascades: dict[str, bool] = {}
    for action in drops:
        named = [column.name for column in action.args.get("tables") or action.expressions or [action.this]]
        for column in _present_columns(translator, table, named, bool(action.args.get("exists"))):
            cascades[column] = bool(action.args.get("cascade"))
    if not cascades:
        return []
    if len(drops) < len(actions) and column_drops.needs_rebuild(translator.catalog.connection, table,
                                                                list(cascades)):
        raise unsupported("DROP COLUMN of a column of a key, a constraint or a foreign key together with "
                          "other actions in one ALTER TABLE")
    return columns_dropped(translator, table, cascades)


def columns_dropped(translator: Translator, table: str, cascades: dict[str, bool]) -> list[str]:
    """DROP COLUMN of these columns of a table: what depends on each (`column_drops`: 2BP01 unless
    its CASCADE, here True), then each column in place (`column_dropped`), or all by a rebuild of
    the table when SQLite cannot drop one in place; of its last ones, a stand-in column stays, which
    SQLite keeps for a table of no columns (PostgreSQL keeps none)."""
    connection = translator.catalog.connection
    info = translator.catalog.table(table)
    columns = list(cascades)
    statements = [statement for column, cascade in cascades.items() for statement
                  in column_drops.dependents_dropped(translator, table, column, cascade, columns)]
    if column_drops.needs_rebuild(connection, table, columns):
        for column in columns:
            statements += _indexes_dropped(translator, table, column)
        statements += column_drops.rebuilt_without(connection, table, columns, any(cascades.values()))
        for column in columns:
            statements += _column_records_dropped(translator, table, column)
        return statements
    if info is not None and info.columns and {column.name for column in info.columns} <= set(columns):
        statements.append(f"ALTER TABLE {quote_name(table)} ADD COLUMN {quote_name(NO_COLUMNS)}")
    for column in columns:
        statements += column_dropped(translator, table, column)
    return statements


def _present_columns(translator: Translator, table: str, columns: list[str], if_exists: bool) -> list[str]:
    """The columns of DROP COLUMN [IF EXISTS] the table has (generated ones too): PostgreSQL's 42703
    for one it lacks, or its notice with IF EXISTS."""
    names: set[str] = {name.lower() for (name,) in translator.catalog.connection.execute(
        "SELECT name FROM pragma_table_xinfo(?)", (table,))}
    present = []
    for column in columns:
        if column.lower() in names:
            present.append(column)
            continue
        message = f'column "{column}" of relation "{schemas.split(table)[1]}" does not exist'
        if not if_exists:
            raise DatabaseError(UNDEFINED_COLUMN, message)
        translator.notice(f"{message}, skipping")
    return present


def column_dropped(translator: Translator, table: str, column: str) -> list[str]:
    """DROP COLUMN in place: the column, its NOT NULL triggers, the indexes CREATE INDEX made on it,
    its recorded default and the sequences it owns."""
    return [*_not_null_triggers_dropped(translator, table, column),
            *_indexes_dropped(translator, table, column),
            f"ALTER TABLE {quote_name(table)} DROP COLUMN {quote_name(column)}",
            *_column_records_dropped(translator, table, column)]


def _column_records_dropped(translator: Translator, table: str, column: str) -> list[str]:
    """A dropped column's recorded default and the sequences it owns."""
    return [added_defaults.column_dropped(table, column),
            *sequences.owned_sequences_dropped(translator, table, column)]


def _added_column(builder: TableBuilder, column: exp.ColumnDef, default: str) -> list[str]:
    """ADD COLUMN with a default SQLite cannot keep: the column without it, the rows already there
    given the default one by one, the default recorded for INSERT (`added_defaults`), and NOT NULL
    (serial and identity columns too) kept by triggers."""
    table = quote_name(builder.table)
    statements = [f"ALTER TABLE {table} ADD COLUMN {builder.column_sql(column, with_default=False)}"]
    sequence = serial_sequences.drawn_sequence(default)
    if sequence is not None:  # the serial's sequence, as CREATE TABLE's serial columns have one
        statements.append(f"INSERT OR IGNORE INTO {SEQUENCES_TABLE} (name, value) "
                          f"VALUES ({string_literal(sequence)}, 0)")
    statements.append(f"UPDATE {table} SET {quote_name(column.name)} = {default}")
    statements.append(added_defaults.recorded(builder.table, column.name, default))
    resolved = builder.types[column.name.lower()]
    not_null = any(isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null")
                   for kind in constraint_kinds(column))
    if not_null or builder.drawn(column, resolved):
        statements.append(_not_null_triggers(builder.table, [column.name]))
    return statements


def _added_constraint(translator: Translator, table: str, info: TableInfo | None,
                      definition: exp.Expr, chosen: set[str]) -> str:
    """ALTER TABLE ... ADD [CONSTRAINT name] PRIMARY KEY|UNIQUE|CHECK|FOREIGN KEY: SQLite cannot add a
    key to a table, so it becomes a unique index under the constraint's name (plus NOT NULL triggers
    for a primary key), recorded as the key for the catalog (`constraint_markers`); a CHECK and a
    foreign key become triggers. Unnamed, they get PostgreSQL's names, past those of the constraints
    the statement added before (`chosen`, which gets this one's)."""
    name = None
    if isinstance(definition, exp.Constraint):
        name = definition.name
        definition = definition.expressions[0]
    if isinstance(definition, exp.PrimaryKey):
        if info is not None and info.primary_key:
            bare = schemas.split(table)[1]
            raise DatabaseError(INVALID_TABLE_DEFINITION,
                                f'multiple primary keys for table "{bare}" are not allowed')
        columns = [key_name(key) for key in definition.expressions]
        declared = {c.name for c in info.columns if c.not_null} if info is not None else set()
        nullable = [column for column in columns if column not in declared]
        schema, bare = schemas.split(table)
        index_name = schemas.storage_name(schema, name) if name \
            else chosen_relation_name(translator, schema, bare, None, "pkey", chosen)
        chosen.add(schemas.split(index_name)[1])
        index = f"CREATE UNIQUE INDEX {quote_name(index_name)} ON {quote_name(table)} " \
                f"({', '.join(map(quote_name, columns))}) {Recorded(PRIMARY_KEY).marker()}"
        return "; ".join([index, _not_null_triggers(table, nullable)] if nullable else [index])
    if isinstance(definition, exp.ForeignKey):
        return "; ".join(foreign_keys.added(translator, table, info, name, definition, chosen))
    if isinstance(definition, exp.CheckColumnConstraint):
        return _check_triggers(translator, table, info, None if name == _UNNAMED else name, definition.this,
                               chosen)
    if isinstance(definition, exp.UniqueColumnConstraint):
        keys = definition.this.expressions if isinstance(definition.this, exp.Schema) else []
        columns = [key_name(key) for key in keys]
        schema, bare = schemas.split(table)
        index_name = schemas.storage_name(schema, name) if name \
            else chosen_relation_name(translator, schema, bare, "_".join(columns), "key", chosen)
        chosen.add(schemas.split(index_name)[1])
        column_list = ", ".join(map(quote_name, columns))
        return f"CREATE UNIQUE INDEX {quote_name(index_name)} ON {quote_name(table)} ({column_list}) " \
               f"{Recorded(UNIQUE).marker()}"
    raise unsupported(f"ALTER TABLE ADD {definition.sql('postgres')}")


def _sets_not_null(action: exp.AlterColumn) -> bool:
    """ALTER COLUMN c SET NOT NULL and nothing else."""
    given = {key for key, value in action.args.items() if value is not None}
    return action.args.get("allow_null") is False and given == {"this", "allow_null"}


def _only(action: exp.AlterColumn, *keys: str) -> bool:
    """Whether the ALTER COLUMN action gives exactly these arguments (besides the column)."""
    given = {key for key, value in action.args.items() if value is not None and value is not False}
    return given == {"this", *keys}


def _indexes_dropped(translator: Translator, table: str, column: str) -> list[str]:
    """DROP INDEX for the indexes CREATE INDEX made on a column being dropped (PostgreSQL drops them
    with it; SQLite refuses to drop an indexed column)."""
    indexes: list[tuple[str]] = list(translator.catalog.connection.execute(
        "SELECT l.name FROM pragma_index_list(?1) l WHERE l.origin = 'c' AND EXISTS "
        "(SELECT 1 FROM pragma_index_info(l.name) i WHERE lower(i.name) = lower(?2))", (table, column)))
    return [f"DROP INDEX {quote_name(name)}" for (name,) in indexes]


def _not_null_triggers_dropped(translator: Translator, table: str, column: str) -> list[str]:
    """DROP TRIGGER for the NOT NULL triggers of a column being dropped (SQLite refuses to drop a
    column a trigger refers to; after RENAME COLUMN their names still carry the old name)."""
    check = f"WHEN NEW.{quote_name(column)} IS NULL".lower()
    triggers: list[tuple[str, str]] = list(translator.catalog.connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?", (table,)))
    return [f"DROP TRIGGER {quote_name(name)}" for name, sql in triggers if check in (sql or "").lower()]


def _not_null_triggers(table: str, columns: list[str]) -> str:
    """Triggers that refuse NULL in columns (SQLite cannot add NOT NULL to a column), and a no-op
    update that fires them on the rows already there."""
    statements = []
    for column in columns:
        failed = string_literal(f"NOT NULL constraint failed: {table}.{column}")
        check = f"WHEN NEW.{quote_name(column)} IS NULL BEGIN SELECT RAISE(ABORT, {failed}); END"
        for event in ("INSERT", f"UPDATE OF {quote_name(column)}"):
            trigger = quote_name(f"{table}_{column}_not_null_{event.split()[0].lower()}")
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {trigger} BEFORE {event} ON {quote_name(table)} "
                              f"{check}")
        rows_without = f"SELECT 1 FROM {quote_name(table)} WHERE {quote_name(column)} IS NULL"
        statements.append(fails_if_rows(rows_without,
                                         NOT_NULL_VIOLATION, f'column "{column}" of relation '
                                         f'"{schemas.split(table)[1]}" contains null values'))
    return "; ".join(statements)


def _set_default(translator: Translator, table: str, info: TableInfo | None,
                 action: exp.AlterColumn) -> list[str]:
    """ALTER COLUMN c SET DEFAULT expr / DROP DEFAULT: SQLite cannot change a default in place, so
    the new one is recorded in `added_defaults` (NULL for none), which INSERT and COPY fill in."""
    column = info.column(action.this.name) if info is not None else None
    if column is None:
        raise DatabaseError(UNDEFINED_COLUMN, f'column "{action.this.name}" of relation '
                            f'"{schemas.split(table)[1]}" does not exist')
    if column.rowid_alias:
        raise unsupported(f"changing the default of serial primary key {column.name}")
    default = added_defaults.NO_DEFAULT
    if not action.args.get("drop"):
        columns = [(c.name, c.type) for c in info.columns] if info is not None else []
        shown = default_text(action.args["default"], columns, translator.text)
        value, pg_type = translator.expr(action.args["default"], Scope())
        default = render(translator.assign(value, pg_type, column.type))
        if shown is not None:
            default = f"{default} {Recorded(DEFAULT_TEXT, definition=shown).marker()}"
    return [added_defaults.recorded(table, column.name, default),
            *schema_version_bump(added_defaults.TABLE, "expression")]


def _column(table: str, info: TableInfo | None, name: str) -> ColumnInfo:
    column = info.column(name) if info is not None else None
    if column is None:
        raise DatabaseError(UNDEFINED_COLUMN, f'column "{name}" of relation "{schemas.split(table)[1]}" '
                            "does not exist")
    return column


def _dropped_not_null(translator: Translator, table: str, info: TableInfo | None, name: str) -> list[str]:
    """ALTER COLUMN c DROP NOT NULL: drops the NOT NULL triggers; a NOT NULL declared in CREATE
    TABLE cannot be taken off a SQLite column (0A000), nor one of the primary key (42P16)."""
    column = _column(table, info, name)
    if column.primary_key_position or (info is not None and column.name in info.primary_key):
        raise DatabaseError(INVALID_TABLE_DEFINITION, f'column "{column.name}" is in a primary key')
    if column.not_null:
        raise unsupported(f"DROP NOT NULL of column {column.name}, declared NOT NULL in CREATE TABLE")
    return _not_null_triggers_dropped(translator, table, column.name)


def _check_trigger_names(table: str, constraint: str) -> list[str]:
    return [f"{table}_{constraint}_check_{event}" for event in ("insert", "update")]


def _check_triggers(translator: Translator, table: str, info: TableInfo | None, name: str | None,
                    condition: exp.Expr, chosen: set[str]) -> str:
    """ADD [CONSTRAINT name] CHECK (condition): triggers refusing rows that fail it with SQLite's own
    CHECK message (so errors_map reports 23514 and the name), fired once on the rows already there;
    the insert trigger records the constraint for the catalog (`constraint_markers`). Unnamed, it
    gets PostgreSQL's name (`TableBuilder.check_name`)."""
    columns = [(c.name, c.type) for c in info.columns] if info is not None else []
    used = referenced_columns(condition, columns)
    schema, bare = schemas.split(table)
    name = name or chosen_constraint_name(translator, schema, bare, used[0] if len(used) == 1 else None,
                                          "check", chosen)
    chosen.add(name)
    marker = check_record(name, condition, columns, translator.text).marker()
    translated, pg_type = translator.expr(condition, Scope(relations=[Relation("NEW", columns)]))
    translated = translator.coerce(translated, pg_type, t.BOOL_TYPE)
    rows_failing = f"SELECT 1 FROM {quote_name(table)} WHERE NOT ({render(translated)})"
    violated = fails_if_rows(rows_failing, CHECK_VIOLATION,
                              f'check constraint "{name}" of relation "{bare}" is violated by some row')
    for column in translated.find_all(exp.Column):
        column.set("table", exp.to_identifier("NEW"))
    failed = f"BEGIN SELECT RAISE(ABORT, {string_literal(f'CHECK constraint failed: {name}')}); END"
    insert, update = (quote_name(trigger) for trigger in _check_trigger_names(table, name))
    return "; ".join([violated, f"CREATE TRIGGER {insert} BEFORE INSERT ON {quote_name(table)} "
                                f"WHEN NOT ({render(translated)} {marker}) {failed}",
                      f"CREATE TRIGGER {update} BEFORE UPDATE ON {quote_name(table)} "
                      f"WHEN NOT ({render(translated)}) {failed}"])


def _dropped_constraint(translator: Translator, table: str, action: exp.Drop) -> list[str]:
    """DROP CONSTRAINT [IF EXISTS] name: a key added by ALTER TABLE (a unique index) or a CHECK added
    by ALTER TABLE (triggers); one declared in CREATE TABLE cannot be taken out of a SQLite table."""
    connection = translator.catalog.connection
    bare = schemas.split(table)[1]
    statements = []
    for constraint in action.args.get("tables") or action.expressions:
        name = constraint.name
        index = schemas.storage_name(schemas.split(table)[0], name)
        triggers = [trigger for trigger in [*_check_trigger_names(table, name),
                                            *foreign_keys.trigger_names(table, name)]
                    if object_kind(connection, trigger) is not None]
        if object_kind(connection, index) == "index":
            statements.append(f"DROP INDEX {quote_name(index)}")
        elif triggers:
            statements += [f"DROP TRIGGER {quote_name(trigger)}" for trigger in triggers]
        elif _declared(connection, translator.catalog.table(table), name):
            raise unsupported(f"DROP CONSTRAINT {name}, declared in CREATE TABLE")
        elif action.args.get("exists"):
            translator.notice(f'constraint "{name}" of relation "{bare}" does not exist, skipping')
        else:
            raise DatabaseError(UNDEFINED_OBJECT, f'constraint "{name}" of relation "{bare}" does not exist')
    return statements


def _declared(connection: apsw.Connection, info: TableInfo | None, name: str) -> bool:
    """Whether a constraint of this name was declared in the table's CREATE TABLE (named there, or
    one of the names PostgreSQL gives its keys, checks and foreign keys)."""
    if info is None:
        return False
    sql = _created_sql(connection, info.name) or ""
    bare = schemas.split(info.name)[1]
    if quote_name(name) in sql or (name == f"{bare}_pkey" and info.primary_key):
        return True
    if not name.startswith(f"{bare}_"):
        return False
    if name.endswith("_fkey"):
        return bool(connection.execute("SELECT 1 FROM pragma_foreign_key_list(?)", (info.name,)).fetchall())
    return name.endswith("_key") and bool(connection.execute(
        "SELECT 1 FROM pragma_index_list(?) WHERE origin = 'u'", (info.name,)).fetchall())
