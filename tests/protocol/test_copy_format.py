"""COPY text and csv row formats: escapes, quoting, NULL markers, headers, chunking, terminator."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.copy_format import CopyInParser, format_row

TEXT_OPTIONS = {"fmt": "text", "delimiter": "\t", "null": "\\N"}
CSV_OPTIONS: dict[str, Any] = {"fmt": "csv", "delimiter": ",", "null": ""}

# Any text PostgreSQL can store (no NUL, no lone surrogates), biased toward the characters that
# need escaping or quoting.
special = st.sampled_from(["\t", "\n", "\r", "\\", '"', ",", "|", " ", "\\.", "\\N", "é", "\b", "\f", "\v"])
field_text = st.lists(
    st.one_of(special, st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                               max_size=6)),
    max_size=6,
).map("".join)
field = st.one_of(st.none(), field_text)


def parser(fmt: str, *, columns: int, header: bool = False, delimiter: str | None = None,
           null: str | None = None, quote: str = '"', escape: str = '"') -> CopyInParser:
    options = TEXT_OPTIONS if fmt == "text" else CSV_OPTIONS
    return CopyInParser(fmt=fmt, delimiter=delimiter or options["delimiter"],
                        null=options["null"] if null is None else null, header=header, quote=quote,
                        escape=escape, column_names=[f"c{i + 1}" for i in range(columns)])


def read_all(copy_parser: CopyInParser, data: bytes, cuts: list[int] | None = None) -> list[list[str | None]]:
    """Feed `data` split at `cuts` (byte offsets), then finish."""
    bounds = [0, *sorted({min(cut, len(data)) for cut in cuts or []}), len(data)]
    rows: list[list[str | None]] = []
    for start, end in itertools.pairwise(bounds):
        rows.extend(copy_parser.feed(data[start:end]))
    rows.extend(copy_parser.finish())
    return rows


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(field, min_size=3, max_size=3), max_size=5), cuts=st.lists(st.integers(0, 400)),
       delimiter=st.sampled_from(["\t", ",", "|"]))
def test_text_format_round_trips_any_strings_and_nulls(rows: list[list[str | None]], cuts: list[int],
                                                       delimiter: str) -> None:
    data = b"".join(format_row(row, fmt="text", delimiter=delimiter, null="\\N") for row in rows)
    assert read_all(parser("text", columns=3, delimiter=delimiter), data, cuts) == rows


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(field, min_size=2, max_size=2), max_size=5), cuts=st.lists(st.integers(0, 400)),
       escape=st.sampled_from(['"', "\\"]))
def test_csv_format_round_trips_quotes_newlines_delimiters(rows: list[list[str | None]], cuts: list[int],
                                                          escape: str) -> None:
    data = b"".join(format_row(row, fmt="csv", delimiter=",", null="", escape=escape) for row in rows)
    assert read_all(parser("csv", columns=2, escape=escape), data, cuts) == rows


def test_text_null_marker_is_compared_before_unescaping() -> None:
    data = b"\\N\t\\\\N\t\n"
    assert read_all(parser("text", columns=3), data) == [[None, "\\N", ""]]


def test_text_escapes_decode_as_postgresql_does() -> None:
    data = b"a\\tb\\nc\t\\x41\\101\\q\t\\303\\251\n"
    assert read_all(parser("text", columns=3), data) == [["a\tb\nc", "AAq", "é"]]


def test_text_escape_producing_invalid_utf8_is_22021() -> None:
    with pytest.raises(DatabaseError) as caught:
        read_all(parser("text", columns=1), b"\\377\n")
    assert caught.value.sqlstate == "22021"


def test_text_escaped_delimiter_is_data() -> None:
    assert read_all(parser("text", columns=2, delimiter="|"), b"a\\|b|c\n") == [["a|b", "c"]]


def test_csv_empty_string_and_null_differ() -> None:
    assert format_row([None, ""], **CSV_OPTIONS) == b',""\n'
    assert read_all(parser("csv", columns=3), b',"",\n') == [[None, "", None]]


def test_csv_custom_null_marker_quoted_is_a_string() -> None:
    copy_parser = parser("csv", columns=2, null="NULL")
    assert read_all(copy_parser, b'NULL,"NULL"\n') == [[None, "NULL"]]
    assert format_row([None, "NULL"], fmt="csv", delimiter=",", null="NULL") == b'NULL,"NULL"\n'


def test_csv_quoting_of_embedded_quotes_newlines_and_delimiters() -> None:
    row = ['say "hi"', "two\nlines", "a,b", " padded "]
    line = format_row(row, **CSV_OPTIONS)
    assert line == b'"say ""hi""","two\nlines","a,b"," padded "\n'
    assert read_all(parser("csv", columns=4), line) == [row]


def test_csv_header_is_written_and_skipped() -> None:
    assert format_row(["id", "na,me"], fmt="csv", delimiter=",", null="") == b'id,"na,me"\n'
    data = b'id,"na,me"\n1,x\n'
    assert read_all(parser("csv", columns=2, header=True), data) == [["1", "x"]]


def test_text_header_is_skipped() -> None:
    assert read_all(parser("text", columns=1, header=True), b"name\nvalue\n") == [["value"]]


def test_row_and_utf8_character_split_across_chunks() -> None:
    data = "é1\tñ2\n€3\t4\n".encode()
    for cut in range(1, len(data)):
        assert read_all(parser("text", columns=2), data, [cut]) == [["é1", "ñ2"], ["€3", "4"]]


def test_terminator_line_ends_the_data() -> None:
    copy_parser = parser("text", columns=1)
    assert copy_parser.feed(b"a\n\\.\nignored\n") == [["a"]]
    assert copy_parser.feed(b"more\n") == []
    assert copy_parser.finish() == []
    assert read_all(parser("csv", columns=1), b"a\r\n\\.\r\n") == [["a"]]


def test_csv_value_that_looks_like_the_terminator_is_quoted() -> None:
    line = format_row(["\\."], **CSV_OPTIONS)
    assert line == b'"\\."\n'
    assert read_all(parser("csv", columns=1), line + b"after\n") == [["\\."], ["after"]]


def test_last_line_without_newline_counts() -> None:
    assert read_all(parser("text", columns=2), b"1\t2\n3\t4") == [["1", "2"], ["3", "4"]]


def test_crlf_line_endings() -> None:
    assert read_all(parser("text", columns=2), b"1\t2\r\n") == [["1", "2"]]


@pytest.mark.parametrize(("fmt", "data", "problem"), [
    ("text", b"1\t2\t3\n", "extra data after last expected column"),
    ("text", b"1\n", 'missing data for column "c2"'),
    ("csv", b"1,2,3\n", "extra data after last expected column"),
    ("csv", b"1\n", 'missing data for column "c2"'),
])
def test_wrong_column_count_is_22p04(fmt: str, data: bytes, problem: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        first_line = b"ok\tok\n" if fmt == "text" else b"ok,ok\n"
        read_all(parser(fmt, columns=2), first_line + data)
    assert caught.value.sqlstate == "22P04"
    assert caught.value.message == problem
    assert caught.value.detail == "COPY line 2"


def test_unterminated_csv_quote_is_22p04() -> None:
    with pytest.raises(DatabaseError) as caught:
        read_all(parser("csv", columns=1), b'"never closed\n')
    assert caught.value.sqlstate == "22P04"


def test_invalid_utf8_in_copy_data_is_22021() -> None:
    with pytest.raises(DatabaseError) as caught:
        read_all(parser("text", columns=1), b"\xff\n")
    assert caught.value.sqlstate == "22021"
