"""Rebuilding a table of the store under a changed CREATE TABLE (ALTER COLUMN ... TYPE, DROP COLUMN).

SQLite cannot change a column's declared type in place. A table is rebuilt instead, and with it
every table whose FOREIGN KEY (SQLite's own, `PRAGMA foreign_keys` on) references it, directly or
through others: dropping a referenced table deletes its rows first, which would cascade into (or be
refused by) the tables referencing it, and the pragma that turns this off cannot run inside a
transaction. So, in the statement's own transaction:
1. each table's rows (converted, for the changed table) are copied into a holding table without
   constraints (`_helios_rebuild_<table>`), each with its rowid; the changed table's are checked
   there against its CHECK constraints and keys, with PostgreSQL's messages;
2. the tables are dropped, referencing ones first (nothing references a table when it goes);
3. they are created again (the changed CREATE TABLE, the others' as they were), referenced ones
   first, filled from the holding tables in rowid order, and the holding tables dropped;
4. their indexes and triggers, which went with them, are created again from their SQL; the
   AUTOINCREMENT high-water mark is kept (or dropped, when the changed table's key is no longer
   SQLite's rowid: `column_types` moved it to the key's sequence); the rows are checked against
   the NOT NULL and CHECK constraints kept as triggers (`alter`), with PostgreSQL's messages.
Views, and triggers of other tables, name the table and find it again. All of it is ordinary DDL
and row writes, so the journal carries it as any DDL: the holding tables' rows and the new tables'
rows in the changesets between the DDL statements.

The CREATE TABLE the store keeps is split here into its column definitions and their clauses
(`column_definitions`, `Column`), so a definition can be changed and the rest kept as it was.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import apsw
import sqlglot
import sqlglot.errors
from sqlglot import exp

from heliosdb_lite.engine.ddl.object_names import fails_if_rows
from heliosdb_lite.engine.sql.quoting import quote_name, string_literal
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.errors import CHECK_VIOLATION, NOT_NULL_VIOLATION, UNIQUE_VIOLATION

HOLD_PREFIX = "_helios_rebuild_"
_ROWID = "_helios_rowid"
AUTOINCREMENT_TABLE = "sqlite_sequence"

# the words that start a clause of a column definition (what follows the name and the type)
_CLAUSE_STARTS = {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "DEFAULT", "CHECK", "UNIQUE", "REFERENCES",
                  "GENERATED", "COLLATE", "AS"}
_AUTOINCREMENT = re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE)
_ROWID_ALIAS = re.compile(r'"\s+integer\s+PRIMARY\s+KEY\b', re.IGNORECASE)
_TRIGGER_CHECK = re.compile(r"\bBEFORE\s+INSERT\s+ON\s+.*?\bWHEN\s+(?P<condition>.*)\s+BEGIN\s+SELECT\s+"
                            r"RAISE\s*\(\s*ABORT\s*,\s*(?P<message>'(?:[^']|'')*')\s*\)\s*;\s*END\s*$",
                            re.IGNORECASE | re.DOTALL)


def _words(text: str) -> list[str]:
    """The top-level words of SQL text: a quoted name, a string, or a bare word with the
    parenthesised groups that follow it without a space (`varchar(10)`, `CHECK (...)` is two)."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        depth = 0
        while i < n and (depth or not text[i].isspace()):
            char = text[i]
            if char in "'\"":
                i = _closing_quote(text, i)
                continue
            if char == "/" and text.startswith("/*", i):
                end = text.find("*/", i + 2)
                i = n if end < 0 else end + 2
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            i += 1
        words.append(text[start:i])
    return words


def _closing_quote(text: str, start: int) -> int:
    """The index just past the quoted string or name starting at `start` (doubled quotes inside)."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == quote:
            if text.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    return i


def split_top_level(text: str) -> list[str]:
    """`text` split at its commas outside parentheses, strings and quoted names."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char in "'\"":
            i = _closing_quote(text, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    parts.append(text[start:].strip())
    return parts


def column_definitions(create_sql: str) -> tuple[str, list[str]]:
    """The head of a CREATE TABLE (up to its opening parenthesis) and its definitions (columns and
    table constraints)."""
    opening = create_sql.index("(")
    closing = create_sql.rindex(")")
    return create_sql[:opening + 1], split_top_level(create_sql[opening + 1:closing])


def create_table_sql(head: str, definitions: list[str]) -> str:
    return f"{head}{', '.join(definitions)})"


def unquoted(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


@dataclass
class Column:
    """One column definition of a stored CREATE TABLE: its name, declared type and clauses (each a
    constraint with its CONSTRAINT name, a DEFAULT, a COLLATE, ...)."""

    name: str
    declared: str
    clauses: list[str]

    @classmethod
    def parse(cls, definition: str) -> Column | None:
        """None for a table constraint."""
        words = _words(definition)
        if not words or not words[0].startswith('"'):
            return None
        index = 1
        while index < len(words) and words[index].upper() not in _CLAUSE_STARTS:
            index += 1
        clauses: list[list[str]] = []
        named = False  # the last clause is CONSTRAINT name, still waiting for its kind
        for word in words[index:]:
            starts = word.upper() in _CLAUSE_STARTS and word.upper() not in ("AS", "NULL")
            if starts and not named:
                clauses.append([word])
                named = word.upper() == "CONSTRAINT"
            else:
                clauses[-1].append(word)
                named = named and len(clauses[-1]) < 3
        return cls(unquoted(words[0]), " ".join(words[1:index]), [" ".join(clause) for clause in clauses])

    def sql(self) -> str:
        return " ".join([quote_name(self.name), self.declared, *self.clauses]).replace("  ", " ").strip()


def created_sql(connection: apsw.Connection, name: str) -> str:
    """The CREATE TABLE the store keeps for a table."""
    rows: list[tuple[str]] = list(connection.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (name,)))
    return rows[0][0]


def referencing(connection: apsw.Connection, table: str) -> list[str]:
    """The table and the tables whose foreign keys reference it, directly or through others, each
    after the tables it references among them; 0A000 for tables referencing each other in a cycle."""
    found = [table]
    for current in found:
        rows: list[tuple[str]] = list(connection.execute(
            "SELECT DISTINCT s.name FROM sqlite_schema s, pragma_foreign_key_list(s.name) f "
            "WHERE s.type = 'table' AND f.\"table\" = ?1 AND s.name <> ?1 ORDER BY s.rowid", (current,)))
        found += [name for (name,) in rows if name not in found]
    ordered: list[str] = []
    while len(ordered) < len(found):
        before = len(ordered)
        for name in found:
            parents = {parent for (parent,) in connection.execute(
                "SELECT \"table\" FROM pragma_foreign_key_list(?)", (name,))}
            if name not in ordered and not (parents & set(found)) - set(ordered) - {name}:
                ordered.append(name)
        if len(ordered) == before:
            raise unsupported(f"rebuilding table {schemas.split(table)[1]} while tables referencing it "
                              "reference each other")
    return ordered


def refuse_unrebuildable(connection: apsw.Connection, table: str, action: str = "ALTER COLUMN TYPE") -> None:
    """0A000 (naming the `action` rebuilding it) for a temporary table, and for tables a rebuild
    cannot drop: one whose foreign key references itself ON DELETE RESTRICT (dropping it deletes its
    rows one by one, and the first row referenced fails)."""
    if not connection.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
                              (table,)).fetchall():
        raise unsupported(f"{action} of a temporary table")
    for name in referencing(connection, table):
        if connection.execute("SELECT 1 FROM pragma_foreign_key_list(?1) WHERE \"table\" = ?1 "
                              "AND on_delete = 'RESTRICT'", (name,)).fetchall():
            raise unsupported(f"{action} of table {schemas.split(table)[1]} while the foreign key "
                              f"of {schemas.split(name)[1]} references its own table ON DELETE RESTRICT")


def _stored_columns(connection: apsw.Connection, table: str,
                    dropped: Collection[str] = ()) -> tuple[list[str], bool]:
    """The table's columns that hold values (generated ones are computed again; `dropped` ones, in
    lower case, left out), and whether its integer primary key is SQLite's rowid (which then needs
    no copy of its own)."""
    rows: list[tuple[str, str, int, int]] = list(connection.execute(
        "SELECT name, type, pk, hidden FROM pragma_table_xinfo(?)", (table,)))
    keys = [row for row in rows if row[2]]
    alias = len(keys) == 1 and keys[0][1].lower() == "integer"
    stored = [name for name, _, _, hidden in rows if hidden not in (2, 3) and name.lower() not in dropped]
    return stored, alias


def rebuilt(connection: apsw.Connection, table: str, create_sql: str, selected: dict[str, str],
            unique_keys: dict[str, tuple[str, ...]], dropped: Collection[str] = (),
            others: dict[str, str] | None = None) -> list[str]:
    """Statements rebuilding `table` under `create_sql`, its columns' values given by `selected` (a
    column's SQLite expression over the old table; the other columns keep theirs), with the
    tables that reference it (the module docstring). Its new values are checked against its
    `unique_keys` (PostgreSQL's name of each key, its columns) with PostgreSQL's message. Its
    `dropped` columns (lower case) are not copied, nor its indexes and triggers naming them
    created again; `others` gives the changed CREATE TABLE of tables referencing it."""
    tables = referencing(connection, table)
    old_sql = {name: created_sql(connection, name) for name in tables}
    created = {**old_sql, **(others or {}), table: create_sql}
    dependents: list[tuple[str, str, str]] = [
        (kind, owner, sql) for kind, owner, sql in connection.execute(
            "SELECT type, tbl_name, sql FROM sqlite_schema WHERE type IN ('index', 'trigger') "
            f"AND sql IS NOT NULL AND tbl_name IN ({', '.join('?' * len(tables))}) ORDER BY rowid", tables)
        if owner != table or not dependent_uses(kind, sql, dropped)]
    statements = []
    for name in tables:
        hold = quote_name(HOLD_PREFIX + name)
        columns, _ = _stored_columns(connection, name, dropped if name == table else ())
        values = [selected.get(column, quote_name(column)) if name == table else quote_name(column)
                  for column in columns]
        statements += [f"CREATE TABLE {hold} ({', '.join(map(quote_name, [_ROWID, *columns]))})",
                       f"INSERT INTO {hold} SELECT rowid, {', '.join(values)} FROM {quote_name(name)}",
                       *_mark_kept(name, old_sql[name])]
        if name == table:
            statements += _check_validation(hold, name, create_sql, columns)
            statements += [_unique_check(hold, key, columns) for key, columns in unique_keys.items()]
    statements += [f"DROP TABLE {quote_name(name)}" for name in reversed(tables)]
    for name in tables:
        hold = quote_name(HOLD_PREFIX + name)
        columns, alias = _stored_columns(connection, name, dropped if name == table else ())
        alias = alias and _ROWID_ALIAS.search(created[name]) is not None  # the new table's key is the rowid
        targets = ", ".join(map(quote_name, columns if alias else ["rowid", *columns]))
        sources = ", ".join(map(quote_name, columns if alias else [_ROWID, *columns]))
        statements += [created[name],
                       f"INSERT INTO {quote_name(name)} ({targets}) SELECT {sources} FROM {hold} "
                       f"ORDER BY {quote_name(_ROWID)}",
                       f"DROP TABLE {hold}", *_mark_restored(name, old_sql[name], created[name])]
    statements += [sql for _, _, sql in dependents]
    statements += [check for kind, owner, sql in dependents if kind == "trigger" and owner == table
                   for check in _trigger_validation(table, sql)]
    return statements


_NAMED_CHECK = re.compile(r'CONSTRAINT\s+("(?:[^"]|"")*")\s+CHECK\s*\((.*)\)$', re.IGNORECASE | re.DOTALL)
_RANGE_CHECK = re.compile(r'"(?:[^"]|"")*" BETWEEN -?\d+ AND -?\d+$')


def mentions(sql: str, name: str) -> bool:
    """Whether SQLite SQL names the column or table (quoted or bare; a string that happens to hold
    the name counts too, which only makes a refusal more likely)."""
    return re.search(rf'(?<![\w"]){re.escape(name)}(?![\w"])|{re.escape(quote_name(name))}', sql,
                     re.IGNORECASE) is not None


_EXPRESSION_START = re.compile(r'^(?:CONSTRAINT\s+(?:"(?:[^"]|"")*"|\S+)\s+)?'
                               r'(?:CHECK|(?:GENERATED\s+ALWAYS\s+)?AS)\s*(?=\()', re.IGNORECASE)
_EXPRESSION_END = re.compile(r"\)\s*(?:STORED|VIRTUAL)?\s*$", re.IGNORECASE)
_CONSTRAINT_TRIGGER = re.compile(r"\bBEFORE\s+(?:INSERT|UPDATE(?P<of>\s+OF\s+.*?)?)\s+ON\s+.*?\bWHEN\s+"
                                 r"(?P<condition>.*)\s+BEGIN\s+SELECT\s+RAISE\s*\(\s*ABORT\s*,\s*"
                                 r"'(?:[^']|'')*'\s*\)\s*;\s*END\s*$", re.IGNORECASE | re.DOTALL)


def _parsed_uses(sql: str, names: Collection[str]) -> bool | None:
    """Whether SQLite SQL (an expression or a CREATE INDEX) has a column reference to one of the
    columns (lowercase names); None when it does not parse as such."""
    try:
        parsed = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return None
    if isinstance(parsed, exp.Command):
        return None
    return any(column.name.lower() in names for column in parsed.find_all(exp.Column))


def expression_uses(clause: str, names: Collection[str]) -> bool:
    """Whether a CHECK or GENERATED clause (SQLite SQL) uses one of the columns (lowercase names):
    by the column references of its parsed expression, so neither the constraint's name nor a
    string or comment holding a column's name counts. A clause that does not parse: by `mentions`."""
    start = _EXPRESSION_START.match(clause)
    end = _EXPRESSION_END.search(clause)
    used = _parsed_uses(clause[start.end():end.start() + 1], names) \
        if start is not None and end is not None else None
    return any(mentions(clause, name) for name in names) if used is None else used


def dependent_uses(kind: str, sql: str, names: Collection[str]) -> bool:
    """Whether an index or trigger (SQLite SQL) uses one of the columns (lowercase names): an index
    by the column references of its parsed statement, a NOT NULL or CHECK constraint kept as a
    trigger (`alter`) by its condition and UPDATE OF list, other triggers by `mentions`."""
    used: bool | None = None
    if kind == "index":
        used = _parsed_uses(sql, names)
    elif (trigger := _CONSTRAINT_TRIGGER.search(sql)) is not None:
        listed = trigger.group("of") or ""
        condition = _parsed_uses(trigger.group("condition"), names)
        used = None if condition is None else condition or any(mentions(listed, name) for name in names)
    return any(mentions(sql, name) for name in names) if used is None else used


def _check_validation(hold: str, table: str, create_sql: str, stored: list[str]) -> list[str]:
    """23514 with PostgreSQL's message when a converted row fails a CHECK constraint of the new
    CREATE TABLE (checked on the holding table; the integer range checks fail in the conversion
    already, and a check over a generated column is left to SQLite when the row is written)."""
    _, definitions = column_definitions(create_sql)
    clauses = []
    generated = []
    for definition in definitions:
        column = Column.parse(definition)
        clauses += [definition] if column is None else column.clauses
        if column is not None and column.name not in stored:
            generated.append(column.name)
    statements = []
    for clause in clauses:
        check = _NAMED_CHECK.match(clause)
        if check is None or _RANGE_CHECK.match(check.group(2).strip()) \
                or any(mentions(check.group(2), name) for name in generated):
            continue
        failing = f"SELECT 1 FROM {hold} WHERE NOT ({check.group(2)})"
        message = f'check constraint "{unquoted(check.group(1))}" of relation "{schemas.split(table)[1]}" ' \
                  "is violated by some row"
        statements.append(fails_if_rows(failing, CHECK_VIOLATION, message))
    return statements


def _unique_check(hold: str, key: str, columns: tuple[str, ...]) -> str:
    """23505 when two rows of the holding table have the same values of a key's columns (none NULL)."""
    listed = ", ".join(map(quote_name, columns))
    present = " AND ".join(f"{quote_name(column)} IS NOT NULL" for column in columns)
    duplicated = f"SELECT 1 FROM {hold} WHERE {present} GROUP BY {listed} HAVING count(*) > 1"
    return fails_if_rows(duplicated, UNIQUE_VIOLATION, f'could not create unique index "{key}"')


def _mark_kept(table: str, create_sql: str) -> list[str]:
    """The table's AUTOINCREMENT high-water mark moved to its holding table's name (DROP TABLE would
    delete it)."""
    return [f"UPDATE {AUTOINCREMENT_TABLE} SET name = {string_literal(HOLD_PREFIX + table)} "
            f"WHERE name = {string_literal(table)}"] if _AUTOINCREMENT.search(create_sql) else []


def _mark_restored(table: str, old_sql: str, create_sql: str) -> list[str]:
    """The high-water mark `_mark_kept` moved given back to the table (dropped if the new table
    has no AUTOINCREMENT key: its column then draws from a sequence, `column_types`)."""
    if not _AUTOINCREMENT.search(old_sql):
        return []
    kept, name = string_literal(HOLD_PREFIX + table), string_literal(table)
    if not _AUTOINCREMENT.search(create_sql):
        return [f"DELETE FROM {AUTOINCREMENT_TABLE} WHERE name = {kept}"]
    return [f"UPDATE {AUTOINCREMENT_TABLE} SET seq = max(seq, (SELECT seq FROM {AUTOINCREMENT_TABLE} "
            f"WHERE name = {kept})) WHERE name = {name} AND EXISTS (SELECT 1 FROM {AUTOINCREMENT_TABLE} "
            f"WHERE name = {kept})",
            f"INSERT INTO {AUTOINCREMENT_TABLE} (name, seq) SELECT {name}, seq FROM {AUTOINCREMENT_TABLE} "
            f"WHERE name = {kept} AND NOT EXISTS (SELECT 1 FROM {AUTOINCREMENT_TABLE} WHERE name = {name})",
            f"DELETE FROM {AUTOINCREMENT_TABLE} WHERE name = {kept}"]


def _trigger_validation(table: str, trigger_sql: str) -> list[str]:
    """The rows of the rebuilt table checked against a NOT NULL or CHECK constraint kept as a
    trigger (`alter`), with the message PostgreSQL gives when ALTER TABLE finds a row failing it."""
    match = _TRIGGER_CHECK.search(trigger_sql)
    if match is None:
        return []
    message = match.group("message")[1:-1].replace("''", "'")
    bare = schemas.split(table)[1]
    failing = f"SELECT 1 FROM {quote_name(table)} AS NEW WHERE {match.group('condition')}"
    if message.startswith("CHECK constraint failed: "):
        name = message.removeprefix("CHECK constraint failed: ")
        return [fails_if_rows(failing, CHECK_VIOLATION,
                              f'check constraint "{name}" of relation "{bare}" is violated by some row')]
    if message.startswith("NOT NULL constraint failed: "):
        column = message.rpartition(".")[2]
        return [fails_if_rows(failing, NOT_NULL_VIOLATION,
                              f'column "{column}" of relation "{bare}" contains null values')]
    return []
