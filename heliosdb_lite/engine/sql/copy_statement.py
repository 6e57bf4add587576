"""COPY statements: parsing PostgreSQL's COPY syntax into what the session needs to drive it.

Accepted (PostgreSQL 15 syntax, STDIN/STDOUT only):

    COPY table [(col, ...)] FROM STDIN [[WITH] (option [value], ...)] | [legacy options]
    COPY {table [(col, ...)] | (query)} TO STDOUT [[WITH] (option [value], ...)] | [legacy options]

    COPY table [(col, ...)] FROM STDIN [options] WHERE condition

options: FORMAT text|csv|binary, HEADER [boolean], DELIMITER 'c', NULL 's', QUOTE 'c', ESCAPE 'c'
(those two in CSV only, the first three not in BINARY, as PostgreSQL checks them), ENCODING 'name'
(the text and csv data's encoding instead of the client encoding, any name client_encoding takes),
FORCE_QUOTE (col, ...) | * (CSV, COPY TO), FORCE_NOT_NULL (col, ...) and FORCE_NULL (col, ...)
(CSV, COPY FROM), FREEZE [boolean] (accepted, no effect);
legacy: CSV, BINARY, HEADER, DELIMITER [AS] 'c', NULL [AS] 's', QUOTE [AS] 'c', ESCAPE [AS] 'c',
ENCODING 'name', FORCE QUOTE col, ... | *, FORCE NOT NULL col, ..., FORCE NULL col, ..., FREEZE.
Files and PROGRAM raise 0A000.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    force_quote: tuple[str, ...] | Literal["*"] = ()  # FORCE_QUOTE's columns, "*" for all
    force_not_null: tuple[str, ...] = ()
    force_null: tuple[str, ...] = ()
    where: str | None = None  # COPY FROM's WHERE condition, as written


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
    where_at = next((i for i in range(index + 2, len(tokens)) if tokens[i].token_type == TokenType.WHERE),
                    None)
    where: str | None = None
    if where_at is not None:
        if direction == "out":
            raise DatabaseError(SYNTAX_ERROR, "WHERE clause not allowed with COPY TO",
                                position=tokens[where_at].start + 1)
        where = sql[tokens[where_at].end + 1:].strip().rstrip(";").strip()
        if not where:
            raise _syntax(None)
        tokens = tokens[:where_at]
    options = _options(tokens, index + 2)
    return replace(_command(direction, schema, table, tuple(columns), query, options), where=where)


Options = dict[str, list[Token]]  # an option's name and the tokens of its value


def _options(tokens: tuple[Token, ...], index: int) -> Options:
    if index < len(tokens) and tokens[index].text.lower() == "with":
        index += 1
    if index < len(tokens) and tokens[index].token_type == TokenType.L_PAREN:
        end = _closing(tokens, index)
        if end + 1 < len(tokens):
            raise _syntax(tokens[end + 1])
        return _option_list(tokens[index + 1:end])
    return _legacy_options(tokens[index:])


def _option_list(tokens: tuple[Token, ...]) -> Options:
    """`name [value], ...` of the parenthesized form; a value may be a parenthesized column list."""
    options: Options = {}
    group: list[Token] = []
    depth = 0
    for token in [*tokens, None]:
        if token is None or (token.token_type == TokenType.COMMA and depth == 0):
            if not group:
                raise _syntax(token)
            options[group[0].text.lower()] = group[1:]
            group = []
            continue
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        group.append(token)
    return options


def _legacy_options(tokens: tuple[Token, ...]) -> Options:
    """The options of PostgreSQL's pre-9.0 syntax, each turned into its parenthesized form's."""
    options: Options = {}
    index = 0
    while index < len(tokens):
        word = tokens[index].text.lower()
        index += 1
        if word in ("csv", "binary"):
            options["format"] = [tokens[index - 1]]
        elif word in ("header", "freeze"):
            options[word] = []
        elif word in ("delimiter", "null", "quote", "escape", "encoding"):
            if word != "encoding" and index < len(tokens) and tokens[index].text.lower() == "as":
                index += 1
            if index >= len(tokens):
                raise _syntax(None)
            options[word] = [tokens[index]]
            index += 1
        elif word == "force":
            name, start = _legacy_force(tokens, index)
            index = start + 1  # a column (or *), then more after commas
            while index + 1 < len(tokens) and tokens[index].token_type == TokenType.COMMA:
                index += 2
            if index > len(tokens):
                raise _syntax(None)
            options[name] = list(tokens[start:index])
        else:
            raise _syntax(tokens[index - 1])
    return options


def _legacy_force(tokens: tuple[Token, ...], index: int) -> tuple[str, int]:
    """FORCE QUOTE, FORCE NOT NULL or FORCE NULL: the option's name and where its columns start."""
    words = [token.text.lower() for token in tokens[index:index + 2]]
    if words[:1] == ["quote"]:
        return "force_quote", index + 1
    if words[:1] == ["null"]:
        return "force_null", index + 1
    if words == ["not", "null"]:
        return "force_not_null", index + 2
    raise _syntax(tokens[index] if index < len(tokens) else None)


def _value(tokens: list[Token]) -> Token | None:
    """A scalar option's value (None: none given)."""
    if len(tokens) > 1:
        raise _syntax(tokens[1])
    return tokens[0] if tokens else None


def _column_list(name: str, tokens: list[Token]) -> tuple[str, ...] | Literal["*"]:
    """FORCE_*'s columns: `(a, b)` or, in the legacy syntax, `a, b`; `*` for FORCE_QUOTE."""
    if len(tokens) == 1 and tokens[0].token_type == TokenType.STAR:
        if name != "force_quote":
            raise DatabaseError(SYNTAX_ERROR, f'argument to option "{name}" must be a list of column names')
        return "*"
    if tokens and tokens[0].token_type == TokenType.L_PAREN:
        if tokens[-1].token_type != TokenType.R_PAREN:
            raise _syntax(tokens[-1])
        tokens = tokens[1:-1]
    names = tokens[::2]
    if not names or any(t.token_type != TokenType.COMMA for t in tokens[1::2]) or \
            any(t.token_type in (TokenType.COMMA, TokenType.L_PAREN, TokenType.R_PAREN) for t in names):
        raise DatabaseError(SYNTAX_ERROR, f'argument to option "{name}" must be a list of column names')
    return tuple(_word(token) for token in names)


def _command(direction: Literal["in", "out"], schema: str | None, table: str | None, columns: tuple[str, ...],
             query: str | None, options: Options) -> CopyCommand:
    format_token = _value(options.pop("format", []))
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
    forced: dict[str, tuple[str, ...] | Literal["*"]] = {}
    for name, value in options.items():
        if name in _FORCE_OPTIONS:
            forced[name] = _column_list(name, value)
            continue
        token = _value(value)
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
    for name, (description, wanted) in _FORCE_OPTIONS.items():
        if name in forced and not csv:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f"COPY {description} available only in CSV mode")
        if name in forced and direction != wanted:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f"COPY {description} only available using "
                                                       f"COPY {'TO' if wanted == 'out' else 'FROM'}")
    delimiter = _single_character("delimiter", str(values["delimiter"]))
    quote = _single_character("quote", str(values["quote"]))
    escape = _single_character("escape", str(values["escape"] if values["escape"] is not None else quote))
    not_null, null = forced.get("force_not_null", ()), forced.get("force_null", ())
    assert not_null != "*" and null != "*"
    return CopyCommand(direction, table, columns, query, copy_format, delimiter, str(values["null"]), header,
                       quote, escape, schema, encoding, forced.get("force_quote", ()), not_null, null)


_FORCE_OPTIONS = {"force_quote": ("force quote", "out"), "force_not_null": ("force not null", "in"),
                  "force_null": ("force null", "in")}  # its name in PostgreSQL's errors, the direction


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
