"""Fuzzing one real server with malformed, truncated and oversized protocol messages.

Hypothesis draws batches. Each batch opens raw TCP connections: one completes a valid startup and
sends a burst of random typed messages, ending in a FATAL-worthy message, a half-sent message and
a closed socket, or a marker query; another sends random startup-phase packets. The sans-IO
FrontendParser is the oracle: it says how far the server reads and which FATAL it must send, so
only bytes the server consumes are sent (no RST can hide the ErrorResponse). After every batch a
well-behaved psycopg connection must still get correct answers; at the end the server process is
alive, answers a new connection, and logged no traceback.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heliosdb_lite.errors import CHARACTER_NOT_IN_REPERTOIRE, DatabaseError
from heliosdb_lite.protocol import frontend
from heliosdb_lite.protocol.framing import FrontendParser
from heliosdb_lite.protocol.messages import (
    CancelRequest,
    GSSENCRequest,
    PasswordMessage,
    SSLRequest,
    StartupMessage,
    Terminate,
)
from testsupport.server_process import ServerProcess

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # the server's default server.max_message_bytes
SOCKET_TIMEOUT = 10.0
BATCHES = 240
REQUIRED_MESSAGES = 10_000
MARKER = 424242
TYPED_CODES = b"QPBDECSHXdcfp"

# strategies ------------------------------------------------------------------------------------

sql_pool = st.sampled_from([
    "select 1", "select $1", "select $1::int + $2", "selec", "", ";", "begin", "commit", "rollback",
    "select 'a' || $1", "select 1/0", "select * from no_such_table", "select 1; select 2", "values (1), (2)",
    "show server_version", "set application_name = 'fuzz'", "select 'é'", "select null", "select $1::text",
])
text_noise = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12)
sql = st.one_of(sql_pool, text_noise)
name = st.sampled_from(["", "s1", "p1", "é", "x" * 40])
kind = st.sampled_from(["S", "P"])
oid = st.sampled_from([0, 16, 17, 20, 21, 23, 25, 114, 700, 701, 1043, 1082, 1083, 1114, 1184, 1186, 1700,
                       2950, 3802, 26, 19, 18, 1042, 12345, 2**32 - 1])
param_value = st.one_of(st.none(), st.binary(max_size=12),
                        st.sampled_from([b"1", b"-5", b"abc", b"99999999999999999999", b"\x00\x00\x00\x01",
                                         b"t", b"2024-01-01", b"1e400", b"NaN", b"{}", b"\xff"]))
formats = st.sampled_from([(), (0,), (1,), (0, 1), (1, 0, 1)])

def _with_body(code: int, body: bytes) -> bytes:
    return bytes([code]) + struct.pack("!i", len(body) + 4) + body


framed_message = st.one_of(
    sql.map(frontend.query),
    st.builds(frontend.parse, name, sql, st.lists(oid, max_size=3)),
    st.builds(frontend.bind, name, name, st.lists(param_value, max_size=3), formats, formats),
    st.builds(frontend.describe, kind, name),
    st.builds(frontend.execute, name, st.integers(-(2**31), 2**31 - 1)),
    st.builds(frontend.close, kind, name),
    st.just(frontend.sync()),
    st.just(frontend.flush()),
    st.binary(max_size=16).map(frontend.copy_data),
    st.just(frontend.copy_done()),
    text_noise.map(frontend.copy_fail),
    st.just(_with_body(ord("Q"), b"select '\xc3'\x00")),  # invalid UTF-8: an ERROR, the session goes on
    st.just(_with_body(ord("P"), b"\x00select '\xe9'\x00\x00\x00")),
)
# A parameter of every type, bound from random text or binary bytes, executed.
typed_parameter = st.builds(
    lambda type_oid, value, fmt: (frontend.parse("", "select $1", [type_oid])
                                  + frontend.bind("", "", [value], (fmt,), (fmt,)) + frontend.execute("")
                                  + frontend.sync()),
    oid, param_value, st.sampled_from([0, 1]))


def _bad_length(length: int) -> bytes:
    return b"Q" + struct.pack("!i", length)


def _truncated(message: bytes, keep: int) -> bytes:
    """A typed message with its body cut to `keep` bytes, length word adjusted."""
    body = message[5 : 5 + min(keep, len(message) - 5)]
    return message[:1] + struct.pack("!i", len(body) + 4) + body


fatal_message = st.one_of(
    st.sampled_from([-1, 0, 3, -(2**31), 0x7FFFFFFF, MAX_MESSAGE_BYTES + 1]).map(_bad_length),
    st.builds(_with_body, st.integers(0, 255).filter(lambda code: code not in TYPED_CODES),
              st.binary(max_size=16)),
    st.builds(_with_body, st.sampled_from(b"QPBDECfSHc"), st.binary(min_size=1, max_size=16)),
    st.builds(_truncated, framed_message, st.integers(0, 8)),
    st.builds(frontend.bind, name, name, st.lists(param_value, max_size=2), st.just((2,)), formats),
    st.builds(lambda sql_text: frontend.query(sql_text + "\x00trailing"), sql),
    st.just(frontend.sync() + frontend.password_message("not now")),
)


@dataclass
class Ending:
    """How a burst ends: `tail` bytes, and whether the client then half-closes the socket."""

    tail: bytes
    half_close: bool = False


# After a burst the server has not closed, this must answer with the marker row.
MARKER_TAIL = frontend.sync() + frontend.query("rollback") + frontend.query(f"select {MARKER}")

ending_kinds: dict[str, st.SearchStrategy[Ending]] = {
    "marker": st.just(Ending(b"")),
    "fatal": fatal_message.map(Ending),
    "half-sent": st.builds(lambda message, keep: Ending(message[: max(1, min(keep, len(message) - 1))],
                                                       half_close=True),
                           framed_message, st.integers(1, 20)),
    "terminate": st.just(Ending(frontend.terminate())),
}
burst_ending = st.sampled_from(["fatal", "marker", "half-sent", "fatal", "marker", "terminate"]).flatmap(
    ending_kinds.__getitem__)

startup_parameters = st.dictionaries(
    st.sampled_from(["user", "database", "application_name", "options", "client_encoding", "DateStyle",
                     "heliosdb.session_id", "x"]),
    st.one_of(st.sampled_from(["postgres", "", "-c search_path=public", "0123456789abcdef", "nope"]),
              text_noise),
    max_size=4,
)
startup_packet = st.one_of(
    st.builds(frontend.startup_message, startup_parameters),
    st.builds(frontend.startup_message, startup_parameters,
              st.sampled_from([2 << 16, 4 << 16, 1234 << 16 | 5681, 0, 0xFFFF0000])),
    st.sampled_from([-1, 0, 4, 7, 10_001, 0x7FFFFFFF]).map(lambda length: struct.pack("!i", length)),
    st.builds(lambda body: struct.pack("!i", len(body) + 4) + body, st.binary(max_size=40)),
    st.builds(frontend.cancel_request, st.integers(-(2**31), 2**31 - 1), st.integers(-(2**31), 2**31 - 1)),
    st.binary(min_size=1, max_size=60),
)
startup_sequence = st.tuples(
    st.lists(st.sampled_from([frontend.ssl_request(), frontend.gssenc_request()]), max_size=2),
    startup_packet,
)


# the oracle ------------------------------------------------------------------------------------


@dataclass
class Prediction:
    """What the server must do with a byte stream: read `consumed` bytes (`messages` messages), then
    FATAL with `sqlstate`, end quietly (Terminate, CancelRequest), or wait for more."""

    consumed: int = 0
    messages: int = 0
    sqlstate: str | None = None
    ends_quietly: bool = False
    negotiation_replies: int = 0
    startup: dict[str, str] | None = None


def predict(stream: bytes, *, startup_phase: bool) -> Prediction:
    parser = FrontendParser(MAX_MESSAGE_BYTES)
    if not startup_phase:
        parser.startup_done()
    parser.feed(stream)
    prediction = Prediction()
    while True:
        start = len(stream) - parser.buffered
        try:
            message = parser.next_message()
        except DatabaseError as error:
            if error.sqlstate == CHARACTER_NOT_IN_REPERTOIRE and not startup_phase:  # an ERROR, not FATAL
                prediction.consumed = len(stream) - parser.buffered
                prediction.messages += 1
                continue
            read_to = len(stream) - parser.buffered
            prediction.consumed = read_to if read_to > start else start + (4 if startup_phase else 5)
            prediction.messages += 1
            prediction.sqlstate = error.sqlstate
            return prediction
        if message is None:
            return prediction
        prediction.consumed = len(stream) - parser.buffered
        prediction.messages += 1
        if isinstance(message, SSLRequest | GSSENCRequest):
            prediction.negotiation_replies += 1
        elif isinstance(message, CancelRequest | Terminate):
            prediction.ends_quietly = True
            return prediction
        elif isinstance(message, PasswordMessage):  # outside authentication: a protocol violation
            prediction.sqlstate = "08P01"
            return prediction
        elif isinstance(message, StartupMessage):
            prediction.startup = message.parameters
            return prediction


# talking to the server ---------------------------------------------------------------------------


@dataclass
class Tally:
    messages: int = 0
    fatal_closes: int = 0
    alive_bursts: int = 0
    quiet_ends: int = 0
    errors_received: int = 0
    startups: dict[str, int] = field(default_factory=dict)


class RawClient:
    """A blocking socket reading backend messages through the client-side parser."""

    def __init__(self, server: ServerProcess) -> None:
        self.sock = socket.create_connection((server.host, server.port), timeout=SOCKET_TIMEOUT)
        self.parser = frontend.BackendParser()

    def close(self) -> None:
        self.sock.close()

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.parser.feed(data)
        return bool(data)

    def receive(self) -> frontend.BackendMessage | None:
        """The next message, or None at EOF."""
        while (message := self.parser.next_message()) is None:
            if not self._fill():
                assert self.parser.next_message() is None
                return None
        return message

    def negotiation_reply(self) -> str | None:
        while (reply := self.parser.take_byte()) is None:
            if not self._fill():
                return None
        return reply

    def until_ready(self) -> list[frontend.BackendMessage]:
        """Messages up to and including ReadyForQuery; fails at EOF."""
        received: list[frontend.BackendMessage] = []
        while True:
            message = self.receive()
            assert message is not None, f"connection closed; received {received}"
            received.append(message)
            if message.type == "Z":
                return received

    def until_eof(self) -> list[frontend.BackendMessage]:
        received = []
        while (message := self.receive()) is not None:
            received.append(message)
        return received


def assert_fatal_then_eof(received: list[frontend.BackendMessage], sqlstate: str) -> None:
    assert received, "the server closed without an ErrorResponse"
    last = received[-1]
    assert last.type == "E", f"expected a final ErrorResponse, got {received[-3:]}"
    fields = frontend.decode_error_fields(last.body)
    assert (fields["V"], fields["C"]) == ("FATAL", sqlstate), fields


def assert_no_fatal(received: list[frontend.BackendMessage]) -> None:
    for message in received:
        if message.type == "E":
            assert frontend.decode_error_fields(message.body)["V"] != "FATAL", message


def start_session(server: ServerProcess) -> RawClient:
    client = RawClient(server)
    client.sock.sendall(frontend.startup_message({"user": "postgres", "database": "postgres"}))
    startup = client.until_ready()
    assert startup[0] == frontend.BackendMessage("R", b"\x00\x00\x00\x00")
    return client


def run_burst(server: ServerProcess, pieces: list[bytes], ending: Ending, tally: Tally) -> None:
    """Valid startup, then the burst; the server's answer must match the oracle."""
    stream = b"".join(pieces) + ending.tail
    prediction = predict(stream, startup_phase=False)
    if prediction.sqlstate is None and not prediction.ends_quietly and not ending.half_close:
        stream += MARKER_TAIL
        prediction = predict(stream, startup_phase=False)
    client = start_session(server)
    try:
        client.sock.sendall(stream[: prediction.consumed] if prediction.sqlstate else stream)
        tally.messages += prediction.messages
        if prediction.sqlstate is not None:
            received = client.until_eof()
            assert_fatal_then_eof(received, prediction.sqlstate)
            tally.fatal_closes += 1
        elif prediction.ends_quietly or ending.half_close:
            if ending.half_close:
                client.sock.shutdown(socket.SHUT_WR)
                tally.messages += 1  # the half-sent message
            received = client.until_eof()
            assert_no_fatal(received)
            tally.quiet_ends += 1
        else:
            received = []
            while not any(m.type == "D" and frontend.decode_data_row(m.body) == [str(MARKER).encode()]
                          for m in received):
                received += client.until_ready()
            assert_no_fatal(received)
            tally.alive_bursts += 1
        tally.errors_received += sum(message.type == "E" for message in received)
    finally:
        client.close()


def run_startup(server: ServerProcess, prefix: list[bytes], packet: bytes, tally: Tally) -> None:
    """Random startup-phase packets on a fresh connection."""
    stream = b"".join(prefix) + packet
    prediction = predict(stream, startup_phase=True)
    client = RawClient(server)
    try:
        client.sock.sendall(stream[: prediction.consumed] if prediction.sqlstate else stream)
        tally.messages += prediction.messages
        for _ in range(prediction.negotiation_replies):
            assert client.negotiation_reply() == "N"
        if prediction.sqlstate is not None:
            assert_fatal_then_eof(client.until_eof(), prediction.sqlstate)
            outcome = "fatal " + prediction.sqlstate
        elif prediction.startup is not None:
            outcome = finish_startup(client, prediction.startup)
        else:
            if not prediction.ends_quietly:
                client.sock.shutdown(socket.SHUT_WR)
            assert client.until_eof() == []
            outcome = "quiet"
        tally.startups[outcome] = tally.startups.get(outcome, 0) + 1
    finally:
        client.close()


def finish_startup(client: RawClient, parameters: dict[str, str]) -> str:
    """A well-framed startup packet: the session starts, or the server refuses it with one error
    (before AuthenticationOk, or after it for a database not served or a setting refused)."""
    first = client.receive()
    assert first is not None, "server closed without answering a startup packet"
    if first.type == "E":
        fields = frontend.decode_error_fields(first.body)
        assert client.until_eof() == []
        assert fields["V"] == "FATAL", f"startup refused with a non-FATAL error: {fields}"
        if not parameters.get("user"):
            assert fields["C"] == "28000"
        return "refused " + fields["C"]
    assert first.type == "R"
    assert parameters.get("user"), "a startup packet without user was accepted"
    database = parameters.get("database") or parameters["user"]
    if database != "postgres":  # the one database served: any other is refused once authenticated
        refusal = client.until_eof()
        assert [message.type for message in refusal] == ["E"], refusal
        fields = frontend.decode_error_fields(refusal[0].body)
        assert fields["V"] == "FATAL" and fields["C"] in ("3D000", "55000", "0A000"), fields
        return "refused " + fields["C"]
    started = client.receive()
    while started is not None and started.type not in ("E", "Z"):
        started = client.receive()
    assert started is not None, "server closed without a ReadyForQuery or an error"
    if started.type == "E":  # a setting refused, after AuthenticationOk as PostgreSQL does
        fields = frontend.decode_error_fields(started.body)
        assert client.until_eof() == []
        assert fields["V"] == "FATAL" and fields["C"] in ("22023", "0A000", "42704"), fields
        return "refused setting " + fields["C"]
    client.sock.sendall(frontend.query(f"select {MARKER}"))
    rows = [frontend.decode_data_row(m.body) for m in client.until_ready() if m.type == "D"]
    assert rows == [[str(MARKER).encode()]]
    client.sock.sendall(frontend.terminate())
    assert client.until_eof() == []
    return "started"


# the test ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("fuzz") / "data").start()
    try:
        yield process
    finally:
        process.stop()


def test_server_survives_malformed_truncated_and_oversized_messages(fuzz_server: ServerProcess) -> None:
    tally = Tally()
    with psycopg.connect(fuzz_server.dsn, autocommit=True) as good_client:

        @settings(max_examples=BATCHES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(pieces=st.lists(st.one_of(framed_message, typed_parameter), min_size=30, max_size=90),
               ending=burst_ending, startups=st.lists(startup_sequence, min_size=2, max_size=10),
               number=st.integers(-(2**30), 2**30))
        def batch(pieces: list[bytes], ending: Ending, startups: list[tuple[list[bytes], bytes]],
                  number: int) -> None:
            run_burst(fuzz_server, pieces, ending, tally)
            for prefix, packet in startups:
                run_startup(fuzz_server, prefix, packet, tally)
            assert good_client.execute("select %s::int + 1", (number,)).fetchone() == (number + 1,)

        batch()

    assert tally.messages >= REQUIRED_MESSAGES, tally
    assert tally.fatal_closes and tally.alive_bursts and tally.quiet_ends, tally
    assert fuzz_server.process is not None and fuzz_server.process.poll() is None
    with psycopg.connect(fuzz_server.dsn, autocommit=True) as fresh:
        assert fresh.execute("select 41 + 1").fetchone() == (42,)
    assert not [line for line in fuzz_server.stderr_lines if "Traceback" in line], fuzz_server.stderr_lines


def test_server_reads_no_body_of_an_oversized_message(fuzz_server: ServerProcess) -> None:
    """The FATAL arrives after the 5-byte header alone; the server does not wait for 2 GB."""
    client = start_session(fuzz_server)
    try:
        client.sock.sendall(_bad_length(0x7FFFFFFF))
        assert_fatal_then_eof(client.until_eof(), "08P01")
    finally:
        client.close()


def test_fatal_in_one_session_leaves_another_mid_transaction_intact(fuzz_server: ServerProcess) -> None:
    with psycopg.connect(fuzz_server.dsn) as other:
        other.execute("create table fuzz_survivor (n int)")
        other.execute("insert into fuzz_survivor values (1)")
        client = start_session(fuzz_server)
        try:
            client.sock.sendall(b"\x01" + struct.pack("!i", 4))
            assert_fatal_then_eof(client.until_eof(), "08P01")
        finally:
            client.close()
        assert other.execute("select n from fuzz_survivor").fetchall() == [(1,)]
        other.rollback()
