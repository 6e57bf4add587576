"""asyncpg against the server over TCP with the functions that work on jsonb: bound jsonb and text[]
parameters typed by jsonb_set, `-`, `||` and `#-`, the rows of jsonb_each and jsonb_array_elements_text
and json(b)_to_recordset of a bound document, and their errors with PostgreSQL's SQLSTATE. The same
tests pass against PostgreSQL 15 (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

import json

import asyncpg
import asyncpg.exceptions
import pytest


async def test_jsonb_changes_with_bound_parameters(aconn: asyncpg.Connection) -> None:
    document = json.dumps({"a": [1, 2], "b": {"c": "é"}})
    changed = await aconn.fetchrow(
        "select jsonb_set($1, $2, $3), $1 - $4::text, $1 #- $2, $1 || $5, jsonb_typeof($1 -> 'a')",
        document, ["a", "0"], "10", "a", '{"z": null}')
    assert changed is not None
    assert [json.loads(value) if value.startswith(("{", "[")) else value for value in changed] == [
        {"a": [10, 2], "b": {"c": "é"}}, {"b": {"c": "é"}}, {"a": [2], "b": {"c": "é"}},
        {"a": [1, 2], "b": {"c": "é"}, "z": None}, "array"]


async def test_rows_of_a_bound_document(aconn: asyncpg.Connection) -> None:
    rows = await aconn.fetch("select key, value from jsonb_each($1) order by key", '{"b": [1], "a": "x"}')
    assert [(row["key"], json.loads(row["value"])) for row in rows] == [("a", "x"), ("b", [1])]
    elements = await aconn.fetch("select e.value, e.ordinality from jsonb_array_elements_text($1)"
                                 " with ordinality e", '["x", null, 2.50]')
    assert [(row["value"], row["ordinality"]) for row in elements] == [("x", 1), (None, 2), ("2.50", 3)]
    records = await aconn.fetch("select * from jsonb_to_recordset($1) as r(id int, name text, tags text[])"
                                " order by id", '[{"id": 2, "name": "b"}, {"id": 1, "tags": ["t"]}]')
    assert [tuple(row) for row in records] == [(1, None, ["t"]), (2, "b", None)]


async def test_errors_keep_their_sqlstate(aconn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.exceptions.InvalidParameterValueError, match="cannot set path in scalar"):
        await aconn.fetchval("select jsonb_set($1, '{a}', '1')", "1")
    with pytest.raises(asyncpg.exceptions.InvalidTextRepresentationError):
        await aconn.fetch("select * from jsonb_to_record($1) as r(id int)", '{"id": "x"}')
    with pytest.raises(asyncpg.exceptions.UndefinedFunctionError):
        await aconn.fetchval("select jsonb_typeof('1'::json)")
