"""The DateStyle setting as PostgreSQL 15 reads it (check_datestyle of variable.c).

A value is a comma-separated list of key words (SplitIdentifierString: unquoted words are
lower-cased, "quoted" ones kept): an output format — ISO, SQL, Postgres (any word starting
with it), German — and a field order — YMD, DMY (or Euro...), MDY (or US, NonEuro...) — either
of which may be left out to keep the current one; German alone also sets DMY, and DEFAULT stands
for the default's format and order where the others say nothing. The result is the normalised
text SHOW and ParameterStatus give, `SQL, DMY`. Bad values raise 22023 with PostgreSQL's detail.
"""

from __future__ import annotations

from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, DatabaseError
from heliosdb_lite.protocol.codecs.styles import DMY, GERMAN, ISO, MDY, POSTGRES, SQL, YMD

DEFAULT_DATE_STYLE = f"{ISO}, {MDY}"
_SPACE = " \t\n\r\f"  # scanner_isspace
_MAX_IDENTIFIER_BYTES = 63


def _invalid(value: str, detail: str) -> DatabaseError:
    return DatabaseError(INVALID_PARAMETER_VALUE, f'invalid value for parameter "DateStyle": "{value}"',
                         detail=detail)


def _truncated(name: str) -> str:
    """truncate_identifier: at most 63 bytes, not cutting a character."""
    encoded = name.encode()
    if len(encoded) <= _MAX_IDENTIFIER_BYTES:
        return name
    return encoded[:_MAX_IDENTIFIER_BYTES].decode(errors="ignore")


def identifier_list(text: str) -> list[str] | None:
    """SplitIdentifierString with ',': the names, or None if the list syntax is invalid."""
    names: list[str] = []
    position, end = 0, len(text)
    while position < end and text[position] in _SPACE:
        position += 1
    if position == end:
        return names
    while True:
        if position == end:  # nothing after a comma
            return None
        if text[position] == '"':
            name: list[str] = []
            position += 1
            while True:
                closing = text.find('"', position)
                if closing < 0:
                    return None
                name.append(text[position:closing])
                position = closing + 1
                if text[position : position + 1] != '"':
                    break
                name.append('"')
                position += 1
            names.append(_truncated("".join(name)))
        else:
            start = position
            while position < end and text[position] != "," and text[position] not in _SPACE:
                position += 1
            if position == start:
                return None
            word = text[start:position]
            names.append(_truncated("".join(c.lower() if "A" <= c <= "Z" else c for c in word)))
        while position < end and text[position] in _SPACE:
            position += 1
        if position == end:
            return names
        if text[position] != ",":
            return None
        position += 1
        while position < end and text[position] in _SPACE:
            position += 1


def date_style(value: str, current: str) -> str:
    """The DateStyle that SET DateStyle = value gives when the current one is `current`."""
    words = identifier_list(value)
    if words is None:
        raise _invalid(value, "List syntax is invalid.")
    date_format, _, date_order = current.partition(", ")
    have_format = have_order = conflict = False
    for word in words:
        lowered = word.lower()
        new_format = new_order = None
        if lowered in ("iso", "sql", "german") or lowered.startswith("postgres"):
            new_format = {"iso": ISO, "sql": SQL, "german": GERMAN}.get(lowered, POSTGRES)
        elif lowered == "ymd":
            new_order = YMD
        elif lowered == "dmy" or lowered.startswith("euro"):
            new_order = DMY
        elif lowered in ("mdy", "us") or lowered.startswith("noneuro"):
            new_order = MDY
        elif lowered == "default":
            default_format, _, default_order = DEFAULT_DATE_STYLE.partition(", ")
            date_format = date_format if have_format else default_format
            date_order = date_order if have_order else default_order
            continue
        else:
            raise _invalid(value, f'Unrecognized key word: "{word}".')
        if new_format is not None:
            conflict |= have_format and new_format != date_format
            date_format, have_format = new_format, True
            if new_format == GERMAN and not have_order:
                date_order = DMY
        if new_order is not None:
            conflict |= have_order and new_order != date_order
            date_order, have_order = new_order, True
    if conflict:
        raise _invalid(value, 'Conflicting "datestyle" specifications.')
    return f"{date_format}, {date_order}"
