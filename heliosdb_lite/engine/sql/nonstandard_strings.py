r"""standard_conforming_strings = off: ordinary string constants ('...') read with backslash
escapes, as PostgreSQL's lexer reads them then.

The parser reads SQL as with standard_conforming_strings = on. `as_escape_strings(sql)` writes
every ordinary constant holding a backslash as the escape string constant of the same text
(`'a\'b'` → `E'a\'b'`; a constant continued on the next line, `'a'` newline `'b\n'`, as one),
whose value under `on` is the value PostgreSQL gives the original under `off`; constants without
a backslash mean the same either way and stay as written. It returns the WARNINGs
escape_string_warning asks for, one per rewritten constant, as PostgreSQL's lexer words them from
the constant's first escape. Escape strings, bit and hex strings, dollar quotes, quoted
identifiers and comments are kept as written, so a text already rewritten comes back unchanged.
A Unicode string constant (U&'...') is 0A000 under `off`, as in PostgreSQL; so is a national one
(N'...') holding a backslash (it would need a prefix of its own).
"""

from __future__ import annotations

import re

from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, NONSTANDARD_USE_OF_ESCAPE_CHARACTER, DatabaseError

_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?\$")
_QUOTE_WARNING = ("nonstandard use of \\' in a string literal",
                  "Use '' to write quotes in strings, or use the escape string syntax (E'...').")
_BACKSLASH_WARNING = ("nonstandard use of \\\\ in a string literal",
                      "Use the escape string syntax for backslashes, e.g., E'\\\\'.")
_ESCAPE_WARNING = ("nonstandard use of escape in a string literal",
                   "Use the escape string syntax for escapes, e.g., E'\\r\\n'.")


def _identifier_char(char: str) -> bool:
    return char.isalnum() or char in "_$" or ord(char) >= 0x80


def _prefix(sql: str, quote: int) -> str:
    """The letters that make the constant opening at `quote` special: e, x, b, n or u& (lower
    case), or '' for an ordinary one."""
    for prefix in ("u&", "e", "x", "b", "n"):
        start = quote - len(prefix)
        if start >= 0 and sql[start:quote].lower() == prefix \
                and (start == 0 or not _identifier_char(sql[start - 1])):
            return prefix
    return ""


def _string_end(sql: str, start: int, *, backslashes: bool) -> int:
    """The index of the quote closing the constant whose body starts at `start` (len(sql) if none)."""
    index = start
    while index < len(sql):
        char = sql[index]
        if char == "\\" and backslashes:
            index += 2
        elif char == "'":
            if sql[index + 1:index + 2] != "'":
                return index
            index += 2
        else:
            index += 1
    return len(sql)


def _skipped(sql: str, index: int) -> int | None:
    """The end of the comment, quoted identifier or dollar quote starting at index, if one does."""
    if sql.startswith("--", index):
        newline = sql.find("\n", index)
        return len(sql) if newline < 0 else newline + 1
    if sql.startswith("/*", index):
        depth, index = 1, index + 2
        while index < len(sql) and depth:
            if sql.startswith("/*", index):
                depth, index = depth + 1, index + 2
            elif sql.startswith("*/", index):
                depth, index = depth - 1, index + 2
            else:
                index += 1
        return index
    if sql[index] == '"':
        end = index + 1
        while end < len(sql):
            if sql[end] == '"':
                if sql[end + 1:end + 2] != '"':
                    return end + 1
                end += 1
            end += 1
        return end
    if sql[index] == "$" and (index == 0 or not _identifier_char(sql[index - 1])):
        tag = _DOLLAR_TAG.match(sql, index)
        if tag is not None:
            end = sql.find(tag.group(), tag.end())
            return len(sql) if end < 0 else end + len(tag.group())
    return None


def _continued(sql: str, after: int) -> int | None:
    """The quote that continues the constant ending before `after` (white space holding a newline
    between them, as PostgreSQL's lexer joins them), if one does."""
    index = after
    while index < len(sql) and sql[index] in " \t\n\r\f":
        index += 1
    if index < len(sql) and sql[index] == "'" and "\n" in sql[after:index]:
        return index
    return None


def _warning(body: str, position: int) -> DatabaseError:
    escaped = body[body.index("\\") + 1:body.index("\\") + 2]
    message, hint = {"'": _QUOTE_WARNING, "\\": _BACKSLASH_WARNING}.get(escaped, _ESCAPE_WARNING)
    return DatabaseError(NONSTANDARD_USE_OF_ESCAPE_CHARACTER, message, hint=hint, position=position,
                         severity="WARNING")


def as_escape_strings(sql: str) -> tuple[str, list[DatabaseError]]:
    """sql with its ordinary string constants read as under standard_conforming_strings = off
    (see the module), and the WARNINGs for them."""
    if "\\" not in sql and "&" not in sql:
        return sql, []
    pieces: list[str] = []
    warnings: list[DatabaseError] = []
    copied = index = 0
    while index < len(sql):
        skipped = _skipped(sql, index)
        if skipped is not None:
            index = skipped
            continue
        if sql[index] != "'":
            index += 1
            continue
        prefix = _prefix(sql, index)
        if prefix == "u&":
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "unsafe use of string constant with Unicode escapes",
                                detail="String constants with Unicode escapes cannot be used when "
                                       "standard_conforming_strings is off.", position=index - 1)
        end = _string_end(sql, index + 1, backslashes=prefix in ("", "e", "n"))
        if prefix not in ("", "n"):
            index = end + 1
            continue
        bodies = [sql[index + 1:end]]
        while (following := _continued(sql, end + 1)) is not None:  # 'a'<newline>'b' is 'ab'
            end = _string_end(sql, following + 1, backslashes=True)
            bodies.append(sql[following + 1:end])
        body = "".join(bodies)
        if "\\" in body:
            if prefix == "n":
                raise DatabaseError(FEATURE_NOT_SUPPORTED, "a national character constant (N'...') with a "
                                    "backslash when standard_conforming_strings is off")
            pieces += [sql[copied:index], "E'", body, "'"]
            copied = end + 1
            warnings.append(_warning(body, index + 1))
        index = end + 1
    pieces.append(sql[copied:])
    return "".join(pieces), warnings
