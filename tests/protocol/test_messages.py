"""Message bodies: frontend decoding from hand-built bytes, frontend encoders, backend encoders read
back by the client-side decoder, malformed bodies, and the SCRAM client against the server half."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import auth, frontend, messages
from heliosdb_lite.protocol.messages import (
    Bind,
    CancelRequest,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    Execute,
    FieldDescription,
    Flush,
    GSSENCRequest,
    Parse,
    PasswordMessage,
    Query,
    SSLRequest,
    StartupMessage,
    Sync,
    Terminate,
    decode_frontend,
    decode_untyped,
)


def split_typed(data: bytes) -> tuple[int, bytes]:
    """(type byte, body) of one encoded typed message, checking its length word."""
    (length,) = struct.unpack_from("!i", data, 1)
    assert length == len(data) - 1
    return data[0], data[5:]


def split_untyped(data: bytes) -> bytes:
    (length,) = struct.unpack_from("!i", data, 0)
    assert length == len(data)
    return data[4:]


def read_back(encoded: bytes) -> frontend.BackendMessage:
    """The single backend message in `encoded`, through the client-side parser."""
    parser = frontend.BackendParser()
    parser.feed(encoded)
    message = parser.next_message()
    assert message is not None
    assert parser.next_message() is None
    return message


# frontend messages from hand-built bytes ---------------------------------------------------------


@pytest.mark.parametrize(("type_code", "body", "expected"), [
    (b"Q", b"select 1\x00", Query("select 1")),
    (b"P", b"s1\x00select $1\x00\x00\x02\x00\x00\x00\x17\xff\xff\xff\xff",
     Parse("s1", "select $1", (23, 2**32 - 1))),
    (b"P", b"\x00select 1\x00\x00\x00", Parse("", "select 1", ())),
    (b"B", b"p\x00s\x00\x00\x01\x00\x01\x00\x02\x00\x00\x00\x02hi\xff\xff\xff\xff\x00\x01\x00\x00",
     Bind("p", "s", (1,), (b"hi", None), (0,))),
    (b"D", b"Sname\x00", Describe("S", "name")),
    (b"D", b"P\x00", Describe("P", "")),
    (b"E", b"portal\x00\x00\x00\x00\x0a", Execute("portal", 10)),
    (b"C", b"Sst\x00", Close("S", "st")),
    (b"C", b"P\x00", Close("P", "")),
    (b"S", b"", Sync()),
    (b"H", b"", Flush()),
    (b"X", b"", Terminate()),
    (b"d", b"1\t2\n", CopyData(b"1\t2\n")),
    (b"c", b"", CopyDone()),
    (b"f", b"client gave up\x00", CopyFail("client gave up")),
    (b"p", b"secret\x00", PasswordMessage(b"secret\x00")),
])
def test_typed_frontend_messages_decode(type_code: bytes, body: bytes, expected: object) -> None:
    assert decode_frontend(type_code[0], body) == expected


def test_untyped_packets_decode() -> None:
    assert decode_untyped(struct.pack("!i", 80877103)) == SSLRequest()
    assert decode_untyped(struct.pack("!i", 80877104)) == GSSENCRequest()
    assert decode_untyped(struct.pack("!iii", 80877102, 42, -7)) == CancelRequest(42, -7)
    startup = struct.pack("!i", 196608) + b"user\x00bob\x00database\x00db\x00\x00"
    assert decode_untyped(startup) == StartupMessage(196608, {"user": "bob", "database": "db"})


def test_bind_accepts_counts_above_32767_as_postgresql_does() -> None:
    count = 40000
    body = b"\x00\x00\x00\x00" + struct.pack("!H", count) + b"\xff\xff\xff\xff" * count + b"\x00\x00"
    decoded = decode_frontend(ord("B"), body)
    assert isinstance(decoded, Bind)
    assert len(decoded.params) == count


# frontend encoders ------------------------------------------------------------------------------


def test_frontend_encoders_decode_back() -> None:
    cases: list[tuple[bytes, object]] = [
        (frontend.query("select 'é'"), Query("select 'é'")),
        (frontend.parse("s", "select $1, $2", (23, 25)), Parse("s", "select $1, $2", (23, 25))),
        (frontend.bind("p", "s", [b"1", None], (0, 1), (1,)), Bind("p", "s", (0, 1), (b"1", None), (1,))),
        (frontend.describe("S", "s"), Describe("S", "s")),
        (frontend.describe("P", ""), Describe("P", "")),
        (frontend.execute("p", 5), Execute("p", 5)),
        (frontend.close("P", "p"), Close("P", "p")),
        (frontend.sync(), Sync()),
        (frontend.flush(), Flush()),
        (frontend.terminate(), Terminate()),
        (frontend.copy_data(b"x"), CopyData(b"x")),
        (frontend.copy_done(), CopyDone()),
        (frontend.copy_fail("stop"), CopyFail("stop")),
        (frontend.password_message("pw"), PasswordMessage(b"pw\x00")),
        (frontend.sasl_response(b"c=biws"), PasswordMessage(b"c=biws")),
        (frontend.sasl_initial_response("SCRAM-SHA-256", b"n,,"),
         PasswordMessage(b"SCRAM-SHA-256\x00\x00\x00\x00\x03n,,")),
    ]
    for encoded, expected in cases:
        assert decode_frontend(*split_typed(encoded)) == expected
    untyped: list[tuple[bytes, object]] = [
        (frontend.ssl_request(), SSLRequest()),
        (frontend.gssenc_request(), GSSENCRequest()),
        (frontend.cancel_request(1, 2), CancelRequest(1, 2)),
        (frontend.startup_message({"user": "u"}), StartupMessage(196608, {"user": "u"})),
    ]
    for encoded, expected in untyped:
        assert decode_untyped(split_untyped(encoded)) == expected


# backend encoders read back ---------------------------------------------------------------------


def test_error_and_notice_fields_read_back() -> None:
    error = DatabaseError("42P01", 'relation "t" does not exist', detail="d", hint="h", position=15)
    message = read_back(messages.error_response(error))
    assert message.type == "E"
    assert frontend.decode_error_fields(message.body) == {
        "S": "ERROR", "V": "ERROR", "C": "42P01", "M": 'relation "t" does not exist', "D": "d", "H": "h",
        "P": "15"}
    again = frontend.error_from_fields(frontend.decode_error_fields(message.body))
    assert (again.sqlstate, again.message, again.detail, again.hint, again.position, again.severity) == (
        "42P01", 'relation "t" does not exist', "d", "h", 15, "ERROR")
    notice = read_back(messages.notice_response(DatabaseError("00000", "hello", severity="NOTICE")))
    assert notice.type == "N"
    assert frontend.decode_error_fields(notice.body) == {"S": "NOTICE", "V": "NOTICE", "C": "00000",
                                                         "M": "hello"}


def test_startup_messages_read_back() -> None:
    assert frontend.decode_authentication(read_back(messages.AUTH_OK).body) == (0, b"")
    code, salt = frontend.decode_authentication(read_back(messages.authentication(5, b"salt")).body)
    assert (code, salt) == (frontend.AUTH_MD5_PASSWORD, b"salt")
    code, data = frontend.decode_authentication(read_back(messages.auth_sasl(["SCRAM-SHA-256", "X"])).body)
    assert code == frontend.AUTH_SASL
    assert frontend.decode_sasl_mechanisms(data) == ["SCRAM-SHA-256", "X"]
    status = read_back(messages.parameter_status("in_hot_standby", "off"))
    assert (status.type, frontend.decode_parameter_status(status.body)) == ("S", ("in_hot_standby", "off"))
    key = read_back(messages.backend_key_data(1234, -5))
    assert (key.type, frontend.decode_backend_key_data(key.body)) == ("K", (1234, -5))
    for state in "ITE":
        ready = read_back(messages.ready_for_query(state))
        assert (ready.type, frontend.decode_ready_for_query(ready.body)) == ("Z", state)


def test_query_result_messages_read_back() -> None:
    fields = [FieldDescription("id", 23, 4, -1, 16385, 1), FieldDescription("big_oid", 2**32 - 1)]
    described = read_back(messages.row_description(fields, [0, 1]))
    assert described.type == "T"
    assert frontend.decode_row_description(described.body) == (fields, [0, 1])
    row = read_back(messages.data_row([b"1", None, b""]))
    assert (row.type, frontend.decode_data_row(row.body)) == ("D", [b"1", None, b""])
    done = read_back(messages.command_complete("SELECT 1"))
    assert (done.type, frontend.decode_command_complete(done.body)) == ("C", "SELECT 1")
    params = read_back(messages.parameter_description([23, 25, 2**32 - 1]))
    assert (params.type, frontend.decode_parameter_description(params.body)) == ("t", (23, 25, 2**32 - 1))
    copy_in = read_back(messages.copy_in_response([0, 0]))
    assert (copy_in.type, frontend.decode_copy_response(copy_in.body)) == ("G", (0, (0, 0)))
    copy_out = read_back(messages.copy_out_response([0], 0))
    assert (copy_out.type, frontend.decode_copy_response(copy_out.body)) == ("H", (0, (0,)))
    data = read_back(messages.copy_data(b"a\n"))
    assert (data.type, data.body) == ("d", b"a\n")


@pytest.mark.parametrize(("encoded", "type_code"), [
    (messages.EMPTY_QUERY_RESPONSE, "I"), (messages.PARSE_COMPLETE, "1"), (messages.BIND_COMPLETE, "2"),
    (messages.CLOSE_COMPLETE, "3"), (messages.NO_DATA, "n"), (messages.PORTAL_SUSPENDED, "s"),
    (messages.COPY_DONE, "c"),
])
def test_empty_backend_messages_read_back(encoded: bytes, type_code: str) -> None:
    assert read_back(encoded) == frontend.BackendMessage(type_code, b"")


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.none(), st.binary(max_size=20)), max_size=5), max_size=10),
       chunk=st.integers(1, 64))
def test_backend_stream_splits_in_any_chunks(rows: list[list[bytes | None]], chunk: int) -> None:
    stream = b"".join(messages.data_row(row) for row in rows) + messages.ready_for_query("I")
    parser = frontend.BackendParser()
    received: list[frontend.BackendMessage] = []
    for start in range(0, len(stream), chunk):
        parser.feed(stream[start : start + chunk])
        while (message := parser.next_message()) is not None:
            received.append(message)
    assert [frontend.decode_data_row(m.body) for m in received[:-1]] == rows
    assert received[-1].type == "Z"


# malformed bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(("type_code", "body"), [
    (b"Q", b"no terminator"),
    (b"Q", b"select 1\x00trailing"),
    (b"P", b"s\x00select 1\x00\x00\x02\x00\x00\x00\x17"),  # says 2 oids, has 1
    (b"P", b"s\x00select 1\x00"),  # no count
    (b"B", b"\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09abc\x00\x00"),  # param length 9, 3 bytes
    (b"B", b"\x00\x00\x00\x00\x00\x01\xff\xff\xff\xfe\x00\x00"),  # length -2
    (b"B", b"\x00\x00\x00\x01\x00\x02\x00\x00\x00\x00"),  # format code 2
    (b"B", b"\x00\x00\x00\x00\x00\x00\x00\x05"),  # 5 result formats, none present
    (b"D", b"Xname\x00"),
    (b"D", b""),
    (b"E", b"p\x00\x00\x00"),
    (b"C", b"Q\x00"),
    (b"S", b"extra"),
    (b"X", b"\x00"),
    (b"f", b""),
    (b"Z", b""),  # a backend type from a client
    (b"\x00", b""),
])
def test_malformed_frontend_bodies_are_fatal_08p01(type_code: bytes, body: bytes) -> None:
    with pytest.raises(DatabaseError) as caught:
        decode_frontend(type_code[0], body)
    assert (caught.value.sqlstate, caught.value.severity) == ("08P01", "FATAL")


@pytest.mark.parametrize("body", [
    b"\x00\x03\x00\x00user\x00bob\x00",  # parameters without the final NUL
    b"\x00\x03\x00\x00user\x00",  # key without value
    b"\x00\x03\x00\x00\x00extra",
    struct.pack("!i", 80877103) + b"x",
    struct.pack("!ii", 80877102, 1),  # cancel without secret
    b"\x00\x03",
])
def test_malformed_untyped_packets_are_fatal_08p01(body: bytes) -> None:
    with pytest.raises(DatabaseError) as caught:
        decode_untyped(body)
    assert (caught.value.sqlstate, caught.value.severity) == ("08P01", "FATAL")


@pytest.mark.parametrize("version", [(2, 0), (4, 0), (1234, 5677), (0, 0), (0xFFFF, 0xFFFF)])
def test_unknown_protocol_version_is_fatal_0a000(version: tuple[int, int]) -> None:
    major, minor = version
    with pytest.raises(DatabaseError) as caught:
        decode_untyped(struct.pack("!HH", major, minor) + b"user\x00u\x00\x00")
    assert (caught.value.sqlstate, caught.value.severity) == ("0A000", "FATAL")
    assert f"unsupported frontend protocol {major}.{minor}" in caught.value.message


def test_invalid_utf8_query_is_rejected() -> None:
    with pytest.raises(DatabaseError) as caught:
        decode_frontend(ord("Q"), b"select '\xff'\x00")
    assert caught.value.sqlstate == "22021"


@pytest.mark.parametrize(("decode", "body"), [
    (frontend.decode_error_fields, b"Cxx"),
    (frontend.decode_data_row, b"\x00\x01\x00\x00\x00\x05ab"),
    (frontend.decode_row_description, b"\x00\x01name\x00\x00"),
    (frontend.decode_ready_for_query, b"Q"),
    (frontend.decode_backend_key_data, b"\x00\x00"),
])
def test_client_decoders_reject_malformed_backend_bodies(decode: object, body: bytes) -> None:
    assert callable(decode)
    with pytest.raises(DatabaseError) as caught:
        decode(body)
    assert caught.value.sqlstate == "08P01"


def test_backend_parser_rejects_bad_length() -> None:
    parser = frontend.BackendParser()
    parser.feed(b"Z\x00\x00\x00\x02")
    with pytest.raises(DatabaseError):
        parser.next_message()


# client-side authentication --------------------------------------------------------------------


@pytest.mark.parametrize("password", ["secret", "pässwörd", "Ⅸ"])
def test_scram_client_authenticates_against_the_server_exchange(password: str) -> None:
    server = auth.ScramServer(auth.make_scram_verifier(password), user="alice")
    client = frontend.ScramClient(password)
    server_first = server.handle_initial(auth.SCRAM_SHA_256, client.first_message())
    server_final = server.handle_final(client.final_message(server_first))
    client.verify_server(server_final)


def test_scram_client_with_wrong_password_is_refused_and_detects_fake_server() -> None:
    server = auth.ScramServer(auth.make_scram_verifier("right"), user="alice")
    client = frontend.ScramClient("wrong")
    server_first = server.handle_initial(auth.SCRAM_SHA_256, client.first_message())
    with pytest.raises(DatabaseError) as caught:
        server.handle_final(client.final_message(server_first))
    assert caught.value.sqlstate == "28P01"
    with pytest.raises(DatabaseError):
        client.verify_server(b"v=" + b"A" * 44)


@pytest.mark.parametrize("server_first", [b"r=other,s=c2FsdA==,i=4096", b"s=c2FsdA==,i=4096",
                                          b"r=NONCE1,s=!!,i=4096", b"r=NONCE1,s=c2FsdA==,i=0"])
def test_scram_client_rejects_malformed_server_first(server_first: bytes) -> None:
    client = frontend.ScramClient("pw", nonce="NONCE")
    with pytest.raises(DatabaseError) as caught:
        client.final_message(server_first)
    assert caught.value.sqlstate == "08P01"


def test_md5_response_is_accepted_by_the_server_check() -> None:
    salt = b"\x01\x02\x03\x04"
    response = frontend.md5_password_response("bob", "pw", salt)
    verifier = auth.make_md5_verifier("bob", "pw")
    assert auth.check_md5_response(verifier, salt, response.encode() + b"\x00")
    wrong = frontend.md5_password_response("bob", "no", salt)
    assert not auth.check_md5_response(verifier, salt, wrong.encode())


def test_nul_and_lone_surrogates_in_backend_strings_keep_the_message_well_formed() -> None:
    error = DatabaseError("22P02", 'invalid input syntax for type boolean: "\x00\udcff"')
    fields = frontend.decode_error_fields(read_back(messages.error_response(error)).body)
    assert fields["M"] == 'invalid input syntax for type boolean: "\\x00?"'
    assert frontend.decode_command_complete(read_back(messages.command_complete("A\x00B")).body) == "A\\x00B"
