"""EXPLAIN (FORMAT JSON): SQLite's query plan (`EXPLAIN QUERY PLAN`) in PostgreSQL's JSON shape,
`[{"Plan": {...}}]`, for clients that read it (asyncpg's `PreparedStatement.explain`).

Each plan row becomes a node: `SCAN t` a "Seq Scan", `SCAN t USING COVERING INDEX i` an "Index Only
Scan", `SEARCH t USING [INTEGER PRIMARY KEY | INDEX i]` an "Index Scan" (with "Relation Name",
"Alias", "Index Name"); `USE TEMP B-TREE FOR ORDER BY` a "Sort" above the rest, for GROUP BY or
DISTINCT an "Aggregate"; any other row a "Result". Every node keeps SQLite's own words under
"SQLite Detail". Several scans at one level are SQLite's nested loops ("Nested Loop"); INSERT,
UPDATE and DELETE are a "ModifyTable" with PostgreSQL's "Operation". There are no costs or row
estimates (SQLite's planner has none to show). With ANALYZE the statement has run: the top node has
"Actual Total Time" (the whole statement's, measured), "Actual Rows" and "Actual Loops", and the
plan "Execution Time"; the nodes below it have no actual figures of their own.
"""

from __future__ import annotations

import json
import re
from typing import Any

from heliosdb_lite.engine.store import schemas

_SCAN = re.compile(r"^(?P<verb>SCAN|SEARCH) (?P<table>\S+)(?: AS (?P<alias>\S+))?"
                   r"(?: USING (?P<covering>COVERING )?(?P<kind>INTEGER PRIMARY KEY|INDEX|PRIMARY KEY)"
                   r"(?: (?P<index>\S+))?)?")
_OPERATIONS = {"INSERT": "Insert", "UPDATE": "Update", "DELETE": "Delete"}
PlanRow = tuple[int, int, int, str]  # SQLite's: id, parent, unused, detail


def _node(detail: str) -> dict[str, Any]:
    match = _SCAN.match(detail)
    if match is None:
        kind = "Aggregate" if re.match(r"USE TEMP B-TREE FOR (GROUP BY|DISTINCT)", detail) else "Result"
        return {"Node Type": kind, "SQLite Detail": detail}
    table = schemas.split(match.group("table"))[1]
    node: dict[str, Any] = {"Node Type": "Seq Scan", "Relation Name": table,
                            "Alias": match.group("alias") or table}
    if match.group("kind") is not None:
        node["Node Type"] = "Index Only Scan" if match.group("covering") else "Index Scan"
        node["Index Name"] = match.group("index") if match.group("kind") == "INDEX" else f"{table}_pkey"
    node["SQLite Detail"] = detail
    return node


def _children(rows: list[PlanRow], parent: int) -> list[dict[str, Any]]:
    """The nodes of the rows under `parent`, a sort above the scans it sorts."""
    nodes: list[dict[str, Any]] = []
    sort: dict[str, Any] | None = None
    for node_id, parent_id, _, detail in rows:
        if parent_id != parent:
            continue
        if detail.startswith("USE TEMP B-TREE FOR ORDER BY") or detail.startswith("USE TEMP B-TREE FOR LAST"):
            sort = {"Node Type": "Sort", "SQLite Detail": detail}
            continue
        node = _node(detail)
        below = _children(rows, node_id)
        if below:
            node["Plans"] = below
        nodes.append(node)
    if len(nodes) > 1:
        nodes = [{"Node Type": "Nested Loop", "Plans": nodes}]
    if sort is not None:
        sort["Plans"] = nodes
        nodes = [sort]
    return nodes


def json_plan(rows: list[PlanRow], command: str, target: str | None,
              actual: tuple[float, int] | None = None) -> str:
    """The JSON text of the plan of a statement (its command tag's verb, the table it writes);
    `actual`: (milliseconds, rows) when it has run (ANALYZE)."""
    nodes = _children(rows, 0)
    if command in _OPERATIONS:
        table = schemas.split(target)[1] if target else None
        top: dict[str, Any] = {"Node Type": "ModifyTable", "Operation": _OPERATIONS[command],
                               "Relation Name": table, "Alias": table}
        if nodes:
            top["Plans"] = nodes
    else:
        top = nodes[0] if len(nodes) == 1 else {"Node Type": "Result", "Plans": nodes}
    plan: dict[str, Any] = {"Plan": top}
    if actual is not None:
        milliseconds, count = actual
        top.update({"Actual Total Time": round(milliseconds, 3), "Actual Rows": count, "Actual Loops": 1})
        plan["Execution Time"] = round(milliseconds, 3)
    return json.dumps([plan], indent=2)
