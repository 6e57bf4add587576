"""unnest(array), unnest(multirange), generate_series and HeliosDB's own table-valued functions in
FROM, as SQLite table-valued functions (`functions.registration`): the scope of their arguments (the
FROM items before them, as PostgreSQL's implicit LATERAL), their columns, and RIGHT or FULL joins
with them; and a function of one value in FROM, as a one-row subquery."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from sqlglot import exp

from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.functions import ranges as range_functions
from heliosdb_lite.engine.translate import hstore, json_functions
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types import array_typing, range_typing
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    INVALID_COLUMN_REFERENCE,
    UNDEFINED_COLUMN,
    UNDEFINED_TABLE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

# the columns SQLite shows of the table-valued functions `functions.register` registers (results, then
# arguments as hidden columns): a bare name among them must not reach SQLite unqualified
_SHOWN_COLUMNS: dict[str, frozenset[str]] = {
    array_functions.UNNEST: frozenset({"value", "ordinality", "array", "array_oid"}),
    range_functions.UNNEST: frozenset({"value", "ordinality", "multirange", "oid"}),
    fn.GENERATE_SERIES: frozenset({"value", "start", "stop", "step"}),
    fn.TIME_SERIES: frozenset({"value", "start", "stop", "step", "oid"}),
}


_WINDOW_FUNCTIONS = frozenset({"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
                               "lag", "lead", "first_value", "last_value", "nth_value"})


def function_arguments(translator: Translator, node: exp.Expr, scope: Scope, *,
                       sees_before: bool) -> Scope:
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
                raise DatabaseError(INVALID_COLUMN_REFERENCE,
                                    f'invalid reference to FROM-clause entry for table "{table}"')
            raise DatabaseError(UNDEFINED_TABLE, f'missing FROM-clause entry for table "{table}"')
        relation = visible.resolve(column.name, table or None)
        if relation is None or not relation.find(column.name)[0]:
            name = f"{table}.{column.name}" if table else f'"{column.name}"'
            raise DatabaseError(UNDEFINED_COLUMN, f"column {name} does not exist")
        column.set("table", exp.to_identifier(relation.name, quoted=True))
    return visible


def unnest(translator: Translator, node: exp.Unnest, scope: Scope, arguments: Scope) -> exp.Table:
    """unnest(array) in FROM: `helios_unnest(array, oid) AS name`, the elements of all
    dimensions in order; named by the alias (`unnest(a) x`: relation and column x, `unnest(a)
    t(x)`), else unnest; WITH ORDINALITY adds their positions (int8). unnest(multirange) alike,
    its ranges in order."""
    if len(node.expressions) != 1:
        raise unsupported("unnest of several arrays")
    array, array_type = translator.expr(node.expressions[0], arguments)
    if array_type.is_unknown:
        raise rules.function_not_unique("unnest", "unknown")
    function, element = array_functions.UNNEST, None
    kind = range_typing.kind_of(array_type)
    if kind is not None and array_type.oid == kind.multirange:
        function, element = range_functions.UNNEST, PgType(kind.oid)
    elif array_typing.is_array(array_type):
        element = array_typing.element_type(array_type)
    else:
        raise rules.no_function("unnest", format_type(array_type.oid, -1))
    alias = node.args.get("alias")
    name = alias.name if alias is not None and alias.name else "unnest"
    column = alias.columns[0].name if alias is not None and alias.columns else name
    columns: list[tuple[str, PgType | None]] = [(column, element)]
    ordinality = node.args.get("offset")  # WITH ORDINALITY: True, or the name it is given
    if ordinality:
        columns.append((ordinality.name if isinstance(ordinality, exp.Identifier) else "ordinality",
                        t.INT8_TYPE))
    return _table_function(translator, scope, Relation(name, columns), function,
                           [array, exp.Literal.number(array_type.oid)])


def _table_function(translator: Translator, scope: Scope, relation: Relation, function: str,
                    arguments: list[exp.Expr]) -> exp.Table:
    """`function(arguments) AS name`, a SQLite table-valued function whose columns `value` and
    `ordinality` are relation's columns, registered in scope."""
    relation.stored = ("value", "ordinality")[:len(relation.columns)]
    relation.shown = _SHOWN_COLUMNS[function]
    scope.add(relation)
    return exp.Table(this=exp.Anonymous(this=function, expressions=arguments),
                     alias=exp.TableAlias(this=exp.to_identifier(relation.name, quoted=True)))


def generate_series(translator: Translator, node: exp.Table, scope: Scope,
                    arguments_scope: Scope) -> exp.Table:
    """generate_series(start, stop[, step]) in FROM, a table-valued function (`_table_function`)."""
    if node.args.get("ordinality"):
        raise unsupported("generate_series WITH ORDINALITY")
    series = node.this
    arguments = [series.args.get(key) for key in ("start", "end", "step") if series.args.get(key)]
    typed = [translator.expr(argument, arguments_scope) for argument in arguments]
    if any(pg_type.oid in (t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ, t.INTERVAL) for _, pg_type in typed):
        function, result, values = _time_series(translator, typed)
    else:
        types = [pg_type if not pg_type.is_unknown else t.INT4_TYPE for _, pg_type in typed]
        if not all(pg_type.oid in t.NUMBER_TYPES for pg_type in types):
            raise _no_generate_series([pg_type.oid for _, pg_type in typed])
        if not all(pg_type.oid in t.INTEGER_TYPES for pg_type in types):
            raise unsupported("generate_series over non-integer values")
        function, result = fn.GENERATE_SERIES, rules.common_type(types)
        values = [translator.coerce(value, pg_type, result) for value, pg_type in typed]
    alias = node.alias or fn.GENERATE_SERIES
    renames = node.args["alias"].columns if node.args.get("alias") is not None else []
    column = renames[0].name if renames else alias
    return _table_function(translator, scope, Relation(alias, [(column, result)]), function, values)


def _time_series(translator: Translator, typed: list[Typed]) -> tuple[str, PgType, list[exp.Expr]]:
    """generate_series(start, stop, step interval): over timestamp when an argument is one and
    none is timestamptz, else over timestamptz (dates too, as PostgreSQL resolves them)."""
    oids = [pg_type.oid for _, pg_type in typed]
    if len(typed) != 3 or not set(oids[:2]) <= {t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ, t.UNKNOWN} \
            or oids[2] not in (t.INTERVAL, t.UNKNOWN):
        raise _no_generate_series(oids)
    result = PgType(t.TIMESTAMP if t.TIMESTAMP in oids and t.TIMESTAMPTZ not in oids else t.TIMESTAMPTZ)
    targets = (result, result, PgType(t.INTERVAL))
    values = [translator.coerce(value, pg_type, target)
              for (value, pg_type), target in zip(typed, targets, strict=True)]
    return fn.TIME_SERIES, result, [*values, exp.Literal.number(result.oid)]


def scalar_function_source(translator: Translator, node: exp.Table) -> exp.Subquery | None:
    """A function of one value in FROM (`FROM pg_sleep(0.01)`, `FROM upper('a') AS u`): one row,
    `(SELECT f(...) AS column) AS name`, its column named by the column alias, else the alias,
    else the function, as PostgreSQL names it. None when node is no call of such a function.
    Arguments that refer to columns are 0A000: SQLite's subquery would see no FROM item before it."""
    function = node.this
    name = rules.function_name(function, translator.text) if isinstance(function, exp.Func) else None
    if name is None or name not in rules.FUNCTION_TYPES or name in rules.AGGREGATES \
            or name in _WINDOW_FUNCTIONS:
        return None
    if node.args.get("ordinality") or function.find(exp.Column) is not None:
        raise unsupported(f"FROM item {node.sql('postgres')}")
    alias = node.args.get("alias")
    relation = alias.name if alias is not None and alias.name else name
    renames = [column.copy() for column in alias.columns] if alias is not None else []
    select = exp.select(exp.alias_(function.copy(), relation, quoted=True))
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(relation, quoted=True),
                                                          columns=renames))


def lateral_function(node: exp.Lateral) -> exp.Expr:
    """`LATERAL unnest(...)` / `LATERAL generate_series(...)` / `LATERAL json_each(...)` & co as the
    function with LATERAL's alias (a function in FROM sees the items before it anyway); a LATERAL
    subquery: 0A000."""
    function = node.this
    alias = node.args.get("alias")
    if isinstance(function, exp.Unnest):
        if alias is not None:
            function.set("alias", alias)
        return function
    if isinstance(function, exp.ExplodingGenerateSeries) or hstore.set_returning_name(function) \
            or json_functions.set_returning_name(function, from_item=True):
        return exp.Table(this=function, alias=alias, ordinality=node.args.get("ordinality"))
    if isinstance(function, exp.Subquery | exp.Query):
        raise unsupported("LATERAL subqueries")
    raise unsupported(f"FROM item {node.sql('postgres')}")


def selected_from(function: exp.Table, relation: Relation) -> exp.Subquery:
    """A table function as `(SELECT value, ... FROM function) AS name`: SQLite's RIGHT and FULL
    joins give a table-valued function's last row for the rows of its own side that match nothing."""
    alias = function.args["alias"]
    function.set("alias", None)
    relation.shown = frozenset(relation.stored)
    return exp.Subquery(this=exp.select(*[exp.column(name, quoted=True) for name in relation.stored])
                        .from_(function), alias=alias)


def _no_generate_series(oids: list[int]) -> DatabaseError:
    names = ", ".join(format_type(oid, -1) or "unknown" for oid in oids)
    return rules.no_function("generate_series", names)


def is_generate_series(node: exp.Expr) -> TypeGuard[exp.Table]:
    """Whether a FROM item is a call of generate_series."""
    return isinstance(node, exp.Table) and isinstance(node.this, exp.ExplodingGenerateSeries)


def _levels(scope: Scope) -> list[Scope]:
    """scope and the scopes enclosing it, innermost first."""
    levels = []
    level: Scope | None = scope
    while level is not None:
        levels.append(level)
        level = level.parent
    return levels


def may_refer_to(node: exp.Expr, relations: list[Relation]) -> bool:
    """Whether a column reference in node (its subqueries too) may name one of relations."""
    names = {relation.name.lower() for relation in relations}
    return any(not column.table or column.table.lower() in names for column in node.find_all(exp.Column))


def _column_references(node: exp.Expr) -> list[exp.Column]:
    """The column references of an expression outside its subqueries (which resolve their own)."""
    return [column for column in node.walk(prune=lambda inner: isinstance(inner, exp.Query))
            if isinstance(column, exp.Column)]
