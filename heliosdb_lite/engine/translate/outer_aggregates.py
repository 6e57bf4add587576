"""Aggregates of an enclosing query: `SELECT (SELECT max(o.a) FROM i LIMIT 1) FROM o`.

PostgreSQL (and the SQL standard) gives an aggregate call to the nearest query level whose columns
its arguments, ORDER BY and FILTER use (its own level when they use none): `max(o.a)` above is an
aggregate of the outer query, which it makes grouped (one row), while `max(o.a + i.b)` is the inner
query's. SQLite follows the same rule for the select list, HAVING and ORDER BY of the subquery, but
refuses such an aggregate in the subquery's WHERE, JOIN conditions or GROUP BY (where an aggregate
of the subquery itself could not be) and inside an aggregate of the subquery; there it is rewritten
as `(SELECT max(o.a))`, the same value computed in a select list, which SQLite gives to the outer
level too.

The level an aggregate belongs to is told from the scopes of the translation: the call is left to
its own level (SQLite's answer then, as before) when its arguments hold a subquery, or a bare column
name that may be a column of a relation whose columns are unknown.
"""

from __future__ import annotations

from sqlglot import exp

from heliosdb_lite.engine.translate.query_checks import is_aggregate, level
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.errors import GROUPING_ERROR, DatabaseError

# the clauses of a SELECT where SQLite refuses an aggregate of an enclosing level
_REWRITTEN = ("on", "where", "group")


def _owner(call: exp.Expr, scope: Scope) -> Scope:
    """The level (scope) an aggregate call written at scope's level belongs to."""
    parts: list[exp.Expr] = [call]
    if isinstance(call.parent, exp.Filter) and call.parent.this is call:
        parts.append(call.parent.expression)
    levels: list[Scope] = []
    enclosing: Scope | None = scope
    while enclosing is not None:
        levels.append(enclosing)
        enclosing = enclosing.parent
    nearest = len(levels)
    for part in parts:
        for node in part.walk():
            if isinstance(node, exp.Query | exp.Subquery):
                return scope
            if not isinstance(node, exp.Column):
                continue
            table = node.table or None
            owner = scope.level_of(node.name, table) if table or not isinstance(node.this, exp.Star) \
                else None
            if owner is None or owner is scope:
                return scope
            nearest = min(nearest, next(i for i, candidate in enumerate(levels) if candidate is owner))
    return levels[nearest] if nearest < len(levels) else scope


def _calls(select: exp.Select) -> list[tuple[str, exp.Expr]]:
    """The aggregate calls written in select's clauses (not in its subqueries), by clause."""
    clauses: list[tuple[str, exp.Expr | None]] = [
        ("on", join.args.get("on")) for join in select.args.get("joins") or []]
    clauses += [("select", item) for item in select.expressions]
    clauses += [(key, select.args.get(key)) for key in ("where", "group", "having", "order")]
    return [(key, node) for key, clause in clauses if clause is not None
            for node in level(clause) if is_aggregate(node)]


def outer_aggregates(select: exp.Select, scope: Scope) -> frozenset[int]:
    """The aggregate calls of select (whose FROM items are in scope) that belong to an enclosing
    level, by id: each marks that level `aggregated`, raises 42803 when that level is translating a
    clause where aggregates may not be, and is rewritten as `(SELECT call)` in the clauses where
    SQLite would refuse it."""
    if not any(enclosing.relations for enclosing in _enclosing(scope)):
        return frozenset()
    outer: set[int] = set()
    for key, call in _calls(select):
        owner = _owner(call, scope)
        if owner is scope:
            continue
        if owner.clause is not None:
            raise DatabaseError(GROUPING_ERROR, f"aggregate functions are not allowed in {owner.clause}")
        nesting = _nesting(call, owner)
        if nesting is not None:
            raise DatabaseError(GROUPING_ERROR, nesting)
        owner.aggregated = True
        if key in _REWRITTEN or _in_aggregate(call):
            written = call.parent if isinstance(call.parent, exp.Filter) else call
            written.replace(exp.Subquery(this=exp.Select(expressions=[written.copy()])))
        else:
            outer.add(id(call))
    return frozenset(outer)


def _in_aggregate(call: exp.Expr) -> bool:
    """Whether the call is in the arguments of another aggregate call of its query."""
    node = call.parent
    while node is not None and not isinstance(node, exp.Query | exp.Subquery):
        if is_aggregate(node):
            return True
        node = node.parent
    return False


def _nesting(call: exp.Expr, owner: Scope) -> str | None:
    """Why the call cannot be where its subquery is, when that is inside an aggregate call of its
    owner's level (`sum((SELECT max(o.a) FROM i))`: one aggregate of a level in another) or in
    such a call's FILTER; None when it is not."""
    ancestors: list[exp.Expr] = [call]
    node = call.parent
    while node is not None and node is not owner.query:
        ancestors.append(node)
        node = node.parent
    if node is None:
        return None  # not found in the owner's tree: left to SQLite
    last_query = max((i for i, ancestor in enumerate(ancestors) if isinstance(ancestor, exp.Query)),
                     default=0)
    for below, ancestor in zip(ancestors[last_query:], ancestors[last_query + 1:], strict=False):
        if isinstance(ancestor, exp.Filter) and below is ancestor.expression:
            return "aggregate functions are not allowed in FILTER"
        if is_aggregate(ancestor):
            return "aggregate function calls cannot be nested"
    return None


def _enclosing(scope: Scope) -> list[Scope]:
    found: list[Scope] = []
    enclosing = scope.parent
    while enclosing is not None:
        found.append(enclosing)
        enclosing = enclosing.parent
    return found


def may_be_aggregated(select: exp.Select) -> bool:
    """Whether a subquery in select's clauses has an aggregate call (which may be select's)."""
    return any(is_aggregate(node) for node in select.find_all(exp.AggFunc, exp.Anonymous)
               if node.find_ancestor(exp.Select) is not select)
