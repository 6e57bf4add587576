"""Literal normalisation for the translation cache: a statement's constants become parameters.

`normalise(sql)` finds, with sqlglot's tokenizer, the literals that can become bound parameters
without changing what the statement means, and returns the statement with each replaced by `$n`,
the literals' texts and their parameter types: an integer is int4 or int8 by size (numeric
beyond), a decimal without exponent numeric, a plain `'...'` string unknown (0: the translator
infers its type from the context, as for a client's untyped parameter). So `pgbench -M simple`'s
statements, which differ only in their literals, share one translation.

A literal is replaced only as
- the right operand of a comparison or arithmetic operator (`=`, `<>`, `<`, `>`, `<=`, `>=`, `+`,
  `-`, `*`, `/`, `%`), followed by a clause boundary, a comma, `)` or another such operator;
- a whole element of a VALUES row;
- the count of LIMIT or OFFSET;
in SELECT, INSERT, UPDATE, DELETE, VALUES and WITH statements only (never DDL, SET or SELECT INTO).
Everything else stays literal: select-list constants, function arguments, type modifiers
(`varchar(20)`), typed literals (`date '...'`, `interval '...'`), casts (`'1'::int`), `E''`,
dollar-quoted and other prefixed strings, numbers with exponents, ORDER BY / GROUP BY positions.
A statement with parameters of its own, or with nothing to replace, is not normalised (None).

Which constants become parameters depends only on the tokens' kinds, so it is kept per literal shape
(`literal_shapes`): a statement of a shape normalised before is normalised again without tokenizing
(`normalised_by_shape`), its constants' texts read from where the mask found them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql import literal_shapes, parsing
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle

_STATEMENTS = frozenset({"select", "insert", "update", "delete", "values", "with"})
_OPERATORS = frozenset({
    TokenType.EQ, TokenType.NEQ, TokenType.LT, TokenType.GT, TokenType.LTE, TokenType.GTE,
    TokenType.PLUS, TokenType.DASH, TokenType.STAR, TokenType.SLASH, TokenType.MOD,
})
_COUNTS = frozenset({TokenType.LIMIT, TokenType.OFFSET})
_BOUNDARIES = frozenset({
    TokenType.SEMICOLON, TokenType.COMMA, TokenType.R_PAREN, TokenType.AND, TokenType.OR,
    TokenType.WHERE, TokenType.ORDER_BY, TokenType.GROUP_BY, TokenType.HAVING, TokenType.LIMIT,
    TokenType.OFFSET, TokenType.RETURNING, TokenType.UNION, TokenType.EXCEPT, TokenType.INTERSECT,
    TokenType.THEN, TokenType.ELSE, TokenType.END, TokenType.WHEN, TokenType.ON, TokenType.FROM,
    TokenType.ALIAS,
}) | _OPERATORS
_LIST_PUNCTUATION = frozenset({TokenType.L_PAREN, TokenType.COMMA})
_INT4_RANGE = range(-(2**31), 2**31)
_INTEGERS = frozenset({t.INT4, t.INT8})  # parameter types an int4 literal's int is a value of
_INT8_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True, slots=True)
class Normalised:
    """A statement with literals replaced by `$1..$n`; texts[i] is the text of `$i+1`."""

    sql: str
    param_oids: tuple[int, ...]
    texts: tuple[str, ...]


def _number_oid(text: str) -> int | None:
    if text.removeprefix("-").isdigit():
        value = int(text)
        return t.INT4 if value in _INT4_RANGE else t.INT8 if value in _INT8_RANGE else t.NUMERIC
    whole, dot, fraction = text.removeprefix("-").partition(".")
    if dot and whole.isdigit() and (fraction.isdigit() or not fraction):
        return t.NUMERIC
    return None


def _literal(sql: str, token: Token, negated: bool) -> tuple[int, str] | None:
    """(parameter type, text) of a literal token that can be a parameter, else None."""
    if token.token_type == TokenType.NUMBER:
        text = "-" + token.text if negated else token.text
        oid = _number_oid(text)
        return None if oid is None else (oid, text)
    if token.token_type == TokenType.STRING:
        raw = sql[token.start:token.end + 1]
        if len(raw) >= 2 and raw[0] == "'" and raw[-1] == "'":
            return 0, raw[1:-1].replace("''", "'")
    return None


def _statement_kind_allows(tokens: Sequence[Token]) -> bool:
    first = tokens[0].text.lower()
    if first not in _STATEMENTS:
        return False
    if any(token.token_type == TokenType.PARAMETER for token in tokens):
        return False
    return first == "insert" or not any(token.token_type == TokenType.INTO for token in tokens)


def _replaceable(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(first, last) token indexes of the literals in a replaceable position; first is a unary
    minus before a number (so -5 and 5 share a translation, and -2147483648 is int4)."""
    positions: list[tuple[int, int]] = []
    frames: list[bool] = []  # per open parenthesis: is it a VALUES row?
    values_depth: int | None = None
    previous: TokenType | None = None
    for index, token in enumerate(tokens):
        kind = token.token_type
        following = tokens[index + 1].token_type if index + 1 < len(tokens) else None
        if kind == TokenType.VALUES:
            values_depth = len(frames)
        elif kind == TokenType.L_PAREN:
            frames.append(values_depth == len(frames) and previous in (TokenType.VALUES, TokenType.COMMA))
        elif kind == TokenType.R_PAREN:
            if frames:
                frames.pop()
        elif kind in (TokenType.NUMBER, TokenType.STRING):
            first = index
            if kind == TokenType.NUMBER and previous == TokenType.DASH and index >= 2 \
                    and tokens[index - 2].token_type in _OPERATORS | _LIST_PUNCTUATION:
                first = index - 1
                previous = tokens[index - 2].token_type
            in_row = bool(frames) and frames[-1] and previous in (TokenType.L_PAREN, TokenType.COMMA) \
                and following in (TokenType.COMMA, TokenType.R_PAREN)
            after_operator = previous in _OPERATORS and (following is None or following in _BOUNDARIES)
            counted = previous in _COUNTS and (following is None or following in _BOUNDARIES)
            if in_row or after_operator or counted:
                positions.append((first, index))
        if values_depth == len(frames) and kind not in (TokenType.VALUES, TokenType.COMMA, TokenType.R_PAREN):
            values_depth = None
        previous = kind
    return positions


def normalise(sql: str) -> Normalised | None:
    """sql with its replaceable literals as parameters, or None (see the module docstring)."""
    shape = literal_shapes.masked(sql)
    if shape is not None:
        known = normalised_by_shape(sql, shape)
        if known is not None:
            return known
    tokens = parsing.tokenize(sql)
    if not tokens or not _statement_kind_allows(tokens):
        return None
    pieces: list[str] = []
    oids: list[int] = []
    texts: list[str] = []
    replaced: list[tuple[int, int]] = []  # (first, last) token indexes of each literal replaced
    end = 0
    for first, last in _replaceable(tokens):
        literal = _literal(sql, tokens[last], negated=first != last)
        if literal is None:
            continue
        oids.append(literal[0])
        texts.append(literal[1])
        replaced.append((first, last))
        pieces += [sql[end:tokens[first].start], f"${len(oids)}"]
        end = tokens[last].end + 1
    if not oids:
        return None
    pieces.append(sql[end:])
    result = Normalised("".join(pieces), tuple(oids), tuple(texts))
    if shape is not None and literal_shapes.constants_are_tokens(shape, tokens):
        _learn(shape, tokens, replaced, result)
    return result


# a statement's mask -> for each literal replaced: (which masked constant it is, how many characters
# of a unary minus and space precede the constant)
_shapes: literal_shapes.Shapes[tuple[tuple[int, int], ...]] = literal_shapes.Shapes()


@dataclass(slots=True)
class ShapeConstants:
    """The constants of a text whose shape was normalised before: the types and texts its
    parameters take, and the constants it keeps, before the normalised text itself is built
    (`normalised`): the mask, parameter types and kept constants tell normalised texts apart. Not
    changed once made (not frozen, as `literal_shapes.Masked`)."""

    shape: literal_shapes.Masked
    replacements: tuple[tuple[int, int], ...]  # see _shapes
    param_oids: tuple[int, ...]
    texts: tuple[str, ...]
    kept: tuple[str, ...]  # the masked constants that stay in the normalised text, in order

    def normalised(self) -> Normalised:
        """What `normalise` answers for the text."""
        parts = self.shape.parts
        pieces: list[str] = []
        end = 0  # parts[end:] are not in pieces yet
        for number, (constant, lead) in enumerate(self.replacements, start=1):
            at = 2 * constant + 1  # the constant's part; the text before it (ending in its lead) precedes it
            before = parts[at - 1]
            pieces += parts[end:at - 1]
            pieces += [before[:len(before) - lead], f"${number}"]
            end = at + 1
        pieces += parts[end:]
        return Normalised("".join(pieces), self.param_oids, self.texts)


def shape_constants(shape: literal_shapes.Masked) -> ShapeConstants | None:
    """The constants of a text of this shape, when a statement of the shape was normalised before;
    None when none was. A shape is learnt only from a statement `normalise` turned into
    parameters: a SELECT, INSERT, UPDATE, DELETE, VALUES or WITH statement."""
    replacements = _shapes.get(shape.mask)
    return None if replacements is None else _constants(shape, replacements)


def normalised_by_shape(sql: str, shape: literal_shapes.Masked | None = None) -> Normalised | None:
    """What `normalise` answers for sql when a statement of sql's shape was normalised before,
    without tokenizing; None when none was (`shape_constants`)."""
    shape = shape or literal_shapes.masked(sql)
    constants = None if shape is None else shape_constants(shape)
    return None if constants is None else constants.normalised()


def _constants(shape: literal_shapes.Masked, replacements: tuple[tuple[int, int], ...]) -> ShapeConstants:
    parts = shape.parts
    oids: list[int] = []
    texts: list[str] = []
    for constant, lead in replacements:
        text = parts[2 * constant + 1]
        if text[0] == "'":
            oids.append(0)
            texts.append(text[1:-1])
            continue
        oid = t.INT4 if len(text) < 10 and text.isdigit() else None  # below 10**9, of either sign
        if lead:
            text = "-" + text
        oid = oid or _number_oid(text)
        assert oid is not None, text  # the mask's numbers are digits, with at most one point between
        oids.append(oid)
        texts.append(text)
    constants = len(parts) // 2
    kept: tuple[str, ...] = ()
    if len(replacements) != constants:
        replaced = {index for index, _ in replacements}
        kept = tuple(parts[2 * index + 1] for index in range(constants) if index not in replaced)
    return ShapeConstants(shape, replacements, tuple(oids), tuple(texts), kept)


def _learn(shape: literal_shapes.Masked, tokens: Sequence[Token],
           replaced: Sequence[tuple[int, int]], result: Normalised) -> None:
    """Keep which of shape's constants became parameters, if rebuilding the text from that gives
    exactly what tokenizing gave (tests/engine/test_literal_shapes.py: on its corpus, it does)."""
    constant_at = {start: index for index, (start, _) in enumerate(shape.spans)}
    if any(tokens[last].start not in constant_at for _, last in replaced):
        return  # a literal the mask keeps ('it''s'): it is not one text's alone
    replacements = tuple((constant_at[tokens[last].start], tokens[last].start - tokens[first].start)
                         for first, last in replaced)
    if _constants(shape, replacements).normalised() == result:
        _shapes.learn(shape.mask, replacements)


def values(normalised: Normalised | ShapeConstants, param_oids: Sequence[int], tz: dt.tzinfo,
           style: TextStyle = DEFAULT_STYLE) -> tuple[Any, ...]:
    """The literals' values as parameters of the given types (the translated statement's), decoded
    as the translator decodes a literal of that type (22P02 for invalid input). An int4 literal
    (a plain integer in int4's range) bound to an integer parameter is its int, with no codec."""
    return tuple(int(text) if literal_oid == t.INT4 and oid in _INTEGERS
                 else codecs.decode_text(oid, text.encode(), tz=tz, style=style)
                 for text, literal_oid, oid in zip(normalised.texts, normalised.param_oids, param_oids,
                                                   strict=True))
