"""DO blocks: the subset of PL/pgSQL the engine runs itself, a body of RAISE statements.

    DO [LANGUAGE plpgsql] $$ BEGIN { RAISE [level] 'format' [USING option = 'text' [, ...]]; } ... END $$
       [LANGUAGE plpgsql]

level is EXCEPTION (the default), WARNING, NOTICE, INFO, LOG or DEBUG; `%%` in the format is a `%`;
the USING options are ERRCODE (a five-character SQLSTATE), MESSAGE (when no format is given), DETAIL
and HINT, each a string literal. RAISE EXCEPTION fails the statement with the SQLSTATE (P0001 unless
ERRCODE says), the others become notices, sent when client_min_messages lets their level through
(INFO always, as in PostgreSQL). What a body needs beyond that (DECLARE, any other statement, a `%`
taking an argument, expressions, condition names) is refused with 0A000 naming it: the engine has no
PL/pgSQL interpreter, and a DO block partly run would be a wrong answer.

The same reader takes the bodies of PL/pgSQL functions (CREATE FUNCTION ... LANGUAGE plpgsql,
`parse_function_body`): DECLARE, RETURN, assignments, IF/ELSIF/ELSE, NULL and RAISE EXCEPTION, as
statements whose
expressions are kept as written (`translate/plpgsql_bodies.py` makes them one expression).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    RAISE_EXCEPTION,
    SUCCESSFUL_COMPLETION,
    SYNTAX_ERROR,
    WARNING,
    DatabaseError,
)

_BODY_TOKENS = (TokenType.STRING, TokenType.HEREDOC_STRING)
_NOTICE_LEVELS = ("warning", "notice", "info", "log", "debug")
# client_min_messages' order, lowest first (debug1..debug5 are all `debug` here)
_MESSAGE_ORDER = ("debug", "log", "notice", "warning", "error")


@dataclass(frozen=True, slots=True)
class Raise:
    """One RAISE statement: level is `exception` or one of _NOTICE_LEVELS."""

    level: str
    message: str
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None

    def sent(self, client_min_messages: str) -> bool:
        """Whether a notice of this level reaches a client with this client_min_messages."""
        if self.level == "info":
            return True
        threshold = client_min_messages.lower()
        threshold = "debug" if threshold.startswith("debug") else threshold
        rank = {name: number for number, name in enumerate(_MESSAGE_ORDER)}
        return rank[self.level] >= rank.get(threshold, rank["notice"])

    def error(self) -> DatabaseError:
        """The ErrorResponse (EXCEPTION) or NoticeResponse this statement sends."""
        if self.level == "exception":
            return DatabaseError(self.sqlstate or RAISE_EXCEPTION, self.message, detail=self.detail,
                                 hint=self.hint)
        default = WARNING if self.level == "warning" else SUCCESSFUL_COMPLETION
        return DatabaseError(self.sqlstate or default, self.message, detail=self.detail, hint=self.hint,
                             severity=self.level.upper())


@dataclass(frozen=True, slots=True)
class DoCommand:
    raises: tuple[Raise, ...]
    tag: str = "DO"


def refused(what: str) -> DatabaseError:
    return DatabaseError(FEATURE_NOT_SUPPORTED, f"DO blocks with {what} are not supported",
                         detail="HeliosDB-Lite runs DO blocks whose body is RAISE statements only.")


def function_refused(what: str) -> DatabaseError:
    return DatabaseError(FEATURE_NOT_SUPPORTED, f"PL/pgSQL functions with {what} are not supported",
                         detail="HeliosDB-Lite runs PL/pgSQL functions of DECLARE (with defaults), "
                                "RETURN, assignments, IF/ELSIF/ELSE, NULL and RAISE EXCEPTION only.")


@dataclass(frozen=True, slots=True)
class Variable:
    """`name type [:= expression]` of a PL/pgSQL function's DECLARE section."""

    name: str
    type_sql: str
    default: str | None


@dataclass(frozen=True, slots=True)
class Return:
    expression: str


@dataclass(frozen=True, slots=True)
class Assign:
    name: str
    expression: str


@dataclass(frozen=True, slots=True)
class If:
    """IF ... THEN ... [ELSIF ... THEN ...] ... [ELSE ...] END IF: (condition, statements) in order."""

    branches: tuple[tuple[str, tuple[Statement, ...]], ...]
    otherwise: tuple[Statement, ...]


Statement = Return | Assign | If | Raise  # a Raise here is of level exception


@dataclass(frozen=True, slots=True)
class FunctionBody:
    variables: tuple[Variable, ...]
    statements: tuple[Statement, ...]


def parse_function_body(body_text: str) -> FunctionBody:
    """A PL/pgSQL function body of the subset the engine runs (CREATE FUNCTION ... LANGUAGE
    plpgsql): `[DECLARE name type [{:= | = | DEFAULT} expression]; ...] BEGIN statements END`, whose
    statements are RETURN expression, name := expression, IF/ELSIF/ELSE/END IF, NULL and RAISE
    EXCEPTION (as a DO block's RAISE); anything
    else is refused with 0A000 naming it. Expressions are kept as written."""
    declare = re.match(r"\s*declare\b", body_text, re.IGNORECASE)
    if declare is not None:  # sqlglot's tokenizer reads what follows DECLARE as one command string
        body_text = " " * declare.end() + body_text[declare.end():]
    tokens = _significant(tokenize(body_text))
    body = _Body(tokens)
    if body.word() == "<<":
        raise function_refused("a block label")
    variables: list[Variable] = []
    if declare is not None:
        while body.word() not in ("begin", ""):
            variables.append(_variable(body, body_text))
    body.expect("begin")
    statements = _statements(body, body_text, ("end",))
    body.expect("end")
    if body.peek() is not None:
        raise _syntax_error(body.peek())
    return FunctionBody(tuple(variables), statements)


def _text_until(body: _Body, body_text: str, ends: tuple[str, ...]) -> str:
    """The text of the tokens before the next of `ends` (words, or `;`) outside parentheses."""
    first, depth = body.index, 0
    while body.peek() is not None:
        token = body.peek()
        assert token is not None
        at_end = token.token_type == TokenType.SEMICOLON if ";" in ends else False
        if depth == 0 and (at_end or (token.token_type not in _BODY_TOKENS and token.text.lower() in ends)):
            break
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(body.take().token_type, 0)
    if body.index == first:
        near = body.peek()
        raise DatabaseError(SYNTAX_ERROR, f'missing expression at or near "{near.text if near else ""}"')
    return body_text[body.tokens[first].start:body.tokens[body.index - 1].end + 1]


def _semicolon(body: _Body) -> None:
    token = body.peek()
    if token is None or token.token_type != TokenType.SEMICOLON:
        raise _syntax_error(token)
    body.take()


def _variable(body: _Body, body_text: str) -> Variable:
    name = body.take().text.lower()
    if body.word() == "constant":
        body.take()
    if body.word() in ("alias", "cursor", "record") or body.word().startswith("refcursor"):
        raise function_refused(f"a variable declared {body.word().upper()}")
    type_sql = _text_until(body, body_text, (":=", "=", "default", "not", "collate", ";"))
    if "%" in type_sql:
        raise function_refused("%TYPE and %ROWTYPE")
    if body.word() in ("not", "collate"):
        raise function_refused(f"variables declared {body.word().upper()}")
    default = None
    token = body.peek()
    if token is not None and (token.token_type in (TokenType.COLON_EQ, TokenType.EQ)
                              or body.word() == "default"):
        body.take()
        default = _text_until(body, body_text, (";",))
    _semicolon(body)
    return Variable(name, type_sql, default)


def _statements(body: _Body, body_text: str, ends: tuple[str, ...]) -> tuple[Statement, ...]:
    statements: list[Statement] = []
    while body.word() not in ends:
        word = body.word()
        token = body.peek()
        if token is None:
            raise _syntax_error(None)
        if word == "return":
            body.take()
            statements.append(Return(_text_until(body, body_text, (";",))))
        elif word == "if":
            body.take()
            statements.append(_if(body, body_text))
        elif word == "null":
            body.take()
        elif word == "raise":
            body.take()
            raised = _raise(body)
            if raised.level != "exception":  # a notice would be sent as the statement runs
                raise function_refused(f"RAISE {raised.level.upper()}")
            statements.append(raised)
        elif len(body.tokens) > body.index + 1 \
                and body.tokens[body.index + 1].token_type in (TokenType.COLON_EQ, TokenType.EQ):
            name = body.take().text.lower()
            body.take()
            statements.append(Assign(name, _text_until(body, body_text, (";",))))
        else:
            raise function_refused(f"the statement {word.upper() or token.text}")
        _semicolon(body)
    return tuple(statements)


def _if(body: _Body, body_text: str) -> If:
    branches: list[tuple[str, tuple[Statement, ...]]] = []
    otherwise: tuple[Statement, ...] = ()
    while True:
        condition = _text_until(body, body_text, ("then",))
        body.expect("then")
        branches.append((condition, _statements(body, body_text, ("elsif", "elseif", "else", "end"))))
        word = body.take().text.lower()
        if word == "else":
            otherwise = _statements(body, body_text, ("end",))
            body.take()
            break
        if word == "end":
            break
    body.expect("if")
    return If(tuple(branches), otherwise)


def parse_do(sql: str, start: int) -> DoCommand:
    """The DO statement `sql` whose options begin at character `start` (after the word DO)."""
    body: str | None = None
    tokens = _significant(tokenize(sql[start:]))
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.token_type in _BODY_TOKENS and body is None:
            body, index = token.text, index + 1
        elif token.text.lower() == "language" and index + 1 < len(tokens):
            language = tokens[index + 1].text
            if language.lower() != "plpgsql":
                raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                    f'DO blocks in language "{language}" are not supported')
            index += 2
        else:
            raise _syntax_error(token)
    if not tokens:
        raise _syntax_error(None)
    if body is None:
        raise DatabaseError(SYNTAX_ERROR, "no inline code specified")
    return DoCommand(_parse_body(_significant(tokenize(body))))


def _significant(tokens: Sequence[Token]) -> list[Token]:
    return [token for token in tokens if token.token_type != TokenType.SEMICOLON or token is not tokens[-1]]


def _syntax_error(token: Token | None) -> DatabaseError:
    near = f'at or near "{token.text}"' if token is not None else "at end of input"
    return DatabaseError(SYNTAX_ERROR, f"syntax error {near}")


class _Body:
    """The body's tokens, read front to back."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def word(self) -> str:
        token = self.peek()
        return "" if token is None or token.token_type in _BODY_TOKENS else token.text.lower()

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise _syntax_error(None)
        self.index += 1
        return token

    def expect(self, word: str) -> None:
        if self.word() != word:
            raise _syntax_error(self.peek())
        self.index += 1

    def string(self) -> str:
        token = self.take()
        if token.token_type not in _BODY_TOKENS:
            raise refused(f"a RAISE option other than a string literal ({token.text})")
        return token.text


def _parse_body(tokens: list[Token]) -> tuple[Raise, ...]:
    body = _Body(tokens)
    if body.word() == "declare":
        raise refused("DECLARE")
    body.expect("begin")
    raises = []
    while body.word() != "end":
        word = body.word()
        if word != "raise":
            raise refused(f"the statement {word.upper() or body.take().text}")
        body.take()
        raises.append(_raise(body))
        if body.peek() is None or body.peek().token_type != TokenType.SEMICOLON:  # type: ignore[union-attr]
            raise _syntax_error(body.peek())
        body.take()
    body.take()
    if body.peek() is not None:
        raise _syntax_error(body.peek())
    return tuple(raises)


def _raise(body: _Body) -> Raise:
    level = body.word() if body.word() in (*_NOTICE_LEVELS, "exception") else "exception"
    if body.word() == level:
        body.take()
    token = body.peek()
    message = None
    if token is not None and token.token_type in _BODY_TOKENS:
        message = body.string()
        if body.peek() is not None and body.peek().token_type == TokenType.COMMA:  # type: ignore[union-attr]
            raise refused("RAISE format arguments")
        message = _format(message)
    elif body.word() not in ("using", ";", ""):
        raise refused(f"RAISE of a condition name ({body.take().text})")
    options = _using(body) if body.word() == "using" else {}
    if "message" in options:
        if message is not None:
            raise DatabaseError(SYNTAX_ERROR, "RAISE option already specified: MESSAGE")
        message = options["message"]
    if message is None:
        raise refused("RAISE without a message")
    sqlstate = options.get("errcode")
    if sqlstate is not None and (len(sqlstate) != 5 or not sqlstate.isalnum()):
        raise refused(f"RAISE USING ERRCODE = '{sqlstate}' (a condition name)")
    return Raise(level, message, sqlstate.upper() if sqlstate else None, options.get("detail"),
                 options.get("hint"))


def _using(body: _Body) -> dict[str, str]:
    body.take()
    options: dict[str, str] = {}
    while True:
        name = body.word()
        if name not in ("errcode", "message", "detail", "hint"):
            raise refused(f"RAISE USING {body.take().text.upper()}")
        body.take()
        if body.peek() is None or body.take().token_type not in (TokenType.EQ, TokenType.COLON_EQ):
            raise _syntax_error(body.peek())
        if name in options:
            raise DatabaseError(SYNTAX_ERROR, f"RAISE option already specified: {name.upper()}")
        options[name] = body.string()
        if body.peek() is None or body.peek().token_type != TokenType.COMMA:  # type: ignore[union-attr]
            return options
        body.take()


def _format(text: str) -> str:
    """The message of a format without arguments: `%%` is `%`; a lone `%` wants an argument."""
    parts = text.split("%%")
    if any("%" in part for part in parts):
        raise DatabaseError(SYNTAX_ERROR, "too few parameters specified for RAISE")
    return "%".join(parts)
