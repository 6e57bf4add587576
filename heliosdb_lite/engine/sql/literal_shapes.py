"""Literal shapes: a statement's text with its constants masked, so that a text seen before with
other constants is recognised without tokenizing it.

pgbench's simple protocol, and every application that writes its values into the SQL, sends
statements that differ only in their constants; tokenizing each with sqlglot was a quarter of a
point select's server time. `masked(sql)` finds with one regular expression the numbers (digits,
with at most one decimal point between digits) and the plain `'...'` strings (no quote, backslash
or newline inside) that stand alone — not inside a word, not after `$`, `.`, `&` or a quote, so
neither a parameter `$1`, nor `E'...'`, `B'...'`, `U&'...'`, nor half of `'it''s'` — and replaces
each with a placeholder. Two texts with the same mask are one text but for those constants' contents.

The invariant: a shape is learnt only from a text whose every masked constant is exactly one
NUMBER or STRING token of the tokenizer's (`constants_are_tokens`; a match inside a comment, a
quoted identifier or a dollar-quoted string fails it). Such a token's extent does not depend on its
content, and the text around it is identical in every text of the mask, so every text of the mask
tokenizes to the same token kinds at the same places relative to its constants. Whatever was decided
from the tokens of one (where its statement starts and ends, which constants become parameters) holds
for all; only the constants' own texts are read again. `parsing.split` and
`literal_normalisation.normalise` each keep their decisions by mask in a `Shapes`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql.short_text_cache import SHORT_TEXT_CHARS

T = TypeVar("T")

# the lookahead rejects most positions before the costlier lookbehind is tried
_CONSTANT = re.compile(r"(?=['0-9])(?<![\w$.&'])('[^'\\\n]*'(?!')|[0-9]+(?:\.[0-9]+)?(?![\w.]))")
_PLACEHOLDER = "\x00"  # PostgreSQL refuses a query text with a NUL in it: it stands for no character of one
SHAPES_KEPT = 2048


@dataclass(slots=True)
class Masked:
    """A text's mask, and the text cut at its masked constants: `parts` alternates the text between
    constants and the constants themselves (text, constant, text, ..., text). Not changed once
    made (not frozen: two are made for each simple query with constants, and a frozen dataclass
    costs several times as much to make)."""

    mask: str
    parts: tuple[str, ...]

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The (start, end) of each constant in the text, in order."""
        spans = []
        at = 0
        for index, part in enumerate(self.parts):
            if index % 2:
                spans.append((at, at + len(part)))
            at += len(part)
        return tuple(spans)

    def inner(self, start: int, end: int) -> Masked:
        """The mask of text[start:len(text) - end], where neither cut part holds a constant."""
        parts = list(self.parts)
        parts[0] = parts[0][start:]
        parts[-1] = parts[-1][:len(parts[-1]) - end]
        return Masked(self.mask[start:len(self.mask) - end], tuple(parts))


def masked(sql: str) -> Masked | None:
    """sql's mask, or None when there is no constant to mask (exact-text caches serve such a text),
    the text is long (its shape would pin its size), or it holds the placeholder itself."""
    if len(sql) > SHORT_TEXT_CHARS or _PLACEHOLDER in sql:
        return None
    parts = _CONSTANT.split(sql)
    if len(parts) == 1:
        return None
    return Masked(_PLACEHOLDER.join(parts[::2]), tuple(parts))


def constants_are_tokens(masked_text: Masked, tokens: Sequence[Token]) -> bool:
    """Whether each masked constant is exactly one NUMBER or STRING token (the module's invariant)."""
    literals = {token.start: token.end + 1 for token in tokens
                if token.token_type in (TokenType.NUMBER, TokenType.STRING)}
    return all(literals.get(start) == end for start, end in masked_text.spans)


class Shapes(Generic[T]):
    """Decisions learnt per mask, at most SHAPES_KEPT of them (the oldest forgotten first). Reads
    take no lock (one dict lookup); learning, which follows a tokenization, does."""

    def __init__(self) -> None:
        self._decisions: dict[str, T] = {}
        self._lock = threading.Lock()

    def get(self, mask: str) -> T | None:
        return self._decisions.get(mask)

    def learn(self, mask: str, decision: T) -> None:
        with self._lock:
            if len(self._decisions) >= SHAPES_KEPT:
                del self._decisions[next(iter(self._decisions))]
            self._decisions[mask] = decision
