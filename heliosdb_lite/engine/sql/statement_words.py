"""A cursor over a statement's tokens (`parsing.tokenize`) for the statements read word by word
rather than parsed by sqlglot: SET/SHOW/RESET/BEGIN and friends (`utility`), CREATE/ALTER/DROP
SCHEMA (`ddl.schemas`) and SEQUENCE (`ddl.sequences`). Keywords match case-insensitively; a name is
folded to lower case unless quoted; semicolons are not words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.errors import SYNTAX_ERROR, DatabaseError

_Item = TypeVar("_Item")
_QUOTED = (TokenType.IDENTIFIER, TokenType.STRING)
_NOT_NAMES = (TokenType.COMMA, TokenType.L_PAREN, TokenType.R_PAREN, TokenType.STRING, TokenType.NUMBER)


def syntax_error(near: str | None) -> DatabaseError:
    return DatabaseError(SYNTAX_ERROR, f'syntax error at or near "{near}"' if near else
                         "syntax error at end of input")


class Words:
    """The statement's words, read front to back from `index`."""

    def __init__(self, tokens: tuple[Token, ...]) -> None:
        self.tokens = tuple(token for token in tokens if token.token_type != TokenType.SEMICOLON)
        self.index = 0

    def token(self) -> Token | None:
        """The next token, not consumed."""
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def peek(self) -> str | None:
        """The next word, not consumed: a quoted one as written, others lower-cased."""
        token = self.token()
        if token is None:
            return None
        return token.text if token.token_type in _QUOTED else token.text.lower()

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    def accept(self, *words: str) -> bool:
        """Consumes the keywords `words` if they come next."""
        end = self.index + len(words)
        if end > len(self.tokens):
            return False
        for token, word in zip(self.tokens[self.index:end], words, strict=True):
            if token.token_type in _QUOTED or token.text.lower() != word:
                return False
        self.index = end
        return True

    def expect(self, word: str) -> None:
        if not self.accept(word):
            raise syntax_error(self.peek())

    def next_word(self) -> str:
        """The next word, consumed (42601 at the end)."""
        word = self.peek()
        if word is None:
            raise syntax_error(None)
        self.index += 1
        return word

    def name(self) -> str:
        """An identifier: folded to lower case unless quoted (42601 on anything else)."""
        token = self.token()
        if token is None or token.token_type in _NOT_NAMES:
            raise syntax_error(self.peek())
        return self.next_word()

    def drop_list(self, item: Callable[[], _Item]) -> tuple[bool, list[_Item], bool]:
        """`[IF EXISTS] item [, item ...] [CASCADE | RESTRICT]` of a DROP: (if exists, the items,
        cascade), the statement read to its end."""
        if_exists = self.accept("if", "exists")
        items = [item()]
        while self.accept(","):
            items.append(item())
        cascade = self.accept("cascade")
        if not cascade:
            self.accept("restrict")
        self.end()
        return if_exists, items, cascade

    def end(self) -> None:
        """42601 unless every word has been read."""
        if not self.at_end():
            raise syntax_error(self.peek())
