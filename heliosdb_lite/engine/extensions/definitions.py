"""What an extension is, declaratively: the description CREATE EXTENSION installs
(`engine/ddl/extensions.py`) and the engine consults while it is installed.

An extension (`Extension`) has a name and PostgreSQL 15's version of it, and provides:

- types and casts (`types.extension_types`: `ExtensionType`, `ExtensionCast`): kept below the
  functions layer, since the store registers them when it loads an installed extension's types.
- functions (`ExtensionFunction`): pg_proc's rows in the extension's schema, and how a call is
  translated (`translate`: SQL over the translated arguments, or None for one the engine answers
  through a rule of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from heliosdb_lite.engine.types.extension_types import PROVIDED, ExtensionCast, ExtensionType

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass(frozen=True)
class ExtensionFunction:
    """A function an extension provides: its name, argument and result types by name (the
    extension's own or built-in ones), and how a call runs: `implementation`, a Python function of
    the arguments' stored values giving the result's (registered with SQLite as `sql_name` on
    every connection), `translate`, the SQL of the call from the argument nodes (each already
    converted to its parameter's type), or `is_cast`: the call is its one argument's explicit cast
    to the result type (citext(bool) is bool::citext).

    A call resolves to it when every argument is of the parameter's type, an untyped literal, or of
    a type that converts implicitly (fewest conversions first, a literal read as a string type
    before others); a function of a built-in's name (strpos) only when an argument is of one of the
    extension's types (`strpos(citext, text)` is text's strpos, as PostgreSQL resolves it), unless
    `overloads_builtin` is False (citext(...))."""

    name: str
    arguments: tuple[str, ...]
    result: str
    implementation: Callable[..., Any] | None = None
    translate: Callable[[list[exp.Expr]], exp.Expr] | None = None
    overloads_builtin: bool = True
    is_cast: bool = False

    @property
    def sql_name(self) -> str:
        """The name its implementation is registered under with SQLite."""
        return f"helios_ext_{self.name}_{'_'.join(self.arguments)}"


@dataclass(frozen=True)
class Extension:
    """One extension the server can install: PostgreSQL 15's name, version and relocatability, its
    functions, and its types and casts (`types.extension_types.PROVIDED` under its name)."""

    name: str
    version: str
    description: str  # pg_available_extensions.comment
    functions: tuple[ExtensionFunction, ...] = ()
    relocatable: bool = True

    @property
    def types(self) -> tuple[ExtensionType, ...]:
        return PROVIDED[self.name][0] if self.name in PROVIDED else ()

    @property
    def casts(self) -> tuple[ExtensionCast, ...]:
        return PROVIDED[self.name][1] if self.name in PROVIDED else ()
