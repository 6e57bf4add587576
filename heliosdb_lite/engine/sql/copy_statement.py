"""COPY statements: parsing PostgreSQL's COPY syntax into what the session needs to drive it.

Accepted (PostgreSQL 15 syntax, STDIN/STDOUT only):

    COPY table [(col, ...)] FROM STDIN [[WITH] (option [value], ...)] | [legacy options]
    COPY {table [(col, ...)] | (query)} TO STDOUT [[WITH] (option [value], ...)] | [legacy options]

options: FORMAT text|csv|binary, HEADER [boolean], DELIMITER 'c', NULL 's', QUOTE 'c', ESCAPE 'c'
(those two in CSV only, the first three not in BINARY, as PostgreSQL checks them), ENCODING 'name'
(the text and csv data's encoding instead of the client encoding, any name client_encoding takes);
legacy: CSV, BINARY, HEADER, DELIMITER [AS] 'c', NULL [AS] 's', QUOTE [AS] 'c', ESCAPE [AS] 'c',
ENCODING 'name'.
Files and PROGRAM raise 0A000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    SYNTAX_ERROR,
    UNDEFINED_FUNCTION,
    DatabaseError,
)
from heliosdb_lite.protocol import client_encodings

CopyFormat = Literal["text", "csv", "binary"]
_FORMATS: dict[str, CopyFormat] = {"text": "text", "csv": "csv", "binary": "binary"}  # a FORMAT word, typed


@dataclass(frozen=True, slots=True)
class CopyCommand:
    direction: Literal["in", "out"]
    table: str | None
    columns: tuple[str, ...]
    query: str | None  # COPY (query) TO STDOUT
    format: CopyFormat = "text"
    delimiter: str = "\t"
    null: str = "\\N"
    header: bool = False
    quote: str = '"'
    escape: str = '"'
    schema: str | None = None  # the table's schema, if the name is qualified
    encoding: str | None = None  # ENCODING: the data's encoding (canonical name), else the client's


def _syntax(token: Token | None) -> DatabaseError:
    if token is None:
        return DatabaseError(SYNTAX_ERROR, "syntax error at end of input")
    return DatabaseError(SYNTAX_ERROR, f'syntax error at or near "{token.text}"', position=token.start + 1)


def _word(token: Token) -> str:
    return token.text if token.token_type in (TokenType.IDENTIFIER, TokenType.STRING) else token.text.lower()


def _closing(tokens: tuple[Token, ...], start: int) -> int:
    """Index of the parenthesis closing the one at start."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[index].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return index
    raise _syntax(None)


def _boolean(token: Token | None) -> bool:
    if token is None:
        return True
    value = token.text.lower()
    if value in ("true", "on", "1"):
        return True
    if value in ("false", "off", "0"):
        return False
    if value == "match":
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "HEADER MATCH is not supported")
    raise DatabaseError(INVALID_PARAMETER_VALUE, "header requires a Boolean value")


def _single_character(name: str, value: str) -> str:
    if len(value) != 1:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f"COPY {name} must be a single one-byte character")
    return value


def parse_copy(sql: str) -> CopyCommand:
    """The COPY command sql is."""
    tokens = tokenize(sql)
    index = 1
    table: str | None = None
    schema: str | None = None
    query: str | None = None
    columns: list[str] = []
    if index < len(tokens) and tokens[index].token_type == TokenType.L_PAREN:
        end = _closing(tokens, index)
        query = sql[tokens[index].end + 1:tokens[end].start].strip()
        index = end + 1
    else:
        if index >= len(tokens):
            raise _syntax(None)
        table = _word(tokens[index])
        index += 1
        if index + 1 < len(tokens) and tokens[index].token_type == TokenType.DOT:
            schema, table = table, _word(tokens[index + 1])
            index += 2
        if index < len(tokens) and tokens[index].token_type == TokenType.L_PAREN:
            end = _closing(tokens, index)
            columns = [_word(token) for token in tokens[index + 1:end] if token.token_type != TokenType.COMMA]
            index = end + 1
    if index + 1 >= len(tokens):
        raise _syntax(tokens[index] if index < len(tokens) else None)
    direction_word = tokens[index].text.lower()
    target = tokens[index + 1].text.lower()
    if direction_word not in ("from", "to"):
        raise _syntax(tokens[index])
    direction: Literal["in", "out"] = "in" if direction_word == "from" else "out"
    if direction == "in" and query is not None:
        raise _syntax(tokens[index])
    if target not in ("stdin", "stdout") or tokens[index + 1].token_type == TokenType.STRING \
            or target == "program":
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "COPY to or from a file or program is not supported",
                            hint="Use COPY ... FROM STDIN or COPY ... TO STDOUT.")
    options = _options(tokens, index + 2)
    return _command(direction, schema, table, tuple(columns), query, options)


def _options(tokens: tuple[Token, ...], index: int) -> dict[str, Token | None]:
    options: dict[str, Token | None] = {}
    if index < len(tokens) and tokens[index].text.lower() == "with":
        index += 1
    if index < len(tokens) and tokens[index].token_type == TokenType.L_PAREN:
        end = _closing(tokens, index)
        group: list[Token] = []
        for token in [*tokens[index + 1:end], None]:
            if token is None or token.token_type == TokenType.COMMA:
                if group:
                    options[group[0].text.lower()] = group[1] if len(group) > 1 else None
                group = []
            else:
                group.append(token)
        if end + 1 < len(tokens):
            raise _syntax(tokens[end + 1])
        return options
    while index < len(tokens):
        word = tokens[index].text.lower()
        index += 1
        if word in ("csv", "binary"):
            options["format"] = tokens[index - 1]
        elif word == "header":
            options["header"] = None
        elif word in ("delimiter", "null", "quote", "escape", "encoding"):
            if word != "encoding" and index < len(tokens) and tokens[index].text.lower() == "as":
                index += 1
            if index >= len(tokens):
                raise _syntax(None)
            options[word] = tokens[index]
            index += 1
        else:
            raise _syntax(tokens[index - 1])
    return options


def _command(direction: Literal["in", "out"], schema: str | None, table: str | None, columns: tuple[str, ...],
             query: str | None, options: dict[str, Token | None]) -> CopyCommand:
    format_token = options.pop("format", None)
    format_name = format_token.text.lower() if format_token is not None else "text"
    copy_format = _FORMATS.get(format_name)
    if copy_format is None:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f'COPY format "{format_name}" not recognized')
    csv = copy_format == "csv"
    for name in ("delimiter", "null", "header"):
        if copy_format == "binary" and name in options:
            raise DatabaseError(SYNTAX_ERROR, f"cannot specify {name.upper()} in BINARY mode")
    for name in ("quote", "escape"):
        if not csv and name in options:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f"COPY {name} available only in CSV mode")
    values = {"delimiter": "," if csv else "\t", "null": "" if csv else "\\N", "quote": '"', "escape": None}
    header = False
    encoding: str | None = None
    for name, token in options.items():
        if name == "header":
            header = _boolean(token)
        elif name in values and token is not None:
            values[name] = token.text
        elif name == "encoding":
            encoding = _encoding(token)
        elif name in ("freeze",):
            continue
        else:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f'COPY option "{name}" is not supported')
    delimiter = _single_character("delimiter", str(values["delimiter"]))
    quote = _single_character("quote", str(values["quote"]))
    escape = _single_character("escape", str(values["escape"] if values["escape"] is not None else quote))
    return CopyCommand(direction, table, columns, query, copy_format, delimiter, str(values["null"]), header,
                       quote, escape, schema, encoding)


def _encoding(token: Token | None) -> str:
    """ENCODING's value: the encoding's name, PostgreSQL's errors for none or one without a
    conversion from UTF8."""
    if token is None:
        raise DatabaseError(SYNTAX_ERROR, "encoding requires a parameter")
    encoding = client_encodings.lookup(token.text)
    if encoding is None:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            'argument to option "encoding" must be a valid encoding name')
    if encoding.codec is None:
        raise DatabaseError(UNDEFINED_FUNCTION, f'default conversion function for encoding "UTF8" to '
                                                f'"{encoding.name}" does not exist')
    return encoding.name
