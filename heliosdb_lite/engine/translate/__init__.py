"""PostgreSQL statements → SQLite statements, typed: the heart of the engine.

One bottom-up walk over the parsed (PostgreSQL) tree resolves names through `Scope`s, gives
every expression its PostgreSQL type (`typing_rules`) and rewrites what SQLite would get wrong:

- quoted literals adopt the type their context asks for and are converted here, once
  (`'t'::boolean` → 1, `'2024-01-01 10:00'::timestamptz` → its UTC text, E'a\\nb' → 'a<LF>b');
- casts, numeric and date/time arithmetic, division and modulo, comparisons of types whose
  stored text does not order like the values, numeric sum/avg, ILIKE, ... become `helios_*`
  function calls (`functions.names`) with PostgreSQL's semantics;
- untyped `$n` parameters get PostgreSQL's inferred types (the column they are compared with or
  assigned to, LIMIT → int8, else text) and render as `?n`.

What cannot be translated faithfully raises 0A000 naming the construct; a wrong answer is worse
than an error. DDL is rendered by `ddl`, which uses this translator for its expressions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp

from heliosdb_lite.engine import pg_catalog
from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import float_aggregates
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.functions.heliosdb_table_functions import TABLE_FUNCTIONS
from heliosdb_lite.engine.functions.jsons import path_steps as json_path_steps
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.dialect import HeliosPostgres, render
from heliosdb_lite.engine.sql.escape_strings import escape_string_values
from heliosdb_lite.engine.sql.to_char_templates import written_template
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.store.conventions import VIEW_COLUMNS_TABLE, identity_kind
from heliosdb_lite.engine.store.table_info import Catalog, TableInfo
from heliosdb_lite.engine.translate import distinct_on as distinct_on_query
from heliosdb_lite.engine.translate import query_checks, select_list_unnest, set_operations
from heliosdb_lite.engine.translate.result import OutputColumn, Translation, Typed, schema_of, unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types import array_typing, cast_contexts, casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.engine.types.value_storage import to_storage
from heliosdb_lite.errors import (
    DATATYPE_MISMATCH,
    DUPLICATE_COLUMN,
    FEATURE_NOT_SUPPORTED,
    INVALID_COLUMN_REFERENCE,
    INVALID_NAME,
    INVALID_SCHEMA_NAME,
    SYNTAX_ERROR,
    UNDEFINED_COLUMN,
    UNDEFINED_FUNCTION,
    UNDEFINED_TABLE,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs

_SCALAR_ROWS = "_helios_scalar_rows"  # the CTE and column `_single_row` reads a scalar subquery through
_SCALAR_VALUE = "value"
# the CTE and column `_quantified_subquery` collects the rows of `x op ANY|ALL (subquery)` through
_QUANTIFIED_ROWS = "_helios_quantified_rows"
_QUANTIFIED_VALUE = "_helios_quantified_value"
_OVERRIDDEN_ROWS = "_helios_overridden_rows"  # the CTE INSERT ... OVERRIDING USER VALUE reads a query through
# the columns SQLite shows of the table-valued functions `functions.register` registers (results, then
# arguments as hidden columns): a bare name among them must not reach SQLite unqualified
_SHOWN_COLUMNS: dict[str, frozenset[str]] = {
    array_functions.UNNEST: frozenset({"value", "ordinality", "array", "array_oid"}),
    fn.GENERATE_SERIES: frozenset({"value", "start", "stop", "step"}),
    fn.TIME_SERIES: frozenset({"value", "start", "stop", "step", "oid"}),
}

COMPARISONS: dict[type[exp.Expression], str] = {
    exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">=",
}
ARITHMETIC: dict[type[exp.Expression], str] = {
    exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.Pow: "^",
}
BITWISE: dict[type[exp.Expression], str] = {
    exp.BitwiseAnd: "&", exp.BitwiseOr: "|", exp.BitwiseXor: "#", exp.BitwiseLeftShift: "<<",
    exp.BitwiseRightShift: ">>", exp.BitwiseNot: "~",
}
# types whose stored form SQLite compares like PostgreSQL compares the values
_NATIVE_ORDER = frozenset({t.BOOL, t.BYTEA, t.DATE, t.TIME, t.TIMESTAMP, t.TIMESTAMPTZ, t.UUID, t.JSONB}) \
    | t.STRING_TYPES
_RENAMED_FUNCTIONS = {"char_length": "length", "character_length": "length", "strpos": "instr",
                      "btrim": "trim", "ceiling": "ceil"}
# same name in SQLite, different meaning: refused rather than answered wrongly
_MISLEADING_FUNCTIONS = frozenset({"printf", "date", "time", "datetime", "strftime"})
_MATH_FUNCTIONS = frozenset({"round", "trunc", "ceil", "ceiling", "floor", "abs", "sign", "sqrt", "exp", "ln",
                             "log", "log10", "cbrt"})
_FUNCTION_PARAM_TYPES: dict[str, tuple[int, ...]] = {
    "pg_sleep": (t.FLOAT8,), "round": (t.NUMERIC, t.INT4), "trunc": (t.NUMERIC, t.INT4),
    "left": (t.TEXT, t.INT4), "right": (t.TEXT, t.INT4), "repeat": (t.TEXT, t.INT4),
    "lpad": (t.TEXT, t.INT4, t.TEXT), "rpad": (t.TEXT, t.INT4, t.TEXT), "substr": (t.TEXT, t.INT4, t.INT4),
    "substring": (t.TEXT, t.INT4, t.INT4), "set_config": (t.TEXT, t.TEXT, t.BOOL),
    "current_setting": (t.TEXT, t.BOOL), "date_trunc": (t.TEXT, t.TIMESTAMPTZ),
    "split_part": (t.TEXT, t.TEXT, t.INT4), "chr": (t.INT4,), "to_timestamp": (t.FLOAT8,),
    "age": (t.TIMESTAMPTZ, t.TIMESTAMPTZ),
}
_TO_CHAR_TYPES = frozenset({t.TIMESTAMP, t.TIMESTAMPTZ, t.INTERVAL}) | t.NUMBER_TYPES - {t.OID}
_TEXT_FUNCTIONS = frozenset({  # their first argument is text
    "upper", "lower", "length", "substr", "substring", "trim", "ltrim", "rtrim", "btrim", "replace", "strpos",
    "left", "right", "lpad", "rpad", "repeat", "reverse", "initcap", "split_part", "ascii", "translate",
    "starts_with", "quote_literal", "quote_nullable"})


SEQUENCE_WRITERS = frozenset({"nextval", "setval"})


def _bool_output(node: exp.Expression) -> exp.Expression:
    """A stored bool (1/0/NULL) as PostgreSQL's output text t/f, NULL kept."""
    return exp.Case(this=node, ifs=[exp.If(this=exp.Literal.number(1), true=exp.Literal.string("t")),
                                    exp.If(this=exp.Literal.number(0), true=exp.Literal.string("f"))])


def storage_literal(value: Any) -> exp.Expression:
    """A SQLite literal for a stored value."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Literal.number(int(value))
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if value != value:  # SQLite stores a NaN as NULL
            raise unsupported("the float value NaN")
        return exp.Literal.number(repr(value)) if abs(value) != float("inf") \
            else exp.Literal.number("9e999" if value > 0 else "-9e999")
    if isinstance(value, bytes):
        return exp.HexString(this=value.hex())
    return exp.Literal.string(value)


def call(name: str, *args: exp.Expression | int | str) -> exp.Anonymous:
    """A SQL function call node; int and str arguments become literals."""
    nodes = [arg if isinstance(arg, exp.Expression) else
             exp.Literal.number(arg) if isinstance(arg, int) else exp.Literal.string(arg) for arg in args]
    return exp.Anonymous(this=name, expressions=nodes)


def _parameter_number(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return int(node.this.this)
    return None


_ORDERING_COLLATIONS = frozenset(fn.COLLATIONS.values()) | frozenset(array_functions.COLLATIONS.values())


def _check_insert_width(width: int, columns: int) -> None:
    """42601 when an INSERT gives more or fewer values than the columns it names."""
    if width > columns:
        raise DatabaseError(SYNTAX_ERROR, "INSERT has more expressions than target columns")
    if width < columns:
        raise DatabaseError(SYNTAX_ERROR, "INSERT has more target columns than expressions")


def _check_join(join: exp.Join) -> None:
    """42601 for a qualified join without ON or USING and a CROSS or NATURAL join with one (SQLite
    takes them for other joins); 42701 for a column USING names twice."""
    kind, side = (join.args.get("kind") or "").upper(), join.args.get("side")
    condition = join.args.get("on") is not None or bool(join.args.get("using"))
    if (kind == "INNER" or side) and not condition and not join.method:
        raise DatabaseError(SYNTAX_ERROR, "syntax error at end of input")
    if (kind == "CROSS" or join.method) and condition:
        near = "on" if join.args.get("on") is not None else "using"
        raise DatabaseError(SYNTAX_ERROR, f'syntax error at or near "{near}"')
    used: set[str] = set()
    for column in join.args.get("using") or []:
        if column.name.lower() in used:
            raise DatabaseError(DUPLICATE_COLUMN,
                                f'column name "{column.name}" appears more than once in USING clause')
        used.add(column.name.lower())


def _check_locked_tables(locks: list[exp.Expression], scope: Scope) -> None:
    """42P01 for a table FOR UPDATE OF names that is not in FROM (SQLite ignores the clause)."""
    for lock in locks:
        clause = "FOR UPDATE" if lock.args.get("update") else "FOR SHARE"
        for table in lock.expressions:
            if not any(relation.name.lower() == table.name.lower() for relation in scope.relations):
                raise DatabaseError(UNDEFINED_TABLE,
                                    f'relation "{table.name}" in {clause} clause not found in FROM clause')


def _check_alias_width(name: str, relation: Relation, renames: list[str]) -> None:
    """42P10 for an alias naming more columns than its FROM item has."""
    if relation.known and len(renames) > len(relation.columns):
        raise DatabaseError(INVALID_COLUMN_REFERENCE, f'table "{name}" has {len(relation.columns)} columns '
                                                      f"available but {len(renames)} columns specified")


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


def _single_assignments(item: exp.Expression) -> list[exp.Expression]:
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


def _undeclared(node: exp.Expression, pg_type: PgType) -> exp.Expression:
    """A bare column reference as an expression without a declared type (SQLite would describe a
    result column by the column's), compared as pg_type compares; other nodes unchanged."""
    if not isinstance(node, exp.Column):
        return node
    collated = _collated(node, pg_type)
    return collated if collated is not node else exp.Collate(this=node, expression=exp.Var(this="BINARY"))


def _row_values(row: exp.Expression) -> list[exp.Expression]:
    return row.expressions if isinstance(row, exp.Tuple) else [row]


def _given_positions(rows: list[list[exp.Expression]]) -> set[int]:
    """The positions of VALUES that some row gives a value other than DEFAULT."""
    return {i for values in rows for i, value in enumerate(values) if not _is_default_keyword(value)}


def _is_default_keyword(value: exp.Expression) -> bool:
    """Whether a value of INSERT ... VALUES is the keyword DEFAULT."""
    return isinstance(value, exp.Var) and value.name.upper() == "DEFAULT"


def _is_default(value: exp.Expression) -> bool:
    """Whether an assigned value is the keyword DEFAULT (sqlglot reads it as a column there)."""
    return isinstance(value, exp.Column) and not value.table and not value.this.quoted \
        and value.name.lower() == "default"


def _assignment_changes(source: PgType, target: PgType) -> bool:
    """Whether a value of type source written to a column of type target needs converting."""
    return source.oid != target.oid or source.is_unknown or 0 <= target.typmod != source.typmod


def _collated(node: exp.Expression, pg_type: PgType) -> exp.Expression:
    collation = fn.COLLATIONS.get(pg_type.oid) or array_functions.COLLATIONS.get(pg_type.oid)
    if collation is None or isinstance(node, exp.Collate):
        return node
    return exp.Collate(this=node, expression=exp.Var(this=collation))


def _explicitly_collated(node: exp.Expression, pg_type: PgType) -> exp.Expression:
    """`node` compared as its type compares, BINARY where the type has no collation of its own: SQLite
    gives a CASE the collation of a COLLATE inside it (a WHEN comparing intervals), which would
    then compare the CASE's values as intervals."""
    collated = _collated(node, pg_type)
    return collated if collated is not node else exp.Collate(this=node, expression=exp.Var(this="BINARY"))


class Translator:
    """Translates one statement; a new Translator per statement."""

    def __init__(self, catalog: Catalog, source: str, param_oids: Sequence[int], tz: dt.tzinfo,
                 view_types: Callable[[str], dict[int, PgType]] | None = None,
                 search_path: tuple[str, ...] = (schemas.PUBLIC,), user: str = "postgres") -> None:
        self.catalog = catalog
        self.user = user
        self.search_path = search_path  # schema names, for names that are not schema-qualified
        self.view_types = view_types  # a view's recorded column types by position (`store.conventions`)
        self.text = source
        self.tz = tz
        self.params: dict[int, PgType] = {i + 1: PgType(oid) for i, oid in enumerate(param_oids) if oid}
        self.param_count = len(param_oids)
        self.locks_rows = False
        self.notices: list[DatabaseError] = []

    # --- entry points -------------------------------------------------------------------------------

    def translate(self, tree: exp.Expression) -> Translation:
        """A query or a DML statement (DDL is `ddl`'s)."""
        if any(function.name.lower() in SEQUENCE_WRITERS for function in tree.find_all(exp.Anonymous)):
            self.locks_rows = True  # nextval/setval write the store: run as a writer, so they are journaled

        empty = pg_catalog.empty_result(tree)
        if empty is not None:  # psql's catalog queries over relations that have no rows here
            outputs = [OutputColumn(name, pg_type) for name, pg_type in empty]
            nulls = ", ".join(f'NULL AS "c{i}"' for i in range(len(outputs)))
            return self._result(f"SELECT {nulls} WHERE 0", "SELECT", outputs)
        if isinstance(tree, exp.Query | exp.Values):
            node, outputs = self.query(tree, Scope())
            return self._result(render(node, keep=False), "SELECT", outputs)
        if isinstance(tree, exp.Insert):
            return self.insert(tree)
        if isinstance(tree, exp.Update):
            return self.update(tree)
        if isinstance(tree, exp.Delete):
            return self.delete(tree)
        if isinstance(tree, exp.Command):
            raise unsupported(f"statement {tree.name.upper()}")
        raise unsupported(f"statement {type(tree).__name__.upper()}")

    def notice(self, message: str, detail: str | None = None) -> None:
        """A NOTICE for the client, sent when the statement has run (or has failed in translation)."""
        self.notices.append(DatabaseError("00000", message, detail=detail, severity="NOTICE"))

    def param_types(self) -> tuple[PgType, ...]:
        count = max([self.param_count, *self.params])
        return tuple(t.output_type(self.params.get(i, t.UNKNOWN_TYPE)) for i in range(1, count + 1))

    def _result(self, sql: str, command: str, outputs: list[OutputColumn] | None,
                **extra: Any) -> Translation:
        columns = None if outputs is None else tuple(self._final_output(column) for column in outputs)
        return Translation(sql, command, columns, self.param_types(), locks_rows=self.locks_rows, **extra)

    def _final_output(self, column: OutputColumn) -> OutputColumn:
        if column.type is None:
            return column
        return OutputColumn(column.name, t.output_type(column.type))

    # --- queries ------------------------------------------------------------------------------------

    def query(self, node: exp.Expression, parent: Scope) -> tuple[exp.Expression, list[OutputColumn]]:
        """A SELECT / set operation / VALUES; returns the rewritten node and its output columns."""
        if isinstance(node, exp.Subquery):
            inner, outputs = self.query(node.this, parent)
            node.set("this", inner)
            return node, outputs
        if isinstance(node, exp.Select):
            return self.select(node, parent)
        if isinstance(node, exp.SetOperation):
            return self.set_operation(node, parent)
        if isinstance(node, exp.Values):
            return self.values(node, parent)
        if isinstance(node, exp.Insert | exp.Update | exp.Delete):
            raise unsupported("data-modifying statements in WITH")
        raise unsupported(f"query {type(node).__name__}")

    def _with(self, node: exp.Expression, scope: Scope) -> None:
        with_clause = node.args.get("with_")
        if with_clause is None:
            return
        for cte in with_clause.expressions:
            name = cte.alias_or_name.lower()
            alias = cte.args.get("alias")
            alias_columns = [column.name for column in alias.columns] if alias is not None else []
            body = cte.this
            if with_clause.args.get("recursive") and isinstance(body, exp.SetOperation):
                set_operations.mark_recursive(body, name)
                _, anchor_outputs = self.query(body.this.copy(), scope)
                scope.ctes[name] = self._relation(name, anchor_outputs).renamed(name, alias_columns)
            translated, outputs = self.query(body, scope)
            cte.set("this", translated)
            scope.ctes[name] = self._relation(name, outputs).renamed(name, alias_columns)

    @staticmethod
    def _relation(name: str, outputs: list[OutputColumn]) -> Relation:
        """A subquery's or WITH query's rows as a relation: its unknown columns are text (as
        PostgreSQL resolves them)."""
        return Relation(name, [(column.name, t.output_type(column.type) if column.type else None)
                               for column in outputs])

    def select(self, node: exp.Select, parent: Scope) -> tuple[exp.Select, list[OutputColumn]]:
        scope = parent.child()
        if not node.expressions:  # PostgreSQL's rows of no columns; SQLite has none (it was XX000)
            raise unsupported("SELECT without a select list")
        select_list_unnest.moved_to_from(node)
        query_checks.check_select(node)
        query_checks.check_order(node)
        self._with(node, scope)
        distinct = node.args.get("distinct")
        distinct_on = distinct.args.get("on") if distinct is not None else None
        if distinct_on is not None:
            node.set("distinct", None)
        locks = node.args.get("locks")
        if locks:
            node.set("locks", None)  # the writer lock, taken before reading, serialises like a row lock
            self.locks_rows = True
        from_clause = node.args.get("from_")
        if from_clause is not None:
            from_clause.set("this", self._from_item(from_clause.this, scope))
        joins = node.args.get("joins") or []
        for join in joins:
            _check_join(join)
            join.set("this", self._from_item(join.this, scope, join))
        if any(join.args.get("using") or join.method for join in joins) \
                and any(relation.stored for relation in scope.relations):
            raise unsupported("USING or NATURAL joins beside unnest or generate_series in FROM")
        query_checks.check_grouping(node, scope)
        _check_locked_tables(locks or [], scope)
        for join in joins:
            if join.args.get("on") is not None:
                join.set("on", self.condition(join.args["on"], scope, "JOIN/ON"))
        outputs, expressions = self._output_list(node.expressions, scope, collate=True)
        node.set("expressions", expressions)
        for output, expression in zip(outputs, node.expressions, strict=False):
            if isinstance(expression, exp.Alias) and output.type is not None:
                scope.outputs[output.name.lower()] = output.type
        for key in ("where", "having", "qualify"):
            clause = node.args.get(key)
            if clause is not None:
                clause.set("this", self.condition(clause.this, scope, key.upper()))
        group = node.args.get("group")
        if group is not None:
            group.set("expressions", [_collated(*self.expr(e, scope)) if not isinstance(e, exp.Literal)
                                      else e for e in group.expressions])
        self._windows(node, scope)
        self._order_limit(node, scope, outputs)
        if distinct_on is not None:
            keys = [_collated(*self.expr(key, scope)) for key in distinct_on.expressions]
            return distinct_on_query.rewritten(node, keys, outputs), outputs
        return node, outputs

    def _windows(self, node: exp.Select, scope: Scope) -> None:
        for window in node.args.get("windows") or []:
            self._window_spec(window, scope)

    @staticmethod
    def _star_relations(star: exp.Expression, scope: Scope) -> list[Relation]:
        """The relations `*` or `name.*` lists the columns of."""
        table = star.args.get("table") if isinstance(star, exp.Column) else None
        if table is None:
            return scope.relations
        relation = scope.relation(table.name)
        return [relation] if relation is not None else []

    def _star(self, star: exp.Expression, scope: Scope) -> list[OutputColumn]:
        outputs: list[OutputColumn] = []
        for relation in self._star_relations(star, scope):
            if not relation.known:
                return [OutputColumn("*", None)]
            outputs += [OutputColumn(name, pg_type) for name, pg_type in relation.columns]
        return outputs

    def _order_limit(self, node: exp.Expression, scope: Scope, outputs: list[OutputColumn]) -> None:
        order = node.args.get("order")
        if order is not None and not any(output.type is None and output.name == "*" for output in outputs):
            for item in order.expressions:
                query_checks.check_position("ORDER BY", item.this if isinstance(item, exp.Ordered) else item,
                                            len(outputs))
        if order is not None:
            order_scope = Scope(parent=scope, outputs={o.name.lower(): o.type for o in outputs if o.type})
            order.set("expressions", [self._ordered(item, order_scope) for item in order.expressions])
        fetch = node.args.get("limit")
        if isinstance(fetch, exp.Fetch):
            options = fetch.args.get("limit_options")
            if options is not None and (options.args.get("with_ties") or options.args.get("percent")):
                raise unsupported("FETCH ... WITH TIES or PERCENT")
            node.set("limit", exp.Limit(expression=fetch.args.get("count") or exp.Literal.number(1)))
        for key in ("limit", "offset"):
            clause = node.args.get(key)
            if clause is not None:
                value = clause.expression
                query_checks.check_row_count(key.upper(), value)
                translated, pg_type = self.expr(value, scope)
                clause.set("expression", call(fn.ROW_COUNT, self.coerce(translated, pg_type, t.INT8_TYPE),
                                              key.upper()))

    def _ordered(self, item: exp.Expression, scope: Scope) -> exp.Expression:
        if not isinstance(item, exp.Ordered):
            return self.expr(item, scope)[0]
        inner = item.this
        if isinstance(inner, exp.Literal) and not inner.is_string:
            return item
        pg_type: PgType | None
        if isinstance(inner, exp.Column) and not inner.table and inner.name.lower() in scope.outputs \
                and scope.parent is not None and scope.parent.column(inner.name) is None:
            translated, pg_type = inner, scope.outputs[inner.name.lower()]
        else:
            translated, pg_type = self.expr(inner, scope.parent or scope)
        item.set("this", _collated(translated, pg_type))
        return item

    def set_operation(self, node: exp.SetOperation,
                      parent: Scope) -> tuple[exp.Expression, list[OutputColumn]]:
        scope = parent.child()
        self._with(node, scope)
        left, left_outputs = self.query(node.this, scope)
        right, right_outputs = self.query(node.expression, scope)
        if len(left_outputs) != len(right_outputs) and all(o.type for o in left_outputs + right_outputs):
            raise DatabaseError(SYNTAX_ERROR,
                                f"each {node.key.upper()} query must have the same number of columns")
        types = set_operations.result_types(node, [output.type for output in left_outputs],
                                            [output.type for output in right_outputs])
        if not set_operations.is_recursive(node):  # a recursive query's terms keep their types (checked)
            left = self._converted_branch(left, left_outputs, types)
            right = self._converted_branch(right, right_outputs, types)
        node.set("this", set_operations.compound_member(left))
        node.set("expression", set_operations.compound_member(right))
        outputs = [OutputColumn(output.name, pg_type)
                   for output, pg_type in zip(left_outputs, types, strict=False)]
        set_operations.check_order(node, [output.name for output in outputs], types)
        self._order_limit(node, scope, outputs)
        return set_operations.sqlite_form(node, [output.name for output in outputs]), outputs

    def _converted_branch(self, branch: exp.Expression, outputs: list[OutputColumn],
                          targets: list[PgType | None]) -> exp.Expression:
        return set_operations.converted_branch(branch, [o.name for o in outputs], [o.type for o in outputs],
                                               targets, self._converted_output)

    def _converted_output(self, value: exp.Expression, source: PgType, target: PgType) -> exp.Expression:
        """A result column's value converted to target and compared as target compares; never a
        bare column (SQLite would describe the result by that column's declared type)."""
        if isinstance(value, exp.Collate) and value.expression.name in _ORDERING_COLLATIONS:
            value = value.this
        return _undeclared(_collated(self.coerce(value, source, target), target), target)

    def values(self, node: exp.Values, parent: Scope) -> tuple[exp.Values, list[OutputColumn]]:
        rows = [self.row(row, parent) for row in node.expressions]
        if len({len(row) for row in rows}) > 1:
            raise DatabaseError(SYNTAX_ERROR, "VALUES lists must all be the same length")
        width = max((len(row) for row in rows), default=0)
        types = [t.output_type(rules.common_type([row[i][1] for row in rows if i < len(row)], "VALUES"))
                 for i in range(width)]
        node.set("expressions", [
            exp.Tuple(expressions=[_collated(self.coerce(value, pg_type, types[i]), types[i])
                                   for i, (value, pg_type) in enumerate(row)])
            for row in rows])
        alias = node.args.get("alias")
        names = [column.name for column in alias.columns] if alias is not None and alias.columns else []
        names += [f"column{i + 1}" for i in range(len(names), width)]
        return node, [OutputColumn(name, pg_type) for name, pg_type in zip(names, types, strict=False)]

    def row(self, row: exp.Expression, scope: Scope) -> list[Typed]:
        values = row.expressions if isinstance(row, exp.Tuple) else [row]
        return [self.expr(value, scope) for value in values]

    def source(self, node: exp.Expression, scope: Scope) -> exp.Expression:
        """A FROM item: registers its relation in scope."""
        alias_node = node.args.get("alias")
        renames = [c.name for c in alias_node.columns] if alias_node is not None else []
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            catalog_relation = pg_catalog.relation_name(node)
            if catalog_relation is not None:  # pg_catalog comes first on the search path
                node.set("db", None)
                scope.add(Relation(node.alias or catalog_relation,
                                                list(pg_catalog.RELATIONS[catalog_relation])))
                return node
            name = node.name
            alias = node.alias or name
            relation = scope.cte(name) if not node.args.get("db") else None
            if relation is None:
                stored = self.bind_relation(node)
                info = self.catalog.table(stored)
                relation = Relation(name, self._table_columns(stored, info), key=info.primary_key) if info \
                    else Relation(name, [], known=False)
            _check_alias_width(alias, relation, renames)
            scope.add(relation.renamed(alias, renames or None))
            if renames:
                bare = node.copy()
                bare.set("alias", None)
                return _renamed_source(exp.select("*").from_(bare), alias,
                                       [name for name, _ in relation.columns], renames)
            return node
        sibling_free = Scope(parent=scope.parent, ctes=scope.ctes)
        if isinstance(node, exp.Subquery):
            inner, outputs = self.query(node.this, sibling_free)
            node.set("this", inner)
            name = node.alias or "?subquery?"
            _check_alias_width(name, self._relation(name, outputs), renames)
            scope.add(self._relation(name, outputs).renamed(name, renames or None))
            if renames:
                _alias_outputs(inner, renames)
                node.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
            return node
        if isinstance(node, exp.Values):
            translated, outputs = self.values(node, sibling_free)
            name = node.alias or "*VALUES*"
            scope.add(self._relation(name, outputs))
            translated.set("alias", None)
            return _renamed_source(translated, name, [f"column{i + 1}" for i in range(len(outputs))],
                                   [output.name for output in outputs])
        if _is_generate_series(node):  # UPDATE ... FROM: the target is not visible to its arguments
            arguments = self._function_arguments(node, scope, sees_before=False)
            return self._generate_series(node, scope, arguments)
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) \
                and node.this.name.lower() in TABLE_FUNCTIONS:
            name = node.this.name.lower()
            scope.add(Relation(node.alias or name, list(TABLE_FUNCTIONS[name])))
            return node
        raise unsupported(f"FROM item {node.sql('postgres')}")

    def _from_item(self, node: exp.Expression, scope: Scope, join: exp.Join | None = None) -> exp.Expression:
        """A FROM item of a SELECT (join: the join it is the right side of): unnest(array) and
        generate_series here, LATERAL or not (their arguments see the FROM items before them, as in
        PostgreSQL), every other one through `source`."""
        if node.args.get("joins"):  # `a JOIN b LEFT JOIN c ON ... ON ...`: SQLite has no such nesting
            raise unsupported("a join nested in another join's ON (JOIN ... JOIN ... ON ... ON ...)")
        if node.args.get("sample"):  # refused before the rest is typed (its columns would be)
            raise unsupported("TABLESAMPLE")
        if isinstance(node, exp.Lateral):
            node = _lateral_function(node)
        if isinstance(node, exp.Unnest) or _is_generate_series(node):
            side = join.side.upper() if join is not None else ""
            arguments = self._function_arguments(node, scope, sees_before=side not in ("RIGHT", "FULL"))
            if join is not None and not side and join.kind.upper() in ("", "INNER", "CROSS") \
                    and _may_refer_to(node, scope.relations):
                join.set("kind", "CROSS")  # SQLite then keeps the items before it in outer loops
            function = self._unnest(node, scope, arguments) if isinstance(node, exp.Unnest) \
                else self._generate_series(node, scope, arguments)
            return _selected_from(function, scope.relations[-1]) if side in ("RIGHT", "FULL") else function
        return self.source(node, scope)

    def _function_arguments(self, node: exp.Expression, scope: Scope, *, sees_before: bool) -> Scope:
        """The scope a table function's arguments are resolved in: the FROM items before it (not
        when it is the right side of a RIGHT or FULL join) and outer queries. A column reference
        resolving to none of them fails here as in PostgreSQL (SQLite would find a later item); the
        others are qualified (SQLite would also see the function's own arguments as columns)."""
        visible = scope if sees_before else Scope(parent=scope.parent, ctes=scope.ctes)
        if not all(relation.known for level in _levels(visible) for relation in level.relations):
            return visible
        for column in _column_references(node):
            if isinstance(column.this, exp.Star):
                continue
            table = column.table
            if table and visible.relation(table) is None:
                if scope.relation(table) is not None:
                    raise DatabaseError("42P10",
                                        f'invalid reference to FROM-clause entry for table "{table}"')
                raise DatabaseError(UNDEFINED_TABLE, f'missing FROM-clause entry for table "{table}"')
            relation = visible.resolve(column.name, table or None)
            if relation is None or not relation.find(column.name)[0]:
                name = f"{table}.{column.name}" if table else f'"{column.name}"'
                raise DatabaseError(UNDEFINED_COLUMN, f"column {name} does not exist")
            column.set("table", exp.to_identifier(relation.name, quoted=True))
        return visible

    def _unnest(self, node: exp.Unnest, scope: Scope, arguments: Scope) -> exp.Expression:
        """unnest(array) in FROM: `helios_unnest(array, oid) AS name`, the elements of all
        dimensions in order; named by the alias (`unnest(a) x`: relation and column x, `unnest(a)
        t(x)`), else unnest; WITH ORDINALITY adds their positions (int8)."""
        if len(node.expressions) != 1:
            raise unsupported("unnest of several arrays")
        array, array_type = self.expr(node.expressions[0], arguments)
        if array_type.is_unknown:
            raise DatabaseError("42725", "function unnest(unknown) is not unique")
        if not array_typing.is_array(array_type):
            raise DatabaseError("42883", f"function unnest({format_type(array_type.oid, -1)}) does not exist")
        alias = node.args.get("alias")
        name = alias.name if alias is not None and alias.name else "unnest"
        column = alias.columns[0].name if alias is not None and alias.columns else name
        columns = [(column, array_typing.element_type(array_type))]
        ordinality = node.args.get("offset")  # WITH ORDINALITY: True, or the name it is given
        if ordinality:
            columns.append((ordinality.name if isinstance(ordinality, exp.Identifier) else "ordinality",
                            t.INT8_TYPE))
        return self._table_function(scope, Relation(name, columns), array_functions.UNNEST,
                                    [array, exp.Literal.number(array_type.oid)])

    def _table_function(self, scope: Scope, relation: Relation, function: str,
                        arguments: list[exp.Expression]) -> exp.Table:
        """`function(arguments) AS name`, a SQLite table-valued function whose columns `value` and
        `ordinality` are relation's columns, registered in scope."""
        relation.stored = ("value", "ordinality")[:len(relation.columns)]
        relation.shown = _SHOWN_COLUMNS[function]
        scope.add(relation)
        return exp.Table(this=exp.Anonymous(this=function, expressions=arguments),
                         alias=exp.TableAlias(this=exp.to_identifier(relation.name, quoted=True)))

    def _table_columns(self, name: str, info: TableInfo) -> list[tuple[str, PgType | None]]:
        """A table's or view's columns with their types (a view's as recorded at CREATE VIEW)."""
        columns = [(c.name, c.type) for c in info.columns]
        if self.view_types is None or self.catalog.table(VIEW_COLUMNS_TABLE) is None:
            return columns
        recorded = self.view_types(name)
        return [(column, recorded.get(position, pg_type))
                for position, (column, pg_type) in enumerate(columns)]

    def _generate_series(self, node: exp.Table, scope: Scope, arguments_scope: Scope) -> exp.Expression:
        """generate_series(start, stop[, step]) in FROM, a table-valued function (`_table_function`)."""
        if node.args.get("ordinality"):
            raise unsupported("generate_series WITH ORDINALITY")
        series = node.this
        arguments = [series.args.get(key) for key in ("start", "end", "step") if series.args.get(key)]
        typed = [self.expr(argument, arguments_scope) for argument in arguments]
        if any(pg_type.oid in (t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ, t.INTERVAL) for _, pg_type in typed):
            function, result, values = self._time_series(typed)
        else:
            types = [pg_type if not pg_type.is_unknown else t.INT4_TYPE for _, pg_type in typed]
            if not all(pg_type.oid in t.NUMBER_TYPES for pg_type in types):
                raise _no_generate_series([pg_type.oid for _, pg_type in typed])
            if not all(pg_type.oid in t.INTEGER_TYPES for pg_type in types):
                raise unsupported("generate_series over non-integer values")
            function, result = fn.GENERATE_SERIES, rules.common_type(types)
            values = [self.coerce(value, pg_type, result) for value, pg_type in typed]
        alias = node.alias or fn.GENERATE_SERIES
        renames = node.args["alias"].columns if node.args.get("alias") is not None else []
        column = renames[0].name if renames else alias
        return self._table_function(scope, Relation(alias, [(column, result)]), function, values)

    def _time_series(self, typed: list[Typed]) -> tuple[str, PgType, list[exp.Expression]]:
        """generate_series(start, stop, step interval): over timestamp when an argument is one and
        none is timestamptz, else over timestamptz (dates too, as PostgreSQL resolves them)."""
        oids = [pg_type.oid for _, pg_type in typed]
        if len(typed) != 3 or not set(oids[:2]) <= {t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ, t.UNKNOWN} \
                or oids[2] not in (t.INTERVAL, t.UNKNOWN):
            raise _no_generate_series(oids)
        result = PgType(t.TIMESTAMP if t.TIMESTAMP in oids and t.TIMESTAMPTZ not in oids else t.TIMESTAMPTZ)
        targets = (result, result, PgType(t.INTERVAL))
        values = [self.coerce(value, pg_type, target)
                  for (value, pg_type), target in zip(typed, targets, strict=True)]
        return fn.TIME_SERIES, result, [*values, exp.Literal.number(result.oid)]

    # --- names of stored objects (`schemas`) ---------------------------------------------------------

    def relation(self, table: exp.Table, exists: Callable[[str], bool] | None = None) -> str:
        """The storage name of the existing object `table` names: in its schema if qualified, else in
        the first schema of the search path that has one (`exists`: a table or view by default);
        found nowhere: the bare name, which SQLite then reports missing."""
        found = exists or (lambda stored: self.catalog.table(stored) is not None)
        return schemas.resolve(table.name, schema_of(table), self.search_path, found)

    def bind_relation(self, table: exp.Table) -> str:
        """Rewrites `table` to name its stored table or view (keeping the name it was referred by as
        its alias); returns the storage name. A schema-qualified name that names nothing: 42P01."""
        name = table.name
        stored = self.relation(table)
        schema = schema_of(table)
        if schema is not None and self.catalog.table(stored) is None:
            raise DatabaseError(UNDEFINED_TABLE, f'relation "{schema}.{name}" does not exist')
        if stored != name and not table.alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        table.set("this", exp.to_identifier(stored, quoted=stored != name or table.this.quoted))
        table.set("db", None)
        return stored

    def new_object(self, table: exp.Expression) -> str:
        """The storage name of an object to create: in its schema if qualified, else in the first
        schema of the search path that exists (3F000 if there is none)."""
        if not isinstance(table, exp.Table):
            raise unsupported(f"object name {table.sql('postgres')}")
        if "." in table.name:
            raise DatabaseError(INVALID_NAME, f'names containing "." are not supported: "{table.name}"')
        existing = self.catalog.schemas()
        schema = schema_of(table)
        if schema is None:
            schema = next((s for s in self.search_path if s in existing), None)
            if schema is None:
                raise DatabaseError(INVALID_SCHEMA_NAME, "no schema has been selected to create in")
        elif schema in schemas.SYSTEM_SCHEMAS:
            raise unsupported(f"creating objects in schema {schema}")
        elif schema not in existing:
            raise DatabaseError(INVALID_SCHEMA_NAME, f'schema "{schema}" does not exist')
        return schemas.storage_name(schema, table.name)

    # --- DML ----------------------------------------------------------------------------------------

    def _target(self, node: exp.Expression, scope: Scope) -> tuple[str, list[tuple[str, PgType | None]]]:
        table = node.this if isinstance(node, exp.Schema) else node
        if not isinstance(table, exp.Table):
            raise unsupported(f"target {table.sql('postgres')}")
        name = table.name
        stored = self.bind_relation(table)
        info = self.catalog.table(stored)
        columns = [(c.name, c.type) for c in info.columns] if info else []
        scope.add(Relation(table.alias or name, columns, known=info is not None))
        return stored, columns

    def insert(self, node: exp.Insert) -> Translation:
        scope = Scope()
        self._with(node, scope)
        table_name, table_columns = self._target(node.this, scope)
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
            names = self._user_values_overridden(node, table_name, names)
            targets = [types.get(name.lower()) for name in names]
            source = node.expression
        given = names  # the columns given a value other than DEFAULT
        if isinstance(source, exp.Values):
            widths = {len(_row_values(row)) for row in source.expressions}
            if len(widths) > 1:
                raise DatabaseError(SYNTAX_ERROR, "VALUES lists must all be the same length")
            if table_columns:
                _check_insert_width(widths.pop(), len(names))
            names = self._drop_defaults(node, source, names)
            targets = [types.get(name.lower()) for name in names]
            given_positions = _given_positions([_row_values(row) for row in source.expressions])
            given = [name for i, name in enumerate(names) if i in given_positions]
            rows = []
            for row in source.expressions:
                values = _row_values(row)
                typed = [self.expr(value, scope) for value in values]
                rows.append(exp.Tuple(expressions=[
                    self._inserted_value(table_name, value, pg_type, targets[i] if i < len(targets) else None,
                                         names[i] if i < len(names) else None)
                    for i, (value, pg_type) in enumerate(typed)]))
                if len(source.expressions) == 1:
                    key_sources = self._key_sources(names, values)
            source.set("expressions", rows)
        elif source is not None:
            translated, outputs = self.query(source, scope)
            if table_columns and all(output.type is not None for output in outputs):
                _check_insert_width(len(outputs), len(names))
            column_targets = [targets[i] if i < len(targets) else None for i in range(len(outputs))]
            for output, name, target in zip(outputs, names, column_targets, strict=False):
                if output.type is not None:
                    self._check_assignable(output.type, target, name)
            translated = set_operations.converted_branch(
                translated, [output.name for output in outputs], [output.type for output in outputs],
                column_targets, self._assigned, _assignment_changes)
            if node.args.get("conflict") is not None and isinstance(translated, exp.Select) \
                    and translated.args.get("where") is None:
                translated.set("where", exp.Where(this=exp.true()))  # SQLite's upsert needs a WHERE here
            node.set("expression", translated)
        always = self._identity_always(table_name) & {name.lower() for name in given}
        if always and overriding != "SYSTEM":
            column = next(name for name in names if name.lower() in always)
            raise DatabaseError("428C9", f'cannot insert a non-DEFAULT value into column "{column}"',
                                detail=f'Column "{column}" is an identity column defined as '
                                "GENERATED ALWAYS.",
                                hint="Use OVERRIDING SYSTEM VALUE to override.")
        names = self._fill_added_defaults(node, table_name, names)
        serial_sequence = self._serial_sequence(node, table_name, names)
        self._on_conflict(node, scope, table_name, table_columns)
        outputs = self._returning(node, scope)
        return self._result(render(node, keep=False), "INSERT", outputs, target=table_name,
                            key_sources=tuple(key_sources), serial_sequence=serial_sequence,
                            serial_upsert=node.args.get("conflict") is not None)

    def _inserted_value(self, table: str, value: exp.Expression, pg_type: PgType, target: PgType | None,
                        column: str | None) -> exp.Expression:
        """A value of INSERT ... VALUES for column; DEFAULT is the column's default expression."""
        if _is_default_keyword(value) and column is not None:
            return self._column_default(table, column)
        assigned = self.assign(value, pg_type, target, column)
        info = self.catalog.table(table) if column is not None else None
        key = info.column(column) if info is not None and column is not None else None
        if key is not None and key.rowid_alias:  # SQLite would number an explicit NULL as it does DEFAULT
            message = f'null value in column "{key.name}" of relation "{schemas.split(table)[1]}" violates ' \
                      "not-null constraint"
            return call(fn.NOT_NULL, assigned, message)
        return assigned

    def _fill_added_defaults(self, node: exp.Insert, table: str, names: list[str]) -> list[str]:
        """The defaults SQLite does not keep (`added_defaults`) of the columns this INSERT leaves out,
        added to its column list and to each row; returns the column names."""
        info = self.catalog.table(table)
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

    def _serial_sequence(self, node: exp.Insert, table: str, names: list[str]) -> str | None:
        """The sequence of table's serial primary key when SQLite numbers it (its rowid) in this
        INSERT; the session then makes the rowid it assigned that sequence's currval."""
        info = self.catalog.table(table)
        key = next((c.name for c in info.columns if c.rowid_alias), None) if info else None
        if key is None:
            return None
        if node.args.get("default") or key.lower() not in {name.lower() for name in names}:
            return f"{table}_{key}_seq"
        return None

    def _identity_columns(self, table: str, *kinds: str) -> set[str]:
        """The lower-cased names of table's identity columns of the given kinds ('a': GENERATED
        ALWAYS, 'd': GENERATED BY DEFAULT)."""
        info = self.catalog.table(table)
        return {c.name.lower() for c in info.columns if identity_kind(c.default) in kinds} if info else set()

    def _identity_always(self, table: str) -> set[str]:
        return self._identity_columns(table, "a")

    def _user_values_overridden(self, node: exp.Insert, table: str, names: list[str]) -> list[str]:
        """OVERRIDING USER VALUE: the values given for identity columns (ALWAYS or BY DEFAULT) become
        DEFAULT in VALUES (then left out, `_drop_defaults`), or are left out of the rows of a query
        (`WITH rows(value1, ...) AS (query) SELECT <the other values> FROM rows`); a serial column
        keeps its value. Returns the column names."""
        identity = self._identity_columns(table, "a", "d")
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

    @staticmethod
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

    def _key_sources(self, names: list[str], values: list[exp.Expression]) -> list[tuple[str, int | str]]:
        sources: list[tuple[str, int | str]] = []
        for name, value in zip(names, values, strict=False):
            number = _parameter_number(value)
            if number is not None:
                sources.append((name, number))
            elif isinstance(value, exp.Literal):
                sources.append((name, value.this))
        return sources

    def _on_conflict(self, node: exp.Insert, scope: Scope, table: str,
                     columns: list[tuple[str, PgType | None]]) -> None:
        conflict = node.args.get("conflict")
        if conflict is None:
            return
        if conflict.args.get("constraint") is not None:
            raise unsupported("ON CONFLICT ON CONSTRAINT")
        keys = conflict.args.get("conflict_keys") or []
        if not keys and conflict.expressions:  # SQLite would update on any unique key's conflict
            raise DatabaseError(SYNTAX_ERROR,
                                "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                                hint="For example, ON CONFLICT (column_name).")
        conflict.set("conflict_keys", [key.this if isinstance(key, exp.Ordered) else key for key in keys])
        conflict_scope = Scope(parent=scope, relations=[Relation("excluded", columns)])
        conflict.set("expressions", [self._assignment(item, conflict_scope, table)
                                     for item in conflict.expressions])
        if conflict.args.get("where") is not None:
            where = conflict.args["where"]
            where.set("this", self.condition(where.this, conflict_scope, "WHERE"))

    def _assignment(self, item: exp.Expression, scope: Scope, table: str) -> exp.Expression:
        """`column = value` of UPDATE or ON CONFLICT DO UPDATE of table; `column = DEFAULT` writes
        the column's default (NULL if it has none)."""
        if not isinstance(item, exp.EQ) or not isinstance(item.this, exp.Column):
            raise unsupported(f"assignment {item.sql('postgres')}")
        if _is_default(item.expression):
            item.set("expression", self._column_default(table, item.this.name))
            return item
        target = scope.column(item.this.name)
        value, pg_type = self.expr(item.expression, scope)
        item.set("expression", self.assign(value, pg_type, target, item.this.name))
        return item

    def _column_default(self, table: str, name: str) -> exp.Expression:
        """The SQLite expression of a column's default (NULL when it has none); a serial key that
        SQLite numbers (its rowid) draws from its sequence."""
        info = self.catalog.table(table)
        column = info.column(name) if info else None
        if column is not None and column.rowid_alias:
            self.locks_rows = True  # nextval writes the store
            return call(fn.NEXTVAL, f"{table}_{column.name}_seq")
        if column is None or column.default is None:
            return exp.Null()
        return exp.Var(this=column.default)

    def _returning(self, node: exp.Expression, scope: Scope) -> list[OutputColumn] | None:
        returning = node.args.get("returning")
        if returning is None:
            return None
        outputs, expressions = self._output_list(returning.expressions, scope, collate=False)
        returning.set("expressions", expressions)
        return outputs

    def _output_list(self, items: list[exp.Expression], scope: Scope, *, collate: bool
                     ) -> tuple[list[OutputColumn], list[exp.Expression]]:
        """A select list or RETURNING list: its output columns and translated expressions (`*`
        expanded in the outputs only); a select list's values get their ordering collation."""
        outputs: list[OutputColumn] = []
        expressions: list[exp.Expression] = []
        for expression in items:
            if isinstance(expression, exp.Star) or (isinstance(expression, exp.Column)
                                                    and isinstance(expression.this, exp.Star)):
                outputs += self._star(expression, scope)
                expressions += self._star_expressions(expression, scope)
                continue
            name = rules.column_name(expression, self.text)
            translated, pg_type = self.expr(expression, scope)
            if isinstance(translated, exp.Column) and translated.name != name:  # a table function's column
                translated = exp.alias_(translated, name, quoted=True)
            outputs.append(OutputColumn(name, pg_type))
            expressions.append(_collated_output(translated, pg_type) if collate else translated)
        return outputs, expressions

    def _star_expressions(self, star: exp.Expression, scope: Scope) -> list[exp.Expression]:
        """`*` as SQLite should list it: as written, unless a table function is among its relations
        (SQLite would show `value` and `ordinality` for its columns): then relation by relation."""
        relations = self._star_relations(star, scope)
        if not any(relation.stored for relation in relations):
            return [star]
        expressions: list[exp.Expression] = []
        for relation in relations:
            table = exp.to_identifier(relation.name, quoted=True)
            if not relation.stored:
                expressions.append(exp.Column(this=exp.Star(), table=table))
                continue
            expressions += [exp.alias_(exp.column(stored, relation.name, quoted=True), name, quoted=True)
                            for (name, _), stored in zip(relation.columns, relation.stored, strict=True)]
        return expressions

    def update(self, node: exp.Update) -> Translation:
        scope = Scope()
        self._with(node, scope)
        table_name, table_columns = self._target(node.this, scope)
        node.set("expressions", [single for item in node.expressions for single in _single_assignments(item)])
        assigned = [item.this.name for item in node.expressions if isinstance(item, exp.EQ)]
        if table_columns:
            _check_target_columns(assigned, {name.lower(): pg_type for name, pg_type in table_columns},
                                  node.this.name, assignments=True)
        query_checks.check_placement(node.args["where"].this if node.args.get("where") else None)
        always = self._identity_always(table_name)
        for item in node.expressions:
            if isinstance(item, exp.EQ) and item.this.name.lower() in always \
                    and not _is_default(item.expression):
                raise DatabaseError("428C9", f'column "{item.this.name}" can only be updated to DEFAULT',
                                    detail=f'Column "{item.this.name}" is an identity column defined as '
                                    "GENERATED ALWAYS.")
        from_clause = node.args.get("from_")
        if from_clause is not None:
            from_clause.set("this", self.source(from_clause.this, scope))
        node.set("expressions", [self._assignment(item, scope, table_name) for item in node.expressions])
        where = node.args.get("where")
        if where is not None:
            where.set("this", self.condition(where.this, scope, "WHERE"))
        outputs = self._returning(node, scope)
        return self._result(render(node, keep=False), "UPDATE", outputs, target=table_name)

    def delete(self, node: exp.Delete) -> Translation:
        if node.args.get("using"):
            raise unsupported("DELETE ... USING")
        scope = Scope()
        self._with(node, scope)
        table_name, _ = self._target(node.this, scope)
        where = node.args.get("where")
        if where is not None:
            query_checks.check_placement(where.this)
            where.set("this", self.condition(where.this, scope, "WHERE"))
        outputs = self._returning(node, scope)
        return self._result(render(node, keep=False), "DELETE", outputs, target=table_name)

    # --- coercion -----------------------------------------------------------------------------------

    def constant(self, text: str, target: PgType, *, explicit: bool) -> exp.Expression:
        """A quoted literal converted, here and now, to the stored form of target."""
        value = codecs.decode_text(target.oid, text.encode(), tz=self.tz)
        if target.typmod >= 0:
            value = casts.apply_typmod(value, target.oid, target.typmod, explicit=explicit)
        return storage_literal(to_storage(target.oid)(value))

    def coerce(self, node: exp.Expression, source: PgType, target: PgType | None, *, mode: str = "implicit",
               ) -> exp.Expression:
        """node (of type source) as a value of type target. mode: implicit (operands; no type
        modifier), assignment (column values; 22001 when too long) or explicit (casts)."""
        if target is None or target.is_unknown:
            return node
        explicit = mode == "explicit"
        with_typmod = mode != "implicit" and target.typmod >= 0
        number = _parameter_number(node)
        if source.is_unknown:
            if number is not None:
                self.params.setdefault(number, PgType(target.oid))
                source = self.params[number]
                if source.oid == target.oid:
                    return self._typmod(node, target, explicit) if with_typmod else node
            elif isinstance(node, exp.Literal) and node.is_string:
                if with_typmod and array_typing.is_array(target):  # the elements' modifier: when it runs
                    value = self.constant(node.this, PgType(target.oid), explicit=explicit)
                    return self._typmod(value, target, explicit)
                literal_target = target if with_typmod else PgType(target.oid)
                return self.constant(node.this, literal_target, explicit=explicit)
            elif isinstance(node, exp.Null):
                return node
            else:
                source = t.TEXT_TYPE
        if source.oid == t.BPCHAR and target.oid in (t.TEXT, t.VARCHAR):
            node = call("rtrim", node)  # char(n) as text or varchar loses its padding
        if source.oid == target.oid or (source.oid in t.STRING_TYPES and target.oid in t.STRING_TYPES):
            needs_typmod = with_typmod and target.typmod != source.typmod
            return self._typmod(node, target, explicit) if needs_typmod else node
        if source.oid in t.INTEGER_TYPES and target.oid in t.INTEGER_TYPES \
                and _INT_WIDTH[target.oid] >= _INT_WIDTH[source.oid]:
            return node
        if source.oid == t.FLOAT4 and target.oid == t.FLOAT8:
            return node  # a float4 is kept as the double of its single-precision value
        if source.oid in t.INTEGER_TYPES and target.oid == t.FLOAT8:
            return exp.Cast(this=node, to=exp.DataType.build("REAL"))
        if source.oid in t.INTEGER_TYPES and target.oid == t.NUMERIC and not with_typmod:
            if isinstance(node, exp.Literal):
                return exp.Literal.string(node.this)
            return exp.Cast(this=node, to=exp.DataType.build("TEXT"))
        typmod = target.typmod if with_typmod else -1
        if array_typing.is_array(source) and array_typing.is_array(target):
            return call(array_functions.CAST, node, source.oid, target.oid, typmod, int(explicit))
        return call(fn.CAST, node, source.oid, target.oid, typmod, int(explicit))

    def _typmod(self, node: exp.Expression, target: PgType, explicit: bool) -> exp.Expression:
        return call(fn.CAST, node, target.oid, target.oid, target.typmod, int(explicit))

    def assign(self, node: exp.Expression, source: PgType, target: PgType | None,
               column: str | None = None) -> exp.Expression:
        """A value written to a column of type target (PostgreSQL's assignment coercion); with the
        column's name, 42804 when its type has no assignment cast to target."""
        if column is not None:
            self._check_assignable(source, target, column)
        return self._assigned(node, source, target)

    def _assigned(self, node: exp.Expression, source: PgType, target: PgType | None) -> exp.Expression:
        """A value written to a column of type target, assignable (`_check_assignable`)."""
        return self.coerce(node, source, target, mode="assignment")

    @staticmethod
    def _check_assignable(source: PgType, target: PgType | None, column: str) -> None:
        if target is None or cast_contexts.can_coerce(source, target, cast_contexts.Context.ASSIGNMENT):
            return
        raise DatabaseError("42804", f'column "{column}" is of type {format_type(target.oid, -1)} but '
                                     f"expression is of type {format_type(source.oid, -1)}",
                            hint="You will need to rewrite or cast the expression.")

    def condition(self, node: exp.Expression, scope: Scope, clause: str) -> exp.Expression:
        """A condition of the clause named (WHERE, JOIN/ON, CASE/WHEN, ...): 42804 for a value that
        is not a boolean (SQLite takes any nonzero number for true)."""
        translated, pg_type = self.expr(node, scope)
        if pg_type.oid not in (t.BOOL, t.UNKNOWN) and (pg_type.oid != t.TEXT or isinstance(node, exp.Column)):
            raise DatabaseError(DATATYPE_MISMATCH, f"argument of {clause} must be type boolean, not type "
                                                   f"{format_type(pg_type.oid, -1)}")
        return self.coerce(translated, pg_type, t.BOOL_TYPE)

    # --- expressions --------------------------------------------------------------------------------

    def expr(self, node: exp.Expression, scope: Scope) -> Typed:
        """The rewritten node and its PostgreSQL type."""
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node, scope)
        for cls, class_handler in _CLASS_HANDLERS:
            if isinstance(node, cls):
                return class_handler(self, node, scope)
        return self._generic(node, scope)

    def _generic(self, node: exp.Expression, scope: Scope) -> Typed:
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Identifier | exp.DataType | exp.Var):
                continue
            if isinstance(value, exp.Expression):
                node.set(key, self.expr(value, scope)[0])
            elif isinstance(value, list):
                node.set(key, [self.expr(item, scope)[0] if isinstance(item, exp.Expression) else item
                               for item in value])
        return node, t.UNKNOWN_TYPE

    def _literal(self, node: exp.Literal, _: Scope) -> Typed:
        pg_type = rules.literal_type(node)
        if pg_type.oid == t.NUMERIC:
            return self.constant(node.this, pg_type, explicit=False), pg_type
        return node, pg_type

    def _string(self, node: exp.Expression, _: Scope) -> Typed:
        return exp.Literal.string(node.this), t.UNKNOWN_TYPE

    def _escape_string(self, node: exp.ByteString, _: Scope) -> Typed:
        """E'...': PostgreSQL's value, where sqlglot's C-style decoding differs (escape_strings)."""
        value = escape_string_values(self.text).get(node.this, node.this)
        return exp.Literal.string(value), t.UNKNOWN_TYPE

    def _unsupported_literal(self, node: exp.Expression, _: Scope) -> Typed:
        raise unsupported(f"literal {node.sql('postgres')}")

    def _unsupported_operator(self, node: exp.Expression, _: Scope) -> Typed:
        raise unsupported(node.sql("postgres"))

    def _subscript(self, node: exp.Bracket, scope: Scope) -> Typed:
        """array[i] (sqlglot has made a constant index 0-based, and left others as written)."""
        array, array_type = self.expr(node.this, scope)
        info = codecs.type_by_oid(array_type.oid)
        if not info.is_array or len(node.expressions) != 1 or isinstance(node.expressions[0], exp.Slice):
            raise unsupported(f"subscript {node.sql('postgres')}")
        written = node.expressions[0]
        index, index_type = self.expr(written, scope)
        index = self.coerce(index, index_type, t.INT4_TYPE)
        if isinstance(written, exp.Literal):
            index = exp.Literal.number(int(written.this) + 1)
        return call(fn.SUBSCRIPT, array, array_type.oid, index), PgType(info.elem_oid)

    def _at_time_zone(self, node: exp.AtTimeZone, scope: Scope) -> Typed:
        value, value_type = self.expr(node.this, scope)
        if value_type.oid not in (t.TIMESTAMP, t.TIMESTAMPTZ):
            value = self.coerce(value, value_type, PgType(t.TIMESTAMPTZ))
            value_type = PgType(t.TIMESTAMPTZ)
        zone, zone_type = self.expr(node.args["zone"], scope)
        zone = self.coerce(zone, zone_type, t.TEXT_TYPE)
        result = PgType(t.TIMESTAMP if value_type.oid == t.TIMESTAMPTZ else t.TIMESTAMPTZ)
        return call(fn.AT_TIME_ZONE, value, value_type.oid, zone), result

    def _collate(self, node: exp.Collate, scope: Scope) -> Typed:
        """COLLATE "C" (and POSIX, default): byte order, which is how SQLite compares text."""
        value, pg_type = self.expr(node.this, scope)
        if node.expression.name.lower() not in ("c", "posix", "default", "ucs_basic"):
            raise unsupported(f'collation "{node.expression.name}"')
        return exp.Collate(this=value, expression=exp.Var(this="BINARY")), pg_type

    def _array_agg(self, node: exp.ArrayAgg, scope: Scope) -> Typed:
        """array_agg(value [ORDER BY ...]): SQLite's aggregate ORDER BY, after the last argument."""
        order = node.this if isinstance(node.this, exp.Order) else None
        value, pg_type = self._aggregate_argument(order.this if order is not None else node.this, scope)
        if isinstance(value, exp.Distinct) or pg_type.is_unknown:
            raise unsupported("array_agg with DISTINCT or of unknown type")
        result = rules.function_type("array_agg", [pg_type])
        if order is None:
            return call(fn.ARRAY_AGG, value, pg_type.oid), result
        keys = [self._ordered(item, Scope(parent=scope)) for item in order.expressions]
        return call(fn.ARRAY_AGG, value, exp.Order(this=exp.Literal.number(pg_type.oid), expressions=keys)), \
            result

    def _boolean(self, node: exp.Boolean, _: Scope) -> Typed:
        return exp.Literal.number(1 if node.this else 0), t.BOOL_TYPE

    def _null(self, node: exp.Null, _: Scope) -> Typed:
        return node, t.UNKNOWN_TYPE

    def _parameter(self, node: exp.Parameter, _: Scope) -> Typed:
        number = _parameter_number(node)
        if number is None:
            raise unsupported(f"parameter {node.sql('postgres')}")
        self.param_count = max(self.param_count, number)
        return node, self.params.get(number, t.UNKNOWN_TYPE)

    def _column(self, node: exp.Column, scope: Scope) -> Typed:
        if isinstance(node.this, exp.Star):
            return node, t.UNKNOWN_TYPE
        node.set("db", None)  # a schema-qualified column: its table is referred to by its bare name
        table = node.table or None
        relation = scope.resolve(node.name, table)
        found, pg_type = relation.find(node.name) if relation is not None else (False, None)
        if relation is not None and relation.stored:  # a table function's: its column under SQLite's name
            if not found:
                raise DatabaseError(UNDEFINED_COLUMN, f"column {relation.name}.{node.name} does not exist")
            node.set("this", exp.to_identifier(relation.stored_name(node.name), quoted=True))
            node.set("table", exp.to_identifier(relation.name, quoted=True))
        elif not table and scope.shows(node.name, relation):
            if relation is None and node.name.lower() in scope.outputs:  # GROUP BY an output column
                raise unsupported(f'GROUP BY output column "{node.name}" beside unnest or generate_series')
            if relation is None:
                raise DatabaseError(UNDEFINED_COLUMN, f'column "{node.name}" does not exist')
            node.set("table", exp.to_identifier(relation.name, quoted=True))
        return node, pg_type if pg_type is not None else t.UNKNOWN_TYPE

    def _paren(self, node: exp.Paren, scope: Scope) -> Typed:
        inner, pg_type = self.expr(node.this, scope)
        node.set("this", inner)
        return node, pg_type

    def _alias(self, node: exp.Alias, scope: Scope) -> Typed:
        inner, pg_type = self.expr(node.this, scope)
        node.set("this", inner)
        return node, pg_type

    def _cast(self, node: exp.Cast, scope: Scope) -> Typed:
        target = t.resolve_datatype(node.to)
        if isinstance(node.this, exp.Array) and not node.this.expressions \
                and array_typing.is_array(target.pg_type):  # ARRAY[]::integer[]
            return self.constant("{}", target.pg_type, explicit=True), target.pg_type
        inner, source = self.expr(node.this, scope)
        if not cast_contexts.can_coerce(source, target.pg_type, cast_contexts.Context.EXPLICIT):
            raise casts.cannot_cast(source.oid, target.pg_type.oid)
        converted = self.coerce(inner, source, target.pg_type, mode="explicit")
        if target.pg_type != source:  # a column cast to another type is not a column of its own
            converted = _undeclared(converted, target.pg_type)
        return converted, target.pg_type

    def _arithmetic(self, node: exp.Binary, scope: Scope) -> Typed:
        operator = ARITHMETIC[type(node)]
        left, left_type = self.expr(node.this, scope)
        right, right_type = self.expr(node.expression, scope)
        left_resolved, right_resolved = rules.arithmetic_operands(
            operator, *rules.resolve_unknown(operator, left_type, right_type))
        left = self.coerce(left, left_type, left_resolved)
        right = self.coerce(right, right_type, right_resolved)
        result = rules.arithmetic_type(operator, left_resolved, right_resolved)
        oids = {left_resolved.oid, right_resolved.oid}
        if oids <= t.INTEGER_TYPES | t.FLOAT_TYPES:
            if operator == "%" and oids & t.FLOAT_TYPES:
                raise rules.no_operator(left_resolved.oid, operator, right_resolved.oid)
            if operator in fn.QUICK_ARITH_NAMES and result.oid in fn.QUICK_ARITH_TYPES:
                return call(fn.quick_arith_name(operator, result.oid), left, right), result
            return call(fn.NUMBER_ARITH, operator, left, right, result.oid), result
        arithmetic = call(fn.ARITH, operator, left, left_resolved.oid, right, right_resolved.oid, result.oid)
        return arithmetic, result

    def _bitwise(self, node: exp.Expression, scope: Scope) -> Typed:
        """& | # << >> and the prefix ~ on integers (SQLite has no #, and would shift by other counts)."""
        operator = BITWISE[type(node)]
        right, right_type = self.expr(node.expression if isinstance(node, exp.Binary) else node.this, scope)
        if not isinstance(node, exp.Binary):
            result = rules.bitwise_type(operator, None, right_type)
            return call(fn.BITWISE, operator, 0, right, result.oid), result
        left, left_type = self.expr(node.this, scope)
        left_resolved, right_resolved = rules.resolve_unknown(operator, left_type, right_type)
        result = rules.bitwise_type(operator, left_resolved, right_resolved)
        count = operator in ("<<", ">>")
        left = self.coerce(left, left_type, result)
        right = self.coerce(right, right_type, t.INT4_TYPE if count else result)
        return call(fn.BITWISE, operator, left, right, result.oid), result

    def _integral_division(self, node: exp.IntDiv, scope: Scope) -> Typed:
        """div(a, b): the integral part of a / b (sqlglot reads it as CAST(a DIV b AS DECIMAL)),
        PostgreSQL's div(numeric, numeric) only."""
        typed = [self.expr(operand, scope) for operand in (node.this, node.expression)]
        if any(pg_type.oid not in t.INTEGER_TYPES | {t.NUMERIC, t.UNKNOWN} for _, pg_type in typed):
            names = ", ".join(format_type(t.output_type(pg_type).oid, -1) for _, pg_type in typed)
            raise DatabaseError("42883", f"function div({names}) does not exist",
                                hint="No function matches the given name and argument types. "
                                     "You might need to add explicit type casts.")
        left, right = (self.coerce(value, pg_type, t.NUMERIC_TYPE) for value, pg_type in typed)
        return call(fn.ARITH, "div", left, t.NUMERIC, right, t.NUMERIC, t.NUMERIC), t.NUMERIC_TYPE

    def _negation(self, node: exp.Neg, scope: Scope) -> Typed:
        literal = isinstance(node.this, exp.Literal)  # -5 is a literal; -5::int8 negates an int8
        inner, pg_type = self.expr(node.this, scope)
        node.set("this", inner)
        if literal and isinstance(inner, exp.Literal) and not inner.is_string \
                and pg_type.oid in t.INTEGER_TYPES:
            return node, rules.integer_literal_type(-int(inner.this))
        result = PgType(pg_type.oid)
        if pg_type.oid in t.NUMBER_TYPES | {t.INTERVAL}:
            return call(fn.NEGATE, inner, pg_type.oid), result
        if not pg_type.is_unknown:  # SQLite would negate the number a text starts with
            raise rules.no_operator(None, "-", pg_type.oid)
        return node, result

    def _concat(self, node: exp.DPipe, scope: Scope) -> Typed:
        typed = [self.expr(operand, scope) for operand in (node.this, node.expression)]
        if any(array_typing.is_array(pg_type) for _, pg_type in typed):
            return self._array_concat(*typed[0], *typed[1])
        if not any(pg_type.is_unknown or pg_type.oid in t.STRING_TYPES for _, pg_type in typed):
            raise rules.no_operator(typed[0][1].oid, "||", typed[1][1].oid)  # text || anynonarray: a text
        parts = []
        for value, pg_type in typed:
            if pg_type.oid in (t.JSON, t.JSONB):
                raise unsupported(f"|| on {t.type_name(pg_type.oid)}")
            parts.append(self._as_text(value, pg_type))
        node.set("this", parts[0])
        node.set("expression", parts[1])
        return node, t.TEXT_TYPE

    def _array_concat(self, left: exp.Expression, left_type: PgType, right: exp.Expression,
                      right_type: PgType) -> Typed:
        """`||` with an array operand: array_cat, array_append or array_prepend."""
        left_target, right_target, result = array_typing.concat_types(left_type, right_type)
        left = self.coerce(left, left_type, left_target)
        right = self.coerce(right, right_type, right_target)
        return call(array_functions.CONCATENATE, left, left_target.oid, right, right_target.oid,
                    result.oid), result

    def _containment(self, node: exp.Binary, scope: Scope) -> Typed:
        """@>, <@ and && between arrays (anyarray); on other types (jsonb) refused."""
        operator = _CONTAINMENT_OPERATORS[type(node)]
        left, left_type = self.expr(node.this, scope)
        right, right_type = self.expr(node.expression, scope)
        if not {left_type.oid, right_type.oid} <= {t.UNKNOWN} and not any(
                array_typing.is_array(pg_type) for pg_type in (left_type, right_type)):
            raise unsupported(f"operator {operator} on {t.type_name(left_type.oid)}")
        array_type = array_typing.containment_type(operator, left_type, right_type)
        left = self.coerce(left, left_type, array_type)
        right = self.coerce(right, right_type, array_type)
        return call(array_functions.CONTAINS, left, right, array_type.oid, operator), t.BOOL_TYPE

    def _as_text(self, node: exp.Expression, pg_type: PgType) -> exp.Expression:
        if pg_type.oid == t.BPCHAR:
            return call("rtrim", node)  # char(n) as text loses its padding
        if pg_type.is_unknown or pg_type.oid in t.STRING_TYPES | t.INTEGER_TYPES:
            return self.coerce(node, pg_type, t.TEXT_TYPE)
        return call(fn.CAST, node, pg_type.oid, t.TEXT, -1, 1)

    def _comparison(self, node: exp.Binary, scope: Scope) -> Typed:
        operator = COMPARISONS[type(node)]
        right_node = node.expression
        quantifier = _quantifier(right_node)
        if quantifier is not None:
            return self._quantified(node.this, operator, *quantifier, scope)
        left, left_type = self.expr(node.this, scope)
        right, right_type = self.expr(right_node, scope)
        return self.compare(operator, left, left_type, right, right_type), t.BOOL_TYPE

    def compare(self, operator: str, left: exp.Expression, left_type: PgType, right: exp.Expression,
                right_type: PgType) -> exp.Expression:
        """`left operator right` with PostgreSQL's operand resolution and ordering."""
        left_type, right_type = _compared_as(left_type), _compared_as(right_type)
        left_resolved, right_resolved = rules.resolve_unknown("=", left_type, right_type)
        if t.JSON in (left_resolved.oid, right_resolved.oid) or (left_resolved.oid != right_resolved.oid and (
                array_typing.is_array(left_resolved) or array_typing.is_array(right_resolved))):
            raise rules.no_operator(left_resolved.oid, operator, right_resolved.oid)  # arrays: of one type
        if not rules.comparable(left_resolved, right_resolved):
            raise rules.no_operator(left_resolved.oid, operator, right_resolved.oid)
        left = self.coerce(left, left_type, left_resolved)
        right = self.coerce(right, right_type, right_resolved)
        native = self._native_comparison(left, left_resolved, right, right_resolved)
        if native is not None:
            left, right = native
            return _COMPARISON_NODES[operator](this=left, expression=right)
        comparison = call(fn.COMPARE, left, left_resolved.oid, right, right_resolved.oid)
        return _COMPARISON_NODES[operator](this=comparison, expression=exp.Literal.number(0))

    def _native_comparison(self, left: exp.Expression, left_type: PgType, right: exp.Expression,
                           right_type: PgType) -> tuple[exp.Expression, exp.Expression] | None:
        oids = {left_type.oid, right_type.oid}
        if oids & t.FLOAT_TYPES and oids <= t.NUMBER_TYPES:  # PostgreSQL compares the other as float8
            return self.coerce(left, left_type, t.FLOAT8_TYPE), self.coerce(right, right_type, t.FLOAT8_TYPE)
        if oids <= t.INTEGER_TYPES | t.OID_TYPES:
            return left, right
        if oids <= {t.NUMERIC} | t.INTEGER_TYPES:
            left = self.coerce(left, left_type, t.NUMERIC_TYPE)
            right = self.coerce(right, right_type, t.NUMERIC_TYPE)
            return _collated(left, t.NUMERIC_TYPE), right
        if len(oids) == 1 and left_type.oid == t.INTERVAL:
            return _collated(left, left_type), right
        if oids <= t.STRING_TYPES:
            return (_collated(left, PgType(t.BPCHAR)) if t.BPCHAR in oids else left), right
        if len(oids) == 1 and left_type.oid in _NATIVE_ORDER:
            return left, right
        return None

    def _quantified(self, subject: exp.Expression, operator: str, every: bool, inner: exp.Expression,
                    scope: Scope) -> Typed:
        """`subject operator ANY|ALL (array)` or `... (subquery)`."""
        left, left_type = self.expr(subject, scope)
        if isinstance(inner, exp.Query):
            return self._quantified_subquery(left, left_type, operator, every, inner, scope), t.BOOL_TYPE
        if isinstance(inner, exp.Array) and operator in ("=", "<>"):
            items = [self.expr(item, scope) for item in inner.expressions]
            target = rules.common_type(_listed_as([left_type, *(pg_type for _, pg_type in items)]))
            values = [self.coerce(item, pg_type, target) for item, pg_type in items]
            subject = _collated(self.coerce(left, left_type, target), target)
            membership = exp.In(this=subject, expressions=values)
            if every == (operator == "<>"):
                return (membership if operator == "=" else exp.Not(this=membership)), t.BOOL_TYPE
        array, array_type = self.expr(inner, scope)
        if array_type.is_unknown:
            element = PgType(t.output_type(left_type).oid)
            array_type = PgType(codecs.type_by_oid(element.oid).array_oid)
            array = self.coerce(array, t.UNKNOWN_TYPE, array_type)
        element_oid = codecs.type_by_oid(array_type.oid).elem_oid
        if not element_oid:
            raise DatabaseError(WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires array on right side")
        left, left_type = self._quantified_subject(left, left_type, operator, PgType(element_oid))
        test = call(fn.QUANTIFIED, operator, int(every), left, left_type.oid, array, array_type.oid)
        return test, t.BOOL_TYPE

    def _quantified_subject(self, left: exp.Expression, left_type: PgType, operator: str,
                            element_type: PgType) -> Typed:
        """The subject of `left operator ANY|ALL (values of element_type)` as PostgreSQL resolves the
        operator: an unknown subject takes the elements' type, a known one keeps its own (they are
        compared by value); 42883 when the two types have no comparison."""
        resolved, _ = rules.resolve_unknown("=", left_type, element_type)
        try:
            rules.common_type([resolved, element_type])
        except DatabaseError:
            raise rules.no_operator(resolved.oid, operator, element_type.oid) from None
        if t.JSON in (resolved.oid, element_type.oid):
            raise rules.no_operator(resolved.oid, operator, element_type.oid)
        oids = {resolved.oid, element_type.oid}
        if t.BPCHAR in oids and len(oids) == 2 and oids <= t.STRING_TYPES:
            resolved = t.TEXT_TYPE  # char(n) against other text compares as text, without its padding
        return self.coerce(left, left_type, resolved), resolved

    def _quantified_subquery(self, left: exp.Expression, left_type: PgType, operator: str, every: bool,
                             query: exp.Expression, scope: Scope) -> exp.Expression:
        """`left operator ANY|ALL (query)`: SQLite's `left [NOT] IN (query)` for = ANY and <> ALL
        between types SQLite compares as PostgreSQL does; otherwise the query's values collected
        into an array (an empty one for no rows) and compared as `left operator ANY|ALL (array)`.
        Either way left stays in its own query (an aggregate there is the outer query's)."""
        translated, outputs = self.query(query, scope)
        if len(outputs) != 1:
            raise DatabaseError(SYNTAX_ERROR, f"subquery has too {'many' if outputs else 'few'} columns")
        while isinstance(translated, exp.Subquery):
            translated = translated.this
        value_type = outputs[0].type if outputs[0].type is not None and not outputs[0].type.is_unknown \
            else t.TEXT_TYPE
        left, resolved = self._quantified_subject(left, left_type, operator, value_type)
        value = exp.column(_QUANTIFIED_VALUE, quoted=True)
        if (operator, every) in (("=", False), ("<>", True)) and not {resolved.oid, value_type.oid} & set(
                fn.COLLATIONS) and self._native_comparison(left, resolved, value, value_type) is not None:
            membership = exp.In(this=left, query=exp.Subquery(this=translated))
            return membership if operator == "=" else exp.Not(this=membership)
        rows = exp.TableAlias(this=exp.to_identifier(_QUANTIFIED_ROWS),
                              columns=[exp.to_identifier(_QUANTIFIED_VALUE, quoted=True)])
        collected = call(fn.ARRAY_AGG, value, value_type.oid)
        values = exp.select(call("coalesce", collected, "{}")).from_(_QUANTIFIED_ROWS)
        values.set("with_", exp.With(expressions=[exp.CTE(this=translated, alias=rows)]))
        array_oid = codecs.type_by_oid(value_type.oid).array_oid
        return call(fn.QUANTIFIED, operator, int(every), left, resolved.oid, exp.Subquery(this=values),
                    array_oid)

    def _between(self, node: exp.Between, scope: Scope) -> Typed:
        value, value_type = self.expr(node.this, scope)
        low, low_type = self.expr(node.args["low"], scope)
        high, high_type = self.expr(node.args["high"], scope)
        lower = self.compare(">=", value, value_type, low, low_type)
        upper = self.compare("<=", value.copy(), value_type, high, high_type)
        between = exp.And(this=lower, expression=upper)
        if node.args.get("symmetric"):
            reversed_lower = self.compare(">=", value.copy(), value_type, high.copy(), high_type)
            reversed_upper = self.compare("<=", value.copy(), value_type, low.copy(), low_type)
            between = exp.or_(exp.Paren(this=between),
                              exp.Paren(this=exp.And(this=reversed_lower, expression=reversed_upper)))
        return exp.Paren(this=between), t.BOOL_TYPE

    def _in(self, node: exp.In, scope: Scope) -> Typed:
        value, value_type = self.expr(node.this, scope)
        query = node.args.get("query")
        if query is not None:
            translated, _ = self.query(query, scope)
            node.set("query", translated)
            node.set("this", value)
            return node, t.BOOL_TYPE
        if not node.expressions:  # SQLite takes `x IN ()` for false
            raise DatabaseError(SYNTAX_ERROR, 'syntax error at or near ")"')
        items = [self.expr(item, scope) for item in node.expressions]
        target = rules.common_type(_listed_as([value_type, *(pg_type for _, pg_type in items)]))
        value = self.coerce(value, value_type, target)
        values = [self.coerce(item, pg_type, target) for item, pg_type in items]
        if self._native_comparison(value, target, value, target) is None:
            alternatives = [self.compare("=", value.copy(), target, item, target) for item in values]
            return exp.Paren(this=exp.or_(*alternatives)), t.BOOL_TYPE
        node.set("this", _collated(value, target))
        node.set("expressions", values)
        return node, t.BOOL_TYPE

    def _logical(self, node: exp.Expression, scope: Scope) -> Typed:
        for key in ("this", "expression"):
            operand = node.args.get(key)
            if operand is not None:
                node.set(key, self.condition(operand, scope, type(node).__name__.upper()))
        return node, t.BOOL_TYPE

    def _is(self, node: exp.Is, scope: Scope) -> Typed:
        value, _ = self.expr(node.this, scope)
        node.set("this", value)
        right = node.expression
        if isinstance(right, exp.Boolean):
            node.set("expression", exp.Boolean(this=right.this))
        return node, t.BOOL_TYPE

    def _null_safe(self, node: exp.Binary, scope: Scope) -> Typed:
        left, left_type = self.expr(node.this, scope)
        right, right_type = self.expr(node.expression, scope)
        left_resolved, right_resolved = rules.resolve_unknown("=", left_type, right_type)
        left = self.coerce(left, left_type, left_resolved)
        right = self.coerce(right, right_type, right_resolved)
        native = self._native_comparison(left, left_resolved, right, right_resolved)
        if native is None:
            raise unsupported(f"IS DISTINCT FROM between {t.type_name(left_resolved.oid)} and "
                              f"{t.type_name(right_resolved.oid)}")
        node.set("this", native[0])
        node.set("expression", native[1])
        return node, t.BOOL_TYPE

    def _like(self, node: exp.Binary, scope: Scope) -> Typed:
        value, value_type = self.expr(node.this, scope)
        pattern, pattern_type = self.expr(node.expression, scope)
        known = {pg_type.oid for pg_type in (value_type, pattern_type) if not pg_type.is_unknown}
        if not known <= t.STRING_TYPES and known != {t.BYTEA}:  # SQLite would match any value's text
            raise rules.no_operator(value_type.oid, _PATTERN_OPERATORS[type(node)], pattern_type.oid)
        value = self._as_text(value, value_type)
        pattern = self._as_text(pattern, pattern_type)
        if isinstance(node, exp.ILike):
            return _negated(call(fn.ILIKE, pattern, value), node), t.BOOL_TYPE
        if isinstance(node, exp.RegexpILike):
            return _negated(call(fn.REGEXP_I, pattern, value), node), t.BOOL_TYPE
        node.set("this", value)
        node.set("expression", pattern)
        return node, t.BOOL_TYPE

    def _escape(self, node: exp.Escape, scope: Scope) -> Typed:
        like = node.this
        value, value_type = self.expr(like.this, scope)
        pattern, pattern_type = self.expr(like.expression, scope)
        escape, _ = self.expr(node.expression, scope)
        name = fn.ILIKE if isinstance(like, exp.ILike) else "like"
        matched = call(name, self._as_text(pattern, pattern_type), self._as_text(value, value_type), escape)
        return _negated(matched, like), t.BOOL_TYPE

    def _case(self, node: exp.Case, scope: Scope) -> Typed:
        subject = node.args.get("this")
        subject_typed = self.expr(subject, scope) if subject is not None else None
        results: list[Typed] = []
        for branch in node.args.get("ifs") or []:
            condition = branch.this
            if subject_typed is not None:
                value, value_type = self.expr(condition, scope)
                branch.set("this", self.coerce(value, value_type, subject_typed[1]))
            else:
                branch.set("this", self.condition(condition, scope, "CASE/WHEN"))
            results.append(self.expr(branch.args["true"], scope))
        default = node.args.get("default")
        if default is not None:
            results.append(self.expr(default, scope))
        branch_types = [pg_type for _, pg_type in results]  # PostgreSQL puts the ELSE first
        result_type = rules.common_type(branch_types[-1:] + branch_types[:-1] if default is not None
                                        else branch_types, "CASE")
        coerced = [self.coerce(value, pg_type, result_type) for value, pg_type in results]
        for branch, value in zip(node.args.get("ifs") or [], coerced, strict=False):
            branch.set("true", value)
        if default is not None:
            node.set("default", coerced[-1])
        if subject_typed is not None:
            if subject_typed[1].oid in fn.COLLATIONS:
                raise unsupported(f"simple CASE on {t.type_name(subject_typed[1].oid)}")
            node.set("this", subject_typed[0])
        return _explicitly_collated(node, result_type), result_type

    def _variadic(self, node: exp.Expression, scope: Scope) -> Typed:
        """COALESCE/GREATEST/LEAST/NULLIF: arguments resolved to their common type."""
        if isinstance(node, exp.Coalesce | exp.Greatest | exp.Least):
            arguments = [node.this, *node.expressions]
        else:
            arguments = [node.this, node.expression]
        typed = [self.expr(argument, scope) for argument in arguments]
        context = None if isinstance(node, exp.Nullif) else type(node).__name__.upper()
        result = rules.common_type([pg_type for _, pg_type in typed], context)
        values = [self.coerce(value, pg_type, result) for value, pg_type in typed]
        if isinstance(node, exp.Nullif):
            compared, result = result, (typed[0][1] if not typed[0][1].is_unknown else result)
            if compared.oid in fn.COLLATIONS:
                return exp.Case(ifs=[exp.If(this=self.compare("=", values[0], compared, values[1], compared),
                                            true=exp.Null())], default=values[0].copy()), result
            # SQLite's nullif compares with the collation of its first argument, which it may take
            # from inside it (a CASE whose WHEN compares intervals): the stored texts compared as they are
            first = exp.Collate(this=values[0], expression=exp.Var(this="BINARY"))
            return call("nullif", first, values[1]), result
        if isinstance(node, exp.Greatest | exp.Least):
            name = fn.GREATEST if isinstance(node, exp.Greatest) else fn.LEAST
            return call(name, t.output_type(result).oid, *values), result
        return call("coalesce", *values), result

    def _subquery(self, node: exp.Expression, scope: Scope) -> Typed:
        translated, outputs = self.query(node, scope)
        if len(outputs) > 1:
            raise DatabaseError(SYNTAX_ERROR, "subquery must return only one column")
        pg_type = outputs[0].type if outputs and outputs[0].type is not None else t.UNKNOWN_TYPE
        return _single_row(translated), pg_type

    def _exists(self, node: exp.Exists, scope: Scope) -> Typed:
        translated, _ = self.query(node.this, scope)
        node.set("this", translated)
        return node, t.BOOL_TYPE

    def _interval(self, node: exp.Interval, _: Scope) -> Typed:
        value = node.this
        if not (isinstance(value, exp.Literal)):
            raise unsupported(f"interval {node.sql('postgres')}")
        unit = node.args.get("unit")
        if isinstance(unit, exp.IntervalSpan):
            raise unsupported(f"interval qualifier in {node.sql('postgres')}")
        text = f"{value.this} {unit.name}" if unit is not None else value.this
        return self.constant(text, PgType(t.INTERVAL), explicit=True), PgType(t.INTERVAL)

    def _array(self, node: exp.Array, scope: Scope) -> Typed:
        """ARRAY[...] (sub-arrays make it multidimensional): a constant when its items are;
        ARRAY(subquery): `_array_of_rows`."""
        if len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Query):
            return self._array_of_rows(node.expressions[0], scope)
        items = [self.expr(item, scope) for item in node.expressions]
        array_type = array_typing.constructor_type([pg_type for _, pg_type in items])
        nested = any(array_typing.is_array(pg_type) for _, pg_type in items)
        item_target = array_type if nested else array_typing.element_type(array_type)
        typed = [(item, pg_type.oid) if array_typing.is_array(pg_type)
                 else (self.coerce(item, pg_type, item_target), item_target.oid) for item, pg_type in items]
        if all(isinstance(item, exp.Literal | exp.Null | exp.HexString) for item, _ in typed):
            constants = [(None if isinstance(item, exp.Null) else bytes.fromhex(item.this)
                          if isinstance(item, exp.HexString) else item.this, oid) for item, oid in typed]
            return storage_literal(array_functions.build(array_type.oid, constants, self.tz)), array_type
        arguments = [argument for item, oid in typed for argument in (item, exp.Literal.number(oid))]
        return call(array_functions.BUILD, array_type.oid, *arguments), array_type

    def _array_of_rows(self, query: exp.Query, scope: Scope) -> Typed:
        """ARRAY(subquery): the array of its rows' values in their order, `{}` when it has none:
        `(WITH s(value) AS (query) SELECT coalesce(helios_array_agg(value, oid), '{}') FROM s)`."""
        translated, outputs = self.query(query, scope)
        if len(outputs) != 1:
            raise DatabaseError(SYNTAX_ERROR, "subquery must return only one column")
        element = outputs[0].type if outputs[0].type is not None else t.UNKNOWN_TYPE
        if element.is_unknown:
            element = t.TEXT_TYPE
        if array_typing.is_array(element):
            raise unsupported("ARRAY(subquery) of arrays")
        array_type = rules.function_type("array_agg", [element])
        empty = storage_literal(array_functions.build(array_type.oid, [], self.tz))
        values = call(fn.ARRAY_AGG, exp.column(_SCALAR_VALUE), element.oid)
        array = exp.select(call("coalesce", values, empty)).from_(_SCALAR_ROWS)
        return exp.Subquery(this=_over_rows(translated, array)), array_type

    def _window(self, node: exp.Window, scope: Scope) -> Typed:
        inner, pg_type = self.expr(node.this, scope)
        node.set("this", inner)
        self._window_spec(node, scope)
        return node, pg_type

    def _window_spec(self, node: exp.Expression, scope: Scope) -> None:
        partition = node.args.get("partition_by")
        if partition:
            node.set("partition_by", [self.expr(item, scope)[0] for item in partition])
        order = node.args.get("order")
        if order is not None:
            order.set("expressions", [self._ordered(item, Scope(parent=scope)) for item in order.expressions])

    def _filter(self, node: exp.Filter, scope: Scope) -> Typed:
        inner, pg_type = self.expr(node.this, scope)
        node.set("this", inner)
        where = node.expression
        where.set("this", self.condition(where.this, scope, "FILTER"))
        return node, pg_type

    def _dot(self, node: exp.Dot, scope: Scope) -> Typed:
        schema = node.this
        if isinstance(schema, exp.Column | exp.Identifier | exp.Var) and schema.name.lower() in ("pg_catalog",
                                                                                                 "public"):
            return self.expr(_bare_call(node.expression), scope)
        return self._generic(node, scope)

    def _json(self, node: exp.Expression, scope: Scope) -> Typed:
        """-> ->> (a key or index) and #> #>> (a text[] path) on json/jsonb."""
        document, document_type = self.expr(node.this, scope)
        if document_type.oid not in (t.JSON, t.JSONB):
            document = self.coerce(document, document_type, PgType(t.JSONB))
            document_type = PgType(t.JSONB)
        path = node.expression
        as_text = isinstance(node, exp.JSONExtractScalar | exp.JSONBExtractScalar)
        result = t.TEXT_TYPE if as_text else document_type
        if isinstance(node, exp.JSONBExtract | exp.JSONBExtractScalar):
            operator = "#>>" if as_text else "#>"
            path_array = self._json_path(path, document_type, operator, scope)
            return call(fn.JSON_GET_PATH, document, document_type.oid, int(as_text), path_array), result
        if isinstance(path, exp.JSONPath):
            steps = [_json_step(part) for part in path.expressions if not isinstance(part, exp.JSONPathRoot)]
        else:
            step, step_type = self.expr(path, scope)
            if not step_type.is_unknown and step_type.oid not in t.STRING_TYPES | t.INTEGER_TYPES - {t.INT8}:
                raise rules.no_operator(document_type.oid, "->>" if as_text else "->", step_type.oid)
            steps = [self.coerce(step, step_type, t.TEXT_TYPE)]
        return call(fn.JSON_GET, document, document_type.oid, int(as_text), *steps), result

    def _json_path(self, path: exp.Expression, document_type: PgType, operator: str,
                   scope: Scope) -> exp.Expression:
        """The text[] operand of #> / #>>: a literal (checked now), a parameter, or any array of a
        string type; 42883 for anything else, as PostgreSQL has no other operator."""
        if isinstance(path, exp.Literal) and path.is_string:
            json_path_steps(path.this)  # 22P02 now for a malformed array literal
            return path
        value, pg_type = self.expr(path, scope)
        if pg_type.is_unknown or (array_typing.is_array(pg_type)
                                  and array_typing.element_type(pg_type).oid in t.STRING_TYPES):
            return self.coerce(value, pg_type, _TEXT_ARRAY_TYPE)
        raise rules.no_operator(document_type.oid, operator, pg_type.oid)

    # --- functions ----------------------------------------------------------------------------------

    def _arguments(self, name: str, arguments: Sequence[exp.Expression], scope: Scope) -> list[Typed]:
        typed = [self.expr(argument, scope) for argument in arguments]
        declared = _FUNCTION_PARAM_TYPES.get(name, ())
        result = []
        for i, (value, pg_type) in enumerate(typed):
            if pg_type.is_unknown and (i < len(declared) or _parameter_number(value) is not None):
                target = PgType(declared[i]) if i < len(declared) else t.TEXT_TYPE
                value = self.coerce(value, pg_type, target)
                pg_type = target
            result.append((value, pg_type))
        return result

    def function(self, name: str, arguments: Sequence[exp.Expression], scope: Scope) -> Typed:
        """A call of the PostgreSQL function `name`."""
        if name == "timezone" and len(arguments) == 2:  # timezone(zone, value) is value AT TIME ZONE zone
            return self._at_time_zone(exp.AtTimeZone(this=arguments[1], zone=arguments[0]), scope)
        if name == "mod" and len(arguments) == 2:  # before its arguments are translated: `%` translates them
            return self._arithmetic(exp.Mod(this=arguments[0], expression=arguments[1]), scope)
        if name == "like" and len(arguments) == 2:  # like(string, pattern): SQLite's like() is reversed
            return self._like(exp.Like(this=arguments[0], expression=arguments[1]), scope)
        typed = self._arguments(name, arguments, scope)
        types = [pg_type for _, pg_type in typed]
        values = [value for value, _ in typed]
        if name == "pg_typeof" and len(typed) == 1:
            value, pg_type = typed[0]
            return _type_of(value, pg_type if _is_unknown_literal(value) else t.output_type(pg_type))
        result = rules.function_type(name, types)
        if name in pg_catalog.FUNCTION_TYPES:
            return call(name, *values), pg_catalog.FUNCTION_TYPES[name]
        if name in _MISLEADING_FUNCTIONS:
            raise unsupported(f"function {name}()")
        if name in _MATH_FUNCTIONS and len(values) > (2 if name in ("round", "trunc") else 1):
            raise unsupported(f"{name}() with {len(values)} arguments")
        if name == "to_timestamp" and len(values) == 1:
            seconds = self.coerce(values[0], types[0], t.FLOAT8_TYPE)
            return call(fn.TO_TIMESTAMP, seconds), result
        if name == "age":
            return self._age(typed)
        if name in _MATH_FUNCTIONS and types and types[0].oid in t.NUMBER_TYPES | {t.UNKNOWN}:
            oid = types[0].oid if not types[0].is_unknown else t.NUMERIC
            if result.oid == t.FLOAT8 and oid not in t.FLOAT_TYPES:  # float8's function: computed in float8
                values[0], oid = self.coerce(values[0], types[0], t.FLOAT8_TYPE), t.FLOAT8
            if name == "abs" and oid in t.FLOAT_TYPES:
                return call("abs", *values), result
            return call(fn.MATH, name, oid, *values), result
        if name in ("date_part", "extract"):
            return self._extract(values, types, result)
        if name == "date_trunc":
            if len(values) != 2:
                raise unsupported("date_trunc with a time zone argument")
            value = self.coerce(values[1], types[1], result) if types[1].oid == t.DATE else values[1]
            oid = result.oid if types[1].oid == t.DATE else types[1].oid
            return call(fn.DATE_TRUNC, values[0], value, oid), result
        if name in ("array_length", "cardinality") and len(values) == (2 if name == "array_length" else 1) \
                and codecs.type_by_oid(types[0].oid).is_array:
            dimension = values[1] if name == "array_length" else exp.Literal.number(0)
            return call(fn.ARRAY_LENGTH, values[0], types[0].oid, dimension), t.INT4_TYPE
        if name in ("length", "octet_length") and types and types[0].oid == t.BYTEA:
            return call("length", values[0]), result  # SQLite's length of a blob counts its bytes
        if name in ("concat", "concat_ws", "format"):  # arguments in their output form: a bool is t or f
            if name == "format" and not typed:
                raise DatabaseError(UNDEFINED_FUNCTION, "function format() does not exist",
                                    hint="No function matches the given name and argument types. "
                                         "You might need to add explicit type casts.")
            texts = [_bool_output(v) if pg_type.oid == t.BOOL else self._as_text(v, pg_type)
                     for v, pg_type in typed]
            return call(fn.FORMAT if name == "format" else name, *texts), result
        if name == "substr" and len(typed) >= 2:  # PostgreSQL's positions before 1, SQLite's from the end
            if len(typed) == 3:
                length = call(fn.SUBSTRING_LENGTH, typed[1][0].copy(), typed[2][0], typed[0][0].copy())
                typed[2] = (length, typed[2][1])
            typed[1] = (call(fn.SUBSTRING_START, typed[1][0]), typed[1][1])
        if name in _TEXT_FUNCTIONS:
            values = [self._as_text(v, pg_type) if i == 0 else v for i, (v, pg_type) in enumerate(typed)]
        return call(_RENAMED_FUNCTIONS.get(name, name), *values), result

    def _age(self, typed: list[Typed]) -> Typed:
        """age(a, b), and age(a) = age(current_date, a), over timestamp when an argument is one and
        none is timestamptz, else over timestamptz (PostgreSQL's preferred type, dates included)."""
        oids = [pg_type.oid for _, pg_type in typed]
        if not 1 <= len(typed) <= 2 or not set(oids) <= {t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ}:
            names = ", ".join(t.type_name(oid) for oid in oids)
            raise DatabaseError("42883", f"function age({names}) does not exist",
                                hint="No function matches the given name and argument types. "
                                     "You might need to add explicit type casts.")
        target = PgType(t.TIMESTAMP if t.TIMESTAMP in oids and t.TIMESTAMPTZ not in oids else t.TIMESTAMPTZ)
        values = [self.coerce(value, pg_type, target) for value, pg_type in typed]
        if len(values) == 1:
            values.insert(0, self.coerce(call(fn.CURRENT_DATE), PgType(t.DATE), target))
        return call(fn.AGE, *values, target.oid), PgType(t.INTERVAL)

    def _extract(self, values: list[exp.Expression], types: list[PgType], result: PgType) -> Typed:
        if len(values) != 2:
            raise unsupported("extract with these arguments")
        field = values[0]
        value, value_type = values[1], types[1]
        if value_type.is_unknown:
            value = self.coerce(value, value_type, PgType(t.TIMESTAMPTZ))
            value_type = PgType(t.TIMESTAMPTZ)
        return call(fn.EXTRACT, field, value, value_type.oid), result

    def _anonymous(self, node: exp.Anonymous, scope: Scope) -> Typed:
        if node.name.lower() in array_typing.SIGNATURES:
            return self._array_call(node.name.lower(), node.expressions, scope)
        return self.function(node.name.lower(), node.expressions, scope)

    def _array_function_node(self, node: exp.Func, scope: Scope) -> Typed:
        """array_append/prepend/cat/position/remove and string_to_array, parsed as sqlglot's classes
        (which keep array_prepend's array first)."""
        name = rules.function_name(node, self.text) or node.sql_name().lower()
        arguments = [value for key in node.arg_types for value in _as_list(node.args.get(key))
                     if isinstance(value, exp.Expression)]
        if isinstance(node, exp.ArrayPrepend):
            arguments.reverse()
        return self._array_call(name, arguments, scope)

    def _array_call(self, name: str, arguments: Sequence[exp.Expression], scope: Scope) -> Typed:
        """A polymorphic array function (`array_typing.SIGNATURES`) or string_to_array, typed as
        PostgreSQL types it; array_append, array_prepend and array_cat run as `||` does."""
        typed = [self.expr(argument, scope) for argument in arguments]
        roles = array_typing.SIGNATURES.get(name, ("text", "text", "text"))  # string_to_array
        if not len(roles) - (name in ("array_position", "string_to_array")) <= len(typed) <= len(roles):
            raise DatabaseError("42883", f"function {name} with {len(typed)} arguments does not exist")
        if name == "string_to_array":
            texts = [self.coerce(value, pg_type, t.TEXT_TYPE) for value, pg_type in typed]
            return call(array_functions.STRING_TO_ARRAY, *texts), array_typing.array_type(t.TEXT_TYPE)
        element = array_typing.polymorphic_element(
            name, [(role, pg_type) for role, (_, pg_type) in zip(roles, typed, strict=False)])
        array_type = array_typing.array_type(element)
        targets = {"array": array_type, "element": element, "int4": t.INT4_TYPE}
        values = [self.coerce(value, pg_type, targets[role])
                  for role, (value, pg_type) in zip(roles, typed, strict=False)]
        if name in ("array_append", "array_prepend", "array_cat"):
            left, right = (targets[role].oid for role in roles)
            joined = call(array_functions.CONCATENATE, values[0], left, values[1], right, array_type.oid)
            return joined, array_type
        function = {"array_position": array_functions.POSITION, "array_remove": array_functions.REMOVE,
                    "array_replace": array_functions.REPLACE}[name]
        result = t.INT4_TYPE if name == "array_position" else array_type
        return call(function, values[0], array_type.oid, *values[1:]), result

    def _to_char(self, node: exp.TimeToStr, scope: Scope) -> Typed:
        """to_char(value, template) of a time stamp, interval or number; a literal template as
        written (sqlglot has rewritten it), a date as timestamptz (PostgreSQL's preferred type)."""
        value, value_type = self.expr(node.this, scope)
        template = node.args["format"]
        if isinstance(template, exp.Literal) and template.is_string:
            template = exp.Literal.string(written_template(self.text, template.this))
        else:
            template, template_type = self.expr(template, scope)
            if not template_type.is_unknown and template_type.oid not in t.STRING_TYPES:
                names = ", ".join(format_type(t.output_type(pg_type).oid, -1)
                                  for pg_type in (value_type, template_type))
                raise DatabaseError(UNDEFINED_FUNCTION, f"function to_char({names}) does not exist",
                                    hint="No function matches the given name and argument types. "
                                         "You might need to add explicit type casts.")
            template = self.coerce(template, template_type, t.TEXT_TYPE)
        if value_type.oid == t.DATE:
            value, value_type = self.coerce(value, value_type, PgType(t.TIMESTAMPTZ)), PgType(t.TIMESTAMPTZ)
        if value_type.is_unknown:
            raise DatabaseError("42725", "function to_char(unknown, unknown) is not unique",
                                hint="Could not choose a best candidate function. You might need to add "
                                     "explicit type casts.")
        if value_type.oid not in _TO_CHAR_TYPES:
            raise DatabaseError("42883",
                                f"function to_char({t.type_name(value_type.oid)}, unknown) does not exist",
                                hint="No function matches the given name and argument types. "
                                     "You might need to add explicit type casts.")
        return call(fn.TO_CHAR, value, value_type.oid, template), t.TEXT_TYPE

    def _function_node(self, node: exp.Func, scope: Scope) -> Typed:
        """A function sqlglot knows by class: called by its PostgreSQL name with positional args."""
        name = rules.function_name(node, self.text) or node.sql_name().lower()
        arguments = [value for key in node.arg_types for value in _as_list(node.args.get(key))
                     if isinstance(value, exp.Expression)]
        if name == "log10" and len(arguments) == 2:
            arguments = arguments[1:]  # sqlglot reads log10(x) as log(10, x)
        return self.function(name, arguments, scope)

    def _count(self, node: exp.Count, scope: Scope) -> Typed:
        argument = node.this
        if argument is not None and not isinstance(argument, exp.Star):
            node.set("this", self._aggregate_argument(argument, scope)[0])
        return node, t.INT8_TYPE

    def _aggregate_argument(self, argument: exp.Expression, scope: Scope) -> Typed:
        if isinstance(argument, exp.Distinct):
            typed = [self.expr(item, scope) for item in argument.expressions]
            argument.set("expressions", [value for value, _ in typed])
            return argument, typed[0][1] if typed else t.UNKNOWN_TYPE
        return self.expr(argument, scope)

    def _aggregate(self, node: exp.AggFunc, scope: Scope) -> Typed:
        name = type(node).__name__.lower()
        argument, pg_type = self._aggregate_argument(node.this, scope)
        distinct = isinstance(argument, exp.Distinct)
        if name in ("sum", "avg") and pg_type.oid not in t.NUMBER_TYPES | {t.INTERVAL}:
            rules.check_summable(name, pg_type)
        result = rules.function_type(name, [pg_type])
        if (name == "sum" and pg_type.oid in (t.INT8, t.NUMERIC, t.UNKNOWN)) or \
                (name == "avg" and pg_type.oid in t.INTEGER_TYPES | {t.NUMERIC, t.INTERVAL, t.UNKNOWN}):
            if distinct:
                raise unsupported(f"{name}(DISTINCT ...) on {t.type_name(pg_type.oid)}")
            if pg_type.is_unknown:
                argument = self.coerce(argument, pg_type, t.NUMERIC_TYPE)
                pg_type = t.NUMERIC_TYPE
            return call(fn.SUM if name == "sum" else fn.AVG, argument, pg_type.oid), result
        if name in ("sum", "avg") and pg_type.oid in t.FLOAT_TYPES:
            aggregate = float_aggregates.AVG_FLOAT if name == "avg" else \
                float_aggregates.SUM_FLOAT4 if pg_type.oid == t.FLOAT4 else float_aggregates.SUM_FLOAT8
            return call(aggregate, argument), result
        if name == "sum" and pg_type.oid == t.INTERVAL:
            raise unsupported("sum(interval)")
        if name in ("min", "max") and not distinct:
            argument = _collated(argument, pg_type)
        node.set("this", argument)
        return node, result

    def _group_concat(self, node: exp.GroupConcat, scope: Scope) -> Typed:
        """string_agg(value, separator [ORDER BY ...]): the keys ordered as their types order."""
        order = node.this if isinstance(node.this, exp.Order) else None
        value, pg_type = self._aggregate_argument(order.this if order is not None else node.this, scope)
        if isinstance(value, exp.Distinct):  # SQLite's DISTINCT aggregates take one argument only
            raise unsupported("string_agg(DISTINCT ...)")
        value = self._as_text(value, pg_type)
        if order is not None:
            order.set("this", value)
            order.set("expressions", [self._ordered(item, Scope(parent=scope)) for item in order.expressions])
            value = order
        node.set("this", value)
        separator = node.args.get("separator")
        if separator is not None:
            node.set("separator", self.expr(separator, scope)[0])
        return node, t.TEXT_TYPE

    def _boolean_aggregate(self, node: exp.Expression, scope: Scope) -> Typed:
        value, pg_type = self.expr(node.this, scope)
        if pg_type.oid not in (t.BOOL, t.UNKNOWN):
            name = rules.function_name(node, self.text) or "bool_and"
            raise DatabaseError(UNDEFINED_FUNCTION,
                                f"function {name}({format_type(pg_type.oid, -1)}) does not exist",
                                hint="No function matches the given name and argument types. "
                                     "You might need to add explicit type casts.")
        argument = self.coerce(value, pg_type, t.BOOL_TYPE)
        return call("min" if isinstance(node, exp.LogicalAnd) else "max", argument), t.BOOL_TYPE

    def _substring(self, node: exp.Substring, scope: Scope) -> Typed:
        start = node.args.get("start")
        if isinstance(start, exp.Literal) and start.is_string:
            raise unsupported("substring with a regular expression")
        arguments = [node.this, start, node.args.get("length")]
        return self.function("substr", [argument for argument in arguments if argument is not None], scope)

    def _trim(self, node: exp.Trim, scope: Scope) -> Typed:
        position = (node.args.get("position") or "BOTH").upper()
        name = {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "trim")
        arguments = [node.this] + ([node.expression] if node.expression is not None else [])
        return self.function(name, arguments, scope)

    def _position(self, node: exp.StrPosition, scope: Scope) -> Typed:
        if node.args.get("position") is not None:
            raise unsupported("position with a start")
        return self.function("strpos", [node.this, node.args["substr"]], scope)

    def _extract_node(self, node: exp.Extract, scope: Scope) -> Typed:
        field = exp.Literal.string(node.this.name.lower())
        return self.function("extract", [field, node.expression], scope)

    def _date_trunc(self, node: exp.TimestampTrunc, scope: Scope) -> Typed:
        if node.args.get("zone") is not None:
            raise unsupported("date_trunc with a time zone argument")
        unit = node.args["unit"]
        unit_node = unit if isinstance(unit, exp.Literal) else exp.Literal.string(unit.name.lower())
        return self.function("date_trunc", [unit_node, node.this], scope)

    def _regexp(self, node: exp.RegexpLike, scope: Scope) -> Typed:
        return self._like(node, scope)


_ARGUMENT_PLACEHOLDER = "helios_bare_call_argument_{}"
# arguments written as they are in the bare call's text: literals (builders may read them, as
# date_trunc's unit) and what is syntax rather than an expression (DISTINCT, ORDER BY, *)
_ARGUMENTS_AS_TEXT = (exp.Literal, exp.Null, exp.Boolean, exp.Star, exp.Distinct, exp.Order, exp.Kwarg,
                      exp.PropertyEQ)


def _bare_call(call: exp.Expression) -> exp.Expression:
    """A qualified call (`pg_catalog.bool_or(x)`, which sqlglot leaves an Anonymous) as sqlglot parses
    the bare call (`bool_or(x)`: a LogicalOr), keeping where its name was written (column naming).
    Only the call's head is parsed again: each argument other than a literal stands in as a
    placeholder column, replaced by the argument itself (generating and parsing every nested
    argument again made nested qualified calls cost the square of their size)."""
    if not isinstance(call, exp.Anonymous):
        return call
    arguments = call.expressions
    stand_ins = [argument if isinstance(argument, _ARGUMENTS_AS_TEXT)
                 else exp.column(_ARGUMENT_PLACEHOLDER.format(i)) for i, argument in enumerate(arguments)]
    head = exp.Anonymous(this=call.this, expressions=stand_ins)
    try:
        select = parsing.parse(f"SELECT {head.sql(dialect=HeliosPostgres)}")
    except DatabaseError:
        return call
    if not isinstance(select, exp.Select) or not select.expressions:
        return call
    bare = select.expressions[0].copy()
    for node in bare.walk():  # positions in the text parsed here, not in the statement's
        node._meta = None
    placeholders = {_ARGUMENT_PLACEHOLDER.format(index): argument for index, argument in enumerate(arguments)}
    found = [column for column in bare.find_all(exp.Column) if column.name in placeholders]
    if sorted(column.name for column in found) != sorted(name for name, stand_in in
                                                         zip(placeholders, stand_ins, strict=True)
                                                         if isinstance(stand_in, exp.Column)):
        return call  # a builder that moved or repeated an argument: leave the call as written
    for column in found:
        replacement = placeholders[column.name]
        if column is bare:
            bare = replacement
        else:
            column.replace(replacement)
    if call._meta:
        bare.meta.update(call.meta)
    return bare


def _lateral_function(node: exp.Lateral) -> exp.Expression:
    """`LATERAL unnest(...)` / `LATERAL generate_series(...)` as the function with LATERAL's alias
    (a function in FROM sees the items before it anyway); a LATERAL subquery: 0A000."""
    function = node.this
    alias = node.args.get("alias")
    if isinstance(function, exp.Unnest):
        if alias is not None:
            function.set("alias", alias)
        return function
    if isinstance(function, exp.ExplodingGenerateSeries):
        return exp.Table(this=function, alias=alias, ordinality=node.args.get("ordinality"))
    if isinstance(function, exp.Subquery | exp.Query):
        raise unsupported("LATERAL subqueries")
    raise unsupported(f"FROM item {node.sql('postgres')}")


def _selected_from(function: exp.Table, relation: Relation) -> exp.Subquery:
    """A table function as `(SELECT value, ... FROM function) AS name`: SQLite's RIGHT and FULL
    joins give a table-valued function's last row for the rows of its own side that match nothing."""
    alias = function.args["alias"]
    function.set("alias", None)
    relation.shown = frozenset(relation.stored)
    return exp.Subquery(this=exp.select(*[exp.column(name, quoted=True) for name in relation.stored])
                        .from_(function), alias=alias)


def _no_generate_series(oids: list[int]) -> DatabaseError:
    names = ", ".join(format_type(oid, -1) or "unknown" for oid in oids)
    return DatabaseError("42883", f"function generate_series({names}) does not exist",
                         hint="No function matches the given name and argument types. "
                              "You might need to add explicit type casts.")


def _is_generate_series(node: exp.Expression) -> bool:
    return isinstance(node, exp.Table) and isinstance(node.this, exp.ExplodingGenerateSeries)


def _levels(scope: Scope) -> list[Scope]:
    """scope and the scopes enclosing it, innermost first."""
    levels = []
    level: Scope | None = scope
    while level is not None:
        levels.append(level)
        level = level.parent
    return levels


def _may_refer_to(node: exp.Expression, relations: list[Relation]) -> bool:
    """Whether a column reference in node (its subqueries too) may name one of relations."""
    names = {relation.name.lower() for relation in relations}
    return any(not column.table or column.table.lower() in names for column in node.find_all(exp.Column))


def _column_references(node: exp.Expression) -> list[exp.Column]:
    """The column references of an expression outside its subqueries (which resolve their own)."""
    return [column for column in node.walk(prune=lambda inner: isinstance(inner, exp.Query))
            if isinstance(column, exp.Column)]


def _negated(matched: exp.Expression, operator: exp.Expression) -> exp.Expression:
    """A pattern match as a function call, NOT-ed when the operator was written NOT LIKE / NOT ILIKE."""
    return exp.Not(this=matched) if operator.args.get("negate") else matched


def _collated_output(node: exp.Expression, pg_type: PgType) -> exp.Expression:
    """A computed result column compared as its type compares (DISTINCT, UNION, outer queries)."""
    if isinstance(node, exp.Column):  # a column carries its own collation (tables, wrapped subqueries)
        return node
    if isinstance(node, exp.Alias):
        if not isinstance(node.this, exp.Column):
            node.set("this", _collated(node.this, pg_type))
        return node
    return _collated(node, pg_type)


def _renamed_source(query: exp.Expression, alias: str, names: list[str], renames: list[str]) -> exp.Subquery:
    """`(SELECT a AS x, b AS y, ... FROM (query)) AS alias`: SQLite has no column aliases on FROM items."""
    inner = query if isinstance(query, exp.Subquery) else exp.Subquery(this=query)
    inner.set("alias", exp.TableAlias(this=exp.to_identifier("_helios_renamed")))
    columns = [exp.alias_(exp.column(name, quoted=True), renames[i] if i < len(renames) else name,
                          quoted=True) for i, name in enumerate(names)]
    return exp.Subquery(this=exp.select(*columns).from_(inner),
                        alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))


def _single_row(subquery: exp.Expression) -> exp.Subquery:
    """A scalar subquery that raises 21000 when its query returns more than one row (SQLite's own
    takes the first): `(WITH s(v) AS (query) SELECT helios_scalar_subquery(v) FROM (SELECT v FROM s
    LIMIT 2))`."""
    query = subquery.this if isinstance(subquery, exp.Subquery) else subquery
    first_two = exp.select(_SCALAR_VALUE).from_(_SCALAR_ROWS).limit(2).subquery()
    single = exp.select(call(fn.SCALAR_SUBQUERY, exp.column(_SCALAR_VALUE))).from_(first_two)
    return exp.Subquery(this=_over_rows(query, single))


def _over_rows(query: exp.Expression, reader: exp.Select) -> exp.Select:
    """`reader` with `query`'s rows as `WITH _helios_scalar_rows(value) AS (query)`."""
    rows = exp.TableAlias(this=exp.to_identifier(_SCALAR_ROWS), columns=[exp.to_identifier(_SCALAR_VALUE)])
    reader.set("with_", exp.With(expressions=[exp.CTE(this=query, alias=rows)]))
    return reader


def _quantifier(node: exp.Expression) -> tuple[bool, exp.Expression] | None:
    """(every, array) of an ANY/SOME/ALL operand, else None."""
    if isinstance(node, exp.Any | exp.All):
        inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
        return isinstance(node, exp.All), inner
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("any", "some", "all") \
            and len(node.expressions) == 1:
        return node.name.lower() == "all", node.expressions[0]
    return None


def _json_step(part: exp.Expression) -> exp.Expression:
    if isinstance(part, exp.JSONPathKey):
        return exp.Literal.string(part.this)
    if isinstance(part, exp.JSONPathSubscript):
        return exp.Literal.number(part.this)
    raise unsupported(f"JSON path step {part.sql('postgres')}")


def _insert_width(source: exp.Expression | None) -> int | None:
    """How many values each row of an INSERT source has, when it is plain VALUES or SELECT."""
    if isinstance(source, exp.Values):
        return max((len(row.expressions) if isinstance(row, exp.Tuple) else 1 for row in source.expressions),
                   default=0)
    if isinstance(source, exp.Select) and not any(isinstance(e, exp.Star) for e in source.expressions):
        return len(source.expressions)
    return None


def _alias_outputs(query: exp.Expression, names: list[str]) -> None:
    """Name the first output columns of query (its leftmost SELECT) names."""
    while isinstance(query, exp.Subquery | exp.SetOperation) or set_operations.is_every_row_of(query):
        query = query.args["from_"].this.this if isinstance(query, exp.Select) else query.this
    if not isinstance(query, exp.Select) or any(isinstance(e, exp.Star) or isinstance(e.this, exp.Star)
                                                for e in query.expressions):
        raise unsupported("column aliases on this FROM item")
    query.set("expressions", [
        exp.alias_(e.this if isinstance(e, exp.Alias) else e, names[i], quoted=True) if i < len(names) else e
        for i, e in enumerate(query.expressions)])


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _compared_as(pg_type: PgType) -> PgType:
    """The type a value is compared as: regtype as oid (PostgreSQL has no regtype operators; its
    oid ones take it, so `regtype = 'integer'` reads the literal as an oid), anything else as itself."""
    return PgType(t.OID) if pg_type.oid == t.REGTYPE else pg_type


def _listed_as(types: list[PgType]) -> list[PgType]:
    """The types of an IN list's values for choosing their common type: oid and regtype together
    are all oid (regtype converts to oid implicitly), otherwise as they are."""
    if {pg_type.oid for pg_type in types if not pg_type.is_unknown} == t.OID_TYPES:
        return [_compared_as(pg_type) for pg_type in types]
    return types


def _is_unknown_literal(node: exp.Expression) -> bool:
    """Whether a translated node is a quoted literal (E'', $$ $$ too) or NULL: the only `unknown`
    values PostgreSQL has (an expression of them, coalesce('a', 'b'), is text)."""
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Null) or (isinstance(node, exp.Literal) and node.is_string)


def _type_of(value: exp.Expression, pg_type: PgType) -> Typed:
    """pg_typeof(value): the OID of value's type as a regtype; value is still evaluated, so an
    aggregate or a volatile call in it acts as in PostgreSQL."""
    oid = exp.Literal.number(pg_type.oid)
    evaluated = exp.If(this=exp.Is(this=exp.paren(value, copy=False), expression=exp.Null()), true=oid)
    return exp.Case(ifs=[evaluated], default=oid.copy()), PgType(t.REGTYPE)


_TEXT_ARRAY_TYPE = array_typing.array_type(t.TEXT_TYPE)
_PATTERN_OPERATORS = {exp.Like: "~~", exp.ILike: "~~*", exp.RegexpLike: "~", exp.RegexpILike: "~*"}
_INT_WIDTH = {t.INT2: 2, t.INT4: 4, t.INT8: 8, t.OID: 8}
_CONTAINMENT_OPERATORS = {exp.ArrayContainsAll: "@>", exp.ArrayContainedBy: "<@", exp.ArrayOverlaps: "&&"}
_COMPARISON_NODES: dict[str, type[exp.Binary]] = {symbol: cls for cls, symbol in COMPARISONS.items()}

_HANDLERS: dict[type[exp.Expression], Callable[[Translator, Any, Scope], Typed]] = {
    exp.Literal: Translator._literal,
    exp.ByteString: Translator._escape_string,
    exp.RawString: Translator._string,
    exp.UnicodeString: Translator._unsupported_literal,
    exp.BitString: Translator._unsupported_literal,
    exp.HexString: Translator._unsupported_literal,
    exp.Boolean: Translator._boolean,
    exp.Null: Translator._null,
    exp.Parameter: Translator._parameter,
    exp.Column: Translator._column,
    exp.Paren: Translator._paren,
    exp.Alias: Translator._alias,
    exp.Cast: Translator._cast,
    exp.TryCast: Translator._cast,
    exp.Neg: Translator._negation,
    exp.DPipe: Translator._concat,
    exp.Between: Translator._between,
    exp.In: Translator._in,
    exp.And: Translator._logical,
    exp.Or: Translator._logical,
    exp.Not: Translator._logical,
    exp.Is: Translator._is,
    exp.NullSafeEQ: Translator._null_safe,
    exp.NullSafeNEQ: Translator._null_safe,
    exp.Like: Translator._like,
    exp.ILike: Translator._like,
    exp.RegexpLike: Translator._regexp,
    exp.RegexpILike: Translator._regexp,
    exp.Escape: Translator._escape,
    exp.Case: Translator._case,
    exp.Coalesce: Translator._variadic,
    exp.Greatest: Translator._variadic,
    exp.Least: Translator._variadic,
    exp.Nullif: Translator._variadic,
    exp.Subquery: Translator._subquery,
    exp.Select: Translator._subquery,
    exp.Exists: Translator._exists,
    exp.Interval: Translator._interval,
    exp.Array: Translator._array,
    exp.Window: Translator._window,
    exp.Filter: Translator._filter,
    exp.Dot: Translator._dot,
    exp.Anonymous: Translator._anonymous,
    exp.Count: Translator._count,
    exp.Sum: Translator._aggregate,
    exp.Avg: Translator._aggregate,
    exp.Min: Translator._aggregate,
    exp.Max: Translator._aggregate,
    exp.GroupConcat: Translator._group_concat,
    exp.LogicalAnd: Translator._boolean_aggregate,
    exp.LogicalOr: Translator._boolean_aggregate,
    exp.Substring: Translator._substring,
    exp.Trim: Translator._trim,
    exp.StrPosition: Translator._position,
    exp.Extract: Translator._extract_node,
    exp.TimestampTrunc: Translator._date_trunc,
    exp.Bracket: Translator._subscript,
    exp.AtTimeZone: Translator._at_time_zone,
    exp.Collate: Translator._collate,
    exp.ArrayAgg: Translator._array_agg,
    **dict.fromkeys((exp.ArrayAppend, exp.ArrayPrepend, exp.ArrayConcat, exp.ArrayPosition, exp.ArrayRemove,
                     exp.StringToArray), Translator._array_function_node),
    exp.CurrentTime: lambda self, node, scope: self._unsupported_operator(node, scope),
    exp.Localtime: lambda self, node, scope: (call(fn.LOCALTIME), PgType(t.TIME)),
    exp.Localtimestamp: lambda self, node, scope: (call(fn.LOCALTIMESTAMP), PgType(t.TIMESTAMP)),
    exp.CurrentTimestamp: lambda self, node, scope: (call("now"), PgType(t.TIMESTAMPTZ)),
    exp.CurrentDate: lambda self, node, scope: (call(fn.CURRENT_DATE), PgType(t.DATE)),
    exp.CurrentUser: lambda self, node, scope: (call("current_user"), PgType(t.NAME)),
    exp.SessionUser: lambda self, node, scope: (call("session_user"), PgType(t.NAME)),
    exp.CurrentSchema: lambda self, node, scope: (call("current_schema"), PgType(t.NAME)),
    exp.CurrentVersion: lambda self, node, scope: (call("version"), t.TEXT_TYPE),
    exp.Rand: lambda self, node, scope: (call("random"), t.FLOAT8_TYPE),
    exp.TimeToStr: Translator._to_char,
    exp.Uuid: lambda self, node, scope: (call("gen_random_uuid"), PgType(t.UUID)),
    exp.JSONExtract: Translator._json,
    exp.JSONExtractScalar: Translator._json,
    exp.JSONBExtract: Translator._json,
    exp.JSONBExtractScalar: Translator._json,
    **{cls: Translator._unsupported_operator for cls in (
        exp.JSONBContains, exp.JSONBContainsTopKey, exp.JSONBContainsAnyTopKeys, exp.JSONBContainsAllTopKeys,
        exp.JSONBDeleteAtPath, exp.SimilarTo, exp.Explode)},
    **dict.fromkeys((exp.ArrayContainsAll, exp.ArrayContainedBy, exp.ArrayOverlaps), Translator._containment),
}
for _cls in COMPARISONS:
    _HANDLERS[_cls] = Translator._comparison
for _cls in ARITHMETIC:
    _HANDLERS[_cls] = Translator._arithmetic
_HANDLERS[exp.IntDiv] = Translator._integral_division
for _cls in BITWISE:
    _HANDLERS[_cls] = Translator._bitwise

_CLASS_HANDLERS: list[tuple[type[exp.Expression], Callable[[Translator, Any, Scope], Typed]]] = [
    (exp.Query, Translator._subquery),
    (exp.Func, Translator._function_node),
]
