"""A set-returning `unnest(array)` or `generate_series(...)` in a select list (`SELECT
unnest(proargtypes) FROM pg_proc WHERE ...`, as sqlsmith reads function signatures; `SELECT
generate_series(1, 3)`), moved into FROM: the item becomes a column of `unnest(array) AS
_helios_srf(unnest)` or `generate_series(...) AS _helios_srf(generate_series)`, cross-joined after
the query's FROM items (which it sees, as PostgreSQL's implicit LATERAL does), named as PostgreSQL
names it (the function's name, or its alias). A json set-returning function (json_each & co,
`translate.json_functions`) or an hstore one (each, skeys, svals: `translate.hstore`) alike, also
inside an expression of the select list (`jsonb_array_elements(doc) ->> 'id'`): the call becomes the
whole row of `_helios_srf`, its value (json_each's: a record of key and value), and a field of it
`(each(h)).key` that column (the same call selected for several fields is one call, as PostgreSQL
runs them in step).

For one such item in a plain SELECT this gives PostgreSQL's rows: each input row repeated once per
element, none for a NULL or empty array or an empty series. Other shapes (several set-returning
items, one inside an expression, next to GROUP BY, aggregates, window functions or DISTINCT,
unnest of several arrays) are left for the translator, which refuses them with 0A000.
"""

from __future__ import annotations

from sqlglot import exp

from heliosdb_lite.engine.translate import hstore, json_functions
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError

_RELATION = "_helios_srf"
_SET_RETURNING = (exp.Explode, exp.ExplodingGenerateSeries)


def moved_to_from(select: exp.Select) -> None:
    """Rewrite `select` in place when its select list has one top-level set-returning call."""
    if _json_moved_to_from(select) or not _plain(select):
        return
    items = [item for item in select.expressions if isinstance(item.unalias(), _SET_RETURNING)]
    if len(items) != 1:
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
    _cross_joined(select, relation)


def _cross_joined(select: exp.Select, relation: exp.Expr) -> None:
    if select.args.get("from_") is None:
        select.set("from_", exp.From(this=relation))
    else:
        select.append("joins", exp.Join(this=relation, kind="CROSS"))


def _json_moved_to_from(select: exp.Select) -> bool:
    """The one json set-returning call of the select list moved into FROM, DISTINCT or not; False
    when there is none or it is not the only one. In CASE or COALESCE it is PostgreSQL's 0A000."""
    if not _plain(select, distinct=True):
        return False
    calls = [node for node in _set_returning(select) if _named_set_returning(node)]
    for call in calls:
        conditional = call.find_ancestor(exp.Case, exp.Coalesce, exp.If)
        if conditional is not None:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "set-returning functions are not allowed in "
                                + ("COALESCE" if isinstance(conditional, exp.Coalesce) else "CASE"),
                                hint="You might be able to move the set-returning function into a LATERAL "
                                     "FROM item.")
    fields = [_field_selected(call) for call in calls]
    one_call = len(calls) == 1 or (len({call.sql("postgres") for call in calls}) == 1
                                   and all(field is not None for field in fields))
    if not calls or not one_call or len(_set_returning(select)) != len(calls):
        return False
    if all(field is not None for field in fields):  # (f(x)).a, (f(x)).b: the columns of the one call
        relation = exp.Table(this=calls[0].copy(), alias=exp.TableAlias(this=exp.to_identifier(_RELATION)))
        for field in fields:
            assert field is not None
            field.replace(exp.column(field.name, table=_RELATION))
        _cross_joined(select, relation)
        return True
    function = calls[0]
    name = _named_set_returning(function)
    item = next(item for item in select.expressions if function is item or function in item.walk())
    if item.unalias() is function and not item.alias:
        item = item.replace(exp.alias_(item.copy(), name))  # named as the function
        function = item.this
    function.replace(exp.column(_RELATION))
    _cross_joined(select, exp.Table(this=function, alias=exp.TableAlias(this=exp.to_identifier(_RELATION))))
    return True


def _field_selected(call: exp.Expr) -> exp.Dot | None:
    """The field selection `(call).name` call is the subject of; None when it is not one."""
    paren = call.parent
    dot = paren.parent if isinstance(paren, exp.Paren) else None
    if isinstance(dot, exp.Dot) and dot.this is paren and isinstance(dot.expression, exp.Identifier):
        return dot
    return None


def _plain(select: exp.Select, *, distinct: bool = False) -> bool:
    """No grouping, aggregate or window (nor DISTINCT, unless `distinct`: applied to the rows of the
    set-returning call alike)."""
    if any(select.args.get(key) for key in ("group", "having", "windows", "qualify")) \
            or (select.args.get("distinct") and not distinct):
        return False
    return not any(isinstance(node, exp.AggFunc | exp.Window)
                   for item in select.expressions for node in _outside_subqueries(item))


def _set_returning(select: exp.Select) -> list[exp.Expr]:
    return [node for item in select.expressions for node in _outside_subqueries(item)
            if isinstance(node, (*_SET_RETURNING, exp.Unnest)) or _named_set_returning(node)]


def _named_set_returning(node: exp.Expr) -> str | None:
    """The name of the json or hstore set-returning function (json_each, each, skeys & co) node calls."""
    return json_functions.set_returning_name(node) or hstore.set_returning_name(node)


def _outside_subqueries(node: exp.Expr) -> list[exp.Expr]:
    def nested_query(child: exp.Expr) -> bool:
        return isinstance(child, exp.Subquery | exp.Select) and child is not node

    return list(node.walk(prune=nested_query))
