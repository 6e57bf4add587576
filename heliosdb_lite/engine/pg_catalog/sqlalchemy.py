"""Rewrites, in the SQL text, of the parts of SQLAlchemy 2's PostgreSQL reflection queries the
translator does not take.

- The index-key expansion of get_pk_constraint, get_unique_constraints and get_indexes: a subquery
  over pg_index selects `unnest(pg_catalog.pg_index.indkey) AS attnum`,
  `unnest(pg_catalog.pg_index.indclass) AS att_opclass` and
  `generate_subscripts(pg_catalog.pg_index.indkey, $n::INTEGER) AS ord` (set-returning functions in
  a select list). Each item becomes a column of the catalog relation
  `pg_catalog.helios_index_keys(indexrelid, attnum, ord)`, one row per key column of each index
  (att_opclass: 0, there are no operator classes here; ord counts from 0 as int2vector subscripts
  do; `$n` stays as an ignored operand), joined in that subquery's FROM list before its WHERE.

Queries of another shape are left as they are, for the translator to run or refuse.
"""

from __future__ import annotations

import re

INDEX_KEYS = "helios_index_keys"
_QUALIFIED = f"pg_catalog.{INDEX_KEYS}"
_ATTNUM = "unnest(pg_catalog.pg_index.indkey) AS attnum"
_OPCLASS = "unnest(pg_catalog.pg_index.indclass) AS att_opclass"
_SUBSCRIPTS = re.compile(r"generate_subscripts\(pg_catalog\.pg_index\.indkey, (\$\d+)::INTEGER\) AS ord")
_WHERE = re.compile(r"\sWHERE\s")
_JOIN = f" JOIN {_QUALIFIED} ON {_QUALIFIED}.indexrelid = pg_catalog.pg_index.indexrelid"


def rewrite(sql: str) -> str:
    return _expand_index_keys(sql) if _ATTNUM in sql else sql


def _ord(match: re.Match[str]) -> str:
    return f"{_QUALIFIED}.ord + 0 * {match.group(1)}::INTEGER AS ord"


def _expand_index_keys(sql: str) -> str:
    position = sql.find(_ATTNUM)
    while position >= 0:
        where = _WHERE.search(sql, position)
        subscripts = _SUBSCRIPTS.search(sql, position)
        if where is None or subscripts is None or subscripts.start() > where.start():
            return sql  # not SQLAlchemy's shape: the translator reports what it cannot do
        items = sql[position:where.start()]
        items = items.replace(_ATTNUM, f"{_QUALIFIED}.attnum AS attnum", 1)
        items = items.replace(_OPCLASS, "0 AS att_opclass", 1)
        items = _SUBSCRIPTS.sub(_ord, items, count=1)
        sql = sql[:position] + items + _JOIN + sql[where.start():]
        position = sql.find(_ATTNUM, position + len(items))
    return sql
