"""asyncpg against the server over TCP with the functions that write values into JSON: json(b)_agg
and json(b)_object_agg of a table's rows (ORDER BY inside, FILTER with a bound parameter), to_json
and jsonb_build_object of bound parameters typed by a cast, row_to_json of a joined table's row
(NULL for a missing one), results in asyncpg's binary jsonb format, and PostgreSQL's errors for an
untyped parameter where the function takes "any" (42P18) or anyelement (42804). The same tests pass
against PostgreSQL 15 (HELIOSDB_CLIENT_TESTS_TARGET=postgres)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import asyncpg.exceptions
import pytest


@pytest.fixture
async def orders(aconn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    await aconn.execute("drop table if exists json_line, json_order")
    await aconn.execute("create table json_order (id int primary key, placed date, total numeric(8, 2))")
    await aconn.execute("create table json_line (id int primary key, order_id int, item text, qty int)")
    await aconn.execute("insert into json_order values (1, '2024-02-29', 12.50), (2, '2024-03-01', null)")
    await aconn.execute("insert into json_line values (1, 1, 'pen', 2), (2, 1, 'café', 1), (3, 1, 'ink', 5)")
    yield aconn
    await aconn.execute("drop table json_line, json_order")


async def test_aggregates_of_rows_with_a_bound_filter(orders: asyncpg.Connection) -> None:
    rows = await orders.fetch(
        "select o.id, json_agg(l order by l.qty desc) filter (where l.qty >= $1) as lines,"
        " jsonb_object_agg(coalesce(l.item, 'none'), l.qty) as counts"
        " from json_order o left join json_line l on l.order_id = o.id group by o.id order by o.id", 2)
    ink = {"id": 3, "order_id": 1, "item": "ink", "qty": 5}
    pen = {"id": 1, "order_id": 1, "item": "pen", "qty": 2}
    got = [(row["id"], row["lines"] and json.loads(row["lines"]), json.loads(row["counts"])) for row in rows]
    assert got == [(1, [ink, pen], {"pen": 2, "café": 1, "ink": 5}), (2, None, {"none": None})]


async def test_rows_and_bound_values(orders: asyncpg.Connection) -> None:
    row = await orders.fetchrow(
        "select row_to_json(o), to_json($1::int), jsonb_build_object('when', $2::date, 'n', $3::numeric),"
        " json_build_array($4::text, null) from json_order o where o.id = 1",
        7, dt.date(2024, 1, 2), Decimal("1.50"), "é")
    assert row is not None
    assert [json.loads(value) for value in row] == [
        {"id": 1, "placed": "2024-02-29", "total": 12.50}, 7, {"n": 1.50, "when": "2024-01-02"}, ["é", None]]
    assert (await orders.fetchval("select jsonb_build_object('n', $1::numeric)", Decimal("1.50"))) == \
        '{"n": 1.50}'
    missing = await orders.fetch("select o.id, row_to_json(l) from json_order o left join json_line l"
                                 " on l.order_id = o.id and l.qty > 4 order by o.id")
    assert [(row[0], row[1] and json.loads(row[1])) for row in missing] == [
        (1, {"id": 3, "order_id": 1, "item": "ink", "qty": 5}), (2, None)]


async def test_untyped_parameters_are_refused(aconn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.exceptions.IndeterminateDatatypeError):
        await aconn.fetchval("select json_build_object('a', $1)", "x")
    with pytest.raises(asyncpg.exceptions.DatatypeMismatchError, match="could not determine polymorphic"):
        await aconn.fetchval("select to_json($1)", "x")
    with pytest.raises(asyncpg.exceptions.UndefinedFunctionError, match=r"json_array\(integer, integer\)"):
        await aconn.fetchval("select json_array(1, 2)")
