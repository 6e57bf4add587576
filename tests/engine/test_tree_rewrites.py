"""The translator's pure tree rewrites, without a Translator: SELECT DISTINCT ON as SQLite can run
it (`translate.distinct_on`), and the marking of a WITH RECURSIVE query's body
(`translate.set_operations`). The rewritten SELECT runs on a real SQLite database."""

from __future__ import annotations

import apsw
import pytest
from sqlglot import exp

from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.sql.parsing import parse
from heliosdb_lite.engine.translate import distinct_on, set_operations
from heliosdb_lite.errors import DatabaseError

ROWS = [("a", 1, "x"), ("a", 3, "y"), ("b", 2, "z"), ("b", 5, "w"), ("c", 4, "v")]


def _distinct_on(sql: str) -> exp.Select:
    """The rewrite of a parsed `SELECT DISTINCT ON (...) ...` over table t(g, n, s)."""
    node = parse(sql).copy()
    assert isinstance(node, exp.Select)
    keys = list(node.args["distinct"].args["on"].expressions)
    node.set("distinct", None)
    names = [item.alias_or_name for item in node.expressions]
    rewritten = distinct_on.rewritten(node, keys, names)
    assert isinstance(rewritten, exp.Select)
    return rewritten


def _run(query: exp.Expr) -> list[tuple[object, ...]]:
    connection = apsw.Connection(":memory:")
    connection.execute("CREATE TABLE t (g TEXT, n INTEGER, s TEXT)")
    connection.executemany("INSERT INTO t VALUES (?, ?, ?)", ROWS)
    return [tuple(row) for row in connection.execute(render(query))]


def test_distinct_on_keeps_the_first_row_of_each_group_in_order_by_order() -> None:
    query = _distinct_on("SELECT DISTINCT ON (g) g, n, s FROM t ORDER BY g, n DESC")
    assert _run(query) == [("a", 3, "y"), ("b", 5, "w"), ("c", 4, "v")]


def test_distinct_on_applies_limit_and_offset_after_choosing_the_rows() -> None:
    query = _distinct_on("SELECT DISTINCT ON (g) g, n FROM t ORDER BY g DESC, n LIMIT 2 OFFSET 1")
    assert _run(query) == [("b", 2), ("a", 1)]


def test_distinct_on_with_order_by_not_starting_with_its_keys_is_42p10() -> None:
    with pytest.raises(DatabaseError) as raised:
        _distinct_on("SELECT DISTINCT ON (g) g, n FROM t ORDER BY n")
    assert raised.value.sqlstate == "42P10"


def test_distinct_on_with_repeated_output_names_is_refused() -> None:
    with pytest.raises(DatabaseError) as raised:
        _distinct_on("SELECT DISTINCT ON (g) g, n AS g FROM t")
    assert raised.value.sqlstate == "0A000"


def _recursive_body(sql: str) -> exp.SetOperation:
    cte = parse(sql).copy().args["with_"].expressions[0]
    body = cte.this
    assert isinstance(body, exp.SetOperation)
    return set_operations.marked_recursive(body, cte.alias_or_name.lower())


def test_a_with_recursive_query_referring_to_itself_is_marked_recursive() -> None:
    body = _recursive_body("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
                           "SELECT n FROM r")
    assert set_operations.is_recursive(body)


def test_a_with_recursive_query_not_referring_to_itself_is_not_marked() -> None:
    body = _recursive_body("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM t) SELECT n FROM r")
    assert not set_operations.is_recursive(body)


def test_the_rewrites_leave_their_input_as_it_was() -> None:
    node = parse("SELECT DISTINCT ON (g) g, n FROM t ORDER BY g, n DESC LIMIT 2").copy()
    assert isinstance(node, exp.Select)
    keys = list(node.args["distinct"].args["on"].expressions)
    node.set("distinct", None)
    before, key_parent = node.sql(), keys[0].parent
    rewritten = distinct_on.rewritten(node, keys, ["g", "n"])
    assert node.sql() == before and keys[0].parent is key_parent
    assert node.args.get("limit") is not None and rewritten.args.get("limit") is not node.args.get("limit")

    body = parse("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
                 "SELECT n FROM r").copy().args["with_"].expressions[0].this
    marked = set_operations.marked_recursive(body, "r")
    assert set_operations.is_recursive(marked) and not set_operations.is_recursive(body)
    assert marked.sql() == body.sql()
