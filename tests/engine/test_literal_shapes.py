"""Literal shapes (issue 14): a text split or normalised by the shape of another is split and
normalised exactly as tokenizing it gives. On every SQL text of the differential tests and the
sqlsmith corpus, another text of the same shape (each masked constant's content replaced) is
split and normalised both ways and compared; the masks themselves are checked on the lexical
corners (comments, quoted identifiers, prefixed and dollar-quoted strings, parameters)."""

from __future__ import annotations

import random

import pytest

from heliosdb_lite.engine.sql import literal_normalisation, literal_shapes, parsing
from heliosdb_lite.errors import DatabaseError
from tests.engine.test_split_tokens import CORPUS

NUMBERS = ["0", "7", "42", "2147483647", "2147483648", "9223372036854775808", "3.25", "0.000001"]
STRINGS = ["", "x", "a b", "%_", "$$", "-- no comment", "/* no comment */", ";", "é€😀", "1.5", "tab\there"]


def other_constants(text: str, rng: random.Random) -> str | None:
    """text with each masked constant's content replaced by another of its kind; None without any,
    or when the result is not of text's shape (a masked piece that is not a constant, such as
    `', '` between two escape strings, can change the mask when its content changes)."""
    masked = literal_shapes.masked(text)
    if masked is None:
        return None
    pieces: list[str] = []
    end = 0
    for start, stop in masked.spans:
        constant = text[start:stop]
        other = f"'{rng.choice(STRINGS)}'" if constant.startswith("'") else rng.choice(NUMBERS)
        pieces += [text[end:start], other]
        end = stop
    pieces.append(text[end:])
    other_text = "".join(pieces)
    other_masked = literal_shapes.masked(other_text)
    return other_text if other_masked is not None and other_masked.mask == masked.mask else None


@pytest.fixture
def fresh_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(literal_normalisation, "_shapes", literal_shapes.Shapes())
    monkeypatch.setattr(parsing, "_split_shapes", literal_shapes.Shapes())


def forget_shapes() -> None:
    literal_normalisation._shapes = literal_shapes.Shapes()
    parsing._split_shapes = literal_shapes.Shapes()


def outcome(function, text: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return function(text)
    except DatabaseError as error:
        return (error.sqlstate, str(error))


@pytest.mark.usefixtures("fresh_shapes")
def test_a_statement_normalised_by_shape_is_normalised_as_tokenizing_it_gives() -> None:
    rng = random.Random(14)
    recalled = 0
    for text in CORPUS:
        other = other_constants(text, rng)
        if other is None:
            continue
        forget_shapes()
        expected = outcome(literal_normalisation.normalise, other)
        forget_shapes()
        outcome(literal_normalisation.normalise, text)  # learns text's shape, if it can
        by_shape = literal_normalisation.normalised_by_shape(other)
        if by_shape is not None:
            recalled += 1
            assert by_shape == expected, (text, other)
    assert recalled > 500  # the shapes are used, not only checked


@pytest.mark.usefixtures("fresh_shapes")
@pytest.mark.parametrize("ending", ["", ";", " ;\n", "; -- after", " /* before */;"])
def test_a_text_split_by_shape_is_split_as_tokenizing_it_gives(ending: str) -> None:
    rng = random.Random(14)
    recalled = 0
    for text in CORPUS:
        other = other_constants(text + ending, rng)
        if other is None:
            continue
        forget_shapes()
        expected = outcome(parsing.split, other)
        forget_shapes()
        outcome(parsing.split, text + ending)
        masked = literal_shapes.masked(other)
        if masked is not None and parsing._split_shapes.get(masked.mask) is not None:
            recalled += 1
            statements, statement_mask = parsing.split_shaped(other)
            assert statements == expected, (text, other)
            # the statement's mask, cut from the text's, is the one masking the statement gives
            assert statement_mask == literal_shapes.masked(statements[0]), (text, other)
    assert recalled > 500


@pytest.mark.parametrize("text", [
    "SELECT 1 -- 2",                      # in a line comment
    "SELECT /* 'x' */ 1",                 # in a block comment
    'SELECT "col 1" FROM t',              # a quoted identifier
    "SELECT $$ 'x' 5 $$",                 # a dollar-quoted string
    "SELECT 'it''s'",                     # a doubled quote: not masked at all
])
@pytest.mark.usefixtures("fresh_shapes")
def test_a_masked_piece_that_is_not_a_constant_token_teaches_nothing(text: str) -> None:
    masked = literal_shapes.masked(text)
    if masked is None:
        return
    parsing.split(text)
    literal_normalisation.normalise(text)
    assert parsing._split_shapes.get(masked.mask) is None
    assert literal_normalisation._shapes.get(masked.mask) is None


@pytest.mark.parametrize(("text", "constants"), [
    ("SELECT * FROM t WHERE a = 5 AND b = 'x' LIMIT 10", ["5", "'x'", "10"]),
    ("SELECT $1, t1.c2, x1 FROM t1 WHERE a = -3.5", ["3.5"]),
    ("SELECT E'x', B'01', X'1f', N'n', U&'u', 'a''b'", []),
    ("SELECT 1e5, 0x1F, 1., .5, 1.2.3, a[1]", ["1"]),
])
def test_what_the_mask_takes_for_a_constant(text: str, constants: list[str]) -> None:
    masked = literal_shapes.masked(text)
    found = [] if masked is None else [text[start:stop] for start, stop in masked.spans]
    assert found == constants


@pytest.mark.usefixtures("fresh_shapes")
def test_pgbench_s_statements_are_recalled_by_shape() -> None:
    literal_normalisation.normalise("UPDATE pgbench_accounts SET abalance = abalance + -17 WHERE aid = 3")
    assert parsing.split("SELECT abalance FROM pgbench_accounts WHERE aid = 3;") == [
        "SELECT abalance FROM pgbench_accounts WHERE aid = 3"]
    recalled = literal_normalisation.normalised_by_shape(
        "UPDATE pgbench_accounts SET abalance = abalance + -4000 WHERE aid = 3000000000")
    assert recalled == literal_normalisation.Normalised(
        "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2",
        (literal_normalisation.t.INT4, literal_normalisation.t.INT8), ("-4000", "3000000000"))
    masked = literal_shapes.masked("SELECT abalance FROM pgbench_accounts WHERE aid = 77;")
    assert masked is not None and parsing._split_shapes.get(masked.mask) is not None
