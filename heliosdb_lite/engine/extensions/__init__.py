"""The extensions the server can install with CREATE EXTENSION, each a declarative description
(`definitions.Extension`) in a module of its own; `KNOWN` lists them by name. An extension is added
by writing its module and naming it here (docs/sql.md, "Extensions").

plpgsql is not among them: every database has it (pg_extension's first row), and it cannot be
created or dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.extensions import citext, hstore
from heliosdb_lite.engine.extensions.definitions import Extension, ExtensionFunction, ExtensionType

PLPGSQL = "plpgsql"
KNOWN: dict[str, Extension] = {
    extension.name: extension for extension in (citext.EXTENSION, hstore.EXTENSION)}
_TYPES: dict[str, tuple[Extension, ExtensionType]] = {
    defined.name: (extension, defined) for extension in KNOWN.values() for defined in extension.types}
_COLLATIONS = {defined.collation: defined for _, defined in _TYPES.values() if defined.collation}
FUNCTION_NAMES = frozenset(function.name for extension in KNOWN.values() for function in extension.functions)


def functions_named(name: str) -> list[tuple[Extension, ExtensionFunction]]:
    """The functions of that name the known extensions provide, with their extension."""
    return [(extension, function) for extension in KNOWN.values() for function in extension.functions
            if function.name == name]


def implementations() -> dict[str, Callable[..., Any]]:
    """The SQLite functions that run the extensions' functions, by their registered names."""
    return {function.sql_name: function.implementation for extension in KNOWN.values()
            for function in extension.functions if function.implementation is not None}


def type_named(name: str) -> ExtensionType | None:
    """The type of a known extension whose typname is `name`; None if none is."""
    found = _TYPES.get(name)
    return None if found is None else found[1]


def extension_of(type_name: str) -> Extension | None:
    """The extension that provides the type `type_name`; None if none does."""
    found = _TYPES.get(type_name)
    return None if found is None else found[0]


def collation_type(collation: str) -> ExtensionType | None:
    """The extension type whose values the SQLite collation `collation` orders; None if none."""
    return _COLLATIONS.get(collation)
