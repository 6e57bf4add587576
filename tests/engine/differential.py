"""Fixtures and checks shared by the differential scripts (`test_differential_*.py`): each script
runs in its own database of the reference PostgreSQL 15 and its own engine store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from heliosdb_lite.engine.passthrough import SQLiteEngine, SQLiteSession
from heliosdb_lite.errors import DatabaseError

psycopg = pytest.importorskip("psycopg")


def reference_database(name: str) -> Callable[..., Iterator[Any]]:
    """A module fixture: an autocommit connection to a fresh database `name` of the reference
    PostgreSQL (TimeZone UTC)."""

    @pytest.fixture(scope="module")
    def reference(reference_pg: str) -> Iterator[Any]:
        with psycopg.connect(reference_pg, autocommit=True) as admin:
            admin.execute(f"drop database if exists {name}")
            admin.execute(f"create database {name}")
        with psycopg.connect(reference_pg.replace("dbname=postgres", f"dbname={name}"),
                             autocommit=True) as connection:
            connection.execute("set timezone = 'Etc/UTC'")
            yield connection

    return reference


def engine_store(name: str) -> Callable[..., Iterator[SQLiteSession]]:
    """A module fixture: a session on a fresh engine store of its own."""

    @pytest.fixture(scope="module")
    def engine_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteSession]:
        engine = SQLiteEngine(Path(tmp_path_factory.mktemp(name)) / "data")
        yield engine.open_session("postgres", "postgres", {})
        engine.close()

    return engine_session


def assert_refused_clearly(session: SQLiteSession, sql: str, named: str | None) -> None:
    """`sql` fails with 0A000 and a message naming `named` (None: a setup step that must succeed)."""
    if named is None:
        session.execute(session.prepare(sql, ()), [])
        return
    with pytest.raises(DatabaseError) as refused:
        session.execute(session.prepare(sql, ()), [])
    assert (refused.value.sqlstate, named.lower() in refused.value.message.lower()) == ("0A000", True), \
        refused.value
