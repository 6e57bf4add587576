"""SQLAlchemy 2 Core through its psycopg dialect (`postgresql+psycopg://`): connecting (the dialect
runs its own start-up queries), a literal select, and a table created, filled and queried with Core.

Until the PostgreSQL catalog lands (a later issue), engines here are made with
use_native_hstore=False: by default the dialect's first connection looks hstore up in pg_type.
test_default_dialect_setup covers the default and is an expected failure while pg_type is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.server.conftest import Target


def make_engine(target: Target, **options: bool) -> sa.Engine:
    return sa.create_engine(f"postgresql+psycopg://postgres@{target.host}:{target.port}/postgres",
                            connect_args={"connect_timeout": 10}, **options)


@pytest.fixture
def engine(target: Target) -> Iterator[sa.Engine]:
    engine = make_engine(target, use_native_hstore=False)
    try:
        yield engine
    finally:
        engine.dispose()


def xfail_if_catalog_missing(error: sa.exc.DBAPIError, needed_for: str) -> None:
    if any(f'relation "{name}" does not exist' in str(error) for name in ("pg_type", "pg_class")):
        pytest.xfail(f"{needed_for} needs the PostgreSQL catalog (a later issue): {error.orig}")


def items_table(name: str) -> tuple[sa.MetaData, sa.Table]:
    metadata = sa.MetaData()
    table = sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("in_stock", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    return metadata, table


def test_default_dialect_setup(target: Target) -> None:
    engine = make_engine(target)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.select(sa.literal("x"))).scalar_one() == "x"
    except sa.exc.DBAPIError as error:
        xfail_if_catalog_missing(error, "the psycopg dialect's hstore lookup on first connect")
        raise
    finally:
        engine.dispose()


def test_connect_and_select_literal(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.literal(1))).scalar_one() == 1
        assert connection.execute(sa.text("select :x || 'b'"), {"x": "a"}).scalar_one() == "ab"
    assert engine.dialect.server_version_info is not None
    assert engine.dialect.server_version_info[0] == 15


def test_core_create_insert_select(engine: sa.Engine) -> None:
    metadata, items = items_table("sa_items")
    metadata.create_all(engine, checkfirst=False)
    with engine.begin() as connection:
        new_id = connection.execute(
            sa.insert(items).values(name="first", price=Decimal("1.50")).returning(items.c.id)).scalar_one()
        connection.execute(sa.insert(items), [
            {"name": "second", "price": Decimal("20.00"), "in_stock": False},
            {"name": "third", "price": None, "in_stock": True},
        ])
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(items.c.name, items.c.price, items.c.in_stock).where(items.c.id >= new_id)
            .order_by(items.c.name.desc())).all()
        assert [tuple(r) for r in rows] == [
            ("third", None, True), ("second", Decimal("20.00"), False), ("first", Decimal("1.50"), True)]
        connection.execute(sa.update(items).where(items.c.name == "third").values(price=Decimal("3.25")))
        connection.rollback()
        assert connection.execute(sa.select(sa.func.count()).select_from(items)
                                  .where(items.c.price.is_(None))).scalar_one() == 1


def test_create_all_with_existence_check(engine: sa.Engine) -> None:
    metadata, items = items_table("sa_checked")
    try:
        metadata.create_all(engine)  # asks the catalog whether the table exists first
    except sa.exc.DBAPIError as error:
        xfail_if_catalog_missing(error, "create_all's existence check")
        raise
    metadata.create_all(engine)  # already there: no error
    with engine.begin() as connection:
        connection.execute(sa.insert(items).values(name="x"))
        assert connection.execute(sa.select(items.c.name)).scalar_one() == "x"
    metadata.drop_all(engine)
