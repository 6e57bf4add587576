"""User-defined functions through asyncpg against the target (HeliosDB-Lite, or PostgreSQL 15 with
HELIOSDB_CLIENT_TESTS_TARGET=postgres): asyncpg's test_enum_function_return (a PL/pgSQL function
returning an enum, decoded with the enum's codec), and a SQL function called with a bound parameter,
whose type the server infers from the function's parameter (binary int4 in, numeric out)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import asyncpg
import pytest


async def test_enum_function_return(aconn: asyncpg.Connection) -> None:
    suffix = uuid.uuid4().hex[:8]
    enum, function = f"enum_{suffix}", f"return_enum_{suffix}"
    await aconn.execute(f"CREATE TYPE {enum} AS ENUM ('abc', 'def', 'ghi')")
    try:
        await aconn.execute(f"CREATE FUNCTION {function}() RETURNS {enum} LANGUAGE plpgsql AS $$ "
                            f"BEGIN RETURN 'abc'::{enum}; END; $$")
        assert await aconn.fetchval(f"SELECT {function}()") == "abc"
        await aconn.execute(f"DROP FUNCTION {function}()")
    finally:
        await aconn.execute(f"DROP TYPE {enum}")


async def test_sql_function_with_a_bound_parameter(aconn: asyncpg.Connection) -> None:
    function = f"scaled_{uuid.uuid4().hex[:8]}"
    await aconn.execute(f"CREATE FUNCTION {function}(a int, factor numeric DEFAULT 1.5) RETURNS numeric "
                        f"LANGUAGE sql STRICT AS 'SELECT a * factor'")
    try:
        statement = await aconn.prepare(f"SELECT {function}($1), {function}($1, 2)")
        assert [parameter.name for parameter in statement.get_parameters()] == ["int4"]
        assert await statement.fetchrow(4) == (Decimal("6.0"), Decimal(8))
        assert await statement.fetchrow(None) == (None, None)
        with pytest.raises(asyncpg.exceptions.UndefinedFunctionError):
            await aconn.fetchval(f"SELECT {function}('x'::text)")
    finally:
        await aconn.execute(f"DROP FUNCTION {function}")
