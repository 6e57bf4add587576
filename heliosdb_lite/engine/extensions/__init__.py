"""The extensions the server can install with CREATE EXTENSION, each a declarative description
(`definitions.Extension`) in a module of its own; `KNOWN` lists them by name. An extension is added
by writing its module and naming it here, its types and casts in `types.extension_types` (docs/sql.md,
"Extensions").

plpgsql is not among them: every database has it (pg_extension's first row), and it cannot be
created or dropped.
"""

from __future__ import annotations

import apsw

from heliosdb_lite.engine.extensions import citext, hstore
from heliosdb_lite.engine.extensions.definitions import Extension, ExtensionFunction
from heliosdb_lite.engine.types import extension_types

PLPGSQL = "plpgsql"
KNOWN: dict[str, Extension] = {
    extension.name: extension for extension in (citext.EXTENSION, hstore.EXTENSION)}
FUNCTION_NAMES = frozenset(function.name for extension in KNOWN.values() for function in extension.functions)


def functions_named(name: str) -> list[tuple[Extension, ExtensionFunction]]:
    """The functions of that name the known extensions provide, with their extension."""
    return [(extension, function) for extension in KNOWN.values() for function in extension.functions
            if function.name == name]


def register(connection: apsw.Connection) -> None:
    """Register on a session's connection the SQLite functions that run the extensions' functions
    (by `ExtensionFunction.sql_name`)."""
    for function in (function for extension in KNOWN.values() for function in extension.functions):
        if function.implementation is not None:
            connection.create_scalar_function(function.sql_name, function.implementation, deterministic=True)


def extension_of(type_name: str) -> Extension | None:
    """The extension that provides the type `type_name`; None if none does."""
    name = extension_types.providing_extension(type_name)
    return None if name is None else KNOWN[name]
