"""Which writes are bounded: statements whose work is a few rows, whatever the table's size, so the
server may run them on the event loop (`EngineSession.can_write_inline`) instead of paying a thread
hand-off. A write cannot start over (interrupting it would roll back its whole transaction), so
the bound is decided before it runs, from SQLite's query plan, once per prepared statement:

- an INSERT of at most MAX_VALUES_ROWS rows of VALUES (ON CONFLICT included: one key lookup a row),
- an UPDATE or DELETE whose every row is found through a unique key, each column of it equal to a
  value (`WHERE id = $1`; a plan without a search step reads every row),
- on a table without triggers (foreign keys kept by triggers, and whatever a trigger does, are not
  in the plan), calling no function that may wait (`functions.effects.calls_waiting`).

Anything else in the plan — a scan, a subquery, a non-unique index, a range — makes it unbounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import apsw
import apsw.ext

from heliosdb_lite.engine.functions import effects
from heliosdb_lite.engine.translate.result import Translation

MAX_VALUES_ROWS = 16
_WRITES = frozenset({"INSERT", "UPDATE", "DELETE"})
_BY_ROWID = re.compile(r"SEARCH \S+ USING INTEGER PRIMARY KEY \(rowid=\?\)")
_BY_INDEX = re.compile(r"SEARCH \S+ USING (?:COVERING )?INDEX (\S+) \(([^()]*)\)")
_VALUES = re.compile(r"SCAN (\d+)-ROW VALUES CLAUSE")
_EQUALS_VALUE = re.compile(r"\w+=\?")


def bounded(connection: apsw.Connection, translation: Translation) -> bool:
    """Whether the translated write touches a bounded number of rows and cannot wait."""
    if translation.command not in _WRITES or translation.target is None or translation.schema_change \
            or effects.calls_waiting(translation.sql) or _has_triggers(connection, translation.target):
        return False
    plan = apsw.ext.query_info(connection, translation.sql, actions=False, explain_query_plan=True).query_plan
    details = list(_details(plan.sub if plan else None))
    if not details and translation.command != "INSERT":  # no search: every row (DELETE's truncation)
        return False
    return all(_bounded_step(connection, detail) for detail in details)


def _details(steps: list[apsw.ext.QueryPlan] | None) -> Iterator[str]:
    for step in steps or ():
        yield step.detail
        yield from _details(step.sub)


def _bounded_step(connection: apsw.Connection, detail: str) -> bool:
    if detail == "SCAN CONSTANT ROW" or _BY_ROWID.fullmatch(detail):
        return True
    values = _VALUES.fullmatch(detail)
    if values is not None:
        return int(values.group(1)) <= MAX_VALUES_ROWS
    by_index = _BY_INDEX.fullmatch(detail)
    if by_index is None:
        return False
    terms = by_index.group(2).split(" AND ")
    return all(_EQUALS_VALUE.fullmatch(term) for term in terms) and \
        _unique_columns(connection, by_index.group(1)) == len(terms)


def _unique_columns(connection: apsw.Connection, index: str) -> int | None:
    """How many key columns the unique index `index` has; None if it is not unique."""
    for schema in ("main", "temp"):
        unique = connection.execute(
            f"SELECT 1 FROM pragma_index_list(tbl_name, '{schema}') AS i, {schema}.sqlite_schema AS s "
            "WHERE s.type = 'index' AND s.name = ?1 AND i.name = ?1 AND i.[unique]", (index,)).fetchall()
        if unique:
            columns = connection.execute(f"SELECT name FROM pragma_index_info(?1, '{schema}')", (index,))
            return len(columns.fetchall())
    return None


def _has_triggers(connection: apsw.Connection, table: str) -> bool:
    triggers = connection.execute(
        "SELECT 1 FROM main.sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 "
        "UNION ALL SELECT 1 FROM temp.sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1", (table,))
    return bool(triggers.fetchall())
