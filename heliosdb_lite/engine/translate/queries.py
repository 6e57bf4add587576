"""SELECT, WITH, windows, set operations and VALUES, the FROM items of a query (tables, views,
subqueries, VALUES, catalog relations; table functions are `table_functions`'), and subqueries used
as expressions: each rewritten for SQLite, with its output columns and their types."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine import pg_catalog
from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.functions.heliosdb_table_functions import TABLE_FUNCTIONS
from heliosdb_lite.engine.store.conventions import VIEW_COLUMNS_TABLE
from heliosdb_lite.engine.store.table_info import TableInfo
from heliosdb_lite.engine.translate import distinct_on as distinct_on_query
from heliosdb_lite.engine.translate import (
    hstore,
    join_columns,
    json_functions,
    outer_aggregates,
    qualified_columns,
    query_checks,
    select_list_unnest,
    set_operations,
    table_samples,
)
from heliosdb_lite.engine.translate.nodes import call, collated, undeclared
from heliosdb_lite.engine.translate.result import OutputColumn, Typed, unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.translate.table_functions import (
    function_arguments,
    generate_series,
    is_generate_series,
    lateral_function,
    may_refer_to,
    scalar_function_source,
    selected_from,
    unnest,
)
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    DUPLICATE_COLUMN,
    INVALID_COLUMN_REFERENCE,
    SYNTAX_ERROR,
    UNDEFINED_FUNCTION,
    UNDEFINED_TABLE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Handler, Translator

SCALAR_ROWS = "_helios_scalar_rows"  # the CTE and column `_single_row` reads a scalar subquery through
SCALAR_VALUE = "value"
_ORDERING_COLLATIONS = frozenset(fn.COLLATIONS.values()) | frozenset(array_functions.COLLATIONS.values())


def with_clause(translator: Translator, node: exp.Expr, scope: Scope) -> None:
    """The WITH queries of a statement, translated and registered in scope as relations."""
    clause = node.args.get("with_")
    if clause is None:
        return
    for cte in clause.expressions:
        name = cte.alias_or_name.lower()
        alias = cte.args.get("alias")
        alias_columns = [column.name for column in alias.columns] if alias is not None else []
        body = cte.this
        if clause.args.get("recursive") and isinstance(body, exp.SetOperation):
            body = set_operations.marked_recursive(body, name)
            cte.set("this", body)
            _, anchor_outputs = translator.query(body.this.copy(), scope)
            scope.ctes[name] = relation_of(name, anchor_outputs).renamed(name, alias_columns)
        translated, outputs = translator.query(body, scope)
        cte.set("this", translated)
        scope.ctes[name] = relation_of(name, outputs).renamed(name, alias_columns)


def relation_of(name: str, outputs: list[OutputColumn]) -> Relation:
    """A subquery's or WITH query's rows as a relation: its unknown columns are text (as
    PostgreSQL resolves them)."""
    return Relation(name, [(column.name, t.output_type(column.type) if column.type else None)
                           for column in outputs])


EMPTY_SELECT_LIST = "?no columns?"  # the column standing in for an empty select list (`without_stand_in`)


def without_stand_in(outputs: list[OutputColumn]) -> list[OutputColumn]:
    """A statement's result columns: none for a SELECT with an empty select list."""
    return [] if [output.name for output in outputs] == [EMPTY_SELECT_LIST] else outputs


def select(translator: Translator, node: exp.Select, parent: Scope) -> tuple[exp.Select, list[OutputColumn]]:
    """A SELECT with its FROM items, conditions, grouping, windows, ORDER BY, LIMIT and DISTINCT ON."""
    scope = parent.child()
    scope.query = node
    if not node.expressions:  # PostgreSQL's rows of no columns: SQLite has none, so one stands in
        node.set("expressions", [exp.alias_(exp.Null(), EMPTY_SELECT_LIST, quoted=True)])
    select_list_unnest.moved_to_from(node)
    query_checks.check_order(node)
    with_clause(translator, node, scope)
    distinct = node.args.get("distinct")
    distinct_on = distinct.args.get("on") if distinct is not None else None
    if distinct_on is not None:
        node.set("distinct", None)
    locks = node.args.get("locks")
    if locks:
        node.set("locks", None)  # the writer lock, taken before reading, serialises like a row lock
        translator.locks_rows = True
    from_clause = node.args.get("from_")
    if from_clause is not None:
        from_clause.set("this", _from_item(translator, from_clause.this, scope))
    joins = node.args.get("joins") or []
    for join in joins:
        _check_join(join)
        join.set("this", _from_item(translator, join.this, scope, join))
    if any(join.args.get("using") or join.method for join in joins) \
            and any(relation.stored for relation in scope.relations):
        raise unsupported("USING or NATURAL joins beside unnest or generate_series in FROM")
    if any(join.args.get("using") or join.method for join in joins) \
            and len(query_checks.every_join(node)) > len(joins):
        raise unsupported("USING or NATURAL joins beside a join nested in another join's ON")
    join_columns.listed_star(node, scope.relations)
    outer = outer_aggregates.outer_aggregates(node, scope)
    query_checks.check_select(node, outer)
    deferred = node.copy() if outer_aggregates.may_be_aggregated(node) else None
    grouped = query_checks.check_grouping(node, scope, outer)
    _check_locked_tables(locks or [], scope)
    for join in query_checks.every_join(node):
        if join.args.get("on") is not None:
            scope.clause = "JOIN conditions"
            join.set("on", translator.condition(join.args["on"], scope, "JOIN/ON"))
    scope.clause = None
    ungrouped_having = node.args.get("having") is not None and node.args.get("group") is None \
        and not any(query_checks.has_aggregate(item, outer) for item in node.expressions)
    outputs, expressions = output_list(translator, node.expressions, scope, collate=True)
    if node.args.get("distinct") is not None:
        for output in outputs:
            rules.check_equality(output.type)
    if ungrouped_having and expressions:
        expressions[0] = _aggregated(expressions[0])
    node.set("expressions", expressions)
    for output, expression in zip(outputs, node.expressions, strict=False):
        if isinstance(expression, exp.Alias) and output.type is not None:
            scope.outputs[output.name.lower()] = output.type
    for key in ("where", "having", "qualify"):
        clause = node.args.get(key)
        if clause is not None:
            scope.clause = "WHERE" if key == "where" else None
            scope.hides_outputs = key in ("where", "having")
            clause.set("this", translator.condition(clause.this, scope, key.upper()))
            scope.hides_outputs = False
    group = node.args.get("group")
    if group is not None:
        scope.clause = "GROUP BY"
        group.set("expressions", [e if isinstance(e, exp.Literal) else collated(*_equated_typed(
                                      translator.expr(e, scope)))
                                  if isinstance(e, exp.Column)  # an output column's name: that column
                                  else collated(*_equated_typed(_without_outputs(translator, e, scope)))
                                  for e in group.expressions])
    scope.clause = None
    _windows(translator, node, scope)
    _order_limit(translator, node, scope, outputs)
    if scope.aggregated and deferred is not None and not grouped:
        query_checks.check_grouping(deferred, scope, aggregated=True)
    if distinct_on is not None:
        keys = [collated(*translator.expr(key, scope)) for key in distinct_on.expressions]
        return distinct_on_query.rewritten(node, keys, [output.name for output in outputs]), outputs
    return node, outputs


def _equated_typed(typed: Typed) -> Typed:
    """A GROUP BY or PARTITION BY key: 42883 for a type with no equality operator (json)."""
    rules.check_equality(typed[1])
    return typed


def _equated(value: exp.Expr, pg_type: PgType) -> exp.Expr:
    return _equated_typed((value, pg_type))[0]


def _windows(translator: Translator, node: exp.Select, scope: Scope) -> None:
    for window in node.args.get("windows") or []:
        window_spec(translator, window, scope)


def _star_relations(star: exp.Expr, scope: Scope) -> list[Relation]:
    """The relations `*` or `name.*` lists the columns of."""
    table = star.args.get("table") if isinstance(star, exp.Column) else None
    if table is None:
        return scope.relations
    relation = scope.relation(table.name)
    return [relation] if relation is not None else []


def _star(translator: Translator, star: exp.Expr, scope: Scope) -> list[OutputColumn]:
    outputs: list[OutputColumn] = []
    for relation in _star_relations(star, scope):
        if not relation.known:
            return [OutputColumn("*", None)]
        outputs += [OutputColumn(name, pg_type) for name, pg_type in relation.columns]
    return outputs


def _order_limit(translator: Translator, node: exp.Expr, scope: Scope,
                 outputs: list[OutputColumn]) -> None:
    order = node.args.get("order")
    if order is not None and not any(output.type is None and output.name == "*" for output in outputs):
        for item in order.expressions:
            query_checks.check_position("ORDER BY", item.this if isinstance(item, exp.Ordered) else item,
                                        len(outputs))
    if order is not None:
        order_scope = Scope(parent=scope, outputs={o.name.lower(): o.type for o in outputs if o.type})
        order.set("expressions", [ordered(translator, item, order_scope) for item in order.expressions])
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
            translated, pg_type = translator.expr(value, scope)
            clause.set("expression", call(fn.ROW_COUNT, translator.coerce(translated, pg_type, t.INT8_TYPE),
                                          key.upper()))


def ordered(translator: Translator, item: exp.Expr, scope: Scope) -> exp.Expr:
    """An ORDER BY item, compared as its type compares; an output column name or a position as is."""
    if not isinstance(item, exp.Ordered):
        return translator.expr(item, scope)[0]
    inner = item.this
    if isinstance(inner, exp.Literal) and not inner.is_string:
        return item
    translated: exp.Expr
    pg_type: PgType | None
    if isinstance(inner, exp.Column) and not inner.table and inner.name.lower() in scope.outputs \
            and scope.parent is not None and scope.parent.column(inner.name) is None:
        translated, pg_type = inner, scope.outputs[inner.name.lower()]
    else:
        translated, pg_type = _without_outputs(translator, inner, scope.parent or scope)
    if pg_type is not None and pg_type.oid in t.UNCOMPARED_TYPES:
        raise unsupported(f"ORDER BY a {format_type(pg_type.oid, -1)} value")
    if pg_type is not None and pg_type.oid in t.UNORDERED_TYPES:
        raise DatabaseError(UNDEFINED_FUNCTION,
                            "could not identify an ordering operator for type "
                            f"{format_type(pg_type.oid, -1)}",
                            hint="Use an explicit ordering operator or modify the query.")
    item.set("this", collated(translated, pg_type))
    return item


def _aggregated(item: exp.Expr) -> exp.Expr:
    """A select item of a query with HAVING but no GROUP BY nor aggregate in its select list (one
    group, PostgreSQL's), made an aggregate for SQLite, which refuses HAVING in a query that is not:
    `iif(count(*) >= 0, item, NULL)`, the item's value."""
    value = item.this if isinstance(item, exp.Alias) else item
    wrapped = call("iif", exp.GTE(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(0)),
                   value.copy(), exp.Null())
    if isinstance(item, exp.Alias):
        item.set("this", wrapped)
        return item
    return wrapped


def _without_outputs(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    """An ORDER BY or GROUP BY expression other than an output column's bare name, in which output
    names are no columns (42703), as in PostgreSQL."""
    hid = scope.hides_outputs
    scope.hides_outputs = True
    try:
        return translator.expr(node, scope)
    finally:
        scope.hides_outputs = hid


def set_operation(translator: Translator, node: exp.SetOperation,
                  parent: Scope) -> tuple[exp.Expr, list[OutputColumn]]:
    """UNION / INTERSECT / EXCEPT, each column converted to the branches' common type."""
    scope = parent.child()
    with_clause(translator, node, scope)
    left, left_outputs = translator.query(node.this, scope)
    right, right_outputs = translator.query(node.expression, scope)
    if len(left_outputs) != len(right_outputs) and all(o.type for o in left_outputs + right_outputs):
        raise DatabaseError(SYNTAX_ERROR,
                            f"each {node.key.upper()} query must have the same number of columns")
    types = set_operations.result_types(node, [output.type for output in left_outputs],
                                        [output.type for output in right_outputs])
    if not set_operations.is_recursive(node):  # a recursive query's terms keep their types (checked)
        left = _converted_branch(translator, left, left_outputs, types)
        right = _converted_branch(translator, right, right_outputs, types)
    node.set("this", set_operations.compound_member(left))
    node.set("expression", set_operations.compound_member(right))
    outputs = [OutputColumn(output.name, pg_type)
               for output, pg_type in zip(left_outputs, types, strict=False)]
    set_operations.check_order(node, [output.name for output in outputs], types)
    _order_limit(translator, node, scope, outputs)
    return set_operations.sqlite_form(node, [output.name for output in outputs]), outputs


def _converted_branch(translator: Translator, branch: exp.Expr, outputs: list[OutputColumn],
                      targets: list[PgType | None]) -> exp.Expr:
    return set_operations.converted_branch(branch, [o.name for o in outputs], [o.type for o in outputs],
                                           targets, partial(_converted_output, translator))


def _converted_output(translator: Translator, value: exp.Expr, source: PgType,
                      target: PgType) -> exp.Expr:
    """A result column's value converted to target and compared as target compares; never a
    bare column (SQLite would describe the result by that column's declared type)."""
    if isinstance(value, exp.Collate) and value.expression.name in _ORDERING_COLLATIONS:
        value = value.this
    return undeclared(collated(translator.coerce(value, source, target), target), target)


def values(translator: Translator, node: exp.Values, parent: Scope) -> tuple[exp.Values, list[OutputColumn]]:
    """VALUES lists, each column converted to the rows' common type (columns column1, ...)."""
    rows = [_typed_row(translator, row, parent) for row in node.expressions]
    if len({len(row) for row in rows}) > 1:
        raise DatabaseError(SYNTAX_ERROR, "VALUES lists must all be the same length")
    width = max((len(row) for row in rows), default=0)
    types = [t.output_type(rules.common_type([row[i][1] for row in rows if i < len(row)], "VALUES"))
             for i in range(width)]
    node.set("expressions", [
        exp.Tuple(expressions=[collated(translator.coerce(value, pg_type, types[i]), types[i])
                               for i, (value, pg_type) in enumerate(row)])
        for row in rows])
    alias = node.args.get("alias")
    names = [column.name for column in alias.columns] if alias is not None and alias.columns else []
    names += [f"column{i + 1}" for i in range(len(names), width)]
    return node, [OutputColumn(name, pg_type) for name, pg_type in zip(names, types, strict=False)]


def _typed_row(translator: Translator, row: exp.Expr, scope: Scope) -> list[Typed]:
    values = row.expressions if isinstance(row, exp.Tuple) else [row]
    return [translator.expr(value, scope) for value in values]


def source(translator: Translator, node: exp.Expr, scope: Scope) -> exp.Expr:
    """A FROM item: registers its relation in scope."""
    alias_node = node.args.get("alias")
    renames = [c.name for c in alias_node.columns] if alias_node is not None else []
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
        # an information_schema relation `relation_name` renamed already is aliased by its own name
        aliased = node.alias not in ("", node.name.rpartition(".")[2] if "." in node.name else "")
        catalog_relation = pg_catalog.relation_name(node)
        if catalog_relation is not None:  # pg_catalog comes first on the search path
            node.set("db", None)
            scope.add(Relation(node.alias or catalog_relation, list(pg_catalog.RELATIONS[catalog_relation]),
                               storage=qualified_columns.catalog_storage(catalog_relation), aliased=aliased))
            return node
        name = node.name
        alias = node.alias or name
        relation = scope.cte(name) if not node.args.get("db") else None
        stored = None
        if relation is None:
            stored = translator.bind_relation(node)
            info = translator.catalog.table(stored)
            relation = Relation(name, _table_columns(translator, stored, info), key=info.primary_key) \
                if info else Relation(name, [], known=False)
        _check_alias_width(alias, relation, renames)
        added = relation.renamed(alias, renames or None)
        added.storage, added.aliased = stored, aliased
        scope.add(added)
        if renames:
            bare = node.copy()
            bare.set("alias", None)
            return _renamed_source(exp.select("*").from_(bare), alias,
                                   [name for name, _ in relation.columns], renames)
        return node
    sibling_free = Scope(parent=scope.parent, ctes=scope.ctes)
    if isinstance(node, exp.Subquery):
        inner, outputs = translator.query(node.this, sibling_free)
        node.set("this", inner)
        name = node.alias or "?subquery?"
        _check_alias_width(name, relation_of(name, outputs), renames)
        scope.add(relation_of(name, outputs).renamed(name, renames or None))
        if renames:
            _alias_outputs(inner, renames)
            node.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        return node
    if isinstance(node, exp.Values):
        translated, outputs = values(translator, node, sibling_free)
        name = node.alias or "*VALUES*"
        scope.add(relation_of(name, outputs))
        translated.set("alias", None)
        return _renamed_source(translated, name, [f"column{i + 1}" for i in range(len(outputs))],
                               [output.name for output in outputs])
    if is_generate_series(node):  # UPDATE ... FROM: the target is not visible to its arguments
        arguments = function_arguments(translator, node, scope, sees_before=False)
        return generate_series(translator, node, scope, arguments)
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) \
            and node.this.name.lower() in TABLE_FUNCTIONS:
        name = node.this.name.lower()
        scope.add(Relation(node.alias or name, list(TABLE_FUNCTIONS[name])))
        return node
    one_row = scalar_function_source(translator, node) if isinstance(node, exp.Table) else None
    if one_row is not None:
        return source(translator, one_row, scope)
    raise unsupported(f"FROM item {node.sql('postgres')}")


def _from_item(translator: Translator, node: exp.Expr, scope: Scope,
               join: exp.Join | None = None) -> exp.Expr:
    """A FROM item of a SELECT (join: the join it is the right side of): unnest(array) and
    generate_series here, LATERAL or not (their arguments see the FROM items before them, as in
    PostgreSQL), every other one through `source`."""
    if query_checks.parenthesised_join(node):  # `a JOIN (b JOIN c ON ...) ON ...`
        node = node.this
    if node.args.get("joins"):  # `a JOIN b LEFT JOIN c ON ... ON ...`
        return _nested_join(translator, node, scope)
    if node.args.get("sample"):
        return table_samples.sampled(translator, node, scope, lambda item: source(translator, item, scope))
    if isinstance(node, exp.Lateral):
        node = lateral_function(node)
    if isinstance(node, exp.Unnest) or is_generate_series(node) \
            or json_functions.set_returning_name(node, from_item=True) or hstore.set_returning_name(node):
        side = join.side.upper() if join is not None else ""
        arguments = function_arguments(translator, node, scope, sees_before=side not in ("RIGHT", "FULL"))
        if join is not None and not side and join.kind.upper() in ("", "INNER", "CROSS") \
                and may_refer_to(node, scope.relations):
            join.set("kind", "CROSS")  # SQLite then keeps the items before it in outer loops
        if isinstance(node, exp.Unnest):
            function = unnest(translator, node, scope, arguments)
        elif is_generate_series(node):
            function = generate_series(translator, node, scope, arguments)
        elif hstore.set_returning_name(node):
            assert isinstance(node, exp.Table)
            function = hstore.rows(translator, node, scope, arguments)
        else:
            assert isinstance(node, exp.Table)
            function = json_functions.rows(translator, node, scope, arguments)
        return selected_from(function, scope.relations[-1]) if side in ("RIGHT", "FULL") else function
    return source(translator, node, scope)


def _nested_join(translator: Translator, node: exp.Expr, scope: Scope) -> exp.Subquery:
    """A join nested in another join's ON (`a LEFT JOIN b JOIN c ON x ON y`, or written in
    parentheses): SQLite's parenthesised join `(b JOIN c ON x)`, its items in scope after the ones
    before it; its ON conditions are translated with the query's (`query_checks.every_join`). USING
    and NATURAL there are refused (the columns they merge are listed for the query's own joins only)."""
    nested: list[exp.Join] = node.args["joins"]
    if any(join.args.get("using") or join.method for join in nested):
        raise unsupported("USING or NATURAL in a join nested in another join's ON")
    node.set("joins", None)
    base = _from_item(translator, node, scope)
    for join in nested:
        _check_join(join)
        join.set("this", _from_item(translator, join.this, scope, join))
    base.set("joins", nested)
    return exp.Subquery(this=base)


def _table_columns(translator: Translator, name: str, info: TableInfo) -> list[tuple[str, PgType | None]]:
    """A table's or view's columns with their types (a view's as recorded at CREATE VIEW)."""
    columns = [(c.name, c.type) for c in info.columns]
    if translator.view_types is None or translator.catalog.table(VIEW_COLUMNS_TABLE) is None:
        return columns
    recorded = translator.view_types(name)
    return [(column, recorded.get(position, pg_type))
            for position, (column, pg_type) in enumerate(columns)]


def output_list(translator: Translator, items: list[exp.Expr], scope: Scope, *, collate: bool
                ) -> tuple[list[OutputColumn], list[exp.Expr]]:
    """A select list or RETURNING list: its output columns and translated expressions (`*`
    expanded in the outputs only); a select list's values get their ordering collation."""
    outputs: list[OutputColumn] = []
    expressions: list[exp.Expr] = []
    for expression in items:
        if isinstance(expression, exp.Star) or (isinstance(expression, exp.Column)
                                                and isinstance(expression.this, exp.Star)):
            if isinstance(expression, exp.Column):  # `schema.table.*`: the table by its bare name
                qualified_columns.unqualified(translator, expression, scope)
            outputs += _star(translator, expression, scope)
            expressions += _star_expressions(translator, expression, scope)
            continue
        name = rules.column_name(expression, translator.text)
        translated, pg_type = translator.expr(expression, scope)
        if isinstance(translated, exp.Column) and translated.name != name:  # a table function's column
            translated = exp.alias_(translated, name, quoted=True)
        outputs.append(OutputColumn(name, pg_type))
        expressions.append(_collated_output(translated, pg_type) if collate else translated)
    if items and not expressions:
        raise unsupported("a select list of no columns (* of a table without columns)")
    return outputs, expressions


def _star_expressions(translator: Translator, star: exp.Expr, scope: Scope) -> list[exp.Expr]:
    """`*` as SQLite should list it: as written, unless a table function is among its relations
    (SQLite would show `value` and `ordinality` for its columns): then relation by relation."""
    relations = _star_relations(star, scope)
    if not any(relation.stored or not relation.columns for relation in relations):
        return [star]
    expressions: list[exp.Expr] = []
    for relation in relations:
        if relation.known and not relation.columns:  # a table without columns: nothing to list
            continue
        table = exp.to_identifier(relation.name, quoted=True)
        if not relation.stored:
            expressions.append(exp.Column(this=exp.Star(), table=table))
            continue
        expressions += [exp.alias_(exp.column(stored, relation.name, quoted=True), name, quoted=True)
                        for (name, _), stored in zip(relation.columns, relation.stored, strict=True)]
    return expressions


def _subquery(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    translated, outputs = translator.query(node, scope)
    if len(outputs) > 1:
        raise DatabaseError(SYNTAX_ERROR, "subquery must return only one column")
    pg_type = outputs[0].type if outputs and outputs[0].type is not None else t.UNKNOWN_TYPE
    return _single_row(translated), pg_type


def _exists(translator: Translator, node: exp.Exists, scope: Scope) -> Typed:
    translated, _ = translator.query(node.this, scope)
    node.set("this", translated)
    return node, t.BOOL_TYPE


def _window(translator: Translator, node: exp.Window, scope: Scope) -> Typed:
    inner, pg_type = translator.expr(node.this, scope)
    node.set("this", inner)
    window_spec(translator, node, scope)
    return node, pg_type


def window_spec(translator: Translator, node: exp.Expr, scope: Scope) -> None:
    """A window's PARTITION BY and ORDER BY."""
    partition = node.args.get("partition_by")
    if partition:
        node.set("partition_by", [_equated(*translator.expr(item, scope)) for item in partition])
    order = node.args.get("order")
    if order is not None:
        order.set("expressions", [ordered(translator, item, Scope(parent=scope))
                                  for item in order.expressions])


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


def _check_locked_tables(locks: list[exp.Expr], scope: Scope) -> None:
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


def _collated_output(node: exp.Expr, pg_type: PgType) -> exp.Expr:
    """A computed result column compared as its type compares (DISTINCT, UNION, outer queries)."""
    if isinstance(node, exp.Column):  # a column carries its own collation (tables, wrapped subqueries)
        return node
    if isinstance(node, exp.Alias):
        if not isinstance(node.this, exp.Column):
            node.set("this", collated(node.this, pg_type))
        return node
    return collated(node, pg_type)


def _renamed_source(query: exp.Expr, alias: str, names: list[str], renames: list[str]) -> exp.Subquery:
    """`(SELECT a AS x, b AS y, ... FROM (query)) AS alias`: SQLite has no column aliases on FROM items."""
    inner = query if isinstance(query, exp.Subquery) else exp.Subquery(this=query)
    inner.set("alias", exp.TableAlias(this=exp.to_identifier("_helios_renamed")))
    columns = [exp.alias_(exp.column(name, quoted=True), renames[i] if i < len(renames) else name,
                          quoted=True) for i, name in enumerate(names)]
    return exp.Subquery(this=exp.select(*columns).from_(inner),
                        alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))


def _single_row(subquery: exp.Expr) -> exp.Subquery:
    """A scalar subquery that raises 21000 when its query returns more than one row (SQLite's own
    takes the first): `(WITH s(v) AS (query) SELECT helios_scalar_subquery(v) FROM (SELECT v FROM s
    LIMIT 2))`."""
    query = subquery.this if isinstance(subquery, exp.Subquery) else subquery
    first_two = exp.select(SCALAR_VALUE).from_(SCALAR_ROWS).limit(2).subquery()
    single = exp.select(call(fn.SCALAR_SUBQUERY, exp.column(SCALAR_VALUE))).from_(first_two)
    return exp.Subquery(this=over_rows(query, single))


def over_rows(query: exp.Expr, reader: exp.Select) -> exp.Select:
    """`reader` with `query`'s rows as `WITH _helios_scalar_rows(value) AS (query)`."""
    rows = exp.TableAlias(this=exp.to_identifier(SCALAR_ROWS), columns=[exp.to_identifier(SCALAR_VALUE)])
    reader.set("with_", exp.With(expressions=[exp.CTE(this=query, alias=rows)]))
    return reader


def _alias_outputs(query: exp.Expr, names: list[str]) -> None:
    """Name the first output columns of query (its leftmost SELECT) names."""
    while isinstance(query, exp.Subquery | exp.SetOperation) or set_operations.is_every_row_of(query):
        query = query.args["from_"].this.this if isinstance(query, exp.Select) else query.this
    if not isinstance(query, exp.Select) or any(isinstance(e, exp.Star) or isinstance(e.this, exp.Star)
                                                for e in query.expressions):
        raise unsupported("column aliases on this FROM item")
    query.set("expressions", [
        exp.alias_(e.this if isinstance(e, exp.Alias) else e, names[i], quoted=True) if i < len(names) else e
        for i, e in enumerate(query.expressions)])


HANDLERS: dict[type[exp.Expr], Handler] = {
    exp.Subquery: _subquery,
    exp.Select: _subquery,
    exp.Exists: _exists,
    exp.Window: _window,
}
CLASS_HANDLERS: list[tuple[type[exp.Expr], Handler]] = [(exp.Query, _subquery)]
