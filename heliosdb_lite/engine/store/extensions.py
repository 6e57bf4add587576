"""The extensions a database has installed (CREATE EXTENSION), as the store keeps them:

    _helios_extensions(oid, name, schema, version)

one row per installed extension (pg_extension's: its OID drawn as a user type's, the schema its
objects went to, its version). The types it provided are rows of `_helios_types` of kind `b`
(`user_types.BASE_KIND`) named as the extension's types are (`engine/extensions`), in that schema.
Written by `engine/ddl/extensions.py`, so the journal carries them as it carries any DDL.
"""

from __future__ import annotations

from dataclasses import dataclass

import apsw

EXTENSIONS_TABLE = "_helios_extensions"
CREATE_TABLE = (f"CREATE TABLE IF NOT EXISTS {EXTENSIONS_TABLE} (oid INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL UNIQUE, schema TEXT NOT NULL, version TEXT NOT NULL)")


@dataclass(frozen=True, slots=True)
class InstalledExtension:
    oid: int
    name: str
    schema: str
    version: str


def installed(connection: apsw.Connection) -> dict[str, InstalledExtension]:
    """The extensions the store has, by name."""
    if not connection.table_exists("main", EXTENSIONS_TABLE):
        return {}
    rows: list[tuple[int, str, str, str]] = list(connection.execute(
        f"SELECT oid, name, schema, version FROM {EXTENSIONS_TABLE} ORDER BY oid"))
    return {row[1]: InstalledExtension(*row) for row in rows}
