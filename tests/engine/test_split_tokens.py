"""`split` hands a statement's tokens on to `tokenize` (one tokenization per simple-query
statement, issue 14): on every SQL text of the differential tests and the sqlsmith corpus, the
tokens handed on are exactly those tokenizing the statement alone gives, so the statement cache
keys (`literal_normalisation.normalise`, built from them) are the same too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlglot.tokens import Token

from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.errors import DatabaseError

TESTS = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((TESTS / "engine").glob("test_differential*.py")),
           TESTS / "fuzz" / "test_sqlsmith_corpus.py"]
STATEMENT_WORDS = ("select", "insert", "update", "delete", "with", "create", "alter", "drop", "values",
                   "begin", "commit", "rollback", "set", "show", "table", "copy")
# how a statement may end in a simple query; with a comment before the semicolon its tokens carry
# the comment and are not handed on
ENDINGS = {";": True, " ; ": True, ";\n": True, "; select 1": True, ";;": True,
           "; -- a comment after": True, " /* a comment before */;": False}


def corpus() -> list[str]:
    texts: set[str] = set()
    for source in SOURCES:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip().rstrip(";").strip()
                if text.lower().startswith(STATEMENT_WORDS) and ";" not in text:
                    texts.add(text)
    return sorted(texts)


def shape(tokens: tuple[Token, ...]) -> list[tuple[object, ...]]:
    return [(t.token_type, t.text, t.line, t.col, t.start, t.end, tuple(t.comments)) for t in tokens]


CORPUS = corpus()


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) > 1000


@pytest.mark.parametrize("ending", ENDINGS)
def test_handed_on_tokens_are_the_statement_s_own(ending: str) -> None:
    parsing._split_tokens.clear()
    handed_on = 0
    for text in CORPUS:
        try:
            statements = parsing.split(text + ending)
        except DatabaseError:  # an unterminated string: nothing is split, nothing handed on
            continue
        for statement in statements:
            kept = parsing._split_tokens.get(statement)
            if kept is None:
                continue
            handed_on += 1
            assert shape(kept) == shape(parsing._tokens(statement)), statement
    if ENDINGS[ending]:
        assert handed_on > len(CORPUS) // 2  # the hand-over happens, not only its check
