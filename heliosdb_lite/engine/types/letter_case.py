"""PostgreSQL's letter case of a text, character by character as towupper/towlower map it: the SQL
functions upper() and lower() (`functions.strings`) and citext's order (`types.extension_types`)."""

from __future__ import annotations

from collections.abc import Callable


def per_character(text: str, mapping: Callable[[str], str]) -> str:
    """upper/lower character by character as PostgreSQL's towupper/towlower: a character whose
    mapping is several characters (ß -> SS) stays as it is."""
    return "".join(mapped if len(mapped := mapping(character)) == 1 else character for character in text)


def upper(text: str) -> str:
    """upper(text): every character uppered that uppers to one character (non-ASCII ones too)."""
    return per_character(text, str.upper)


def lower(text: str) -> str:
    """lower(text): every character lowered that lowers to one character (non-ASCII ones too)."""
    return per_character(text, str.lower)
