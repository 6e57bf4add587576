"""citext 1.6: PostgreSQL's case-insensitive text, as an extension description (`definitions`).

A citext value is text (same wire forms, text and binary, as text's: citextin/citextout are textin/
textout's), compared as PostgreSQL's citext_cmp compares: lower() of both sides, then as texts
(this server's lower() lowers non-ASCII letters too, as a UTF-8 ctype does; PostgreSQL under the C
ctype lowers ASCII only). Casts as the extension's: citext to text and varchar implicitly (so
`citext = text` is text's comparison, case-sensitive, as PostgreSQL resolves it), text, varchar and
char to citext in assignment.
"""

from __future__ import annotations

from heliosdb_lite.engine.extensions.definitions import (
    ASSIGNMENT,
    IMPLICIT,
    Extension,
    ExtensionCast,
    ExtensionType,
)
from heliosdb_lite.engine.functions.strings import lower
from heliosdb_lite.protocol.codecs.strings import TEXT_CODEC

NAME = "citext"


def compare(left: str, right: str) -> int:
    """citext_cmp: the lowered texts' order (byte order of their UTF-8, as the C collation's)."""
    left_lower, right_lower = lower(left).encode(), lower(right).encode()
    return (left_lower > right_lower) - (left_lower < right_lower)


EXTENSION = Extension(
    NAME, "1.6", "data type for case-insensitive character strings",
    types=(ExtensionType(NAME, "S", TEXT_CODEC, "citextin", "citextout", "citextrecv", "citextsend",
                         collatable=True, compare=compare),),
    casts=(ExtensionCast(NAME, "text", IMPLICIT), ExtensionCast(NAME, "varchar", IMPLICIT),
           ExtensionCast(NAME, "bpchar", ASSIGNMENT), ExtensionCast("text", NAME, ASSIGNMENT),
           ExtensionCast("varchar", NAME, ASSIGNMENT), ExtensionCast("bpchar", NAME, ASSIGNMENT),
           ExtensionCast("bool", NAME, ASSIGNMENT), ExtensionCast("inet", NAME, ASSIGNMENT)),
)
