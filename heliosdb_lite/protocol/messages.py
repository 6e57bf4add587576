"""PostgreSQL v3 messages: typed frontend messages (decoded) and backend message encoders.

Frontend messages are frozen dataclasses produced by `framing.FrontendParser`. Backend messages
are encoded by plain functions returning bytes, so a session writes `b"".join(...)` in one go.
Wire format (PostgreSQL "Message Formats"): a type byte, an Int32 length counting itself, then
the body; integers are big-endian; strings are NUL-terminated.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    PROTOCOL_VIOLATION,
    DatabaseError,
)
from heliosdb_lite.protocol.client_encodings import Transcoder, invalid_sequence
from heliosdb_lite.protocol.codecs.faults import utf8_sequence_length

PROTOCOL_VERSION_3 = 196608  # 3.0
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102

# Frontend messages -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SSLRequest:
    pass


@dataclass(frozen=True, slots=True)
class GSSENCRequest:
    pass


@dataclass(frozen=True, slots=True)
class CancelRequest:
    process_id: int
    secret_key: int


@dataclass(frozen=True, slots=True)
class StartupMessage:
    version: int
    parameters: dict[str, str]


@dataclass(frozen=True, slots=True)
class Query:
    sql: str


@dataclass(frozen=True, slots=True)
class Parse:
    statement: str
    sql: str
    param_oids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Bind:
    portal: str
    statement: str
    param_formats: tuple[int, ...]
    params: tuple[bytes | None, ...]
    result_formats: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Describe:
    kind: str  # "S" statement or "P" portal
    name: str


@dataclass(frozen=True, slots=True)
class Execute:
    portal: str
    max_rows: int


@dataclass(frozen=True, slots=True)
class Close:
    kind: str  # "S" or "P"
    name: str


@dataclass(frozen=True, slots=True)
class Sync:
    pass


@dataclass(frozen=True, slots=True)
class Flush:
    pass


@dataclass(frozen=True, slots=True)
class Terminate:
    pass


@dataclass(frozen=True, slots=True)
class CopyData:
    data: bytes


@dataclass(frozen=True, slots=True)
class CopyDone:
    pass


@dataclass(frozen=True, slots=True)
class CopyFail:
    message: str


@dataclass(frozen=True, slots=True)
class Undecodable:
    """A message whose text is not in the client encoding (22021, 22P05): an ERROR, as PostgreSQL
    answers it, not the end of the session. `type_code` says which message it was."""

    type_code: int
    error: DatabaseError


@dataclass(frozen=True, slots=True)
class PasswordMessage:
    """A 'p' message: password, md5 response, SASLInitialResponse or SASLResponse.

    Which one it is depends on the authentication exchange in progress, so the body is kept raw.
    """

    body: bytes


FrontendMessage = (
    SSLRequest | GSSENCRequest | CancelRequest | StartupMessage | Query | Parse | Bind | Describe
    | Execute | Close | Sync | Flush | Terminate | CopyData | CopyDone | CopyFail | PasswordMessage
    | Undecodable
)
TextDecoder = Callable[[bytes], str]


def protocol_violation(message: str) -> DatabaseError:
    return DatabaseError(PROTOCOL_VIOLATION, message, severity="FATAL")


_INT16, _UINT16, _INT32, _UINT32 = (struct.Struct(fmt) for fmt in ("!h", "!H", "!i", "!I"))


class BodyReader:
    """Reads fields from one message body; any overrun is a protocol violation. Strings are UTF-8
    unless a `decode` of the client encoding is given."""

    __slots__ = ("_body", "_decode", "_pos")

    def __init__(self, body: bytes, decode: TextDecoder | None = None) -> None:
        self._body = body
        self._decode = decode
        self._pos = 0

    def int16(self) -> int:
        return self._unpack(_INT16)

    def uint16(self) -> int:
        return self._unpack(_UINT16)

    def int32(self) -> int:
        return self._unpack(_INT32)

    def uint32(self) -> int:
        return self._unpack(_UINT32)

    def int16s(self, count: int) -> tuple[int, ...]:
        """`count` int16 values in a row."""
        if not count:
            return ()
        end = self._pos + 2 * count
        if end > len(self._body):
            raise protocol_violation("invalid message format: message is too short")
        values = struct.unpack_from(f"!{count}h", self._body, self._pos)
        self._pos = end
        return values

    def _unpack(self, field: struct.Struct) -> int:
        end = self._pos + field.size
        if end > len(self._body):
            raise protocol_violation("invalid message format: message is too short")
        (value,) = field.unpack_from(self._body, self._pos)
        self._pos = end
        return value

    def byte(self) -> str:
        if self._pos >= len(self._body):
            raise protocol_violation("invalid message format: message is too short")
        value = chr(self._body[self._pos])
        self._pos += 1
        return value

    def cstring(self) -> str:
        end = self._body.find(b"\x00", self._pos)
        if end < 0:
            raise protocol_violation("invalid string in message")
        raw = self._body[self._pos : end]
        self._pos = end + 1
        if self._decode is not None:
            return self._decode(raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            sequence = raw[exc.start : exc.start + utf8_sequence_length(raw[exc.start])]
            error = invalid_sequence(sequence, "UTF8")
            raise DatabaseError(error.sqlstate, error.message, severity="FATAL") from None

    def raw(self, size: int) -> bytes:
        end = self._pos + size
        if size < 0 or end > len(self._body):
            raise protocol_violation("insufficient data left in message")
        value = self._body[self._pos : end]
        self._pos = end
        return value

    def rest(self) -> bytes:
        value = self._body[self._pos :]
        self._pos = len(self._body)
        return value

    def finish(self) -> None:
        if self._pos != len(self._body):
            raise protocol_violation("invalid message format: unexpected trailing data")


def _int16_list(reader: BodyReader) -> tuple[int, ...]:
    return reader.int16s(reader.uint16())


def _decode_bind(reader: BodyReader) -> Bind:
    portal = reader.cstring()
    statement = reader.cstring()
    param_formats = _int16_list(reader)
    params: list[bytes | None] = []
    for _ in range(reader.uint16()):
        length = reader.int32()
        if length == -1:
            params.append(None)
        elif length < -1:
            raise protocol_violation(f"invalid parameter length {length}")
        else:
            params.append(reader.raw(length))
    result_formats = _int16_list(reader)
    for formats in (param_formats, result_formats):
        for fmt in formats:
            if fmt not in (0, 1):
                raise protocol_violation(f"unsupported format code: {fmt}")
    return Bind(portal, statement, param_formats, tuple(params), result_formats)


def _decode_parse(reader: BodyReader) -> Parse:
    name = reader.cstring()
    sql = reader.cstring()
    count = reader.uint16()
    oids = tuple(reader.uint32() for _ in range(count)) if count else ()
    return Parse(name, sql, oids)


def _decode_kind_name(reader: BodyReader) -> tuple[str, str]:
    kind = reader.byte()
    if kind not in ("S", "P"):
        raise protocol_violation(f"invalid DESCRIBE/CLOSE message subtype {kind!r}")
    return kind, reader.cstring()


# S H X c
_BODILESS: dict[int, FrontendMessage] = {0x53: Sync(), 0x48: Flush(), 0x58: Terminate(), 0x63: CopyDone()}


def decode_frontend(type_code: int, body: bytes, decode: TextDecoder | None = None) -> FrontendMessage:
    """Decode one typed frontend message (after startup) from its body; its strings with `decode`
    (the client encoding's), else as UTF-8."""
    if not body and type_code in _BODILESS:
        return _BODILESS[type_code]
    quick = _QUICK_DECODERS.get(type_code)
    if quick is not None:
        decoded = quick(body, decode)
        if decoded is not None:
            return decoded
    return read_frontend(type_code, body, decode)


def read_frontend(type_code: int, body: bytes, decode: TextDecoder | None = None) -> FrontendMessage:
    """`decode_frontend` field by field, with a BodyReader: every message, and every error."""
    reader = BodyReader(body, decode)
    message: FrontendMessage
    match type_code:
        case 0x51:  # Q
            message = Query(reader.cstring())
        case 0x50:  # P
            message = _decode_parse(reader)
        case 0x42:  # B
            message = _decode_bind(reader)
        case 0x44:  # D
            message = Describe(*_decode_kind_name(reader))
        case 0x45:  # E
            message = Execute(reader.cstring(), reader.int32())
        case 0x43:  # C
            message = Close(*_decode_kind_name(reader))
        case 0x53:  # S
            message = Sync()
        case 0x48:  # H
            message = Flush()
        case 0x58:  # X
            message = Terminate()
        case 0x64:  # d
            message = CopyData(reader.rest())
        case 0x63:  # c
            message = CopyDone()
        case 0x66:  # f
            message = CopyFail(reader.cstring())
        case 0x70:  # p
            message = PasswordMessage(reader.rest())
        case _:
            raise protocol_violation(f"invalid frontend message type {type_code}")
    reader.finish()
    return message


# The extended protocol's messages, decoded straight from their bytes: each of these answers None
# for a body that is not well formed in every part, or whose text does not decode, and the
# BodyReader's decoding then answers it (the same message, or the error it raises). For a
# well-formed body both give the same message (tests/protocol/test_quick_decoders.py).

def _quick_text(raw: bytes, decode: TextDecoder | None) -> str | None:
    if decode is not None:
        return None  # another client encoding: the reader's decoding, with its errors
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return None


def _quick_parse(body: bytes, decode: TextDecoder | None) -> Parse | None:
    name_end = body.find(0)
    sql_end = body.find(0, name_end + 1)
    if name_end < 0 or sql_end < 0 or len(body) < sql_end + 3:
        return None
    (count,) = _UINT16.unpack_from(body, sql_end + 1)
    if len(body) != sql_end + 3 + 4 * count:
        return None
    name, sql = _quick_text(body[:name_end], decode), _quick_text(body[name_end + 1:sql_end], decode)
    if name is None or sql is None:
        return None
    oids = struct.unpack_from(f"!{count}I", body, sql_end + 3) if count else ()
    return Parse(name, sql, oids)


def _quick_formats(body: bytes, at: int) -> tuple[tuple[int, ...], int] | None:
    """Format codes at `at` (a count, then the codes, each 0 or 1), and where they end."""
    if len(body) < at + 2:
        return None
    (count,) = _UINT16.unpack_from(body, at)
    end = at + 2 + 2 * count
    if len(body) < end:
        return None
    formats = struct.unpack_from(f"!{count}h", body, at + 2) if count else ()
    for fmt in formats:
        if fmt != 0 and fmt != 1:
            return None
    return formats, end


def _quick_bind(body: bytes, decode: TextDecoder | None) -> Bind | None:
    portal_end = body.find(0)
    statement_end = body.find(0, portal_end + 1)
    if portal_end < 0 or statement_end < 0:
        return None
    param_formats = _quick_formats(body, statement_end + 1)
    if param_formats is None:
        return None
    at = param_formats[1]
    if len(body) < at + 2:
        return None
    (count,) = _UINT16.unpack_from(body, at)
    at += 2
    params: list[bytes | None] = []
    for _ in range(count):
        if len(body) < at + 4:
            return None
        (length,) = _INT32.unpack_from(body, at)
        at += 4
        if length == -1:
            params.append(None)
            continue
        if length < -1 or len(body) < at + length:
            return None
        params.append(body[at:at + length])
        at += length
    result_formats = _quick_formats(body, at)
    if result_formats is None or result_formats[1] != len(body):
        return None
    portal = _quick_text(body[:portal_end], decode)
    statement = _quick_text(body[portal_end + 1:statement_end], decode)
    if portal is None or statement is None:
        return None
    return Bind(portal, statement, param_formats[0], tuple(params), result_formats[0])


def _quick_kind_name(body: bytes, decode: TextDecoder | None) -> tuple[str, str] | None:
    if len(body) < 2 or body[0] not in b"SP" or body.find(0, 1) != len(body) - 1:
        return None
    name = _quick_text(body[1:-1], decode)
    return None if name is None else (chr(body[0]), name)


def _quick_describe(body: bytes, decode: TextDecoder | None) -> Describe | None:
    kind_name = _quick_kind_name(body, decode)
    return None if kind_name is None else Describe(*kind_name)


def _quick_close(body: bytes, decode: TextDecoder | None) -> Close | None:
    kind_name = _quick_kind_name(body, decode)
    return None if kind_name is None else Close(*kind_name)


def _quick_execute(body: bytes, decode: TextDecoder | None) -> Execute | None:
    portal_end = body.find(0)
    if portal_end < 0 or len(body) != portal_end + 5:
        return None
    portal = _quick_text(body[:portal_end], decode)
    return None if portal is None else Execute(portal, _INT32.unpack_from(body, portal_end + 1)[0])


def _quick_query(body: bytes, decode: TextDecoder | None) -> Query | None:
    if not body or body.find(0) != len(body) - 1:
        return None
    sql = _quick_text(body[:-1], decode)
    return None if sql is None else Query(sql)


_QUICK_DECODERS: dict[int, Callable[[bytes, TextDecoder | None], FrontendMessage | None]] = {
    0x51: _quick_query, 0x50: _quick_parse, 0x42: _quick_bind, 0x44: _quick_describe, 0x45: _quick_execute,
    0x43: _quick_close,
}


def decode_untyped(body: bytes) -> FrontendMessage:
    """Decode the first message of a connection (no type byte): startup, SSL, GSS or cancel."""
    reader = BodyReader(body)
    code = reader.uint32()
    if code == SSL_REQUEST_CODE:
        reader.finish()
        return SSLRequest()
    if code == GSSENC_REQUEST_CODE:
        reader.finish()
        return GSSENCRequest()
    if code == CANCEL_REQUEST_CODE:
        message = CancelRequest(reader.int32(), reader.int32())
        reader.finish()
        return message
    if code >> 16 != 3:
        raise DatabaseError(
            FEATURE_NOT_SUPPORTED,
            f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}: "
            "server supports 3.0 to 3.0",
            severity="FATAL",
        )
    parameters: dict[str, str] = {}
    while True:
        key = reader.cstring()
        if not key:
            break
        parameters[key] = reader.cstring()
    reader.finish()
    return StartupMessage(code, parameters)


# Backend messages -------------------------------------------------------------------------

_I32 = struct.Struct("!i")
_HEAD = struct.Struct("!ci")


def _message(type_code: bytes, body: bytes) -> bytes:
    return _HEAD.pack(type_code, len(body) + 4) + body


def cstr(text: str, transcoder: Transcoder | None = None) -> bytes:
    """A NUL-terminated string, as both directions of the protocol write one, in UTF-8 or the client
    encoding of `transcoder` (22P05 for a character it lacks). An embedded NUL (say, echoed from a
    client's bad input in an error message) would end the string early and corrupt the message, so it
    is written as the text \\x00; lone surrogates become "?"."""
    text = text.replace("\x00", "\\x00")
    if transcoder is None:
        return text.encode("utf-8", "replace") + b"\x00"
    return transcoder.encode(text) + b"\x00"


def authentication(code: int, data: bytes = b"") -> bytes:
    """AuthenticationOk (0), CleartextPassword (3), MD5Password (5), SASL (10/11/12)."""
    return _message(b"R", _I32.pack(code) + data)


AUTH_OK = authentication(0)


def auth_sasl(mechanisms: Sequence[str]) -> bytes:
    return authentication(10, b"".join(cstr(m) for m in mechanisms) + b"\x00")


def parameter_status(name: str, value: str) -> bytes:
    return _message(b"S", cstr(name) + cstr(value))


def notification_response(process_id: int, channel: str, payload: str,
                          transcoder: Transcoder | None = None) -> bytes:
    """NotificationResponse: a NOTIFY of backend `process_id` on channel, delivered to a listener
    (22P05 when the listener's client encoding lacks a character)."""
    return _message(b"A", struct.pack("!i", process_id) + cstr(channel, transcoder)
                    + cstr(payload, transcoder))


def backend_key_data(process_id: int, secret_key: int) -> bytes:
    return _message(b"K", struct.pack("!ii", process_id, secret_key))


_READY = {status: _message(b"Z", status.encode()) for status in ("I", "T", "E")}


def ready_for_query(status: str) -> bytes:
    return _READY[status]


@dataclass(frozen=True, slots=True)
class FieldDescription:
    name: str
    type_oid: int
    type_size: int = -1
    type_modifier: int = -1
    table_oid: int = 0
    column_number: int = 0


def row_description(fields: Sequence[FieldDescription], formats: Sequence[int],
                    transcoder: Transcoder | None = None) -> bytes:
    parts = [struct.pack("!H", len(fields))]
    for field, fmt in zip(fields, formats, strict=True):
        parts.append(cstr(field.name, transcoder))
        parts.append(struct.pack("!IhIhih", field.table_oid, field.column_number, field.type_oid,
                                 field.type_size, field.type_modifier, fmt))
    return _message(b"T", b"".join(parts))


def data_row(values: Sequence[bytes | None]) -> bytes:
    parts = [struct.pack("!H", len(values))]
    for value in values:
        if value is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            parts.append(_I32.pack(len(value)))
            parts.append(value)
    return _message(b"D", b"".join(parts))


def command_complete(tag: str) -> bytes:
    return _message(b"C", cstr(tag))


EMPTY_QUERY_RESPONSE = _message(b"I", b"")
PARSE_COMPLETE = _message(b"1", b"")
BIND_COMPLETE = _message(b"2", b"")
CLOSE_COMPLETE = _message(b"3", b"")
NO_DATA = _message(b"n", b"")
PORTAL_SUSPENDED = _message(b"s", b"")
COPY_DONE = _message(b"c", b"")


def parameter_description(oids: Sequence[int]) -> bytes:
    return _message(b"t", struct.pack(f"!H{len(oids)}I", len(oids), *oids))


def _fields(error: DatabaseError, transcoder: Transcoder | None) -> bytes:
    fields = [(b"S", error.severity), (b"V", error.severity), (b"C", error.sqlstate),
              (b"M", error.message)]
    if error.detail:
        fields.append((b"D", error.detail))
    if error.hint:
        fields.append((b"H", error.hint))
    if error.position:
        fields.append((b"P", str(error.position)))
    if error.context:
        fields.append((b"W", error.context))
    fields += [(code, value) for code, value in ((b"s", error.schema_name), (b"t", error.table_name),
                                                 (b"c", error.column_name), (b"n", error.constraint_name))
               if value]
    if error.routine:
        fields.append((b"R", error.routine))
    return b"".join(code + cstr(value, transcoder) for code, value in fields) + b"\x00"


def error_response(error: DatabaseError, transcoder: Transcoder | None = None) -> bytes:
    """ErrorResponse; in a client encoding that lacks one of its characters, the 22P05 error that
    says so instead (as PostgreSQL reports it)."""
    try:
        return _message(b"E", _fields(error, transcoder))
    except DatabaseError as untranslatable:
        return _message(b"E", _fields(untranslatable, transcoder))


def notice_response(notice: DatabaseError, transcoder: Transcoder | None = None) -> bytes:
    return _message(b"N", _fields(notice, transcoder))


def copy_in_response(column_formats: Sequence[int], overall_format: int = 0) -> bytes:
    body = struct.pack(f"!bh{len(column_formats)}h", overall_format, len(column_formats),
                       *column_formats)
    return _message(b"G", body)


def copy_out_response(column_formats: Sequence[int], overall_format: int = 0) -> bytes:
    body = struct.pack(f"!bh{len(column_formats)}h", overall_format, len(column_formats),
                       *column_formats)
    return _message(b"H", body)


def copy_data(data: bytes) -> bytes:
    return _message(b"d", data)
