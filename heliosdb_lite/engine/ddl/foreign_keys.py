"""FOREIGN KEY constraints added by ALTER TABLE, as triggers: SQLite cannot add a constraint to a
table that exists.

For `ALTER TABLE child ADD [CONSTRAINT name] FOREIGN KEY (cols) REFERENCES parent [(keys)]
[ON DELETE action] [ON UPDATE action]` (actions NO ACTION, RESTRICT, CASCADE, SET NULL; MATCH
SIMPLE: a row with a NULL in its key columns is not checked):
- the rows already there are checked first (23503 with PostgreSQL's message);
- BEFORE INSERT / UPDATE OF cols on the child refuse a key the parent lacks;
- on the parent, BEFORE DELETE / UPDATE OF keys refuse to orphan children (NO ACTION, RESTRICT),
  or AFTER them delete, re-key or null the children (CASCADE, SET NULL).
The triggers raise `FOREIGN KEY constraint failed: <name>` (child side) or `... <name> referenced
from <child>` (parent side), then ` detail [...]` with the key (`_failure`), which
`store.sqlite_errors` turns into PostgreSQL's 23503 message, DETAIL and fields. Their
names, `<child>_<name>_fk_<role>`, let DROP CONSTRAINT and DROP TABLE find them; the insert trigger
records the key for the catalog (`store.constraint_markers`). Replay applies
the changesets with triggers off (`replay.recovery`): a cascade's effects are in the changeset.
NO ACTION is checked at once, like RESTRICT (PostgreSQL checks it at the end of the statement).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.ddl.object_names import (
    cascade_notice,
    existing,
    fails_if_rows,
    refuse_dependents,
)
from heliosdb_lite.engine.ddl.tables import key_name, referenced_key
from heliosdb_lite.engine.ddl.taken_names import chosen_constraint_name
from heliosdb_lite.engine.sql.quoting import quote_name, string_literal
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.store.constraint_markers import FOREIGN_KEY, Recorded
from heliosdb_lite.engine.store.table_info import TableInfo
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import (
    FOREIGN_KEY_VIOLATION,
    UNDEFINED_COLUMN,
    UNDEFINED_TABLE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_ROLES = ("insert", "update", "parent_delete", "parent_update")
_ACTIONS = ("NO ACTION", "RESTRICT", "CASCADE", "SET NULL")


def trigger_names(child: str, name: str) -> list[str]:
    return [f"{child}_{name}_fk_{role}" for role in _ROLES]


def added(translator: Translator, child: str, info: TableInfo | None, name: str | None,
          definition: exp.ForeignKey, chosen: set[str]) -> list[str]:
    """The statements of ADD [CONSTRAINT name] FOREIGN KEY on table `child` (a storage name); unnamed,
    PostgreSQL's name past the schema's constraints and those the statement added before (`chosen`,
    which gets this one's)."""
    columns = [key_name(key) for key in definition.expressions]
    reference = definition.args["reference"]
    target = reference.this
    parent_table = target.this if isinstance(target, exp.Schema) else target
    parent = existing(translator, parent_table)
    parent_info = translator.catalog.table(parent)
    bare = schemas.split(child)[1]
    if parent_info is None:
        raise DatabaseError(UNDEFINED_TABLE, f'relation "{parent_table.name}" does not exist')
    for column in columns:
        if info is None or info.column(column) is None:
            raise DatabaseError(UNDEFINED_COLUMN,
                                f'column "{column}" referenced in foreign key constraint does not exist')
    named = [key.name for key in target.expressions] if isinstance(target, exp.Schema) else []
    keys = referenced_key(translator.catalog.connection, parent, parent_info, named, len(columns))
    schema = schemas.split(child)[0]
    name = name or chosen_constraint_name(translator, schema, bare, "_".join(columns), "fkey", chosen)
    chosen.add(name)
    on_delete, on_update = _actions(reference)
    marker = Recorded(FOREIGN_KEY, name, f"ON UPDATE {on_update} ON DELETE {on_delete}", tuple(columns),
                      parent, tuple(keys)).marker()
    pairs = list(zip(columns, keys, strict=True))
    orphan = f"NOT EXISTS (SELECT 1 FROM {quote_name(parent)} AS p WHERE " \
             f"{' AND '.join(f'p.{quote_name(k)} = NEW.{quote_name(c)}' for c, k in pairs)})"
    keyed = " AND ".join(f"NEW.{quote_name(c)} IS NOT NULL" for c in columns)
    missing = _failure(f"FOREIGN KEY constraint failed: {name}", child, "NEW",
                       [(c, found.type if info and (found := info.column(c)) else None) for c in columns],
                       f') is not present in table "{schemas.split(parent)[1]}".')
    child_failed = f"SELECT RAISE(ABORT, {missing})"
    insert, update, parent_delete, parent_update = (quote_name(trigger)
                                                    for trigger in trigger_names(child, name))
    column_list = ", ".join(map(quote_name, columns))
    existing_rows = f"SELECT 1 FROM {quote_name(child)} AS c WHERE " \
                    f"{' AND '.join(f'c.{quote_name(c)} IS NOT NULL' for c in columns)} AND NOT EXISTS " \
                    f"(SELECT 1 FROM {quote_name(parent)} AS p WHERE " \
                    f"{' AND '.join(f'p.{quote_name(k)} = c.{quote_name(c)}' for c, k in pairs)})"
    return [
        fails_if_rows(existing_rows, FOREIGN_KEY_VIOLATION,
                      f'insert or update on table "{bare}" violates foreign key constraint "{name}"'),
        f"CREATE TRIGGER {insert} BEFORE INSERT ON {quote_name(child)} WHEN {keyed} {marker} AND {orphan} "
        f"BEGIN {child_failed}; END",
        f"CREATE TRIGGER {update} BEFORE UPDATE OF {column_list} ON {quote_name(child)} "
        f"WHEN {keyed} AND {orphan} "
        f"BEGIN {child_failed}; END",
        _parent_trigger(parent_delete, "DELETE", on_delete, child, parent, pairs, name, parent_info),
        _parent_trigger(parent_update, f"UPDATE OF {', '.join(map(quote_name, keys))}", on_update, child,
                        parent, pairs, name, parent_info),
    ]


def _failure(message: str, child: str, row: str, key: list[tuple[str, t.PgType | None]], after: str) -> str:
    """RAISE's message: `message`, ` detail ` and a JSON array `store.sqlite_errors` writes the
    DETAIL from: the referencing table's schema, the text before the key's values and after them,
    then each value's type OID and SQLite's quote() of it (a column of `row`, NEW or OLD)."""
    values = ", ".join(f"{(pg_type or t.TEXT_TYPE).oid}, quote({row}.{quote_name(column)})"
                       for column, pg_type in key)
    before = f"Key ({', '.join(column for column, _ in key)})=("
    texts = ", ".join(string_literal(text) for text in (schemas.split(child)[0], before, after))
    return f"{string_literal(f'{message} detail ')} || json_array({texts}, {values})"


def _parent_trigger(trigger: str, event: str, action: str, child: str, parent: str,
                    pairs: list[tuple[str, str]], name: str, parent_info: TableInfo) -> str:
    children = " AND ".join(f"{quote_name(c)} = OLD.{quote_name(k)}" for c, k in pairs)
    changed = " OR ".join(f"OLD.{quote_name(k)} IS NOT NEW.{quote_name(k)}" for _, k in pairs)
    if action in ("NO ACTION", "RESTRICT"):
        bare = schemas.split(child)[1]
        key = [(k, found.type if (found := parent_info.column(k)) else None) for _, k in pairs]
        message = _failure(f"FOREIGN KEY constraint failed: {name} referenced from {bare}", child, "OLD", key,
                           f') is still referenced from table "{bare}".')
        condition = f"EXISTS (SELECT 1 FROM {quote_name(child)} WHERE {children})"
        when = condition if event == "DELETE" else f"({changed}) AND {condition}"
        return f"CREATE TRIGGER {trigger} BEFORE {event} ON {quote_name(parent)} WHEN {when} " \
               f"BEGIN SELECT RAISE(ABORT, {message}); END"
    when = "" if event == "DELETE" else f" WHEN {changed}"
    if action == "CASCADE" and event == "DELETE":
        body = f"DELETE FROM {quote_name(child)} WHERE {children}"
    elif action == "CASCADE":
        assignments = ", ".join(f"{quote_name(c)} = NEW.{quote_name(k)}" for c, k in pairs)
        body = f"UPDATE {quote_name(child)} SET {assignments} WHERE {children}"
    else:
        nulls = ", ".join(f"{quote_name(c)} = NULL" for c, _ in pairs)
        body = f"UPDATE {quote_name(child)} SET {nulls} WHERE {children}"
    return f"CREATE TRIGGER {trigger} AFTER {event} ON {quote_name(parent)}{when} BEGIN {body}; END"


def _actions(reference: exp.Reference) -> tuple[str, str]:
    """(ON DELETE, ON UPDATE) actions, NO ACTION when not given."""
    found = {"DELETE": "NO ACTION", "UPDATE": "NO ACTION"}
    for option in reference.args.get("options") or []:
        words = str(option).upper().split()
        if words[:1] == ["MATCH"]:
            if words[1:] != ["SIMPLE"]:
                raise unsupported(f"foreign key {' '.join(words)}")
            continue
        if words[:1] != ["ON"]:  # DEFERRABLE, INITIALLY ...: these keys are triggers, checked at once
            if words in (["NOT", "DEFERRABLE"], ["INITIALLY", "IMMEDIATE"]):
                continue
            raise unsupported(f"{' '.join(words)} on a foreign key added by ALTER TABLE")
        event, action = words[1], " ".join(words[2:])
        if action not in _ACTIONS:
            raise unsupported(f"foreign key ON {event} {action}")
        found[event] = action
    return found["DELETE"], found["UPDATE"]


def dropped_with(translator: Translator, table: str, cascade: bool) -> list[str]:
    """DROP TRIGGER statements for the foreign keys added by ALTER TABLE that a DROP TABLE of `table`
    would break: those referencing it from other tables (2BP01 unless CASCADE, which drops them with
    a notice) and the parent-side triggers of its own."""
    triggers: list[tuple[str, str, str]] = list(translator.catalog.connection.execute(
        "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%\\_fk\\_%' "
        "ESCAPE '\\'"))
    statements = []
    referencing: dict[str, str] = {}  # constraint name -> referencing table
    for trigger, on_table, sql in triggers:
        if on_table == table or quote_name(table) not in (sql or ""):
            continue
        if trigger.startswith(f"{table}_") and trigger.endswith(("_fk_parent_delete", "_fk_parent_update")):
            statements.append(f"DROP TRIGGER {quote_name(trigger)}")
        elif trigger.startswith(f"{on_table}_") and trigger.endswith(("_fk_insert", "_fk_update")):
            referencing[trigger[len(on_table) + 1:trigger.rindex("_fk_")]] = on_table
            statements.append(f"DROP TRIGGER {quote_name(trigger)}")
    described = [f"constraint {name} on table {schemas.split(child)[1]}"
                 for name, child in referencing.items()]
    if not cascade:
        refuse_dependents(f"table {schemas.split(table)[1]}", described)
    cascade_notice(translator, described)
    return statements
