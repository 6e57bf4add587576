"""citext 1.6: PostgreSQL's case-insensitive text, as an extension description (`definitions`).

A citext value is text (same wire forms, text and binary, as text's: citextin/citextout are textin/
textout's), compared as PostgreSQL's citext_cmp compares; the type, its order and its casts are
`types.extension_types`'s (citext to text is implicit, so `citext = text` is text's comparison,
case-sensitive, as PostgreSQL resolves it). Its functions: citext(bpchar | bool | inet) (the casts), and the
case-insensitive strpos, replace, split_part, translate and regexp_replace of citext arguments
(PostgreSQL's SQL definitions of them: lower() or the regular expression flag i).
"""

from __future__ import annotations

import re

from heliosdb_lite.engine.extensions.definitions import Extension, ExtensionFunction
from heliosdb_lite.engine.functions.strings import null_safe, regexp_replace, translate
from heliosdb_lite.engine.types.letter_case import lower, upper

NAME = "citext"


def _strpos(text: str, pattern: str) -> int:
    """strpos(citext, citext): strpos of the lowered texts."""
    return lower(text).find(lower(pattern)) + 1


def _literal(pattern: str) -> str:
    """A regular expression matching the text itself (citext escapes every non-word character)."""
    return re.escape(pattern)


def _replace(text: str, pattern: str, replacement: str) -> str:
    """replace(citext, citext, citext): regexp_replace(text, the escaped pattern, replacement, 'gi')."""
    return regexp_replace(text, _literal(pattern), replacement, "gi")


def _split_part(text: str, delimiter: str, number: int) -> str | None:
    """split_part(citext, citext, int): element `number` of regexp_split_to_array(text, the escaped
    delimiter, 'i'); NULL past its ends (an array subscript out of range)."""
    parts = list(text) if delimiter == "" else re.split(_literal(delimiter), text, flags=re.IGNORECASE)
    return parts[number - 1] if 1 <= number <= len(parts) else None


def _translate(text: str, source: str, target: str) -> str:
    """translate(citext, citext, text): the characters of `source` in either case."""
    return translate(translate(text, lower(source), target), upper(source), target)


def _regexp_replace(text: str, pattern: str, replacement: str, flags: str = "") -> str:
    """regexp_replace(citext, citext, text [, flags]): case-insensitive unless the flags say `c`."""
    return regexp_replace(text, pattern, replacement, flags if "c" in flags else f"{flags}i")


EXTENSION = Extension(
    NAME, "1.6", "data type for case-insensitive character strings",
    functions=(
        ExtensionFunction(NAME, ("bpchar",), NAME, is_cast=True, overloads_builtin=False),
        ExtensionFunction(NAME, ("bool",), NAME, is_cast=True, overloads_builtin=False),
        ExtensionFunction(NAME, ("inet",), NAME, is_cast=True, overloads_builtin=False),
        ExtensionFunction("strpos", (NAME, NAME), "int4", null_safe(_strpos)),
        ExtensionFunction("replace", (NAME, NAME, NAME), "text", null_safe(_replace)),
        ExtensionFunction("split_part", (NAME, NAME, "int4"), "text", null_safe(_split_part)),
        ExtensionFunction("translate", (NAME, NAME, "text"), "text", null_safe(_translate)),
        ExtensionFunction("regexp_replace", (NAME, NAME, "text"), "text", null_safe(_regexp_replace)),
        ExtensionFunction("regexp_replace", (NAME, NAME, "text", "text"), "text", null_safe(_regexp_replace)),
    ),
)
