"""The checks PostgreSQL's analyser makes on a SELECT that SQLite skips or answers otherwise.

Run on the statement as written, before it is translated:
- where aggregates and window functions may appear (42803 / 42P20: not in WHERE, JOIN conditions
  or GROUP BY, no aggregate inside another, no window function in HAVING or inside another);
- GROUP BY and ORDER BY positions, LIMIT and OFFSET without columns, ORDER BY of a SELECT DISTINCT
  in its select list (42P10), an ORDER BY name two select items have (42702);
- PostgreSQL's rule for a grouped query (check_ungrouped_columns, 42803): a column of the query's
  own FROM items may appear outside an aggregate only inside an expression it is grouped by, or
  when the primary key of its table is grouped (SQLite would pick the value of some row); so may a
  whole-row reference (`row_to_json(t)`: `t.*` in the message).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.errors import (
    AMBIGUOUS_COLUMN,
    GROUPING_ERROR,
    INVALID_COLUMN_REFERENCE,
    WINDOWING_ERROR,
    DatabaseError,
)


def _is_call_of_aggregate(node: exp.Expr) -> bool:
    if isinstance(node, exp.AggFunc):
        return True
    return isinstance(node, exp.Anonymous) and node.name.lower() in rules.AGGREGATES


def _windowed(node: exp.Expr) -> bool:
    """Whether an aggregate call is the function of a window (then a window function), through a
    FILTER and a `pg_catalog.` qualification."""
    parent = node.parent
    while isinstance(parent, exp.Filter | exp.Dot):
        parent = parent.parent
    return isinstance(parent, exp.Window)


def is_aggregate(node: exp.Expr) -> bool:
    """An aggregate call of this query level (not one over a window)."""
    return _is_call_of_aggregate(node) and not _windowed(node)


def level(node: exp.Expr) -> Iterator[exp.Expr]:
    """node and what is inside it, without entering subqueries (another query level)."""
    yield node
    for child in node.iter_expressions():
        if not isinstance(child, exp.Query | exp.Subquery):
            yield from level(child)


def _first(nodes: Iterator[exp.Expr], wanted: type[exp.Expr] | None = None,
           outer: frozenset[int] = frozenset()) -> exp.Expr | None:
    """The first node of the type wanted, or (None) aggregate call of this level (not in `outer`: the
    ids of the calls that belong to an enclosing level)."""
    for node in nodes:
        if (wanted is None and is_aggregate(node) and id(node) not in outer) \
                or (wanted is not None and isinstance(node, wanted)):
            return node
    return None


def has_aggregate(node: exp.Expr, outer: frozenset[int] = frozenset()) -> bool:
    """Whether node has an aggregate call of its query level (not one of `outer`'s ids)."""
    return _first(level(node), outer=outer) is not None


def _refuse_in(clause: exp.Expr | None, name: str, *, aggregates: bool = True) -> None:
    if clause is None:
        return
    if aggregates and _first(level(clause)) is not None:
        raise DatabaseError(GROUPING_ERROR, f"aggregate functions are not allowed in {name}")
    if _first(level(clause), exp.Window) is not None:
        raise DatabaseError(WINDOWING_ERROR, f"window functions are not allowed in {name}")


def _check_nesting(node: exp.Expr, outer: frozenset[int]) -> None:
    for inner in level(node):
        if is_aggregate(inner) and id(inner) not in outer:
            for argument in inner.iter_expressions():
                if isinstance(argument, exp.Query | exp.Subquery):
                    continue
                if _first(level(argument), outer=outer) is not None:
                    raise DatabaseError(GROUPING_ERROR, "aggregate function calls cannot be nested")
                if _first(level(argument), exp.Window) is not None:
                    raise DatabaseError(GROUPING_ERROR,
                                        "aggregate function calls cannot contain window function calls")
        elif isinstance(inner, exp.Window):
            for argument in inner.iter_expressions():
                if not isinstance(argument, exp.Query | exp.Subquery) \
                        and _first(level(argument), exp.Window) is not None:
                    raise DatabaseError(WINDOWING_ERROR, "window function calls cannot be nested")


def check_placement(where: exp.Expr | None) -> None:
    """An UPDATE's or DELETE's WHERE: no aggregate, no window function."""
    _refuse_in(where, "WHERE")


def every_join(select: exp.Select) -> list[exp.Join]:
    """The joins of a SELECT's FROM clause, each after those nested in its item: a join nested in
    another join's ON, once its FROM items are translated, is SQLite's parenthesised join, an
    unaliased subquery of the join's first item (`queries._nested_join`)."""
    from_clause = select.args.get("from_")
    return _with_nested([*([from_clause.this] if from_clause is not None else []),
                         *(select.args.get("joins") or [])])


def parenthesised_join(item: exp.Expr) -> bool:
    """Whether a FROM item is a join in parentheses, `(b JOIN c ON ...)`: an unaliased subquery of a
    FROM item (a table, an aliased subquery) that has joins, not of a query."""
    return isinstance(item, exp.Subquery) and item.args.get("alias") is None \
        and not isinstance(item.this, exp.Select | exp.SetOperation) and bool(item.this.args.get("joins"))


def _with_nested(items: list[exp.Expr]) -> list[exp.Join]:
    found: list[exp.Join] = []
    for entry in items:
        item = entry.this if isinstance(entry, exp.Join) else entry
        if parenthesised_join(item):
            found += _with_nested(item.this.args["joins"])
        if isinstance(entry, exp.Join):
            found.append(entry)
    return found


def check_select(select: exp.Select, outer: frozenset[int] = frozenset()) -> None:
    """Where the aggregates and window functions of a SELECT are, in the order PostgreSQL looks
    (`outer`: the ids of the aggregate calls that belong to an enclosing level)."""
    for join in every_join(select):
        _refuse_in(join.args.get("on"), "JOIN conditions")
    for item in select.expressions:
        _check_nesting(item, outer)
    where = select.args.get("where")
    _refuse_in(where.this if where is not None else None, "WHERE")
    having = select.args.get("having")
    if having is not None:
        _refuse_in(having.this, "HAVING", aggregates=False)
        _check_nesting(having.this, outer)
    order = select.args.get("order")
    if order is not None:
        _check_nesting(order, outer)
    group = select.args.get("group")
    for item in group.expressions if group is not None else []:
        _refuse_in(item, "GROUP BY")


def _position(node: exp.Expr) -> int | None:
    """The integer a GROUP BY / ORDER BY item is when it is written as one (a position)."""
    if isinstance(node, exp.Literal) and not node.is_string and node.this.lstrip("-").isdigit():
        return int(node.this)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.this.isdigit():
        return -int(node.this.this)
    return None


def check_row_count(clause: str, node: exp.Expr) -> None:
    """42P10 for a LIMIT or OFFSET that refers to a column."""
    if _first(level(node), exp.Column) is not None:
        raise DatabaseError(INVALID_COLUMN_REFERENCE, f"argument of {clause} must not contain variables")


def _output_name(item: exp.Expr) -> str | None:
    if isinstance(item, exp.Alias):
        return item.alias.lower()
    return item.name.lower() if isinstance(item, exp.Column) and not isinstance(item.this, exp.Star) else None


def check_order(select: exp.Select) -> None:
    """ORDER BY of a SELECT: a bare name two different select items are called (42702), and with
    DISTINCT an expression the select list does not have (42P10)."""
    order = select.args.get("order")
    if order is None:
        return
    items = select.expressions
    selected = {(item.this if isinstance(item, exp.Alias) else item).sql("postgres") for item in items}
    for ordered in order.expressions:
        key = ordered.this if isinstance(ordered, exp.Ordered) else ordered
        named = [item for item in items if isinstance(key, exp.Column) and not key.table
                 and _output_name(item) == key.name.lower()]
        if len({(item.this if isinstance(item, exp.Alias) else item).sql("postgres") for item in named}) > 1:
            raise DatabaseError(AMBIGUOUS_COLUMN, f'ORDER BY "{key.name}" is ambiguous')
        distinct = select.args.get("distinct")
        if distinct is not None and distinct.args.get("on") is None and not named \
                and _position(key) is None and key.sql("postgres") not in selected \
                and not any(isinstance(item, exp.Star) or isinstance(item.this, exp.Star) for item in items):
            raise DatabaseError(INVALID_COLUMN_REFERENCE,
                                "for SELECT DISTINCT, ORDER BY expressions must appear in select list")


def check_position(clause: str, node: exp.Expr, width: int) -> None:
    """42P10 for a GROUP BY / ORDER BY position beyond the select list."""
    position = _position(node)
    if position is not None and not 1 <= position <= width:
        raise DatabaseError(INVALID_COLUMN_REFERENCE, f"{clause} position {position} is not in select list")


class _Grouping:
    """What a grouped SELECT is grouped by, and the check of one expression against it."""

    def __init__(self, select: exp.Select, scope: Scope) -> None:
        self.scope = scope
        outputs = {item.alias.lower(): item.this for item in select.expressions
                   if isinstance(item, exp.Alias)}
        group = select.args.get("group")
        self.keys: set[str] = set()
        self.columns: set[tuple[int, str]] = set()  # (relation id, column) grouped by as such
        for item in group.expressions if group is not None else []:
            check_position("GROUP BY", item, len(select.expressions))
            position = _position(item)
            if position is not None:
                item = select.expressions[position - 1]
                item = item.this if isinstance(item, exp.Alias) else item
            elif isinstance(item, exp.Column) and not item.table and item.name.lower() in outputs \
                    and self._own(item) is None:
                item = outputs[item.name.lower()]
            self.keys.add(self._key(item))
            column = self._own(item) if isinstance(item, exp.Column) else None
            if column is not None:
                self.columns.add((id(column[0]), column[1].lower()))

    def _own(self, column: exp.Column) -> tuple[Relation, str] | None:
        """The relation of this query level a column reference names, and the column's name."""
        relation = self.scope.resolve(column.name, column.table or None)
        if relation is None or not any(relation is own for own in self.scope.relations):
            return None
        for name, _ in relation.columns:
            if name.lower() == column.name.lower():
                return relation, name
        return None

    def _key(self, node: exp.Expr) -> str:
        """node's text with its column references resolved, parentheses dropped: equal for equal
        expressions, as PostgreSQL compares them."""
        def resolved(inner: exp.Expr) -> exp.Expr:
            if isinstance(inner, exp.Paren):
                return inner.this
            if isinstance(inner, exp.Column) and not isinstance(inner.this, exp.Star):
                own = self._own(inner)
                if own is not None:
                    return exp.column(own[1].lower(), table=str(id(own[0])))
            return inner
        return node.copy().transform(resolved).sql("postgres")

    def _dependent(self, relation: Relation) -> bool:
        """Whether the relation's primary key is grouped (its other columns depend on it)."""
        return bool(relation.key) and all((id(relation), key.lower()) in self.columns for key in relation.key)

    def check(self, node: exp.Expr) -> None:
        if isinstance(node, exp.Query | exp.Subquery) or is_aggregate(node) \
                or (isinstance(node, exp.Filter) and is_aggregate(node.this)):
            return
        if isinstance(node, exp.Star):
            for relation in self.scope.relations:
                self._check_relation(relation)
            return
        if not isinstance(node, exp.Literal) and self._key(node) in self.keys:
            return
        if isinstance(node, exp.Column):
            self._check_column(node)
            return
        for child in node.iter_expressions():
            self.check(child)

    def _check_relation(self, relation: Relation | None) -> None:
        """`*` or `name.*`: each column of the relation."""
        if relation is None:
            return
        for name, _ in relation.columns:
            self._check_column(exp.column(name, table=relation.name, quoted=True))

    def _check_column(self, column: exp.Column) -> None:
        if isinstance(column.this, exp.Star):
            self._check_relation(self.scope.relation(column.table) if column.table else None)
            return
        own = self._own(column)
        if own is None and not column.table and self.scope.resolve(column.name) is None:
            whole = self.scope.relation(column.name)  # a whole-row reference: every column of it
            if whole is not None and any(whole is mine for mine in self.scope.relations) \
                    and not self._dependent(whole):
                raise DatabaseError(GROUPING_ERROR, f'column "{whole.name}.*" must appear in the GROUP BY '
                                                    "clause or be used in an aggregate function")
            return
        if own is None or self._dependent(own[0]) or \
                (id(own[0]), own[1].lower()) in self.columns:
            return
        raise DatabaseError(GROUPING_ERROR, f'column "{own[0].name}.{own[1]}" must appear in the GROUP BY '
                                            "clause or be used in an aggregate function")


def check_grouping(select: exp.Select, scope: Scope, outer: frozenset[int] = frozenset(), *,
                   aggregated: bool = False) -> bool:
    """42803 for a column of the FROM items of a grouped SELECT (GROUP BY, HAVING or an aggregate of
    its level: not one of `outer`, the ids of those of an enclosing level; `aggregated`: one in a
    subquery) that its select list, HAVING or ORDER BY uses ungrouped; 42P10 for a GROUP BY position
    beyond the select list. The FROM items must already be in scope. Whether it is grouped."""
    group = select.args.get("group")
    if group is not None and any(group.args.get(key) for key in ("rollup", "cube", "grouping_sets")):
        return True  # grouping sets: not checked here
    having = select.args.get("having")
    order = select.args.get("order")
    checked = [*select.expressions, *([having.this] if having is not None else [])]
    ordered = [item.this if isinstance(item, exp.Ordered) else item
               for item in (order.expressions if order else [])]
    grouped = aggregated or group is not None or having is not None or any(
        _first(level(item), outer=outer) is not None for item in [*checked, *ordered])
    if not grouped or not all(relation.known for relation in scope.relations):
        return grouped
    grouping = _Grouping(select, scope)
    scope.grouped = frozenset(grouping.columns)
    outputs = {item.alias.lower() for item in select.expressions if isinstance(item, exp.Alias)}
    for item in checked:
        grouping.check(item)
    for item in ordered:
        if _position(item) is not None or (isinstance(item, exp.Column) and not item.table
                                           and item.name.lower() in outputs):
            continue  # the select list's item, checked already
        grouping.check(item)
    return True


def _query_level(scope: Scope) -> Scope | None:
    """The scope of the SELECT whose expression is being translated in scope (ORDER BY and
    aggregates' ORDER BY translate in a scope of their own under it)."""
    level: Scope | None = scope
    while level is not None and level.query is None:
        level = level.parent
    return level


def _of_inner_level(call: exp.Expr, owner: Scope) -> bool:
    """Whether an aggregate call in a subquery of owner certainly belongs to a query inside owner:
    it uses a column that owner's level and the ones enclosing it do not have."""
    for node in level(call):
        if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
            continue
        if node.table and owner.relation(node.table) is None:
            return True
        if not node.table and owner.level_of(node.name) is None and all(
                relation.known for level in _levels(owner) for relation in level.relations):
            return True
    return False


def _levels(scope: Scope) -> list[Scope]:
    found: list[Scope] = []
    level: Scope | None = scope
    while level is not None:
        found.append(level)
        level = level.parent
    return found


def check_outer_column(column: exp.Column, relation: Relation, scope: Scope) -> None:
    """42803 for a column of a grouped enclosing query that a subquery in its select list, HAVING
    or ORDER BY uses ungrouped (PostgreSQL's check_ungrouped_columns in sublinks: only the grouped
    columns themselves, or those of a table whose primary key is grouped). A column inside an
    aggregate call that may be the enclosing query's is left alone (SQLite's answer, as before)."""
    owner = scope.level_of(column.name, column.table or None)
    if owner is None or owner.grouped is None or owner.clause is not None \
            or owner is _query_level(scope) or owner.query is None:
        return
    if owner.groups(relation, column.name):
        return
    node = column.parent
    while node is not None and node is not owner.query:
        called = node.this if isinstance(node, exp.Filter) else node  # FILTER's condition too
        if is_aggregate(called) and not _of_inner_level(node, owner):
            return
        node = node.parent
    if node is None:
        return  # not found in the owner's tree
    name = next((name for name, _ in relation.columns if name.lower() == column.name.lower()), column.name)
    raise DatabaseError(GROUPING_ERROR,
                        f'subquery uses ungrouped column "{relation.name}.{name}" from outer query')
