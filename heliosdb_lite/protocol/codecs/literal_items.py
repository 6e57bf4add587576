"""The items of a composite or range literal, read as PostgreSQL's record_in and
range_parse_bound read them, and the error either gives for a malformed literal."""

from __future__ import annotations

from heliosdb_lite.errors import INVALID_TEXT_REPRESENTATION, DatabaseError


def malformed(kind: str, text: str, detail: str) -> DatabaseError:
    """22P02 `malformed record literal: "..."` (or range, multirange) with PostgreSQL's detail."""
    return DatabaseError(INVALID_TEXT_REPRESENTATION, f'malformed {kind} literal: "{text}"', detail=detail)


def read_item(kind: str, text: str, position: int, ends: str) -> tuple[str | None, int]:
    """The item's text from `position` and where it stops, at an unquoted character of `ends`
    (not taken); None when an end comes first (the item is left out). A backslash takes the next
    character as it is; double quotes quote, and a doubled one inside them stands for itself."""
    if position < len(text) and text[position] in ends:
        return None, position
    characters: list[str] = []
    quoted = False
    while quoted or position >= len(text) or text[position] not in ends:
        if position >= len(text):
            raise malformed(kind, text, "Unexpected end of input.")
        character = text[position]
        position += 1
        if character == "\\":
            if position >= len(text):
                raise malformed(kind, text, "Unexpected end of input.")
            characters.append(text[position])
            position += 1
        elif character == '"':
            if not quoted:
                quoted = True
            elif position < len(text) and text[position] == '"':
                characters.append('"')
                position += 1
            else:
                quoted = False
        else:
            characters.append(character)
    return "".join(characters), position
