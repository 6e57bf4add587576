"""What an extension is, declaratively: the description CREATE EXTENSION installs
(`engine/ddl/extensions.py`) and the engine consults while it is installed.

An extension (`Extension`) has a name and PostgreSQL 15's version of it, and provides:

- types (`ExtensionType`): a base type (typtype `b`) with its array type; each gets OIDs drawn at
  CREATE EXTENSION like a user type's (`store.user_types.new_oids`), pg_type's row from the fields
  here (typcategory, typlen, the names of its I/O functions), and the codec its values use on the
  wire (`codec`). Values are stored as their text form (as every user type's are); `sort_key`, if
  given, orders the values (decoded by the codec), or `compare` two stored values: an SQLite
  collation every column and expression of the type uses follows it, so =, <, ORDER BY, DISTINCT,
  GROUP BY, UNIQUE, min/max do; `sort_key` also orders its arrays and the values the engine
  compares in Python (`value_order`).
- functions (`ExtensionFunction`): pg_proc's rows in the extension's schema, and how a call is
  translated (`translate`: SQL over the translated arguments, or None for one the engine answers
  through a rule of its own).
- casts (`ExtensionCast`): pg_cast's rows, between a built-in type and one of its types; whether
  they apply implicitly, in assignment or only explicitly decides how mixed expressions are typed
  (`types.cast_contexts`: `citext = text` is text's comparison, a UNION of both is text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from heliosdb_lite.protocol.codecs.base import Codec

if TYPE_CHECKING:
    from sqlglot import exp

IMPLICIT = "i"  # pg_cast.castcontext
ASSIGNMENT = "a"
EXPLICIT = "e"


@dataclass(frozen=True)
class ExtensionType:
    """A base type an extension provides, and its array type (`_name`)."""

    name: str
    category: str  # pg_type.typcategory
    codec: Codec  # its values on the wire, text and binary
    input: str  # pg_type.typinput, typoutput, typreceive, typsend: PostgreSQL's function names
    output: str
    receive: str
    send: str
    typlen: int = -1
    collatable: bool = False  # pg_type.typcollation is the default collation (100)
    sort_key: Callable[[Any], Any] | None = None  # orders decoded values (None: as the values)
    compare: Callable[[str, str], int] | None = None  # orders stored values (None: by sort_key)
    case_insensitive: bool = False  # LIKE, ~ and their kin on its values ignore case (citext's)

    @property
    def collation(self) -> str | None:
        """The SQLite collation that orders the type's stored values (None: SQLite's BINARY)."""
        return None if self.sort_key is None and self.compare is None else f"helios_ext_{self.name}"

    def stored_compare(self, left: str, right: str) -> int:
        """The collation's comparison of two stored values (text forms): `compare`, else by `sort_key`."""
        if self.compare is not None:
            return self.compare(left, right)
        assert self.sort_key is not None
        left_key = self.sort_key(self.codec.text_in(left.encode(), dt.UTC))
        right_key = self.sort_key(self.codec.text_in(right.encode(), dt.UTC))
        return (left_key > right_key) - (left_key < right_key)


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
class ExtensionCast:
    """pg_cast's row between two types by name (one of them the extension's), its context, and
    whether it is binary-coercible (WITHOUT FUNCTION: the stored text is the value of either type)
    or converts through the types' text forms."""

    source: str
    target: str
    context: str  # IMPLICIT, ASSIGNMENT or EXPLICIT
    binary: bool = True


@dataclass(frozen=True)
class Extension:
    """One extension the server can install: PostgreSQL 15's name, version and relocatability."""

    name: str
    version: str
    description: str  # pg_available_extensions.comment
    types: tuple[ExtensionType, ...] = ()
    functions: tuple[ExtensionFunction, ...] = ()
    casts: tuple[ExtensionCast, ...] = field(default=())
    relocatable: bool = True
