"""SQLAlchemy 2 Core through its psycopg dialect (`postgresql+psycopg://`): connecting (the dialect
runs its own start-up queries, by default looking hstore up in pg_type), a literal select, a table
created, filled and queried with Core, and the catalog lookups of `inspect()` and `create_all`.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import PGInspector
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from tests.server.conftest import Target


def make_engine(target: Target) -> sa.Engine:
    return sa.create_engine(f"postgresql+psycopg://postgres@{target.host}:{target.port}/postgres",
                            connect_args={"connect_timeout": 10})


@pytest.fixture
def engine(target: Target) -> Iterator[sa.Engine]:
    engine = make_engine(target)
    try:
        yield engine
    finally:
        engine.dispose()


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
        assert isinstance(engine.dialect, PGDialect_psycopg)
        assert engine.dialect._has_native_hstore is False  # no hstore type here
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
    metadata.create_all(engine)  # asks the catalog whether the table exists first
    metadata.create_all(engine)  # already there: no error
    with engine.begin() as connection:
        connection.execute(sa.insert(items).values(name="x"))
        assert connection.execute(sa.select(items.c.name)).scalar_one() == "x"
    metadata.drop_all(engine)


def test_inspector_has_table_and_table_names(engine: sa.Engine) -> None:
    metadata, _ = items_table("sa_inspected")
    assert not sa.inspect(engine).has_table("sa_inspected")
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    assert inspector.has_table("sa_inspected")
    assert not inspector.has_table("sa_nowhere")
    assert "sa_inspected" in inspector.get_table_names()
    assert "public" in inspector.get_schema_names()
    metadata.drop_all(engine)
    assert "sa_inspected" not in sa.inspect(engine).get_table_names()


def test_enum_column_created_used_reflected_and_dropped(engine: sa.Engine) -> None:
    """sa.Enum issues CREATE TYPE ... AS ENUM before the table and DROP TYPE after it; values keep the
    enum's order; the inspector reflects the column as that ENUM and lists the enum."""
    metadata = sa.MetaData()
    paint = sa.Table("paint", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("colour", sa.Enum("red", "green", "blue", name="colour")))
    metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            connection.execute(paint.insert(), [{"id": 1, "colour": "blue"}, {"id": 2, "colour": "red"}])
            ordered = connection.execute(sa.select(paint.c.colour).order_by(paint.c.colour)).scalars().all()
        reflected = {column["name"]: column["type"] for column in sa.inspect(engine).get_columns("paint")}
        enums = _enums(engine)
    finally:
        metadata.drop_all(engine)
    assert ordered == ["red", "blue"]
    assert getattr(reflected["colour"], "enums", None) == ["red", "green", "blue"]
    assert ("colour", ["red", "green", "blue"]) in enums
    assert "colour" not in dict(_enums(engine))


def _enums(engine: sa.Engine) -> list[tuple[str, list[str]]]:
    """The enums PostgreSQL's inspector lists: (name, labels)."""
    inspector = sa.inspect(engine)
    assert isinstance(inspector, PGInspector)
    return [(item["name"], item["labels"]) for item in inspector.get_enums()]
