"""FrontendParser: splitting the byte stream into messages in any chunking, and refusing bad lengths
from the header alone, before any body is buffered."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import frontend
from heliosdb_lite.protocol.framing import MAX_STARTUP_PACKET, FrontendParser
from heliosdb_lite.protocol.messages import (
    Bind,
    CopyData,
    Execute,
    FrontendMessage,
    Parse,
    Query,
    SSLRequest,
    StartupMessage,
    Sync,
)

LIMIT = 1 << 20

sql_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=30)
typed_message = st.one_of(
    sql_text.map(lambda sql: (frontend.query(sql), Query(sql))),
    st.tuples(sql_text, st.lists(st.integers(0, 2**32 - 1), max_size=4)).map(
        lambda case: (frontend.parse("", case[0], case[1]), Parse("", case[0], tuple(case[1])))),
    st.lists(st.one_of(st.none(), st.binary(max_size=10)), max_size=4).map(
        lambda params: (frontend.bind("", "", params), Bind("", "", (), tuple(params), ()))),
    st.integers(-(2**31), 2**31 - 1).map(lambda rows: (frontend.execute("", rows), Execute("", rows))),
    st.binary(max_size=40).map(lambda data: (frontend.copy_data(data), CopyData(data))),
    st.just((frontend.sync(), Sync())),
)


def collect(parser: FrontendParser) -> list[FrontendMessage]:
    found: list[FrontendMessage] = []
    while (message := parser.next_message()) is not None:
        found.append(message)
    return found


def started_parser(limit: int = LIMIT) -> FrontendParser:
    parser = FrontendParser(limit)
    parser.startup_done()
    return parser


def assert_fatal_08p01(parser: FrontendParser) -> None:
    with pytest.raises(DatabaseError) as caught:
        parser.next_message()
    assert (caught.value.sqlstate, caught.value.severity) == ("08P01", "FATAL")


def test_messages_fed_one_byte_at_a_time() -> None:
    stream = frontend.query("select 1") + frontend.parse("s", "select $1", (23,)) + frontend.sync()
    parser = started_parser()
    received: list[FrontendMessage] = []
    for index in range(len(stream)):
        parser.feed(stream[index : index + 1])
        received.extend(collect(parser))
    assert received == [Query("select 1"), Parse("s", "select $1", (23,)), Sync()]
    assert parser.buffered == 0


@settings(max_examples=150, deadline=None)
@given(cases=st.lists(typed_message, min_size=1, max_size=12), data=st.data())
def test_messages_split_at_arbitrary_chunk_boundaries(cases: list[tuple[bytes, FrontendMessage]],
                                                      data: st.DataObject) -> None:
    stream = b"".join(encoded for encoded, _ in cases)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=20)))
    parser = started_parser()
    received: list[FrontendMessage] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        parser.feed(stream[start:end])
        received.extend(collect(parser))
    assert received == [expected for _, expected in cases]
    assert parser.buffered == 0


def test_startup_phase_then_typed_messages() -> None:
    parser = FrontendParser(LIMIT)
    parser.feed(frontend.ssl_request())
    assert collect(parser) == [SSLRequest()]
    parser.feed(frontend.startup_message({"user": "u"}) + frontend.query("x"))
    assert parser.next_message() == StartupMessage(196608, {"user": "u"})
    parser.startup_done()
    assert collect(parser) == [Query("x")]


@pytest.mark.parametrize("length", [0, 3, -1, -(2**31), LIMIT + 1, 0x7FFFFFFF])
def test_bad_typed_length_is_refused_from_the_header_alone(length: int) -> None:
    parser = started_parser()
    parser.feed(b"Q" + struct.pack("!i", length))
    assert_fatal_08p01(parser)


def test_length_at_the_limit_waits_for_the_body() -> None:
    parser = started_parser(limit=100)
    parser.feed(b"d" + struct.pack("!i", 100))
    assert parser.next_message() is None
    parser.feed(b"x" * 96)
    assert parser.next_message() == CopyData(b"x" * 96)


@pytest.mark.parametrize("length", [0, 4, 7, -1, MAX_STARTUP_PACKET + 1, 0x7FFFFFFF])
def test_bad_startup_length_is_refused_from_the_header_alone(length: int) -> None:
    parser = FrontendParser(LIMIT)
    parser.feed(struct.pack("!i", length))
    assert_fatal_08p01(parser)


def test_startup_packet_of_exactly_the_maximum_is_read() -> None:
    prefix = struct.pack("!i", 196608) + b"user\x00u\x00application_name\x00"
    padding = MAX_STARTUP_PACKET - 4 - len(prefix) - 2
    body = prefix + b"a" * padding + b"\x00\x00"
    parser = FrontendParser(LIMIT)
    parser.feed(struct.pack("!i", len(body) + 4) + body)
    message = parser.next_message()
    assert isinstance(message, StartupMessage)
    assert message.parameters["application_name"] == "a" * padding


def test_oversized_startup_packet_is_08p01() -> None:
    parser = FrontendParser(LIMIT)
    parser.feed(frontend.startup_message({"user": "u", "options": "x" * MAX_STARTUP_PACKET}))
    assert_fatal_08p01(parser)


def test_unknown_protocol_version_is_0a000() -> None:
    parser = FrontendParser(LIMIT)
    parser.feed(frontend.startup_message({"user": "u"}, version=2 << 16))
    with pytest.raises(DatabaseError) as caught:
        parser.next_message()
    assert (caught.value.sqlstate, caught.value.severity) == ("0A000", "FATAL")


def test_truncated_body_inside_a_well_framed_message_is_08p01() -> None:
    parser = started_parser()
    parser.feed(b"E" + struct.pack("!i", 6) + b"\x00\x00")  # portal name, then half a row count
    assert_fatal_08p01(parser)


def test_unknown_message_type_is_08p01() -> None:
    parser = started_parser()
    parser.feed(b"?" + struct.pack("!i", 4))
    assert_fatal_08p01(parser)


def test_a_long_stream_whose_chunks_always_end_inside_a_message() -> None:
    """The taken front of the buffer is dropped as the stream goes on (COMPACT_AFTER), and every
    message and `last_frame` comes out whole."""
    wire = b"".join(frontend.copy_data(bytes([n % 251]) * 1000) for n in range(400))
    parser = started_parser()
    found: list[FrontendMessage] = []
    frames: list[bytes] = []
    for start in range(0, len(wire), 7777):  # never a frame boundary
        parser.feed(wire[start:start + 7777])
        while (message := parser.next_message()) is not None:
            found.append(message)
            frames.append(parser.last_frame)
    assert found == [CopyData(bytes([n % 251]) * 1000) for n in range(400)]
    assert b"".join(frames) == wire
    assert parser.buffered == 0


@given(st.lists(typed_message, min_size=1, max_size=12), st.data())
@settings(max_examples=100, deadline=None)
def test_backend_frames_in_any_chunking(cases: list[tuple[bytes, FrontendMessage]],
                                        data: st.DataObject) -> None:
    """BackendParser.complete_frames: whole frames only, each end offset right, the rest kept."""
    wire = b"".join(encoded for encoded, _ in cases)  # any type byte + length framing will do
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=6)))
    parser = frontend.BackendParser()
    blocks: list[bytes] = []
    for start, end in zip([0, *cuts], [*cuts, len(wire)], strict=True):
        block, ends = parser.complete_frames(wire[start:end])
        assert (ends[-1] if ends else 0) == len(block)
        for frame_start, frame_end in zip([0, *ends], ends, strict=False):
            assert struct.unpack_from("!i", block, frame_start + 1)[0] == frame_end - frame_start - 1
        blocks.append(block)
    assert b"".join(blocks) == wire
    assert parser.take_buffered() == b""
