"""A set-returning `unnest(array)` or `generate_series(...)` in a select list (`SELECT
unnest(proargtypes) FROM pg_proc WHERE ...`, as sqlsmith reads function signatures; `SELECT
generate_series(1, 3)`), moved into FROM: the item becomes a column of `unnest(array) AS
_helios_srf(unnest)` or `generate_series(...) AS _helios_srf(generate_series)`, cross-joined after
the query's FROM items (which it sees, as PostgreSQL's implicit LATERAL does), named as PostgreSQL
names it (the function's name, or its alias).

For one such item in a plain SELECT this gives PostgreSQL's rows: each input row repeated once per
element, none for a NULL or empty array or an empty series. Other shapes (several set-returning
items, one inside an expression, next to GROUP BY, aggregates, window functions or DISTINCT,
unnest of several arrays) are left for the translator, which refuses them with 0A000.
"""

from __future__ import annotations

from sqlglot import exp

_RELATION = "_helios_srf"
_SET_RETURNING = (exp.Explode, exp.ExplodingGenerateSeries)


def moved_to_from(select: exp.Select) -> None:
    """Rewrite `select` in place when its select list has one top-level set-returning call."""
    items = [item for item in select.expressions if isinstance(item.unalias(), _SET_RETURNING)]
    if len(items) != 1 or not _plain(select):
        return
    item = items[0]
    function = item.unalias()
    several_arrays = isinstance(function, exp.Explode) and bool(function.expressions)
    if sum(1 for _ in _set_returning(select)) != 1 or several_arrays:
        return
    name = "unnest" if isinstance(function, exp.Explode) else "generate_series"
    alias = exp.TableAlias(this=exp.to_identifier(_RELATION), columns=[exp.to_identifier(name)])
    relation = exp.Unnest(expressions=[function.this], alias=alias) if isinstance(function, exp.Explode) \
        else exp.Table(this=function.copy(), alias=alias)
    column = exp.Alias(this=exp.column(name, table=_RELATION),
                       alias=exp.to_identifier(item.alias or name, quoted=bool(item.alias)))
    item.replace(column)
    if select.args.get("from_") is None:
        select.set("from_", exp.From(this=relation))
    else:
        select.append("joins", exp.Join(this=relation, kind="CROSS"))


def _plain(select: exp.Select) -> bool:
    if any(select.args.get(key) for key in ("group", "having", "distinct", "windows", "qualify")):
        return False
    return not any(isinstance(node, exp.AggFunc | exp.Window)
                   for item in select.expressions for node in _outside_subqueries(item))


def _set_returning(select: exp.Select) -> list[exp.Expr]:
    return [node for item in select.expressions for node in _outside_subqueries(item)
            if isinstance(node, (*_SET_RETURNING, exp.Unnest))]


def _outside_subqueries(node: exp.Expr) -> list[exp.Expr]:
    def nested_query(child: exp.Expr) -> bool:
        return isinstance(child, exp.Subquery | exp.Select) and child is not node

    return list(node.walk(prune=nested_query))
