"""PostgreSQL schemas in one SQLite database: how a schema's objects are named in the store, which
schemas exist, and the schemas `search_path` names.

SQLite has one namespace per database file, and a transaction over several ATTACHed files is not
atomic in WAL mode, so a schema is a name prefix: object `name` of schema `s` is the SQLite object
`s.name` (the dot is part of the SQLite identifier). Objects of `public` keep their bare names, so
an object name containing a dot is refused. Schemas other than public are the rows of
`_helios_schemas(name, owner)`, a table made by the first CREATE SCHEMA; a row named public there
records that DROP SCHEMA public removed it (test suites reset a database with `DROP SCHEMA public
CASCADE; CREATE SCHEMA public`).
"""

from __future__ import annotations

from collections.abc import Callable

import apsw

PUBLIC = "public"
REGISTRY_TABLE = "_helios_schemas"
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
_USER_ENTRY = "$user"


def storage_name(schema: str, name: str) -> str:
    """The SQLite name of object `name` in `schema`."""
    return name if schema == PUBLIC else f"{schema}.{name}"


def split(stored: str) -> tuple[str, str]:
    """(schema, name) of a SQLite object name."""
    schema, dot, name = stored.partition(".")
    return (schema, name) if dot else (PUBLIC, stored)


def resolve(name: str, schema: str | None, path: tuple[str, ...], exists: Callable[[str], bool]) -> str:
    """The storage name of an existing object: in `schema` if given, else in the first schema of
    `path` that has one; found nowhere: the bare name (which the store then reports missing)."""
    if schema is not None:
        return storage_name(schema, name)
    return next((stored for stored in (storage_name(s, name) for s in path) if exists(stored)), name)


def registry_exists(connection: apsw.Connection) -> bool:
    return bool(connection.table_exists("main", REGISTRY_TABLE))


def user_schemas(connection: apsw.Connection) -> dict[str, str]:
    """The schemas other than public, name → owner, by name."""
    if not registry_exists(connection):
        return {}
    rows: list[tuple[str, str]] = list(connection.execute(
        f"SELECT name, owner FROM {REGISTRY_TABLE} WHERE name <> ? ORDER BY name", (PUBLIC,)))
    return dict(rows)


def public_dropped(connection: apsw.Connection) -> bool:
    """Whether DROP SCHEMA public removed public (until CREATE SCHEMA public): the registry then
    has a row named public."""
    return registry_exists(connection) and bool(list(connection.execute(
        f"SELECT 1 FROM {REGISTRY_TABLE} WHERE name = ?", (PUBLIC,))))


def existing(connection: apsw.Connection) -> set[str]:
    """The names of the schemas that exist: public (unless dropped) and the registry's."""
    names = set(user_schemas(connection))
    if not public_dropped(connection):
        names.add(PUBLIC)
    return names


def search_path(setting: str, user: str) -> tuple[str, ...]:
    """The schema names of a search_path value, `"$user"` replaced by the session's user."""
    names = []
    for item in _split_list(setting):
        quoted = item.startswith('"') and item.endswith('"') and len(item) >= 2
        name = item[1:-1].replace('""', '"') if quoted else item.lower()
        if name:
            names.append(user if name == _USER_ENTRY else name)
    return tuple(names)


def _split_list(setting: str) -> list[str]:
    """A comma-separated list whose items may be double-quoted (with commas inside)."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    for character in setting:
        if character == '"':
            quoted = not quoted
        if character == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(character)
    items.append("".join(current).strip())
    return items
