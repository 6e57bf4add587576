"""Casts to the reg* types rewritten, in the SQL text, into calls of the catalog's reg* functions.

The translator knows regclass, regtype, ... only as oid, which cannot read a name
(`'s.t'::regclass`) nor print one (`c.oid::regclass::text`). Before parsing, each
`<operand>::regX` and `CAST(<operand> AS regX)` becomes `pg_catalog.helios_regX_in(<operand>)`, and
a reg* value cast on to text (`::regX::text`, `CAST(CAST(x AS regX) AS TEXT)`) becomes
`pg_catalog.helios_regX_out(pg_catalog.helios_regX_in(<operand>))`, and so does a reg* select list
item (`::regX AS alias`, `::regX FROM`), whose value PostgreSQL prints as the name (except regtype,
whose values print themselves). An operand is a literal, a parameter, a possibly qualified column, a
function call or a parenthesized expression. `reg_types.cast_column_name` names the result column
as PostgreSQL names the cast.
"""

from __future__ import annotations

import re

from heliosdb_lite.engine.types.reg_types import REG_TYPES, input_function, output_function

_TOKEN = re.compile(r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
  | (?P<escaped>[eE]'(?:[^'\\]|''|\\.)*')
  | (?P<string>'(?:[^']|'')*')
  | (?P<dollar>\$(?P<tag>[A-Za-z_][A-Za-z_0-9]*|)\$.*?\$(?P=tag)\$)
  | (?P<ident>"(?:[^"]|"")*")
  | (?P<word>[A-Za-z_$0-9][A-Za-z_$0-9]*)
  | (?P<cast>::)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
_TEXT_TYPES = ("text", "varchar", "name")
_KEYWORDS = frozenset({"and", "or", "not", "in", "any", "all", "some", "select", "where", "when", "then",
                       "else", "case", "on", "exists", "values", "as", "from", "by", "is", "like", "return"})
_MENTION = re.compile(r"\breg(class|type|namespace|role|proc)\b", re.IGNORECASE)
_SELF_PRINTING = frozenset({"regtype"})  # a regtype value prints as the type's name (its codec)


def rewrite(sql: str) -> str:
    """`sql` with its reg* casts replaced by function calls (unchanged if it has none)."""
    if _MENTION.search(sql) is None:
        return sql
    tokens = [match.group() for match in _TOKEN.finditer(sql)]
    return "".join(_rewrite(tokens))


def _is_space(token: str) -> bool:
    return token.isspace() or token.startswith(("--", "/*"))


def _next(tokens: list[str], start: int) -> int:
    """The index of the first non-blank token at or after `start` (len(tokens) if none)."""
    while start < len(tokens) and _is_space(tokens[start]):
        start += 1
    return start


def _previous(tokens: list[str], start: int) -> int:
    while start >= 0 and _is_space(tokens[start]):
        start -= 1
    return start


def _reg_type_at(tokens: list[str], start: int) -> tuple[str, int] | None:
    """The reg* type named from `start` (`regclass`, `pg_catalog . regclass`), and the index after it."""
    position = _next(tokens, start)
    if position < len(tokens) and tokens[position].lower() == "pg_catalog":
        dot = _next(tokens, position + 1)
        if dot >= len(tokens) or tokens[dot] != ".":
            return None
        position = _next(tokens, dot + 1)
    if position < len(tokens) and tokens[position].lower() in REG_TYPES:
        return tokens[position].lower(), position + 1
    return None


def _text_cast_at(tokens: list[str], start: int) -> int | None:
    """If `::text` (or varchar, name) follows `start`, the index after it."""
    position = _next(tokens, start)
    if position >= len(tokens) or tokens[position] != "::":
        return None
    position = _next(tokens, position + 1)
    if position < len(tokens) and tokens[position].lower() == "pg_catalog":
        position = _next(tokens, _next(tokens, position + 1) + 1)
    if position < len(tokens) and tokens[position].lower() in _TEXT_TYPES:
        return position + 1
    return None


def _ends_output_column(tokens: list[str], start: int) -> bool:
    """Whether `AS alias` or FROM follows: the cast is a select list item, which PostgreSQL prints
    as the name (a reg* value prints as text)."""
    position = _next(tokens, start)
    return position < len(tokens) and tokens[position].lower() in ("as", "from")


def _matching_open(tokens: list[str], close: int) -> int:
    depth = 0
    for position in range(close, -1, -1):
        depth += tokens[position] == ")"
        depth -= tokens[position] == "("
        if depth == 0:
            return position
    return -1


def _matching_close(tokens: list[str], open_: int) -> int:
    depth = 0
    for position in range(open_, len(tokens)):
        depth += tokens[position] == "("
        depth -= tokens[position] == ")"
        if depth == 0:
            return position
    return -1


def _operand_start(tokens: list[str], end: int) -> int:
    """The first token of the operand that ends at token `end` (-1 if it is not one we take)."""
    if end < 0:
        return -1
    start = end
    if tokens[end] == ")":
        start = _matching_open(tokens, end)
        before = _previous(tokens, start - 1)
        if before >= 0 and (tokens[before][0].isalpha() or tokens[before][0] in '_"') \
                and tokens[before].lower() not in _KEYWORDS:
            start = before  # a function call
        else:
            return start
    elif not (tokens[end][0] in "'\"$_" or tokens[end][0].isalnum()):
        return -1
    while True:  # a qualified name: walk back over `x .`
        dot = _previous(tokens, start - 1)
        if dot < 0 or tokens[dot] != ".":
            return start
        before = _previous(tokens, dot - 1)
        if before < 0 or not (tokens[before][0].isalpha() or tokens[before][0] in '_"'):
            return start
        start = before


def _rewrite(tokens: list[str]) -> list[str]:
    out: list[str] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token.lower() == "cast":
            replaced = _cast_call(tokens, position)
            if replaced is not None:
                text, position = replaced
                out.append(text)
                continue
        if token == "::":
            reg = _reg_type_at(tokens, position + 1)
            if reg is not None:
                end = len(out) - 1
                start = _operand_start(out, _previous(out, end))
                if start >= 0:
                    reg_type, after = reg
                    operand = "".join(out[start:_previous(out, end) + 1])
                    del out[start:]
                    text = f"pg_catalog.{input_function(reg_type)}({operand})"
                    as_text = _text_cast_at(tokens, after)
                    if as_text is not None:
                        text, after = f"pg_catalog.{output_function(reg_type)}({text})", as_text
                    elif _ends_output_column(tokens, after) and reg_type not in _SELF_PRINTING:
                        text = f"pg_catalog.{output_function(reg_type)}({text})"
                    out.append(text)
                    position = after
                    continue
        out.append(token)
        position += 1
    return out


def _cast_call(tokens: list[str], cast: int) -> tuple[str, int] | None:
    """`CAST(x AS regX)` (inside `CAST(... AS TEXT)` too) as a function call, and the index after it."""
    open_ = _next(tokens, cast + 1)
    if open_ >= len(tokens) or tokens[open_] != "(":
        return None
    close = _matching_close(tokens, open_)
    if close < 0:
        return None
    inner = tokens[open_ + 1:close]
    as_index = _last_top_level_as(inner)
    if as_index is None:
        return None
    operand = _rewrite(inner[:as_index])
    target = "".join(inner[as_index + 1:]).strip().lower().removeprefix("pg_catalog.")
    if target in REG_TYPES:
        return f"pg_catalog.{input_function(target)}({''.join(operand).strip()})", close + 1
    nested = "".join(operand).strip()
    for reg_type in REG_TYPES:
        prefix = f"pg_catalog.{input_function(reg_type)}("
        if target in _TEXT_TYPES and nested.startswith(prefix) and _balanced_call(nested, len(prefix) - 1):
            return f"pg_catalog.{output_function(reg_type)}({nested})", close + 1
    return None


def _balanced_call(text: str, open_: int) -> bool:
    """Whether the parenthesis at `open_` closes at the very end of `text` (strings aside)."""
    tokens = [match.group() for match in _TOKEN.finditer(text[open_:])]
    return _matching_close(tokens, 0) == len(tokens) - 1


def _last_top_level_as(tokens: list[str]) -> int | None:
    depth, found = 0, None
    for position, token in enumerate(tokens):
        depth += token == "("
        depth -= token == ")"
        if depth == 0 and token.lower() == "as":
            found = position
    return found
