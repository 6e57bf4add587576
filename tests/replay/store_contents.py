"""What a store holds, read straight from its SQLite file, for comparing stores in replay tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw

from heliosdb_lite.replay.txn_table import TXN_TABLE


@dataclass(frozen=True)
class StoreContents:
    schema: list[tuple[str, str, str | None]]  # (type, name, sql) of every table and index
    tables: dict[str, list[tuple[Any, ...]]]  # every table but _helios_txn: its rows, sorted
    transactions: list[tuple[int, bytes, str]]  # _helios_txn (lsn, gtid, outcome), by LSN

    @property
    def user_tables(self) -> dict[str, list[tuple[Any, ...]]]:
        return {name: rows for name, rows in self.tables.items() if not name.startswith("_helios")}


def _value_key(value: Any) -> tuple[int, Any]:
    """SQLite's own order of values: NULL, numbers, text, blobs."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    return (2, value) if isinstance(value, str) else (3, value)


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    return tuple(_value_key(value) for value in row)


def read_store(store_path: Path) -> StoreContents:
    connection = apsw.Connection(str(store_path))
    try:
        schema: list[Any] = connection.execute(
            "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'index') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY type, name").fetchall()
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for kind, name, _ in schema:
            if kind == "table" and name != TXN_TABLE:
                rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
                tables[name] = sorted(rows, key=_sort_key)
        if connection.table_exists("main", "sqlite_sequence"):  # serial high-water marks count too
            tables["sqlite_sequence"] = sorted(connection.execute("SELECT name, seq FROM sqlite_sequence"))
        transactions: list[Any] = connection.execute(
            f"SELECT lsn, gtid, outcome FROM {TXN_TABLE} ORDER BY lsn").fetchall()
    finally:
        connection.close()
    return StoreContents(schema, tables, transactions)
