"""asyncpg against the target (HeliosDB-Lite, or PostgreSQL 15 with HELIOSDB_CLIENT_TESTS_TARGET=postgres):
ALTER COLUMN ... TYPE as a migration tool sends it, and a statement prepared before it that now
would return another type fails with InvalidCachedStatementError (0A000 "cached plan must not change
result type" from the routine RevalidateCachedQuery, which asyncpg tells apart; asyncpg's
test_prepare_statement_invalid); prepared again, it returns the new type."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest


async def test_prepared_statement_invalid_after_a_type_change(aconn: asyncpg.Connection) -> None:
    await aconn.execute("create table altered_by_driver (a int, b int, c numeric(6,3))")
    try:
        await aconn.execute("insert into altered_by_driver values (1, 2, 1.2345)")
        statement = await aconn.prepare("select * from altered_by_driver")
        await aconn.execute("alter table altered_by_driver alter column b set data type text, "
                            "alter column c type numeric(4,1)")
        with pytest.raises(asyncpg.InvalidCachedStatementError):
            await statement.fetchrow()
        assert await aconn.fetch("select * from altered_by_driver") == [(1, "2", Decimal("1.2"))]
        with pytest.raises(asyncpg.DatatypeMismatchError, match="cannot be cast automatically to type"):
            await aconn.execute("alter table altered_by_driver alter column b type integer")
        await aconn.execute("alter table altered_by_driver alter column b type integer using b::integer + a")
        assert await aconn.fetchval("select b from altered_by_driver") == 3
    finally:
        await aconn.execute("drop table altered_by_driver")
