"""INSERT (VALUES, a query, DEFAULT, OVERRIDING, ON CONFLICT, RETURNING), UPDATE and DELETE: target
columns checked as PostgreSQL checks them, values written with its assignment coercion, and the
defaults SQLite cannot keep (`store.added_defaults`, serial keys) filled in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.pg_catalog.reader import CatalogReader
from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.store import schemas, serial_sequences
from heliosdb_lite.engine.store.conventions import identity_kind
from heliosdb_lite.engine.translate import json_functions, query_checks, set_operations
from heliosdb_lite.engine.translate.nodes import call, parameter_number
from heliosdb_lite.engine.translate.queries import output_list, source, with_clause
from heliosdb_lite.engine.translate.result import OutputColumn, Translation, unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.errors import (
    CARDINALITY_VIOLATION,
    DUPLICATE_COLUMN,
    FEATURE_NOT_SUPPORTED,
    GENERATED_ALWAYS,
    SYNTAX_ERROR,
    UNDEFINED_COLUMN,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_OVERRIDDEN_ROWS = "_helios_overridden_rows"  # the CTE INSERT ... OVERRIDING USER VALUE reads a query through
_PROPOSED_ROWS = "_helios_proposed"  # the CTE an upsert of several rows reads them through


def _target(translator: Translator, node: exp.Expr, scope: Scope) -> tuple[str, list[tuple[str,
            PgType | None]]]:
    table = node.this if isinstance(node, exp.Schema) else node
    if not isinstance(table, exp.Table):
        raise unsupported(f"target {table.sql('postgres')}")
    name = table.name
    aliased = table.alias != ""
    stored = translator.bind_relation(table)
    info = translator.catalog.table(stored)
    columns = [(c.name, c.type) for c in info.columns] if info else []
    scope.add(Relation(table.alias or name, columns, known=info is not None, storage=stored,
                       aliased=aliased))
    return stored, columns


def insert(translator: Translator, node: exp.Insert) -> Translation:
    """INSERT INTO table [(columns)] VALUES ... | query | (query) | DEFAULT VALUES [ON CONFLICT ...]
    [RETURNING ...]."""
    scope = Scope()
    with_clause(translator, node, scope)
    while isinstance(node.expression, exp.Subquery) and not node.expression.alias \
            and isinstance(node.expression.this, exp.Query):  # INSERT ... (SELECT ...): SQLite wants none
        node.set("expression", node.expression.this)
    table_name, table_columns = _target(translator, node.this, scope)
    types = {name.lower(): pg_type for name, pg_type in table_columns}
    if isinstance(node.this, exp.Schema) and node.this.expressions:
        names = [identifier.name for identifier in node.this.expressions]
        if table_columns:
            _check_target_columns(names, types, node.this.this.name)
    else:
        names = [name for name, _ in table_columns]
        width = _insert_width(node.expression)
        if width is not None and 0 < width < len(names):
            names = names[:width]  # PostgreSQL fills the remaining columns with their defaults
            node.set("this", exp.Schema(this=node.this, expressions=[
                exp.to_identifier(name, quoted=True) for name in names]))
    targets = [types.get(name.lower()) for name in names]
    key_sources: list[tuple[str, int | str]] = []
    source = node.expression
    overriding = node.args.get("overriding")  # OVERRIDING SYSTEM | USER VALUE
    if overriding == "USER":
        names = _user_values_overridden(translator, node, table_name, names)
        targets = [types.get(name.lower()) for name in names]
        source = node.expression
    given = names  # the columns given a value other than DEFAULT
    if isinstance(source, exp.Values):
        widths = {len(_row_values(row)) for row in source.expressions}
        if len(widths) > 1:
            raise DatabaseError(SYNTAX_ERROR, "VALUES lists must all be the same length")
        if table_columns:
            _check_insert_width(widths.pop(), len(names))
        names = _drop_defaults(node, source, names)
        targets = [types.get(name.lower()) for name in names]
        given_positions = _given_positions([_row_values(row) for row in source.expressions])
        given = [name for i, name in enumerate(names) if i in given_positions]
        rows = []
        for row in source.expressions:
            values = _row_values(row)
            typed = [translator.expr(value, scope) for value in values]
            rows.append(exp.Tuple(expressions=[
                _inserted_value(translator, table_name, value, pg_type,
                                targets[i] if i < len(targets) else None,
                                names[i] if i < len(names) else None)
                for i, (value, pg_type) in enumerate(typed)]))
            if len(source.expressions) == 1:
                key_sources = _key_sources(translator, names, values)
        source.set("expressions", rows)
    elif source is not None:
        translated, outputs = translator.query(source, scope)
        if table_columns and all(output.type is not None for output in outputs):
            _check_insert_width(len(outputs), len(names))
        column_targets = [targets[i] if i < len(targets) else None for i in range(len(outputs))]
        for output, name, target in zip(outputs, names, column_targets, strict=False):
            if output.type is not None:
                translator.check_assignable(output.type, target, name)
        translated = set_operations.converted_branch(
            translated, [output.name for output in outputs], [output.type for output in outputs],
            column_targets, translator.assigned, _assignment_changes)
        if node.args.get("conflict") is not None and isinstance(translated, exp.Select) \
                and translated.args.get("where") is None:
            translated.set("where", exp.Where(this=exp.true()))  # SQLite's upsert needs a WHERE here
        node.set("expression", translated)
    always = _identity_always(translator, table_name) & {name.lower() for name in given}
    if always and overriding != "SYSTEM":
        column = next(name for name in names if name.lower() in always)
        raise DatabaseError(GENERATED_ALWAYS, f'cannot insert a non-DEFAULT value into column "{column}"',
                            detail=f'Column "{column}" is an identity column defined as '
                            "GENERATED ALWAYS.",
                            hint="Use OVERRIDING SYSTEM VALUE to override.")
    names = _fill_added_defaults(translator, node, table_name, names)
    serial_sequence = _serial_sequence(translator, node, table_name, names)
    _on_conflict(translator, node, scope, table_name, table_columns, names)
    returned = _returning(translator, node, scope)
    return translator.result(render(node, keep=False), "INSERT", returned, target=table_name,
                             key_sources=tuple(key_sources), serial_sequence=serial_sequence,
                             serial_upsert=node.args.get("conflict") is not None)


def _inserted_value(translator: Translator, table: str, value: exp.Expr, pg_type: PgType,
                    target: PgType | None, column: str | None) -> exp.Expr:
    """A value of INSERT ... VALUES for column; DEFAULT is the column's default expression."""
    if _is_default_keyword(value) and column is not None:
        return _column_default(translator, table, column)
    assigned = translator.assign(value, pg_type, target, column)
    info = translator.catalog.table(table) if column is not None else None
    key = info.column(column) if info is not None and column is not None else None
    if key is not None and key.rowid_alias:  # SQLite would number an explicit NULL as it does DEFAULT
        message = f'null value in column "{key.name}" of relation "{schemas.split(table)[1]}" violates ' \
                  "not-null constraint"
        return call(fn.NOT_NULL, assigned, message)
    return assigned


def _fill_added_defaults(translator: Translator, node: exp.Insert, table: str, names: list[str]) -> list[str]:
    """The defaults SQLite does not keep (`added_defaults`) of the columns this INSERT leaves out,
    added to its column list and to each row; returns the column names."""
    info = translator.catalog.table(table)
    every_default = bool(node.args.get("default"))  # DEFAULT VALUES
    if every_default:
        names = []
    unfilled = info.unfilled_defaults(names) if info is not None else []
    if not unfilled:
        return names
    defaults = [exp.Var(this=column.filled_default) for column in unfilled]
    source = node.expression
    if every_default:
        node.set("default", None)
        node.set("expression", exp.Values(expressions=[exp.Tuple(expressions=defaults)]))
    elif isinstance(source, exp.Values):
        for row in source.expressions:
            row.set("expressions", [*row.expressions, *(default.copy() for default in defaults)])
    else:
        alias = "_helios_source"
        every_column = exp.Column(this=exp.Star(), table=exp.to_identifier(alias))
        node.set("expression", exp.select(every_column, *defaults)
                 .from_(exp.Subquery(this=source, alias=alias))
                 .where(exp.true()))  # the WHERE: SQLite's upsert syntax needs one after a SELECT
    filled = [*names, *(column.name for column in unfilled)]
    target = node.this.this if isinstance(node.this, exp.Schema) else node.this
    node.set("this", exp.Schema(this=target, expressions=[exp.to_identifier(name, quoted=True)
                                                          for name in filled]))
    return filled


def _serial_sequence(translator: Translator, node: exp.Insert, table: str, names: list[str]) -> str | None:
    """The sequence of table's serial primary key when SQLite numbers it (its rowid) in this
    INSERT; the session then makes the rowid it assigned that sequence's currval."""
    info = translator.catalog.table(table)
    key = next((c.name for c in info.columns if c.rowid_alias), None) if info else None
    if key is None:
        return None
    if node.args.get("default") or key.lower() not in {name.lower() for name in names}:
        return serial_sequences.sequence_name(table, key)
    return None


def _identity_columns(translator: Translator, table: str, *kinds: str) -> set[str]:
    """The lower-cased names of table's identity columns of the given kinds ('a': GENERATED
    ALWAYS, 'd': GENERATED BY DEFAULT)."""
    info = translator.catalog.table(table)
    return {c.name.lower() for c in info.columns if identity_kind(c.default) in kinds} if info else set()


def _identity_always(translator: Translator, table: str) -> set[str]:
    return _identity_columns(translator, table, "a")


def _user_values_overridden(translator: Translator, node: exp.Insert, table: str,
                            names: list[str]) -> list[str]:
    """OVERRIDING USER VALUE: the values given for identity columns (ALWAYS or BY DEFAULT) become
    DEFAULT in VALUES (then left out, `_drop_defaults`), or are left out of the rows of a query
    (`WITH rows(value1, ...) AS (query) SELECT <the other values> FROM rows`); a serial column
    keeps its value. Returns the column names."""
    identity = _identity_columns(translator, table, "a", "d")
    positions = {i for i, name in enumerate(names) if name.lower() in identity}
    source = node.expression
    if not positions or source is None:
        return names
    if isinstance(source, exp.Values):
        source.set("expressions", [exp.Tuple(expressions=[
            exp.Var(this="DEFAULT") if i in positions else value
            for i, value in enumerate(row.expressions)]) for row in source.expressions])
        return names
    kept = [i for i in range(len(names)) if i not in positions]
    if not kept:
        raise unsupported("OVERRIDING USER VALUE with a query giving only identity columns")
    rows = exp.TableAlias(this=exp.to_identifier(_OVERRIDDEN_ROWS),
                          columns=[exp.to_identifier(f"value{i + 1}") for i in range(len(names))])
    query = exp.select(*(exp.column(f"value{i + 1}") for i in kept)).from_(_OVERRIDDEN_ROWS)
    query.set("with_", exp.With(expressions=[exp.CTE(this=source, alias=rows)]))
    node.set("expression", query)
    table_node = node.this.this if isinstance(node.this, exp.Schema) else node.this
    node.set("this", exp.Schema(this=table_node, expressions=[
        exp.to_identifier(names[i], quoted=True) for i in kept]))
    return [names[i] for i in kept]


def _drop_defaults(node: exp.Insert, source: exp.Values, names: list[str]) -> list[str]:
    """VALUES (DEFAULT, ...): SQLite has no DEFAULT there, so leave the columns that are DEFAULT
    in every row out of the column list (but one: the other DEFAULTs are written as the
    columns' default expressions)."""
    rows = [_row_values(row) for row in source.expressions]
    everywhere = set(range(len(names))) - _given_positions(rows)
    if len(everywhere) == len(names):
        everywhere.discard(0)  # one column must stay
    if not everywhere:
        return names
    kept = [i for i in range(len(names)) if i not in everywhere]
    table = node.this.this if isinstance(node.this, exp.Schema) else node.this
    names = [names[i] for i in kept]
    identifiers = [exp.to_identifier(name, quoted=True) for name in names]
    node.set("this", exp.Schema(this=table, expressions=identifiers))
    source.set("expressions", [exp.Tuple(expressions=[values[i] for i in kept]) for values in rows])
    return names


def _key_sources(translator: Translator, names: list[str], values: list[exp.Expr]) -> list[tuple[str,
                 int | str]]:
    sources: list[tuple[str, int | str]] = []
    for name, value in zip(names, values, strict=False):
        number = parameter_number(value)
        if number is not None:
            sources.append((name, number))
        elif isinstance(value, exp.Literal):
            sources.append((name, value.this))
    return sources


def _on_conflict(translator: Translator, node: exp.Insert, scope: Scope, table: str,
                 columns: list[tuple[str, PgType | None]], names: list[str]) -> None:
    """ON CONFLICT [(keys) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...] of an
    INSERT of the columns `names` into table."""
    conflict = node.args.get("conflict")
    if conflict is None:
        return
    constraint = conflict.args.get("constraint")
    if constraint is not None:  # SQLite names the key by its columns
        conflict.set("conflict_keys", [exp.column(name, quoted=True)
                                       for name in _constraint_columns(translator, table, constraint.name)])
        conflict.set("constraint", None)
    keys = conflict.args.get("conflict_keys") or []
    if not keys and conflict.expressions:  # SQLite would update on any unique key's conflict
        raise DatabaseError(SYNTAX_ERROR,
                            "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                            hint="For example, ON CONFLICT (column_name).")
    keys = [key.this if isinstance(key, exp.Ordered) else key for key in keys]
    conflict.set("conflict_keys", keys)
    conflict_scope = Scope(parent=scope, relations=[Relation("excluded", columns)])
    assignments = json_functions.subscript_assignments(
        conflict.expressions, {name.lower(): pg_type for name, pg_type in columns})
    conflict.set("expressions", [_assignment(translator, item, conflict_scope, table)
                                 for item in assignments])
    if conflict.args.get("where") is not None:
        where = conflict.args["where"]
        where.set("this", translator.condition(where.this, conflict_scope, "WHERE"))
    if conflict.expressions:
        _refuse_second_update(node, keys, names)


def _constraint_columns(translator: Translator, table: str, name: str) -> tuple[str, ...]:
    """The columns of table's primary key or unique constraint `name` (42809 for its foreign key or
    CHECK constraint of that name, which has no index; 42704 if it has none)."""
    info = translator.catalog.table(table)
    columns = info.key_constraint(name) if info is not None else None
    if columns is not None:
        return columns
    schema, bare = schemas.split(table)
    relation = next((relation for relation in CatalogReader(translator.catalog.connection).relations()
                     if (relation.schema, relation.name) == (schema, bare)), None)
    if relation is not None and name in {constraint.name for constraint
                                         in (*relation.foreign_keys, *relation.checks)}:
        raise DatabaseError(WRONG_OBJECT_TYPE, "constraint in ON CONFLICT clause has no associated index")
    raise DatabaseError(UNDEFINED_OBJECT, f'constraint "{name}" for table "{bare}" does not exist')


def _refuse_second_update(node: exp.Insert, keys: list[exp.Expr], names: list[str]) -> None:
    """DO UPDATE: PostgreSQL refuses (21000, nothing applied) to update a row the same statement
    inserted or updated, which SQLite does; so when two of the rows proposed have the same key
    (no part NULL), the statement fails. The rows become a materialized CTE
    (`_helios_proposed(names)`), inserted with a WHERE that checks it once. A key column the INSERT
    leaves to its default (a serial key: never the same twice) is not checked."""
    source = node.expression
    if source is None or (isinstance(source, exp.Values) and len(source.expressions) < 2):
        return
    given = {name.lower(): name for name in names}
    if not all(isinstance(key, exp.Column) and key.name.lower() in given for key in keys):
        return
    columns = [exp.column(given[key.name.lower()], quoted=True) for key in keys]
    duplicate = exp.select(exp.Literal.number(1)).from_(_PROPOSED_ROWS) \
        .where(exp.and_(*(exp.Not(this=exp.Is(this=column, expression=exp.Null())) for column in columns))) \
        .group_by(*(column.copy() for column in columns)) \
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))).limit(1)
    once = call(fn.FAIL_IF, exp.Subquery(this=duplicate), CARDINALITY_VIOLATION,
                "ON CONFLICT DO UPDATE command cannot affect row a second time",
                "Ensure that no rows proposed for insertion within the same command have duplicate "
                "constrained values.")
    alias = exp.TableAlias(this=exp.to_identifier(_PROPOSED_ROWS),
                           columns=[exp.to_identifier(name, quoted=True) for name in names])
    rows = exp.CTE(this=source, materialized=True, alias=alias)
    with_ = node.args.get("with_")
    if with_ is None:
        node.set("with_", exp.With(expressions=[rows]))
    else:
        with_.append("expressions", rows)
    node.set("expression", exp.select(exp.Star()).from_(_PROPOSED_ROWS).where(once))


def _assignment(translator: Translator, item: exp.Expr, scope: Scope, table: str) -> exp.Expr:
    """`column = value` of UPDATE or ON CONFLICT DO UPDATE of table; `column = DEFAULT` writes
    the column's default (NULL if it has none)."""
    if not isinstance(item, exp.EQ) or not isinstance(item.this, exp.Column):
        raise unsupported(f"assignment {item.sql('postgres')}")
    if _is_default(item.expression):
        item.set("expression", _column_default(translator, table, item.this.name))
        return item
    target = scope.column(item.this.name)
    value, pg_type = translator.expr(item.expression, scope)
    item.set("expression", translator.assign(value, pg_type, target, item.this.name))
    return item


def _column_default(translator: Translator, table: str, name: str) -> exp.Expr:
    """The SQLite expression of a column's default (NULL when it has none); a serial key that
    SQLite numbers (its rowid) draws from its sequence."""
    info = translator.catalog.table(table)
    column = info.column(name) if info else None
    if column is not None and column.rowid_alias:
        translator.locks_rows = True  # nextval writes the store
        return call(fn.NEXTVAL, serial_sequences.sequence_name(table, column.name))
    if column is None or column.default is None:
        return exp.Null()
    return exp.Var(this=column.default)


def _returned(item: exp.Expr, scope: Scope) -> list[exp.Expr]:
    """A RETURNING item as SQLite takes it: the target's columns unqualified (SQLite knows neither
    its alias nor `target.*` there), `target.*` listed column by column; 0A000 for the columns of
    UPDATE ... FROM's items, which SQLite's RETURNING cannot see (`*` would leave them out)."""
    target, others = scope.relations[0], scope.relations[1:]
    if isinstance(item, exp.Star):
        if others:
            raise unsupported("RETURNING * of UPDATE ... FROM (the FROM items' columns)")
        return [item]
    if isinstance(item, exp.Column) and isinstance(item.this, exp.Star) and item.table:
        relation = scope.relation(item.table)
        if relation is None:
            raise DatabaseError(UNDEFINED_TABLE, f'missing FROM-clause entry for table "{item.table}"')
        if relation is target and target.known:
            return [exp.column(name, quoted=True) for name, _ in target.columns]
        if relation is not target:
            raise unsupported("RETURNING a column of an UPDATE ... FROM item")
    for node in list(query_checks.level(item)):
        if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
            continue
        relation = scope.resolve(node.name, node.table or None)
        if any(relation is other for other in others):
            raise unsupported("RETURNING a column of an UPDATE ... FROM item")
        if relation is target and node.table and not node.args.get("db"):
            node.set("table", None)
    return [item]


def _returning(translator: Translator, node: exp.Expr, scope: Scope) -> list[OutputColumn] | None:
    returning = node.args.get("returning")
    if returning is None:
        return None
    scope.clause = "RETURNING"  # an aggregate of the statement's level in a subquery: 42803
    returned = [listed for item in returning.expressions for listed in _returned(item, scope)]
    outputs, expressions = output_list(translator, returned, scope, collate=False)
    returning.set("expressions", expressions)
    return outputs


def update(translator: Translator, node: exp.Update) -> Translation:
    """UPDATE table SET ... [FROM ...] [WHERE ...] [RETURNING ...]."""
    scope = Scope()
    with_clause(translator, node, scope)
    table_name, table_columns = _target(translator, node.this, scope)
    node.set("expressions", [single for item in node.expressions for single in _single_assignments(item)])
    node.set("expressions", json_functions.subscript_assignments(
        node.expressions, {name.lower(): pg_type for name, pg_type in table_columns}))
    assigned = [item.this.name for item in node.expressions if isinstance(item, exp.EQ)]
    if table_columns:
        _check_target_columns(assigned, {name.lower(): pg_type for name, pg_type in table_columns},
                              node.this.name, assignments=True)
    query_checks.check_placement(node.args["where"].this if node.args.get("where") else None)
    always = _identity_always(translator, table_name)
    for item in node.expressions:
        if isinstance(item, exp.EQ) and item.this.name.lower() in always \
                and not _is_default(item.expression):
            raise DatabaseError(GENERATED_ALWAYS, f'column "{item.this.name}" can only be updated to DEFAULT',
                                detail=f'Column "{item.this.name}" is an identity column defined as '
                                "GENERATED ALWAYS.")
    from_clause = node.args.get("from_")
    if from_clause is not None:
        from_clause.set("this", source(translator, from_clause.this, scope))
    scope.clause = "UPDATE"  # no aggregate of the statement's level (one in a subquery is: 42803)
    node.set("expressions", [_assignment(translator, item, scope, table_name) for item in node.expressions])
    where = node.args.get("where")
    if where is not None:
        scope.clause = "WHERE"
        where.set("this", translator.condition(where.this, scope, "WHERE"))
    outputs = _returning(translator, node, scope)
    return translator.result(render(node, keep=False), "UPDATE", outputs, target=table_name)


def delete(translator: Translator, node: exp.Delete) -> Translation:
    """DELETE FROM table [WHERE ...] [RETURNING ...] (USING: 0A000)."""
    if node.args.get("using"):
        raise unsupported("DELETE ... USING")
    scope = Scope()
    with_clause(translator, node, scope)
    table_name, _ = _target(translator, node.this, scope)
    where = node.args.get("where")
    if where is not None:
        query_checks.check_placement(where.this)
        scope.clause = "WHERE"  # no aggregate of the statement's level (one in a subquery is: 42803)
        where.set("this", translator.condition(where.this, scope, "WHERE"))
    outputs = _returning(translator, node, scope)
    return translator.result(render(node, keep=False), "DELETE", outputs, target=table_name)


def _check_insert_width(width: int, columns: int) -> None:
    """42601 when an INSERT gives more or fewer values than the columns it names."""
    if width > columns:
        raise DatabaseError(SYNTAX_ERROR, "INSERT has more expressions than target columns")
    if width < columns:
        raise DatabaseError(SYNTAX_ERROR, "INSERT has more target columns than expressions")


def _check_target_columns(names: list[str], types: dict[str, PgType | None], table: str, *,
                          assignments: bool = False) -> None:
    """The columns an INSERT names or an UPDATE assigns: 42703 for one the table lacks; one named
    twice is 42701 in an INSERT, 42601 in an UPDATE (SQLite would take the last value)."""
    seen: set[str] = set()
    for name in names:
        lowered = name.lower()
        if lowered not in types:
            raise DatabaseError(UNDEFINED_COLUMN, f'column "{name}" of relation "{table}" does not exist')
        if lowered in seen:
            if assignments:
                raise DatabaseError(SYNTAX_ERROR, f'multiple assignments to same column "{name}"')
            raise DatabaseError(DUPLICATE_COLUMN, f'column "{name}" specified more than once')
        seen.add(lowered)


def _single_assignments(item: exp.Expr) -> list[exp.Expr]:
    """`SET (a, b) = (x, y)` as `SET a = x, b = y` (a subquery on the right stays as written)."""
    if not isinstance(item, exp.EQ):
        return [item]
    columns, values = item.this, item.expression
    if isinstance(columns, exp.Paren) and isinstance(values, exp.Paren):  # (a) = (x): as PostgreSQL 15
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "source for a multiple-column UPDATE item must be a "
                                                   "sub-SELECT or ROW() expression")
    if not (isinstance(columns, exp.Tuple) and isinstance(values, exp.Tuple)):
        return [item]
    if len(columns.expressions) != len(values.expressions):
        raise DatabaseError(SYNTAX_ERROR, "number of columns does not match number of values")
    return [exp.EQ(this=column, expression=value)
            for column, value in zip(columns.expressions, values.expressions, strict=True)]


def _row_values(row: exp.Expr) -> list[exp.Expr]:
    return row.expressions if isinstance(row, exp.Tuple) else [row]


def _given_positions(rows: list[list[exp.Expr]]) -> set[int]:
    """The positions of VALUES that some row gives a value other than DEFAULT."""
    return {i for values in rows for i, value in enumerate(values) if not _is_default_keyword(value)}


def _is_default_keyword(value: exp.Expr) -> bool:
    """Whether a value of INSERT ... VALUES is the keyword DEFAULT."""
    return isinstance(value, exp.Var) and value.name.upper() == "DEFAULT"


def _is_default(value: exp.Expr) -> bool:
    """Whether an assigned value is the keyword DEFAULT (sqlglot reads it as a column there)."""
    return isinstance(value, exp.Column) and not value.table and not value.this.quoted \
        and value.name.lower() == "default"


def _assignment_changes(source: PgType, target: PgType) -> bool:
    """Whether a value of type source written to a column of type target needs converting."""
    return source.oid != target.oid or source.is_unknown or 0 <= target.typmod != source.typmod


def _insert_width(source: exp.Expr | None) -> int | None:
    """How many values each row of an INSERT source has, when it is plain VALUES or SELECT."""
    if isinstance(source, exp.Values):
        return max((len(row.expressions) if isinstance(row, exp.Tuple) else 1 for row in source.expressions),
                   default=0)
    if isinstance(source, exp.Select) and not any(isinstance(e, exp.Star) for e in source.expressions):
        return len(source.expressions)
    return None
