"""Parameter placeholders: the API's `?` (the seed's), `%s` and `%(name)s` (psycopg's) rewritten
to PostgreSQL's `$1, $2, ...`, which both modes execute.

The statement is read with the engine's tokenizer (`engine.parsing.tokenize`), so a `?` or `%s`
inside a string, a quoted identifier, a dollar-quoted body or a comment is left alone. With
parameters, `%%` stands for `%` (as in psycopg; a `%` followed by neither `s` nor `(` is the
operator as written). `$n` placeholders may be used directly. One
statement uses one style: `?` and `%s` are positional (a sequence of values), `%(name)s` named (a
mapping; a name used twice is one parameter). A statement run without parameters is not rewritten
at all, so a `?` operator (jsonb) or a lone `%` can be written there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.api.errors import ProgrammingError
from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.errors import DatabaseError as EngineError


@dataclass(frozen=True, slots=True)
class Numbered:
    """A statement with `$n` placeholders; `names[i]` is the mapping key of `$i+1` (named style)."""

    sql: str
    count: int
    names: tuple[str, ...] | None = None


def bind(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The statement with `$n` placeholders and its values in order."""
    numbered = _numbered(sql)
    if numbered.names is not None:
        if not isinstance(params, Mapping):
            raise ProgrammingError("the statement uses %(name)s placeholders: pass a mapping of values")
        missing = [name for name in numbered.names if name not in params]
        if missing:
            raise ProgrammingError(f"no value for the placeholder %({missing[0]})s")
        return numbered.sql, [params[name] for name in numbered.names]
    if isinstance(params, Mapping):
        raise ProgrammingError("a mapping of values needs %(name)s placeholders")
    if isinstance(params, str | bytes):
        raise ProgrammingError("parameters must be a sequence (e.g. a tuple), not a string")
    values = list(params)
    if len(values) != numbered.count:
        raise ProgrammingError(f"the statement has {numbered.count} placeholders but {len(values)} "
                               "parameters were passed")
    return numbered.sql, values


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> Numbered:
    try:
        tokens = tokenize(sql)
    except EngineError as error:
        raise ProgrammingError(error.message, sqlstate=error.sqlstate) from None
    pieces: list[str] = []
    names: list[str] = []
    styles: set[str] = set()
    count = 0
    copied = 0  # sql[:copied] is in pieces
    index = 0
    while index < len(tokens):
        token = tokens[index]
        found = _placeholder(tokens, index)
        if found is None:
            index += 1
            continue
        style, width, name, suffix = found
        end = tokens[index + width - 1].end + 1
        pieces.append(sql[copied:token.start])
        copied = end
        index += width
        if style == "%":
            pieces.append("%")
            continue
        styles.add(style)
        if style == "$":
            count = max(count, int(sql[token.start + 1:end]))
            pieces.append(sql[token.start:end])
        elif style == "named":
            assert name is not None
            if name not in names:
                names.append(name)
            pieces.append(f"${names.index(name) + 1}")
        else:
            count += 1
            pieces.append(f"${count}")
        pieces.append(suffix)
    if len(styles) > 1:
        raise ProgrammingError("a statement cannot mix placeholder styles (" + ", ".join(sorted(
            {"positional": "? or %s", "named": "%(name)s", "$": "$n"}[s] for s in styles)) + ")")
    pieces.append(sql[copied:])
    if styles == {"named"}:
        return Numbered("".join(pieces), len(names), tuple(names))
    return Numbered("".join(pieces), count)


def _placeholder(tokens: tuple[Token, ...], index: int) -> tuple[str, int, str | None, str] | None:
    """(style, tokens used, name, text kept after it) when a placeholder or `%%` starts at
    tokens[index]."""
    token = tokens[index]
    if token.token_type == TokenType.PLACEHOLDER and token.text == "?":
        return "positional", 1, None, ""
    if token.token_type == TokenType.QDCOLON:  # `?::type`, one token
        return "positional", 1, None, "::"
    if token.token_type == TokenType.PARAMETER and token.text == "$":
        following = _adjacent(tokens, index, 1)
        if following and following[0].token_type == TokenType.NUMBER and following[0].text.isdigit():
            return "$", 2, None, ""
        return None
    if token.token_type != TokenType.MOD:
        return None
    following = _adjacent(tokens, index, 4)
    if following and following[0].token_type == TokenType.MOD:
        return "%", 2, None, ""
    if following and following[0].token_type == TokenType.VAR and following[0].text == "s":
        return "positional", 2, None, ""
    if (len(following) == 4 and following[0].token_type == TokenType.L_PAREN
            and following[2].token_type == TokenType.R_PAREN and following[3].text == "s"):
        return "named", 5, following[1].text, ""
    return None  # the % operator


def _adjacent(tokens: tuple[Token, ...], index: int, most: int) -> list[Token]:
    """Up to `most` tokens after tokens[index] that follow it with no space or comment between."""
    adjacent: list[Token] = []
    end = tokens[index].end
    for token in tokens[index + 1:index + 1 + most]:
        if token.start != end + 1:
            break
        adjacent.append(token)
        end = token.end
    return adjacent
