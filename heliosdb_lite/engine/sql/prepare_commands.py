"""SQL-level prepared statements: parsing PREPARE, EXECUTE and DEALLOCATE (PostgreSQL 15 syntax).

    PREPARE name [(data_type [, ...])] AS statement
    EXECUTE name [(argument [, ...])]
    DEALLOCATE [PREPARE] name | ALL

The commands carry the texts of their parts (types, arguments, the statement); the session
resolves and runs them (`engine/sql_prepared.py`). PREPARE TRANSACTION is a transaction command
(`utility`), not one of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.engine.sql.statement_words import syntax_error


@dataclass(frozen=True, slots=True)
class PrepareCommand:
    name: str
    type_names: tuple[str, ...]
    statement: str
    tag = "PREPARE"


@dataclass(frozen=True, slots=True)
class ExecuteCommand:
    name: str
    arguments: tuple[str, ...]  # the argument expressions, as written


@dataclass(frozen=True, slots=True)
class DeallocateCommand:
    name: str | None  # None: DEALLOCATE ALL

    @property
    def tag(self) -> str:
        return "DEALLOCATE" if self.name is not None else "DEALLOCATE ALL"


def _name(tokens: tuple[Token, ...], index: int) -> str:
    """An identifier: folded to lower case unless quoted (42601 on anything else)."""
    if index >= len(tokens):
        raise syntax_error(None)
    token = tokens[index]
    if token.token_type == TokenType.IDENTIFIER:
        return token.text
    if token.token_type in (TokenType.STRING, TokenType.NUMBER, TokenType.L_PAREN, TokenType.R_PAREN,
                            TokenType.COMMA):
        raise syntax_error(token.text)
    return token.text.lower()


def _list(text: str, tokens: tuple[Token, ...], start: int) -> tuple[tuple[str, ...], int]:
    """The comma-separated items (as written) of the parenthesized list opening at `start`, and the
    index after it."""
    items: list[str] = []
    depth = 0
    item_start: Token | None = None
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            if depth == 1:
                continue
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        if depth == 0 or (depth == 1 and token.token_type == TokenType.COMMA):
            if item_start is None:
                raise syntax_error(token.text)
            items.append(text[item_start.start:tokens[index - 1].end + 1])
            item_start = None
            if depth == 0:
                return tuple(items), index + 1
        elif item_start is None:
            item_start = token
    raise syntax_error(None)


def _body(sql: str) -> str:
    """The statement after its first word."""
    first = tokenize(sql)[0]
    return sql[first.end + 1:]


def parse_prepare(sql: str) -> PrepareCommand:
    text = _body(sql)
    tokens = tokenize(text)
    name = _name(tokens, 0)
    type_names: tuple[str, ...] = ()
    index = 1
    if index < len(tokens) and tokens[index].token_type == TokenType.L_PAREN:
        type_names, index = _list(text, tokens, index)
    if index >= len(tokens) or tokens[index].text.lower() != "as":
        raise syntax_error(tokens[index].text if index < len(tokens) else None)
    if index + 1 >= len(tokens):
        raise syntax_error(None)
    return PrepareCommand(name, type_names, text[tokens[index].end + 1:].strip())


def parse_execute(sql: str) -> ExecuteCommand:
    text = _body(sql)
    tokens = tuple(token for token in tokenize(text) if token.token_type != TokenType.SEMICOLON)
    name = _name(tokens, 0)
    arguments: tuple[str, ...] = ()
    index = 1
    if index < len(tokens) and tokens[index].token_type == TokenType.L_PAREN:
        arguments, index = _list(text, tokens, index)
    if index < len(tokens):
        raise syntax_error(tokens[index].text)
    return ExecuteCommand(name, arguments)


def parse_deallocate(sql: str) -> DeallocateCommand:
    body = _PREPARE_WORD.sub("", _body(sql), count=1)  # the tokenizer takes PREPARE for a command
    tokens = tuple(token for token in tokenize(body) if token.token_type != TokenType.SEMICOLON)
    if len(tokens) == 1 and tokens[0].token_type != TokenType.IDENTIFIER and tokens[0].text.lower() == "all":
        return DeallocateCommand(None)
    name = _name(tokens, 0)
    if len(tokens) > 1:
        raise syntax_error(tokens[1].text)
    return DeallocateCommand(name)


_PREPARE_WORD = re.compile(r"^\s*prepare\b", re.IGNORECASE)
