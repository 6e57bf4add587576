"""`*` over a FROM clause with USING or NATURAL joins, listed as PostgreSQL lists it.

PostgreSQL's join of `a JOIN b USING (k)` has the columns k (one column: the left one's value in
an inner or LEFT join, the right one's in a RIGHT join, COALESCE of both in a FULL join), then a's
other columns, then b's other ones; NATURAL joins on the columns both sides have, in the left
side's order. SQLite's `*` lists a's columns, then b's but k, so the order differs, and in a RIGHT
or FULL join its k is the left side's (NULL where only the right side has a row). So a bare `*`
of such a SELECT is replaced by the column references PostgreSQL's order names, each FROM item's
by its name (`o.a`), a merged column of a FULL join by `COALESCE(o.k, i.k) AS k`.
"""

from __future__ import annotations

from sqlglot import exp

from heliosdb_lite.engine.translate.scope import Relation

_Listed = list[tuple[str, exp.Expr]]  # (output name, the expression giving it)


def _column(relation: Relation, name: str) -> exp.Expr:
    return exp.column(name, table=relation.name, quoted=True)


def _joined(left: _Listed, right: Relation, join: exp.Join) -> _Listed | None:
    """The columns of `left JOIN right`, None when they cannot be told (a USING name either side
    lacks: the translation reports it)."""
    right_names = [name for name, _ in right.columns]
    using = join.args.get("using")
    if using:
        merged = [identifier.name for identifier in using]
    elif join.method.upper() == "NATURAL":
        merged = [name for name, _ in left if name in right_names]
    else:
        return [*left, *((name, _column(right, name)) for name in right_names)]
    left_by_name = dict(left)
    if any(name not in left_by_name or name not in right_names for name in merged):
        return None
    side = join.side.upper()
    columns: _Listed = []
    for name in merged:
        if side == "RIGHT":
            value = _column(right, name)
        elif side == "FULL":
            value = exp.alias_(exp.Coalesce(this=left_by_name[name], expressions=[_column(right, name)]),
                               name, quoted=True)
        else:
            value = left_by_name[name]
        columns.append((name, value))
    columns += [(name, value) for name, value in left if name not in merged]
    columns += [(name, _column(right, name)) for name in right_names if name not in merged]
    return columns


def listed_star(select: exp.Select, relations: list[Relation]) -> None:
    """select's bare `*` items as PostgreSQL lists them, when its FROM has a USING or NATURAL join
    and every FROM item's columns are known (`relations`: its FROM items in order)."""
    joins = select.args.get("joins") or []
    if not any(join.args.get("using") or join.method.upper() == "NATURAL" for join in joins) \
            or len(relations) != len(joins) + 1 or not all(relation.known for relation in relations) \
            or not any(isinstance(item, exp.Star) for item in select.expressions):
        return
    columns: _Listed | None = [(name, _column(relations[0], name)) for name, _ in relations[0].columns]
    for join, relation in zip(joins, relations[1:], strict=True):
        if columns is None:
            return
        columns = _joined(columns, relation, join)
    if columns is None:
        return
    expressions: list[exp.Expr] = []
    for item in select.expressions:
        expressions += [value.copy() for _, value in columns] if isinstance(item, exp.Star) else [item]
    select.set("expressions", expressions)
