"""TABLESAMPLE SYSTEM | BERNOULLI (percent) [REPEATABLE (seed)] on a table: the FROM item becomes
`(SELECT * FROM table WHERE helios_tablesample(percent, seed, seeded, rowid)) AS alias`
(`functions.table_samples` keeps each row or not), so the sample is taken before any join, as
PostgreSQL's. PostgreSQL's errors: an unknown method (42704), a view or any other FROM item (0A000);
the percentage and seed are typed as float8 (22P02 for text that is no number)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.store.table_info import object_kind
from heliosdb_lite.engine.translate.nodes import call
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, UNDEFINED_OBJECT, DatabaseError

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_METHODS = ("system", "bernoulli")


def sampled(translator: Translator, node: exp.Expr, scope: Scope,
            source: Callable[[exp.Expr], exp.Expr]) -> exp.Expr:
    """The FROM item `node` with its TABLESAMPLE, translated by `source` (which registers it in scope)
    and filtered."""
    sample = node.args["sample"]
    node.set("sample", None)
    method = sample.args.get("method")
    name = method.name.lower() if method is not None else ""
    if name not in _METHODS:
        raise DatabaseError(UNDEFINED_OBJECT, f"tablesample method {name} does not exist")
    if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Identifier):
        raise _not_a_table()
    seed = sample.args.get("seed")
    arguments = [_number(translator, sample.args.get("percent") or sample.args.get("size")),
                 _number(translator, seed) if seed is not None else exp.null(),
                 exp.Literal.number(int(seed is not None))]
    translated = source(node)
    stored = scope.relations[-1].storage
    if stored is None or object_kind(translator.catalog.connection, stored) != "table":
        raise _not_a_table()
    if isinstance(translated, exp.Table):  # filtered under its own name
        alias = translated.alias or translated.name
        rows = exp.select("*").from_(translated.copy())
        rows.set("where", exp.Where(this=call(fn.TABLESAMPLE, *arguments, exp.column("rowid", table=alias,
                                                                                       quoted=True))))
        return exp.Subquery(this=rows, alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    renamed = translated.this.args["from_"].this.this  # `_renamed_source`: (SELECT * FROM table) renamed
    table = renamed.args["from_"].this
    renamed.set("where", exp.Where(this=call(fn.TABLESAMPLE, *arguments,
                                             exp.column("rowid", table=table.name, quoted=True))))
    return translated


def _number(translator: Translator, node: exp.Expr | None) -> exp.Expr:
    if node is None:
        return exp.null()
    value, pg_type = translator.expr(node, Scope())
    return translator.coerce(value, pg_type, t.FLOAT8_TYPE)


def _not_a_table() -> DatabaseError:
    return DatabaseError(FEATURE_NOT_SUPPORTED,
                         "TABLESAMPLE clause can only be applied to tables and materialized views")
