"""HeliosDB-Lite: a PostgreSQL-compatible server with a durable transaction journal, and its Python
API (`import heliosdb_lite as hdb`): `hdb.Config`, `hdb.Database` (embedded or remote, the seed's
API) and PEP 249's `hdb.connect`, with the DB-API module globals and exceptions (docs/python-api.md).

The API is imported on first use, so the server and the command-line tools do not load it.
"""

from __future__ import annotations

import importlib
from typing import Any

_API = {
    "Config": "heliosdb_lite.config",
    "Database": "heliosdb_lite.api.database",
    "Transaction": "heliosdb_lite.api.database",
    "ReplayError": "heliosdb_lite.api.errors",
    **{name: "heliosdb_lite.api.dbapi" for name in (
        "BINARY", "DATETIME", "NUMBER", "ROWID", "STRING", "Binary", "Connection", "Cursor", "DataError",
        "DatabaseError", "Date", "DateFromTicks", "Error", "IntegrityError", "InterfaceError",
        "InternalError", "NotSupportedError", "OperationalError", "ProgrammingError", "Time",
        "TimeFromTicks", "Timestamp", "TimestampFromTicks", "Warning", "apilevel", "connect",
        "paramstyle", "threadsafety")},
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'heliosdb_lite' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
