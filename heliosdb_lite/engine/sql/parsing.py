"""SQL text → tokens, statements and sqlglot trees, with PostgreSQL's syntax errors (42601 + position).

`split` cuts a simple-query string at top-level semicolons using sqlglot's tokenizer (so `;`
inside strings, dollar quotes, comments and identifiers never splits) and drops empty
statements; a one-statement text of a literal shape split before is cut where that one was
(`literal_shapes`), without tokenizing. A statement that begins the text hands its tokens on
(`_split_tokens`), so that preparing it next does not tokenize it again: tokens do not depend on
what follows them, and their positions are the same in the statement as in the text it was cut
from. `parse` returns a cached tree — callers copy before they change it — with unquoted
identifiers folded to lower case as PostgreSQL folds them. Only short statements are cached
(`short_text_cache`); a long one's tokens only while one statement is prepared (`tokens_kept`).
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
from collections.abc import Iterator

from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql import literal_shapes
from heliosdb_lite.engine.sql.dialect import HeliosPostgres
from heliosdb_lite.engine.sql.short_text_cache import SHORT_TEXT_CHARS, cached_for_short_text
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, SYNTAX_ERROR, DatabaseError

_DIALECT = HeliosPostgres()
_KNOWN_COMMANDS = frozenset({
    "abort", "alter", "analyze", "analyse", "begin", "call", "checkpoint", "close", "cluster", "comment",
    "commit", "copy", "create", "deallocate", "declare", "delete", "discard", "do", "drop", "end", "execute",
    "explain", "fetch", "grant", "import", "insert", "listen", "load", "lock", "merge", "move", "notify",
    "prepare", "reassign", "refresh", "reindex", "release", "reset", "revoke", "rollback", "savepoint",
    "security", "select", "set", "show", "start", "table", "truncate", "unlisten", "update", "vacuum",
    "values", "with",
})

# what may stand between two string constants that are one: white space with a newline, and line
# comments (PostgreSQL's lexer; sqlglot joins any two, and 'a' 'b' is 42601 in PostgreSQL)
_CONTINUATION = re.compile(r"(?:[ \t\r\f\v]|--[^\n]*)*\n(?:\s|--[^\n]*)*")

# type names that can open a typed literal (`date '2024-01-01'`)
_LITERAL_TYPE_TOKENS = HeliosPostgres.parser_class.TYPE_TOKENS - {
    TokenType.NULL, TokenType.UNION, TokenType.ARRAY}


def _syntax_error(near: str | None, position: int | None) -> DatabaseError:
    message = f'syntax error at or near "{near}"' if near else "syntax error at end of input"
    return DatabaseError(SYNTAX_ERROR, message, position=position)


_long_texts = threading.local()  # .tokens: {text: tokens} inside tokens_kept(), else absent or None


@contextlib.contextmanager
def tokens_kept() -> Iterator[None]:
    """Inside, the tokens of texts too long for the LRU are kept as well, so that preparing one
    statement (recognising the command, its first words, grouping literals, parsing) tokenizes
    each of its texts once; they are let go on leaving, as they can be many times the text's size."""
    outer = getattr(_long_texts, "tokens", None)
    _long_texts.tokens = {} if outer is None else outer
    try:
        yield
    finally:
        _long_texts.tokens = outer


# statement text -> its tokens, as split found them (a few, for the statements about to be prepared)
_split_tokens: dict[str, tuple[Token, ...]] = {}
SPLIT_TOKENS_KEPT = 64


def tokenize(sql: str) -> tuple[Token, ...]:
    """sqlglot tokens of sql; 42601 for an unterminated string or comment."""
    handed_on = _split_tokens.get(sql)
    if handed_on is not None:
        return handed_on
    if len(sql) <= SHORT_TEXT_CHARS:
        return _short_text_tokens(sql)
    kept = getattr(_long_texts, "tokens", None)
    if kept is None:
        return _tokens(sql)
    tokens = kept.get(sql)
    if tokens is None:
        tokens = kept[sql] = _tokens(sql)
    return tokens


def _tokens(sql: str) -> tuple[Token, ...]:
    try:
        tokens = tuple(_DIALECT.tokenize(sql))
    except TokenError as error:
        raise DatabaseError(SYNTAX_ERROR, f"unterminated quoted string or comment: {error}") from None
    for before, token in itertools.pairwise(tokens):
        if before.token_type == TokenType.DELETE and token.token_type == TokenType.L_PAREN:
            before.token_type = TokenType.VAR  # delete(...) calls a function (hstore's), as in PostgreSQL
        if token.token_type == before.token_type == TokenType.STRING \
                and not _CONTINUATION.fullmatch(sql, before.end + 1, token.start):
            raise _syntax_error(sql[token.start:token.end + 1], token.start + 1)
    return tokens


_short_text_tokens = cached_for_short_text(maxsize=2048)(_tokens)


def split(sql: str) -> list[str]:
    """The statements of a simple query, without their semicolons; [] for an empty query."""
    return split_shaped(sql)[0]


def split_shaped(sql: str) -> tuple[list[str], literal_shapes.Masked | None]:
    """`split`, and the mask of the one statement of a text split by its shape (None otherwise),
    which is the statement's own: the text around it holds no constant."""
    shape = literal_shapes.masked(sql)
    if shape is not None:
        bounds = _split_shapes.get(shape.mask)
        if bounds is not None:
            return [sql[bounds[0]:len(sql) - bounds[1]]], shape.inner(*bounds)
    tokens = tokenize(sql)
    statements: list[tuple[int, int]] = []  # (first, stop) token indexes of each statement
    first: int | None = None  # index of the statement's first token
    for index, token in enumerate(tokens):
        if token.token_type == TokenType.SEMICOLON:
            if first is not None:
                statements.append((first, index))
            first = None
        elif first is None:
            first = index
    if first is not None:
        statements.append((first, len(tokens)))
    if shape is not None and len(statements) == 1 and literal_shapes.constants_are_tokens(shape, tokens):
        first, stop = statements[0]
        _split_shapes.learn(shape.mask, (tokens[first].start, len(sql) - tokens[stop - 1].end - 1))
    return [_statement(sql, tokens, first, stop) for first, stop in statements], None


# a one-statement text's mask -> (where its statement starts, how many characters follow it)
_split_shapes: literal_shapes.Shapes[tuple[int, int]] = literal_shapes.Shapes()


def _statement(sql: str, tokens: tuple[Token, ...], first: int, stop: int) -> str:
    """The text of tokens[first:stop]; the tokens are handed on to `tokenize` when they are
    exactly what tokenizing that text gives: it starts the text (same positions, lines and
    columns) and no comment is attached to them (one between the last token and the semicolon
    is not in the text)."""
    text = sql[tokens[first].start:tokens[stop - 1].end + 1]
    if first == 0 and tokens[0].start == 0 and len(text) <= SHORT_TEXT_CHARS and text != sql \
            and not any(token.comments for token in tokens[:stop]):
        if len(_split_tokens) >= SPLIT_TOKENS_KEPT:
            _split_tokens.clear()
        _split_tokens[text] = tokens[:stop]
    return text


def _position(sql: str, line: int, column: int, highlight: str) -> int:
    lines = sql.split("\n")
    offset = sum(len(text) + 1 for text in lines[:max(line - 1, 0)])
    return max(offset + column - len(highlight) + 1, 1)


def _typed_literals_grouped(sql: str) -> str:
    """sql with each typed literal that a `::` cast follows in parentheses: sqlglot reads
    `timestamp 'x'::timestamptz` as `timestamp ('x'::timestamptz)`, PostgreSQL as
    `(timestamp 'x')::timestamptz`."""
    tokens = tokenize(sql)
    spans: list[tuple[int, int]] = []
    for index in range(2, len(tokens)):
        if tokens[index].token_type != TokenType.DCOLON or tokens[index - 1].token_type != TokenType.STRING:
            continue
        start = index - 2
        if (start >= 3 and tokens[start].text.lower() == "zone"
                and tokens[start - 1].token_type == TokenType.TIME
                and tokens[start - 2].text.lower() in ("with", "without")):
            start -= 3
        if (start >= 4 and tokens[start].token_type == TokenType.R_PAREN
                and tokens[start - 1].token_type == TokenType.NUMBER
                and tokens[start - 2].token_type == TokenType.L_PAREN):  # a modifier: timestamp(3) 'x'
            start -= 3
        if tokens[start].token_type in _LITERAL_TYPE_TOKENS:
            spans.append((tokens[start].start, tokens[index - 1].end + 1))
    for start, end in reversed(spans):
        sql = f"{sql[:start]}({sql[start:end]}){sql[end:]}"
    return sql


@cached_for_short_text(maxsize=2048)
def _parse(sql: str) -> exp.Expr:
    grouped = _typed_literals_grouped(sql)
    if grouped != sql:
        try:
            return _parse(grouped)
        except DatabaseError:
            pass  # the error, with its position, of the statement as written
    try:
        trees = [tree for tree in _DIALECT.parser().parse(list(tokenize(sql)), sql) if tree is not None]
    except ParseError as error:
        if first_words(sql, 1) == ["merge"]:  # refused whole (translate), even where sqlglot cannot parse it
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "statement MERGE is not supported") from None
        detail = error.errors[0] if error.errors else {}
        highlight = detail.get("highlight") or ""
        description = str(detail.get("description", ""))
        at_end = not (detail.get("end_context") or "").strip() and description.startswith(
            ("Expecting", "Required keyword"))
        position = None
        if highlight:
            position = _position(sql, detail.get("line", 1), detail.get("col", 1), highlight)
        raise _syntax_error(None if at_end else highlight, None if at_end else position) from None
    except TokenError as error:
        raise DatabaseError(SYNTAX_ERROR, f"unterminated quoted string or comment: {error}") from None
    if not trees:
        raise _syntax_error(None, None)
    if len(trees) > 1:
        raise DatabaseError(SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement")
    tree = trees[0]
    if isinstance(tree, exp.Command):
        word = tree.name.lower()
        if word not in _KNOWN_COMMANDS:
            raise _syntax_error(tree.name, 1)
    return normalize_identifiers(tree, dialect="postgres")


def parse(sql: str) -> exp.Expr:
    """The sqlglot tree of one statement (shared: copy before changing it)."""
    return _parse(sql)


def first_words(sql: str, count: int = 3) -> list[str]:
    """The first keywords/identifiers of a statement, lower-cased (for recognising utility commands)."""
    words = []
    for token in tokenize(sql)[:count]:
        if token.token_type in (TokenType.STRING, TokenType.NUMBER, TokenType.L_PAREN):
            break
        words.append(token.text.lower())
    return words
