"""Statements run on a test server by the durability tests, and the check they end with: a store
restored from the journal alone equals the live one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from heliosdb_lite.replay.restore import restore
from tests.replay.store_contents import read_store
from testsupport.server_process import ServerProcess


def rows_of(server: ServerProcess, *statements: str) -> list[Any]:
    """Each statement's rows (None when it returns none; its SQLSTATE when it fails), run one by
    one in autocommit."""
    results: list[Any] = []
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        for statement in statements:
            try:
                cursor = connection.execute(statement)
            except psycopg.Error as error:
                results.append(error.sqlstate)
                continue
            results.append(cursor.fetchall() if cursor.description else None)
    return results


def values_of(server: ServerProcess, *statements: str) -> list[Any]:
    """As `rows_of`, with each result of rows reduced to its first value."""
    return [result[0][0] if isinstance(result, list) and result else result
            for result in rows_of(server, *statements)]


def assert_restore_rebuilds(data_dir: Path, target: Path) -> None:
    """`heliosdb-lite restore` from data_dir's journal into target gives the live store's contents."""
    restore(data_dir / "journal", target, show_progress=False)
    assert read_store(target / "store.db") == read_store(data_dir / "store.db")
