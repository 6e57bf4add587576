"""Domains through asyncpg against the target (HeliosDB-Lite, or PostgreSQL 15 with
HELIOSDB_CLIENT_TESTS_TARGET=postgres): `$1::d` is described as the domain, which asyncpg introspects
(pg_type's typtype d, typbasetype) and encodes with its base type's codec, in binary; results come with
the base type's OID; a CHECK violation is asyncpg's CheckViolationError with PostgreSQL's message;
a custom codec on a domain is refused by the driver itself (asyncpg's test_custom_codec_on_domain)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import asyncpg
import asyncpg.exceptions
import psycopg
import pytest

from tests.server.conftest import Target


async def test_domain_round_trips(aconn: asyncpg.Connection) -> None:
    suffix = uuid.uuid4().hex[:8]
    positive, amounts = f"positive_{suffix}", f"amounts_{suffix}"
    await aconn.execute(f"CREATE DOMAIN {positive} AS int CHECK (VALUE > 0)")
    await aconn.execute(f"CREATE DOMAIN {amounts} AS numeric[]")
    try:
        statement = await aconn.prepare(f"SELECT $1::{positive}, $2::{amounts}")
        assert [parameter.name for parameter in statement.get_parameters()] == ["int4", "numeric[]"]
        assert [attribute.type.name for attribute in statement.get_attributes()] == ["int4", "numeric[]"]
        assert await statement.fetchrow(7, [Decimal("1.5"), 2]) == (7, [Decimal("1.5"), Decimal(2)])
        with pytest.raises(asyncpg.exceptions.CheckViolationError,
                           match=f'value for domain {positive} violates check constraint "{positive}_check"'):
            await statement.fetchrow(-1, [])
        with pytest.raises(asyncpg.exceptions.UnsupportedClientFeatureError,
                           match="custom codecs on domain types are not supported"):
            await aconn.set_type_codec(positive, encoder=str, decoder=int)
    finally:
        await aconn.execute(f"DROP DOMAIN {positive}, {amounts}")


def test_parameter_described_as_the_domain(target: Target) -> None:
    """ParameterDescription names the domain's OID (asyncpg introspects it, then codes the base type)."""
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        connection.execute("CREATE DOMAIN described_d AS int")
        try:
            connection.pgconn.prepare(b"described", b"SELECT $1::described_d")
            description = connection.pgconn.describe_prepared(b"described")
            oid = connection.execute("SELECT oid FROM pg_type WHERE typname = 'described_d'").fetchone()
            assert oid is not None
            assert (description.nparams, description.param_type(0), description.ftype(0)) == (1, oid[0], 23)
        finally:
            connection.execute("DROP DOMAIN described_d")
