"""UNION / INTERSECT / EXCEPT as PostgreSQL types and evaluates them, over SQLite compound selects.

PostgreSQL resolves each result column to the common type of its branches (`common_type` with the
operation's name in the errors; unknown literals become text) and converts every branch's column
to it, so duplicates are found by value (`1 UNION 1.0` is one numeric row). Here each branch whose
column types differ is converted: a plain SELECT in its select list, any other query (a nested
set operation, VALUES, a SELECT with DISTINCT, GROUP BY, ORDER BY, LIMIT or `*`) as

    SELECT convert(c1) AS "name1", ... FROM (WITH _helios_branch(c1, ...) AS (query) SELECT * FROM
    _helios_branch)

so a nested operation is evaluated in its own type first. A UNION (not ALL) becomes `SELECT
DISTINCT * FROM (left UNION ALL right)`: SQLite's UNION keeps the last of equal rows, PostgreSQL
the first (`1 UNION 1.0` is 1). INTERSECT ALL and EXCEPT ALL, which SQLite lacks, compare the
branches' rows numbered among their equals. The branches of a recursive WITH query keep their form; a
recursive term whose type differs from the non-recursive one is PostgreSQL's 42804. json (and
json[]) has no equality operator: UNION, INTERSECT and EXCEPT of it are 42883, as in PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    DATATYPE_MISMATCH,
    FEATURE_NOT_SUPPORTED,
    INVALID_COLUMN_REFERENCE,
    UNDEFINED_TABLE,
    DatabaseError,
)

RECURSIVE_CTE = "helios_recursive_cte"  # meta key of a recursive WITH query's body: the query's name
_BRANCH_ROWS = "_helios_branch"
_UNION_ROWS = "_helios_union"
_LEFT_ROWS, _RIGHT_ROWS, _ROW_NUMBER = "_helios_left", "_helios_right", "_helios_row_number"

Convert = Callable[[exp.Expr, PgType, PgType], exp.Expr]


def result_types(node: exp.SetOperation, left: Sequence[PgType | None],
                 right: Sequence[PgType | None]) -> list[PgType | None]:
    """Each result column's type: the common type of the two branches' columns (None if either is
    not known), unknown resolved to text."""
    context = node.key.upper()
    types: list[PgType | None] = []
    for left_type, right_type in zip(left, right, strict=False):
        if left_type is None or right_type is None:
            types.append(left_type or right_type)
            continue
        common = rules.common_type([left_type, right_type], context)
        if node.args.get("distinct") or not isinstance(node, exp.Union):
            rules.check_equality(common)
        types.append(t.TEXT_TYPE if common.is_unknown else common)
    recursive = node.meta.get(RECURSIVE_CTE) if node._meta else None
    if recursive is not None:
        _check_recursive(recursive, left, types)
    return types


def check_order(node: exp.SetOperation, names: Sequence[str], types: Sequence[PgType | None]) -> None:
    """The ORDER BY of a set operation names result columns or their positions only, as
    PostgreSQL requires: 42P10 for a position out of range, 42P01 for a qualified name, 42804 for a
    collation on a type without one, 0A000 for any other expression."""
    order = node.args.get("order")
    for item in order.expressions if order is not None else []:
        key = item.this if isinstance(item, exp.Ordered) else item
        while isinstance(key, exp.Paren):
            key = key.this
        if isinstance(key, exp.Literal) and not key.is_string and key.this.isdigit():
            if not 1 <= int(key.this) <= len(names):
                raise DatabaseError(INVALID_COLUMN_REFERENCE,
                                    f"ORDER BY position {key.this} is not in select list")
            continue
        if isinstance(key, exp.Column) and key.table:
            raise DatabaseError(UNDEFINED_TABLE, f'missing FROM-clause entry for table "{key.table}"')
        if isinstance(key, exp.Column):
            continue  # a result column's name (else 42703 when it is translated)
        named = _named_type(key.this, names, types) if isinstance(key, exp.Collate) else None
        if named is not None and named.oid not in t.STRING_TYPES:
            raise DatabaseError(DATATYPE_MISMATCH,
                                f"collations are not supported by type {format_type(named.oid, -1)}")
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                            detail="Only result column names can be used, not expressions or functions.",
                            hint="Add the expression/function to every SELECT, or move the UNION into a FROM "
                                 "clause.")


def _named_type(key: exp.Expr, names: Sequence[str], types: Sequence[PgType | None]) -> PgType | None:
    """The type of the result column key names, if it is a bare name of one."""
    if not isinstance(key, exp.Column) or key.table:
        return None
    wanted = key.name if key.this.quoted else key.name.lower()
    return next((pg_type for name, pg_type in zip(names, types, strict=False) if name == wanted), None)


def _check_recursive(name: str, anchor: Sequence[PgType | None], overall: Sequence[PgType | None]) -> None:
    for position, (anchor_type, result) in enumerate(zip(anchor, overall, strict=False), start=1):
        if anchor_type is None or result is None or t.output_type(anchor_type) == result:
            continue
        anchor_name = format_type(t.output_type(anchor_type).oid, anchor_type.typmod)
        raise DatabaseError(DATATYPE_MISMATCH,
                            f'recursive query "{name}" column {position} has type {anchor_name} in '
                            f"non-recursive term but type {format_type(result.oid, result.typmod)} overall",
                            hint="Cast the output of the non-recursive term to the correct type.")


def marked_recursive(body: exp.SetOperation, name: str) -> exp.SetOperation:
    """The body of a WITH RECURSIVE query named name: a copy marked as recursive (`is_recursive`) if
    its second term refers to it, else body itself (a query of WITH RECURSIVE that does not refer to
    itself is an ordinary one). body is left as it was."""
    if not any(not table.args.get("db") and table.name.lower() == name
               for table in body.expression.find_all(exp.Table)):
        return body
    marked = body.copy()
    marked.meta[RECURSIVE_CTE] = name
    return marked


def is_recursive(node: exp.SetOperation) -> bool:
    """Whether a set operation is the body of a recursive WITH query (`marked_recursive`)."""
    return bool(node._meta and node.meta.get(RECURSIVE_CTE) is not None)


def other_type(source: PgType, target: PgType) -> bool:
    """Whether a branch's column of type source is not one of the result type target (also by
    its modifier: SQLite would report the column's declared type as the result's)."""
    return source != target or source.is_unknown


def converted_branch(branch: exp.Expr, names: Sequence[str], types: Sequence[PgType | None],
                     targets: Sequence[PgType | None], convert: Convert,
                     changes_type: Callable[[PgType, PgType], bool] = other_type) -> exp.Expr:
    """branch (a query with output columns names of types) giving values of the target types
    instead, converted by convert(value, type, target) where changes_type(type, target) says so
    (also the rows of an INSERT ... SELECT); unchanged when no column changes."""
    # (type, target) of each column that changes type, None for the others
    conversions = [(source, target) if source is not None and target is not None
                   and changes_type(source, target) else None
                   for source, target in zip(types, targets, strict=False)]
    if not any(conversions):
        return branch
    if _plain_select(branch, len(types)):
        expressions = []
        for expression, name, conversion in zip(branch.expressions, names, conversions, strict=False):
            if conversion is not None:
                value = expression.this if isinstance(expression, exp.Alias) else expression
                expression = exp.alias_(convert(value, *conversion), name, quoted=True)
            expressions.append(expression)
        branch.set("expressions", expressions)
        return branch
    if any(name == "*" for name in names):
        raise DatabaseError(FEATURE_NOT_SUPPORTED,
                            "converting the columns of this set operation branch is not supported")
    columns = [f"c{i + 1}" for i in range(len(types))]
    rows = exp.TableAlias(this=exp.to_identifier(_BRANCH_ROWS),
                          columns=[exp.to_identifier(column) for column in columns])
    every_row = exp.select("*").from_(_BRANCH_ROWS)
    every_row.set("with_", exp.With(expressions=[exp.CTE(this=_bare(branch), alias=rows)]))
    outputs = [exp.alias_(convert(exp.column(column), *conversion) if conversion is not None
                          else exp.column(column), name, quoted=True)
               for column, name, conversion in zip(columns, names, conversions, strict=False)]
    return exp.select(*outputs).from_(exp.Subquery(this=every_row, alias=exp.TableAlias(
        this=exp.to_identifier(_BRANCH_ROWS))))


def _bare(query: exp.Expr) -> exp.Expr:
    return query.this if isinstance(query, exp.Subquery) and not query.alias else query


def _plain_select(node: exp.Expr, width: int) -> bool:
    """A SELECT whose select list can be converted in place: one expression per column, nothing
    (DISTINCT, GROUP BY, HAVING, ORDER BY, LIMIT: SQLite lets them name select-list aliases) that
    would see the converted values."""
    return isinstance(node, exp.Select) and len(node.expressions) == width \
        and not any(isinstance(e, exp.Star) or isinstance(e.this, exp.Star) for e in node.expressions) \
        and not any(node.args.get(key) for key in ("distinct", "group", "having", "order", "limit", "offset"))


def sqlite_form(node: exp.SetOperation, names: Sequence[str]) -> exp.Expr:
    """The set operation (with result columns names) as SQLite evaluates it like PostgreSQL:
    UNION as `SELECT DISTINCT * FROM (left UNION ALL right)` (the first of equal rows kept),
    INTERSECT ALL and EXCEPT ALL (which SQLite lacks) over the branches' rows numbered among their
    equals; its WITH, ORDER BY, LIMIT and OFFSET moved to that SELECT. Other operations as they are."""
    distinct = node.args.get("distinct")
    if isinstance(node, exp.Union) and distinct and not is_recursive(node):
        moved = _clauses(node)
        node.set("distinct", False)
        rows = exp.Subquery(this=node, alias=exp.TableAlias(this=exp.to_identifier(_UNION_ROWS)))
        return _with_clauses(exp.select("*").from_(rows).distinct(), moved)
    if isinstance(node, exp.Intersect | exp.Except) and not distinct:
        moved = _clauses(node)
        return _with_clauses(_numbered_operation(node, names), moved)
    return node


def _numbered_operation(node: exp.Intersect | exp.Except, names: Sequence[str]) -> exp.Select:
    """INTERSECT ALL / EXCEPT ALL: each branch's rows numbered among their equals (row_number()
    OVER (PARTITION BY every column)), the numbered rows intersected / subtracted (min(m, n) and
    max(m - n, 0) copies of a row, as PostgreSQL gives), the numbers dropped."""
    columns = [f"c{i + 1}" for i in range(len(names))]
    numbered = []
    for branch, cte_name in ((node.this, _LEFT_ROWS), (node.expression, _RIGHT_ROWS)):
        rows = exp.TableAlias(this=exp.to_identifier(cte_name),
                              columns=[exp.to_identifier(column) for column in columns])
        number = exp.Window(this=exp.Anonymous(this="row_number"),
                            partition_by=[exp.column(column) for column in columns])
        select = exp.select(*columns, exp.alias_(number, _ROW_NUMBER)).from_(cte_name)
        select.set("with_", exp.With(expressions=[exp.CTE(this=_bare(branch), alias=rows)]))
        numbered.append(exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(cte_name))))
    pairs = [exp.select("*").from_(subquery) for subquery in numbered]
    operation = (exp.Intersect if isinstance(node, exp.Intersect) else exp.Except)(
        this=pairs[0], expression=pairs[1], distinct=True)
    outputs = [exp.alias_(exp.column(column), name, quoted=True)
               for column, name in zip(columns, names, strict=True)]
    return exp.select(*outputs).from_(exp.Subquery(this=operation, alias=exp.TableAlias(
        this=exp.to_identifier(_UNION_ROWS))))


def _clauses(node: exp.SetOperation) -> dict[str, exp.Expr | None]:
    """The WITH, ORDER BY, LIMIT and OFFSET of node, taken off it."""
    moved = {key: node.args.get(key) for key in ("with_", "order", "limit", "offset")}
    for key in moved:
        node.set(key, None)
    return moved


def _with_clauses(select: exp.Select, clauses: dict[str, exp.Expr | None]) -> exp.Select:
    for key, value in clauses.items():
        if value is not None:
            select.set(key, value)
    return select


def compound_member(branch: exp.Expr) -> exp.Expr:
    """A branch SQLite takes as a member of a compound SELECT: a parenthesized query (with its own
    ORDER BY or LIMIT, or a SELECT made here) read as `SELECT * FROM (query)`."""
    if not isinstance(branch, exp.Subquery):
        return branch
    if not branch.alias:
        branch.set("alias", exp.TableAlias(this=exp.to_identifier(_BRANCH_ROWS)))
    return exp.select("*").from_(branch)


def is_every_row_of(query: exp.Expr) -> bool:
    """Whether query is `SELECT [DISTINCT] * FROM (subquery)` (as made here): its columns are the
    subquery's."""
    if not isinstance(query, exp.Select) or len(query.expressions) != 1 \
            or not isinstance(query.expressions[0], exp.Star):
        return False
    source = query.args.get("from_")
    return source is not None and isinstance(source.this, exp.Subquery) and not query.args.get("joins") \
        and not query.args.get("group")
