"""A set-returning `unnest(array)` in a select list (`SELECT unnest(proargtypes) FROM pg_proc
WHERE ...`, as sqlsmith reads function signatures), moved into FROM: the item becomes a column of
`unnest(array) AS _helios_srf(unnest)`, cross-joined after the query's FROM items (which it sees,
as PostgreSQL's implicit LATERAL does), named as PostgreSQL names it (`unnest`, or its alias).

For one such item in a plain SELECT this gives PostgreSQL's rows: each input row repeated once per
element, none for a NULL or empty array. Other shapes (several set-returning items, one inside an
expression, next to GROUP BY, aggregates, window functions or DISTINCT, unnest of several arrays)
are left for the translator, which refuses them with 0A000.
"""

from __future__ import annotations

from sqlglot import exp

_RELATION = "_helios_srf"
_COLUMN = "unnest"


def moved_to_from(select: exp.Select) -> None:
    """Rewrite `select` in place when its select list has one top-level unnest of one array."""
    items = [item for item in select.expressions if isinstance(item.unalias(), exp.Explode)]
    if len(items) != 1 or not _plain(select):
        return
    item = items[0]
    explode = item.unalias()
    if sum(1 for _ in _set_returning(select)) != 1 or explode.expressions:
        return
    unnest = exp.Unnest(expressions=[explode.this],
                        alias=exp.TableAlias(this=exp.to_identifier(_RELATION),
                                             columns=[exp.to_identifier(_COLUMN)]))
    column = exp.Alias(this=exp.column(_COLUMN, table=_RELATION),
                       alias=exp.to_identifier(item.alias or _COLUMN, quoted=bool(item.alias)))
    item.replace(column)
    if select.args.get("from_") is None:
        select.set("from_", exp.From(this=unnest))
    else:
        select.append("joins", exp.Join(this=unnest, kind="CROSS"))


def _plain(select: exp.Select) -> bool:
    if any(select.args.get(key) for key in ("group", "having", "distinct", "windows", "qualify")):
        return False
    return not any(isinstance(node, exp.AggFunc | exp.Window)
                   for item in select.expressions for node in _outside_subqueries(item))


def _set_returning(select: exp.Select) -> list[exp.Expr]:
    return [node for item in select.expressions for node in _outside_subqueries(item)
            if isinstance(node, exp.Explode | exp.Unnest)]


def _outside_subqueries(node: exp.Expr) -> list[exp.Expr]:
    def nested_query(child: exp.Expr) -> bool:
        return isinstance(child, exp.Subquery | exp.Select) and child is not node

    return list(node.walk(prune=nested_query))
