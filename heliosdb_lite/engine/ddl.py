"""DDL translation: CREATE TABLE/INDEX/VIEW, DROP, ALTER TABLE, TRUNCATE, rendered for SQLite by hand.

Columns keep their PostgreSQL type as declared type (`pgtypes.ResolvedType.declared`); numeric,
interval and char(n) columns get the collation that compares their stored text as PostgreSQL
compares the values, integer columns a range check. A single-column
`serial` (or identity) primary key becomes SQLite's rowid alias `integer PRIMARY KEY
AUTOINCREMENT`; any other serial column draws `DEFAULT (nextval('<table>_<column>_seq'))`.
The default of a GENERATED ALWAYS identity column ends with `IDENTITY_ALWAYS_MARKER` (a comment).
Primary-key columns are NOT NULL (SQLite would allow NULL there). Unnamed CHECK constraints and
indexes get PostgreSQL's names (`<table>_<column>_check`, `<table>_<column>_idx`), so errors can
name them as PostgreSQL does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import apsw
from sqlglot import exp

from . import added_defaults, schemas
from . import functions as fn
from . import pgtypes as t
from .ddl_names import NO_OP, created, dropped, existing, index_exists, temporary
from .dialect import render
from .pgtypes import ResolvedType
from .scope import Relation, Scope

if TYPE_CHECKING:
    from .translate import OutputColumn, Translator

DDL_STATEMENTS = (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)
# ends the default of a GENERATED ALWAYS AS IDENTITY column, so INSERT can refuse explicit values
IDENTITY_ALWAYS_MARKER = "/* generated always as identity */"
VIEW_COLUMNS_TABLE = "_helios_view_columns"  # (view, position, oid, typmod) of CREATE VIEW
_DEFAULT_AND_NOT_NULL = (exp.DefaultColumnConstraint, exp.NotNullColumnConstraint)
_INTEGER_LIMITS = {t.INT2: (-(2**15), 2**15 - 1), t.INT4: (-(2**31), 2**31 - 1),
                   t.INT8: (-(2**63), 2**63 - 1)}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unsupported(what: str) -> Exception:
    from .translate import unsupported

    return unsupported(what)


def translate_ddl(translator: Translator, node: exp.Expression) -> tuple[str, str]:
    """(SQLite SQL, command tag) for a DDL statement."""
    if isinstance(node, exp.Create):
        kind = (node.args.get("kind") or "").upper()
        if kind == "TABLE" and node.expression is not None:
            return _create_table_as(translator, node)
        if kind == "TABLE":
            return _create_table(translator, node), "CREATE TABLE"
        if kind == "INDEX":
            return _create_index(translator, node), "CREATE INDEX"
        if kind == "VIEW":
            return _create_view(translator, node), "CREATE VIEW"
        raise _unsupported(f"CREATE {kind}")
    if isinstance(node, exp.Drop):
        return _drop(translator, node)
    if isinstance(node, exp.Alter):
        from .alter_ddl import translate_alter

        return translate_alter(translator, node)
    assert isinstance(node, exp.TruncateTable)
    return _truncate(translator, node), "TRUNCATE TABLE"


def constraint_kinds(column: exp.ColumnDef) -> list[exp.Expression]:
    return [constraint.kind for constraint in column.constraints]


class TableBuilder:
    """Collects the pieces of one CREATE TABLE."""

    def __init__(self, translator: Translator, table: str, definitions: list[exp.Expression]) -> None:
        self.translator = translator
        self.table = table  # the storage name (`schemas`)
        self.bare = schemas.split(table)[1]  # names constraints as PostgreSQL does
        self.columns = [d for d in definitions if isinstance(d, exp.ColumnDef)]
        self.others = [d for d in definitions if not isinstance(d, exp.ColumnDef)]
        self.types = {c.name.lower(): t.resolve_datatype(c.args["kind"]) for c in self.columns}
        self.scope = Scope(relations=[Relation(self.bare, [(c.name, self.types[c.name.lower()].pg_type)
                                                       for c in self.columns])])
        self.primary_key = self._primary_key()
        self.check_names: set[str] = set()

    def _primary_key(self) -> list[str]:
        for column in self.columns:
            if any(isinstance(kind, exp.PrimaryKeyColumnConstraint) for kind in constraint_kinds(column)):
                return [column.name]
        for definition in self.others:
            inner = definition.expressions[0] if isinstance(definition, exp.Constraint) else definition
            if isinstance(inner, exp.PrimaryKey):
                return [key_name(key) for key in inner.expressions]
        return []

    def _generated_identity(self, column: exp.ColumnDef) -> bool:
        return any(isinstance(kind, exp.GeneratedAsIdentityColumnConstraint)
                   for kind in constraint_kinds(column))

    def _generated_always(self, column: exp.ColumnDef) -> bool:
        return any(isinstance(kind, exp.GeneratedAsIdentityColumnConstraint) and kind.this is True
                   for kind in constraint_kinds(column))

    def _is_rowid_alias(self, column: exp.ColumnDef, resolved: ResolvedType) -> bool:
        auto = resolved.serial or self._generated_identity(column)
        return auto and resolved.pg_type.oid == t.INT4 and self.primary_key == [column.name]

    def check_name(self, column: str | None) -> str:
        base = f"{self.bare}_{column}_check" if column else f"{self.bare}_check"
        name, number = base, 0
        while name in self.check_names:
            number += 1
            name = f"{base}{number}"
        self.check_names.add(name)
        return name

    def expression(self, node: exp.Expression, target: t.PgType | None = None) -> str:
        translated, pg_type = self.translator.expr(node, self.scope)
        if target is not None:
            translated = self.translator.assign(translated, pg_type, target)
        return render(translated)

    def check(self, node: exp.Expression, column: str | None, name: str | None = None) -> str:
        if column is None:
            referenced = next(iter(node.find_all(exp.Column)), None)
            column = referenced.name if referenced is not None else None
        condition, pg_type = self.translator.expr(node, self.scope)
        condition = self.translator.coerce(condition, pg_type, t.BOOL_TYPE)
        return f"CONSTRAINT {quote(name or self.check_name(column))} CHECK ({render(condition)})"

    def drawn(self, column: exp.ColumnDef, resolved: ResolvedType) -> bool:
        """Whether the column's values are drawn from its sequence (serial, identity)."""
        return resolved.serial or self._generated_identity(column)

    def default_sql(self, column: exp.ColumnDef) -> str | None:
        """The SQLite expression of the column's default (None: no default, or SQLite numbers it)."""
        resolved = self.types[column.name.lower()]
        if self._is_rowid_alias(column, resolved):
            return None
        if self.drawn(column, resolved):
            marker = f" {IDENTITY_ALWAYS_MARKER}" if self._generated_always(column) else ""
            return f"{fn.NEXTVAL}('{self.table}_{column.name}_seq'){marker}"
        kinds = constraint_kinds(column)
        default = next((kind for kind in kinds if isinstance(kind, exp.DefaultColumnConstraint)), None)
        return None if default is None else self.expression(default.this, resolved.pg_type)

    def column_sql(self, column: exp.ColumnDef, *, with_default: bool = True) -> str:
        """The column's SQLite definition; without its default and NOT NULL (with_default False),
        for ADD COLUMN of a column whose default SQLite cannot keep (`added_defaults`)."""
        resolved = self.types[column.name.lower()]
        if self._is_rowid_alias(column, resolved):
            parts = [quote(column.name), "integer PRIMARY KEY AUTOINCREMENT"]
            if self._generated_always(column):
                parts.append(f"DEFAULT (NULL {IDENTITY_ALWAYS_MARKER})")  # NULL: SQLite numbers the row
        else:
            parts = [quote(column.name), resolved.declared]
            if column.name in self.primary_key and len(self.primary_key) == 1:
                parts.append("PRIMARY KEY")
            if with_default and (self.drawn(column, resolved) or column.name in self.primary_key):
                parts.append("NOT NULL")
            if with_default and self.drawn(column, resolved):
                parts.append(f"DEFAULT ({self.default_sql(column)})")
        for kind in constraint_kinds(column):
            if with_default or not isinstance(kind, _DEFAULT_AND_NOT_NULL):
                parts += self._column_constraint(column, resolved, kind)
        if not self._is_rowid_alias(column, resolved):
            parts += _storage_clauses(self.bare, column.name, resolved.pg_type)
        return " ".join(parts)

    def _column_constraint(self, column: exp.ColumnDef, resolved: ResolvedType,
                           kind: exp.Expression) -> list[str]:
        if isinstance(kind, exp.NotNullColumnConstraint):
            return [] if kind.args.get("allow_null") else ["NOT NULL"]
        if isinstance(kind, exp.DefaultColumnConstraint):
            return [f"DEFAULT ({self.expression(kind.this, resolved.pg_type)})"]
        if isinstance(kind, exp.UniqueColumnConstraint):
            return ["UNIQUE"]
        if isinstance(kind, exp.CheckColumnConstraint):
            return [self.check(kind.this, column.name)]
        if isinstance(kind, exp.Reference):
            return [_reference_sql(self.translator, kind)]
        if isinstance(kind, exp.ComputedColumnConstraint):
            return [f"GENERATED ALWAYS AS ({self.expression(kind.this, resolved.pg_type)}) STORED"]
        if isinstance(kind, exp.PrimaryKeyColumnConstraint | exp.GeneratedAsIdentityColumnConstraint
                      | exp.CollateColumnConstraint):
            return []
        raise _unsupported(f"column constraint {kind.sql('postgres')}")

    def table_constraint_sql(self, definition: exp.Expression) -> str | None:
        name = None
        if isinstance(definition, exp.Constraint):
            name = definition.name
            definition = definition.expressions[0]
        named = name and not isinstance(definition, exp.CheckColumnConstraint)
        prefix = f"CONSTRAINT {quote(name)} " if named else ""
        if isinstance(definition, exp.PrimaryKey):
            if len(self.primary_key) == 1:
                return None
            return prefix + f"PRIMARY KEY ({', '.join(quote(key_name(k)) for k in definition.expressions)})"
        if isinstance(definition, exp.UniqueColumnConstraint):
            keys = definition.this.expressions if isinstance(definition.this, exp.Schema) else []
            return prefix + f"UNIQUE ({', '.join(quote(key_name(k)) for k in keys)})"
        if isinstance(definition, exp.CheckColumnConstraint):
            return self.check(definition.this, None, name)
        if isinstance(definition, exp.ForeignKey):
            columns = ", ".join(quote(key_name(k)) for k in definition.expressions)
            reference = _reference_sql(self.translator, definition.args["reference"])
            return prefix + f"FOREIGN KEY ({columns}) {reference}"
        raise _unsupported(f"table constraint {definition.sql('postgres')}")


def key_name(key: exp.Expression) -> str:
    return key.this.name if isinstance(key, exp.Ordered) else key.name


def _reference_sql(translator: Translator, reference: exp.Reference) -> str:
    target = reference.this
    table = target.this if isinstance(target, exp.Schema) else target
    columns = [quote(c.name) for c in target.expressions] if isinstance(target, exp.Schema) else []
    options = " ".join(str(option).upper() for option in reference.args.get("options") or [])
    column_list = f" ({', '.join(columns)})" if columns else ""
    return f"REFERENCES {quote(existing(translator, table))}{column_list}{' ' + options if options else ''}"


def _create_table(translator: Translator, node: exp.Create) -> str:
    schema = node.this
    if not isinstance(schema, exp.Schema):
        raise _unsupported(f"CREATE TABLE {schema.sql('postgres')}")
    table = created(translator, node, schema.this)
    if node.args.get("exists") and translator.catalog.table(table) is not None:
        translator.notice(f'relation "{schema.this.name}" already exists, skipping')
    builder = TableBuilder(translator, table, list(schema.expressions))
    pieces = [builder.column_sql(column) for column in builder.columns]
    pieces += [sql for sql in map(builder.table_constraint_sql, builder.others) if sql is not None]
    exists = " IF NOT EXISTS" if node.args.get("exists") else ""
    temp = "TEMP " if temporary(node) else ""
    return f"CREATE {temp}TABLE{exists} {quote(table)} ({', '.join(pieces)})"


def _create_table_as(translator: Translator, node: exp.Create) -> tuple[str, str]:
    """CREATE TABLE t [(names)] AS query [WITH [NO] DATA]: the columns get the query's types; the
    tag is SELECT n (CREATE TABLE AS without data), as in PostgreSQL."""
    target = node.this
    names = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
    table = created(translator, node, target.this if isinstance(target, exp.Schema) else target)
    properties = node.args.get("properties")
    with_data = not (properties is not None and any(isinstance(p, exp.WithDataProperty) and p.args.get("no")
                                                    for p in properties.expressions))
    command = "SELECT" if with_data else "CREATE TABLE AS"
    if node.args.get("exists") and translator.catalog.table(table) is not None:
        return "SELECT 0 WHERE 0", "CREATE TABLE AS"
    query, outputs = translator.query(node.expression, Scope())
    pieces = []
    for i, output in enumerate(outputs):
        if output.type is None:
            raise _unsupported("CREATE TABLE AS over columns of unknown type")
        declared = t.declared_type(t.output_type(output.type))
        name = names[i] if i < len(names) else output.name
        pieces.append(" ".join([quote(name), declared, *_storage_clauses(schemas.split(table)[1], name,
                                                                        output.type)]))
    create = f"CREATE {'TEMP ' if temporary(node) else ''}TABLE {quote(table)} ({', '.join(pieces)})"
    return (f"{create}; INSERT INTO {quote(table)} {render(query)}" if with_data else create), command


def range_check_name(table: str, column: str, oid: int) -> str:
    return f"{table}_{column}_{t.type_name(oid)}_range"


def _storage_clauses(table: str, column: str, pg_type: t.PgType) -> list[str]:
    """What a column needs so SQLite keeps values as PostgreSQL would: its collation, and for
    integers a range check (SQLite would store 2147483648 in an int4 or turn an int8 overflow
    into a float; the check's name tells errors_map to report 22003)."""
    clauses = []
    limits = _INTEGER_LIMITS.get(pg_type.oid)
    if limits is not None:
        name = quote(range_check_name(table, column, pg_type.oid))
        clauses.append(f"CONSTRAINT {name} CHECK ({quote(column)} BETWEEN {limits[0]} AND {limits[1]})")
    collation = fn.COLLATIONS.get(pg_type.oid)
    if collation is not None:
        clauses.append(f"COLLATE {collation}")
    return clauses


def _index_name(table: str, columns: list[exp.Expression]) -> str:
    names = [c.name if isinstance(c, exp.Column) else "expr" for c in columns]
    return f"{table}_{'_'.join(names)}_idx"


def _create_index(translator: Translator, node: exp.Create) -> str:
    index = node.this
    table = existing(translator, index.args["table"])
    params = index.args.get("params")
    using = params.args.get("using") if params is not None else None
    if using is not None and using.name.lower() not in ("btree", "hash"):
        raise _unsupported(f"index method {using.name}")
    info = translator.catalog.table(table)
    scope = Scope(relations=[Relation(schemas.split(table)[1],
                                      [(c.name, c.type) for c in info.columns] if info else [])])
    items = params.args.get("columns") or [] if params is not None else []
    rendered = []
    bare = []
    for item in items:
        inner = item.this if isinstance(item, exp.Ordered) else item
        bare.append(inner)
        translated, _ = translator.expr(inner, scope)
        direction = " DESC" if isinstance(item, exp.Ordered) and item.args.get("desc") else ""
        text = render(translated)
        rendered.append(text if isinstance(translated, exp.Column) else f"({text})")
        rendered[-1] += direction
    name = schemas.storage_name(schemas.split(table)[0], index.name) if index.name \
        else _index_name(table, bare)
    where = params.args.get("where") if params is not None else None
    condition = ""
    if where is not None:
        condition = f" WHERE {render(translator.condition(where.this, scope))}"
    unique = "UNIQUE " if node.args.get("unique") else ""
    exists = "IF NOT EXISTS " if node.args.get("exists") else ""
    if exists and index_exists(translator)(name):
        translator.notice(f'relation "{schemas.split(name)[1]}" already exists, skipping')
    return f"CREATE {unique}INDEX {exists}{quote(name)} ON {quote(table)} ({', '.join(rendered)}){condition}"


def _create_view(translator: Translator, node: exp.Create) -> str:
    target = node.this
    columns = ""
    if isinstance(target, exp.Schema):
        columns = f" ({', '.join(quote(c.name) for c in target.expressions)})"
        target = target.this
    name = created(translator, node, target)
    query, outputs = translator.query(node.expression, Scope())
    drop = f"DROP VIEW IF EXISTS {quote(name)}; " if node.args.get("replace") else ""
    exists = "IF NOT EXISTS " if node.args.get("exists") else ""
    statements = [f"{drop}CREATE VIEW {exists}{quote(name)}{columns} AS {render(query)}"]
    if not (exists and translator.catalog.table(name) is not None):
        statements += _view_column_records(name, outputs)
    return "; ".join(statements)


def _view_column_records(view: str, outputs: list[OutputColumn]) -> list[str]:
    """Statements that record the PostgreSQL types of a view's columns (SQLite describes computed
    view columns with no type, or only an affinity)."""
    literal = string_literal(view)
    statements = [f"CREATE TABLE IF NOT EXISTS {VIEW_COLUMNS_TABLE} (view TEXT, position INTEGER, "
                  "oid INTEGER, typmod INTEGER, PRIMARY KEY (view, position))",
                  f"DELETE FROM {VIEW_COLUMNS_TABLE} WHERE view = {literal}"]
    if any(output.type is None for output in outputs):  # an unresolved *: positions unknown
        return statements
    typed = [f"({literal}, {position}, {output.type.oid}, {output.type.typmod})"
             for position, output in enumerate(outputs)
             if output.type is not None and not output.type.is_unknown]
    if typed:
        statements.append(f"INSERT INTO {VIEW_COLUMNS_TABLE} VALUES {', '.join(typed)}")
    return statements


def string_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def view_column_types(connection: apsw.Connection, view: str) -> dict[int, t.PgType]:
    """The recorded PostgreSQL types of a view's columns, by position (none for a table)."""
    rows = connection.execute(f"SELECT position, oid, typmod FROM {VIEW_COLUMNS_TABLE} WHERE view = ?",
                              (view,)).fetchall()
    return {position: t.PgType(oid, typmod) for position, oid, typmod in rows}


_DROP_KINDS = {"TABLE": "DROP TABLE", "VIEW": "DROP VIEW", "INDEX": "DROP INDEX"}


def _drop(translator: Translator, node: exp.Drop) -> tuple[str, str]:
    kind = (node.args.get("kind") or "").upper()
    if kind not in _DROP_KINDS:
        raise _unsupported(f"DROP {kind}")
    statements = []
    for table in node.args.get("tables") or node.expressions:
        name = dropped(translator, table, kind.lower(), bool(node.args.get("exists")))
        if name is None:
            continue
        statements.append(f"DROP {kind} {quote(name)}")
        if kind == "TABLE":
            from .sequence_ddl import owned_sequences_dropped

            statements.append(added_defaults.table_dropped(name))
            statements += owned_sequences_dropped(translator, name)
        if kind == "VIEW" and translator.catalog.table(VIEW_COLUMNS_TABLE) is not None:
            statements.append(f"DELETE FROM {VIEW_COLUMNS_TABLE} WHERE view = {string_literal(name)}")
        info = translator.catalog.table(name) if kind == "TABLE" else None
        sequences = [c.sequence for c in info.columns if c.sequence] if info else []
        if sequences:
            listed = ", ".join(f"'{sequence}'" for sequence in sequences)
            statements.append(f"DELETE FROM {fn.SEQUENCES_TABLE} WHERE name IN ({listed})")
    return "; ".join(statements) or NO_OP, _DROP_KINDS[kind]


def _truncate(translator: Translator, node: exp.TruncateTable) -> str:
    statements = []
    for table in node.expressions:
        name = existing(translator, table)
        statements.append(f"DELETE FROM {quote(name)}")
        if (node.args.get("identity") or "").upper() == "RESTART":
            info = translator.catalog.table(name)
            sequences = [c.sequence for c in info.columns if c.sequence] if info else []
            statements += [f"DELETE FROM {fn.SEQUENCES_TABLE} WHERE name = '{s}'" for s in sequences]
            if info is not None and any(c.rowid_alias for c in info.columns):
                statements.append(f"DELETE FROM sqlite_sequence WHERE name = '{name}'")
    return "; ".join(statements)
