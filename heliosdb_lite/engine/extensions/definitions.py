"""What an extension is, declaratively: the description CREATE EXTENSION installs
(`engine/ddl/extensions.py`) and the engine consults while it is installed.

An extension (`Extension`) has a name and PostgreSQL 15's version of it, and provides:

- types (`ExtensionType`): a base type (typtype `b`) with its array type; each gets OIDs drawn at
  CREATE EXTENSION like a user type's (`store.user_types.new_oids`), pg_type's row from the fields
  here (typcategory, typlen, the names of its I/O functions), and the codec its values use on the
  wire (`codec`). Values are stored as their text form (as every user type's are); `compare`, if
  given, orders two stored values (an SQLite collation every column and expression of the type
  uses, so =, <, ORDER BY, DISTINCT, GROUP BY, UNIQUE, min/max follow it).
- functions (`ExtensionFunction`): pg_proc's rows in the extension's schema, and how a call is
  translated (`translate`: SQL over the translated arguments, or None for one the engine answers
  through a rule of its own).
- casts (`ExtensionCast`): pg_cast's rows, between a built-in type and one of its types; whether
  they apply implicitly, in assignment or only explicitly decides how mixed expressions are typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
    compare: Callable[[str, str], int] | None = None  # the order of two stored values (None: as texts)

    @property
    def collation(self) -> str | None:
        """The SQLite collation that orders the type's stored values (None: SQLite's BINARY)."""
        return None if self.compare is None else f"helios_ext_{self.name}"


@dataclass(frozen=True)
class ExtensionFunction:
    """A function an extension provides: its name, argument and result types by name (the
    extension's own or built-in ones), and its translation: a function of the translated argument
    nodes giving the SQL node of the call."""

    name: str
    arguments: tuple[str, ...]
    result: str
    translate: Callable[[list[exp.Expr]], exp.Expr] | None = None


@dataclass(frozen=True)
class ExtensionCast:
    """pg_cast's row between two types by name (one of them the extension's), and its context."""

    source: str
    target: str
    context: str  # IMPLICIT, ASSIGNMENT or EXPLICIT


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
