"""SELECT DISTINCT ON (keys) for SQLite, which has no such clause: the first row of each group of
equal keys, in the query's ORDER BY order.

The translated SELECT becomes a subquery that numbers the rows of each key group with
`row_number() OVER (PARTITION BY keys ORDER BY <the query's ORDER BY>)` and carries the ORDER BY
values as extra columns; the outer query keeps the rows numbered 1, selects the original output
columns by name and applies the ORDER BY, LIMIT and OFFSET. A tree rewrite (`rewritten`), testable
without a translator.
"""

from __future__ import annotations

from sqlglot import exp

from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.errors import INVALID_COLUMN_REFERENCE, DatabaseError

_SOURCE = "_helios_distinct_on"
_RANK = "_helios_rank"
_ORDER = "_helios_order_"


def rewritten(node: exp.Select, keys: list[exp.Expr], names: list[str]) -> exp.Select:
    """The translated `node` (its DISTINCT ON removed) keeping the first row of each group of
    equal `keys` (translated); `names` are its result columns' names. `node` and `keys` are left
    as they were: the result is built from copies."""
    if "*" in names or len({name.lower() for name in names}) < len(names):
        raise unsupported("SELECT DISTINCT ON with an unexpanded * or repeated output column names")
    node = node.copy()
    keys = [key.copy() for key in keys]
    selected = list(node.expressions)
    order = node.args.get("order")
    items = list(order.expressions) if order is not None else []
    sort_values = [_sort_value(item, selected) for item in items]
    _check_leading(keys, sort_values)
    rank = exp.Window(this=exp.Anonymous(this="row_number"), partition_by=keys,
                      order=exp.Order(expressions=[_ordered(item, value.copy())
                                                   for item, value in zip(items, sort_values, strict=True)])
                      if items else None)
    inner = node.copy()
    for key in ("order", "limit", "offset"):
        inner.set(key, None)
    inner.set("expressions", [*selected, exp.alias_(rank, _RANK, quoted=True),
                              *(exp.alias_(value, f"{_ORDER}{i}", quoted=True)
                                for i, value in enumerate(sort_values))])
    source = exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(_SOURCE, quoted=True)))
    outer = exp.select(*(exp.column(name, quoted=True) for name in names)).from_(source) \
        .where(exp.EQ(this=exp.column(_RANK, quoted=True), expression=exp.Literal.number(1)))
    if items:
        outer.set("order", exp.Order(expressions=[
            _ordered(item, _same_collation(exp.column(f"{_ORDER}{i}", quoted=True), value))
            for i, (item, value) in enumerate(zip(items, sort_values, strict=True))]))
    for key in ("limit", "offset"):
        outer.set(key, node.args.get(key))
    return outer


def _check_leading(keys: list[exp.Expr], sort_values: list[exp.Expr]) -> None:
    """PostgreSQL's rule: the ORDER BY, if any, starts with the DISTINCT ON expressions (42P10)."""
    if not sort_values:
        return
    wanted = {render(key) for key in keys}
    leading: set[str] = set()
    for value in sort_values:
        text = render(value)
        if text not in wanted:
            break
        leading.add(text)
    if leading != wanted:
        raise DatabaseError(INVALID_COLUMN_REFERENCE,
                            "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")


def _ordered(item: exp.Expr, value: exp.Expr) -> exp.Ordered:
    """`value` sorted as the ORDER BY item sorts (direction, NULLS FIRST/LAST)."""
    if not isinstance(item, exp.Ordered):
        return exp.Ordered(this=value)
    return exp.Ordered(this=value, desc=item.args.get("desc"), nulls_first=item.args.get("nulls_first"))


def _same_collation(column: exp.Expr, value: exp.Expr) -> exp.Expr:
    """The outer query's column compared with the collation its value was sorted with inside."""
    if isinstance(value, exp.Collate):
        return exp.Collate(this=column, expression=value.expression.copy())
    return column


def _sort_value(item: exp.Expr, selected: list[exp.Expr]) -> exp.Expr:
    """What an ORDER BY item sorts by: its expression, or the output column a position names."""
    value = item.this if isinstance(item, exp.Ordered) else item
    if isinstance(value, exp.Literal) and not value.is_string:
        position = int(value.this)
        if not 1 <= position <= len(selected):
            raise unsupported(f"ORDER BY position {position}")
        return selected[position - 1].unalias()
    return value
