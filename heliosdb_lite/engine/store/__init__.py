"""The SQLite store file: `<data_dir>/store.db`, WAL mode, one APSW connection per session.

Every connection gets the same settings: double-quoted strings off (an unknown "name" is an
error, not a string), WAL journal (readers never block the writer),
synchronous=NORMAL (the journal will own durability), foreign keys enforced, and a busy timeout
bounding how long a writer waits for SQLite's single write lock. The store holds three engine
tables besides user tables: `_helios_sequences` for serial columns and nextval() and
`_helios_sequence_options` for CREATE SEQUENCE (their columns: `sequences`; columns added since
a store was made are added when it is opened), and `_helios_added_defaults` (`added_defaults`).
Others are made by the first statement that needs them (`_helios_schemas`, `_helios_view_columns`,
the user types' `_helios_types` and `_helios_enum_labels`: `user_types`).

SQLite's process-wide configuration is set once, when this module is imported (before the process
opens a connection): covering-index scans off (SQLITE_CONFIG_COVERING_INDEX_SCAN), so a full scan
without ORDER BY reads the table in insertion (rowid) order, as PostgreSQL's sequential scan reads
its heap, rather than in the order of a narrower index holding every column the query needs (a
primary key's: `SELECT b FROM t` came back sorted by b). SQLite still scans an index for ORDER BY,
count(*), min/max and a WHERE the index can search (docs/compatibility.md, "Row order").
"""

from __future__ import annotations

from pathlib import Path

import apsw

from heliosdb_lite.engine.store import added_defaults, user_types
from heliosdb_lite.engine.store.sequences import (
    SEQUENCE_OPTIONS_TABLE,
    SEQUENCES_TABLE,
    create_sequence_tables,
)

STORE_FILE = "store.db"


def _configure_library() -> None:
    """Covering-index scans off (module docstring); SQLite accepts process-wide settings only while
    it is shut down, so a process that already holds connections (an application embedding the
    engine after opening its own) keeps SQLite's default."""
    if apsw.connections():
        return
    apsw.shutdown()
    apsw.config(apsw.SQLITE_CONFIG_COVERING_INDEX_SCAN, 0)
    apsw.initialize()


_configure_library()


def open_connection(path: Path, busy_timeout_ms: int) -> apsw.Connection:
    """A configured connection to the store at path (created if missing)."""
    connection = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE)
    connection.set_busy_timeout(busy_timeout_ms)
    connection.config(apsw.SQLITE_DBCONFIG_DQS_DML, 0)  # "x" is an identifier, never a string
    connection.config(apsw.SQLITE_DBCONFIG_DQS_DDL, 0)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints only after the journal is durable
    connection.execute("PRAGMA foreign_keys=ON")
    connection.collation_needed(user_types.collation_needed)  # an enum column's order
    return connection


def initialise(data_dir: Path, busy_timeout_ms: int) -> Path:
    """Create the data directory and store file with the engine's own tables; returns the store path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / STORE_FILE
    connection = open_connection(path, busy_timeout_ms)
    try:
        create_sequence_tables(connection, "main", SEQUENCES_TABLE, SEQUENCE_OPTIONS_TABLE)
        connection.execute(added_defaults.CREATE_TABLE)
    finally:
        connection.close()
    return path
