"""The types extensions provide, with their casts: what the store registers when an extension is
installed (`store.user_types`: codecs, orders, cast contexts), below the functions the extensions
also provide (`engine/extensions`, which takes its types and casts from `PROVIDED` here).

A type (`ExtensionType`) is a base type (typtype `b`) with its array type; each gets OIDs drawn at
CREATE EXTENSION like a user type's (`store.user_types.new_oids`), pg_type's row from the fields
here (typcategory, typlen, the names of its I/O functions), and the codec its values use on the
wire (`codec`). Values are stored as their text form (as every user type's are); `sort_key`, if
given, orders the values (decoded by the codec), or `compare` two stored values: an SQLite
collation every column and expression of the type uses follows it, so =, <, ORDER BY, DISTINCT,
GROUP BY, UNIQUE, min/max do; `sort_key` also orders its arrays and the values the engine compares
in Python (`value_order`). A cast (`ExtensionCast`) is pg_cast's row between a built-in type and one
of its types; whether it applies implicitly, in assignment or only explicitly decides how mixed
expressions are typed (`types.cast_contexts`: `citext = text` is text's comparison).

- citext 1.6: text compared as PostgreSQL's citext_cmp compares, lower() of both sides, then as
  texts (this server's lower() lowers non-ASCII letters too, as a UTF-8 ctype does); cast to text
  and varchar implicitly, from text, varchar and char in assignment.
- hstore 1.8: `protocol.codecs.hstore`'s values, ordered as hstore_cmp; casts to json and jsonb and
  from text[] explicit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from heliosdb_lite.engine.types.letter_case import lower
from heliosdb_lite.protocol.codecs import hstore
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.strings import TEXT_CODEC

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
class ExtensionCast:
    """pg_cast's row between two types by name (one of them the extension's), its context, and
    whether it is binary-coercible (WITHOUT FUNCTION: the stored text is the value of either type)
    or converts through the types' text forms."""

    source: str
    target: str
    context: str  # IMPLICIT, ASSIGNMENT or EXPLICIT
    binary: bool = True


def _citext_order(value: str) -> bytes:
    """citext_cmp's order: the lowered text's, byte by byte (its UTF-8, as the C collation orders)."""
    return lower(value).encode()


def _hstore_order(left: str, right: str) -> int:
    """hstore_cmp of two stored hstore values (their output texts)."""
    left_key = hstore.order_key(hstore.parse(left.encode()))
    right_key = hstore.order_key(hstore.parse(right.encode()))
    return (left_key > right_key) - (left_key < right_key)


# extension name -> (the types it provides, the casts it declares)
PROVIDED: dict[str, tuple[tuple[ExtensionType, ...], tuple[ExtensionCast, ...]]] = {
    "citext": (
        (ExtensionType("citext", "S", TEXT_CODEC, "citextin", "citextout", "citextrecv", "citextsend",
                       collatable=True, sort_key=_citext_order, case_insensitive=True),),
        (ExtensionCast("citext", "text", IMPLICIT), ExtensionCast("citext", "varchar", IMPLICIT),
         ExtensionCast("citext", "bpchar", ASSIGNMENT), ExtensionCast("text", "citext", ASSIGNMENT),
         ExtensionCast("varchar", "citext", ASSIGNMENT),
         ExtensionCast("bpchar", "citext", ASSIGNMENT, binary=False),
         ExtensionCast("bool", "citext", ASSIGNMENT, binary=False),
         ExtensionCast("inet", "citext", ASSIGNMENT, binary=False)),
    ),
    "hstore": (
        (ExtensionType("hstore", "U", hstore.CODEC, "hstore_in", "hstore_out", "hstore_recv", "hstore_send",
                       compare=_hstore_order),),
        (ExtensionCast("hstore", "json", EXPLICIT), ExtensionCast("hstore", "jsonb", EXPLICIT),
         ExtensionCast("text[]", "hstore", EXPLICIT)),
    ),
}
_TYPES: dict[str, tuple[str, ExtensionType]] = {
    defined.name: (extension, defined) for extension, (types, _) in PROVIDED.items() for defined in types}
_COLLATIONS = {defined.collation: defined for _, defined in _TYPES.values() if defined.collation}


def type_named(name: str) -> ExtensionType | None:
    """The type an extension provides whose typname is `name`; None if none is."""
    found = _TYPES.get(name)
    return None if found is None else found[1]


def providing_extension(type_name: str) -> str | None:
    """The name of the extension that provides the type `type_name`; None if none does."""
    found = _TYPES.get(type_name)
    return None if found is None else found[0]


def casts_of(type_name: str) -> tuple[ExtensionCast, ...]:
    """The casts the extension providing `type_name` declares to or from it."""
    extension = providing_extension(type_name)
    casts = () if extension is None else PROVIDED[extension][1]
    return tuple(cast for cast in casts if type_name in (cast.source, cast.target))


def collation_type(collation: str) -> ExtensionType | None:
    """The extension type whose values the SQLite collation `collation` orders; None if none."""
    return _COLLATIONS.get(collation)
