"""asyncpg against the target (HeliosDB-Lite, or PostgreSQL 15 with HELIOSDB_CLIENT_TESTS_TARGET=postgres):
statements whose shape the driver checks itself. A `$1::void` argument of a function call is dropped
as PostgreSQL's parser drops it, leaving a parameter of type void the driver must send (asyncpg's
test_void compares its argument count with ParameterDescription); a SELECT with an empty select list
returns rows of no columns (RowDescription with no fields, test_prepare_22_empty)."""

from __future__ import annotations

import asyncpg


async def test_void_parameter_of_a_function_call(aconn: asyncpg.Connection) -> None:
    statement = await aconn.prepare("select now($1::void) is not null")
    assert [parameter.name for parameter in statement.get_parameters()] == ["void"]
    assert await statement.fetchval("") is True
    assert await aconn.fetchval("select pg_sleep(0)") is None


async def test_rows_of_no_columns(aconn: asyncpg.Connection) -> None:
    row = await aconn.fetchrow("SELECT")
    assert (row, repr(row)) == ((), "<Record>")
    statement = await aconn.prepare("select from generate_series(1, 3)")
    assert statement.get_attributes() == ()
    assert await statement.fetch() == [(), (), ()]
    assert await aconn.fetchval("select count(*) from (select from generate_series(1, 4) where false) s") == 0
