"""The client side of PostgreSQL v3, sans-IO: frontend message encoders, a backend message splitter
and decoders for the backend messages a client acts on, and the client half of SCRAM-SHA-256.

Wire format as in `messages`: untyped packets (startup, SSLRequest, GSSENCRequest, CancelRequest)
are an Int32 length counting itself and a body; every other message is a Byte1 type, an Int32
length counting itself, and a body. Integers are big-endian, strings NUL-terminated UTF-8.
Malformed backend input raises `DatabaseError` 08P01, as the server does for frontend input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from heliosdb_lite.errors import INTERNAL_ERROR, INVALID_PASSWORD, DatabaseError
from heliosdb_lite.protocol import auth
from heliosdb_lite.protocol.messages import (
    CANCEL_REQUEST_CODE,
    GSSENC_REQUEST_CODE,
    PROTOCOL_VERSION_3,
    SSL_REQUEST_CODE,
    BodyReader,
    FieldDescription,
    cstr,
    protocol_violation,
)

_I32 = struct.Struct("!i")
_HEAD = struct.Struct("!ci")

# Authentication request codes (the Int32 after 'R').
AUTH_OK = 0
AUTH_CLEARTEXT_PASSWORD = 3
AUTH_MD5_PASSWORD = 5
AUTH_SASL = 10
AUTH_SASL_CONTINUE = 11
AUTH_SASL_FINAL = 12

# Frontend encoders ------------------------------------------------------------------------------


def _untyped(body: bytes) -> bytes:
    return _I32.pack(len(body) + 4) + body


def _typed(type_code: bytes, body: bytes = b"") -> bytes:
    return _HEAD.pack(type_code, len(body) + 4) + body


def startup_message(parameters: Mapping[str, str], version: int = PROTOCOL_VERSION_3) -> bytes:
    body = b"".join(cstr(key) + cstr(value) for key, value in parameters.items())
    return _untyped(struct.pack("!I", version) + body + b"\x00")


def ssl_request() -> bytes:
    return _untyped(_I32.pack(SSL_REQUEST_CODE))


def gssenc_request() -> bytes:
    return _untyped(_I32.pack(GSSENC_REQUEST_CODE))


def cancel_request(process_id: int, secret_key: int) -> bytes:
    return _untyped(struct.pack("!iii", CANCEL_REQUEST_CODE, process_id, secret_key))


def query(sql: str) -> bytes:
    return _typed(b"Q", cstr(sql))


def parse(statement: str, sql: str, param_oids: Sequence[int] = ()) -> bytes:
    oids = struct.pack(f"!H{len(param_oids)}I", len(param_oids), *param_oids)
    return _typed(b"P", cstr(statement) + cstr(sql) + oids)


def _uint16_list(values: Sequence[int]) -> bytes:
    return struct.pack(f"!H{len(values)}h", len(values), *values)


def bind(portal: str, statement: str, params: Sequence[bytes | None], param_formats: Sequence[int] = (),
         result_formats: Sequence[int] = ()) -> bytes:
    parts = [cstr(portal), cstr(statement), _uint16_list(param_formats), struct.pack("!H", len(params))]
    for value in params:
        parts.append(_I32.pack(-1) if value is None else _I32.pack(len(value)) + value)
    parts.append(_uint16_list(result_formats))
    return _typed(b"B", b"".join(parts))


def describe(kind: str, name: str) -> bytes:
    """kind "S" (statement) or "P" (portal)."""
    return _typed(b"D", kind.encode("ascii") + cstr(name))


def execute(portal: str, max_rows: int = 0) -> bytes:
    return _typed(b"E", cstr(portal) + _I32.pack(max_rows))


def close(kind: str, name: str) -> bytes:
    """kind "S" (statement) or "P" (portal)."""
    return _typed(b"C", kind.encode("ascii") + cstr(name))


def sync() -> bytes:
    return _typed(b"S")


def flush() -> bytes:
    return _typed(b"H")


def terminate() -> bytes:
    return _typed(b"X")


def copy_data(data: bytes) -> bytes:
    return _typed(b"d", data)


def copy_done() -> bytes:
    return _typed(b"c")


def copy_fail(message: str) -> bytes:
    return _typed(b"f", cstr(message))


def password_message(password: str) -> bytes:
    """PasswordMessage for cleartext and md5 authentication (the md5 answer is a password too)."""
    return _typed(b"p", cstr(password))


def sasl_initial_response(mechanism: str, data: bytes) -> bytes:
    return _typed(b"p", cstr(mechanism) + _I32.pack(len(data)) + data)


def sasl_response(data: bytes) -> bytes:
    return _typed(b"p", data)


def md5_password_response(user: str, password: str, salt: bytes) -> str:
    """The answer to AuthenticationMD5Password: "md5" + hex(MD5(hex(MD5(password || user)) || salt))."""
    inner = auth.make_md5_verifier(user, password).removeprefix(auth.MD5_PREFIX)
    return auth.MD5_PREFIX + hashlib.md5(inner.encode("ascii") + salt, usedforsecurity=False).hexdigest()


# Backend messages -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackendMessage:
    """One backend message: its type character and its body (length word removed)."""

    type: str
    body: bytes


class BackendParser:
    """Accumulates bytes from the server and yields complete messages.

    The single-byte answer to SSLRequest/GSSENCRequest ('S' or 'N') has no length word; read it
    with `take_byte()` before feeding the rest.
    """

    def __init__(self, max_message_bytes: int = 1 << 30) -> None:
        self._buffer = bytearray()
        self._max_message_bytes = max_message_bytes

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def take_byte(self) -> str | None:
        if not self._buffer:
            return None
        value = chr(self._buffer[0])
        del self._buffer[:1]
        return value

    def complete_frames(self, data: bytes) -> tuple[bytes, list[int]]:
        """Feed `data`, and take every complete message buffered: one block of wire frames and the
        end offset of each in it (a frame's type is the byte at its start). An incomplete last
        frame stays buffered. Without a buffered remainder the block is `data` itself, uncopied."""
        block = data if not self._buffer else bytes(self._buffer) + data
        ends: list[int] = []
        size, position = len(block), 0
        unpack = _HEAD.unpack_from
        while size - position >= 5:
            length = unpack(block, position)[1]
            if length < 4 or length > self._max_message_bytes:
                raise protocol_violation(f"invalid backend message length {length}")
            end = position + length + 1
            if end > size:
                break
            ends.append(end)
            position = end
        if position == size:
            self._buffer.clear()
            return block, ends
        self._buffer[:] = block[position:]
        return block[:position], ends

    def take_buffered(self) -> bytes:
        """What was fed and not yet taken as messages (to be read in another way)."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def next_message(self) -> BackendMessage | None:
        """The next complete message, or None if more bytes are needed."""
        if len(self._buffer) < 5:
            return None
        type_code, length = _HEAD.unpack_from(self._buffer, 0)
        if length < 4 or length > self._max_message_bytes:
            raise protocol_violation(f"invalid backend message length {length}")
        end = length + 1
        if len(self._buffer) < end:
            return None
        body = bytes(self._buffer[5:end])
        del self._buffer[:end]
        return BackendMessage(type_code.decode("latin-1"), body)


def decode_error_fields(body: bytes) -> dict[str, str]:
    """ErrorResponse/NoticeResponse fields by code: S, V, C, M, D, H, P, ..."""
    reader = BodyReader(body)
    fields: dict[str, str] = {}
    while True:
        code = reader.byte()
        if code == "\x00":
            break
        fields[code] = reader.cstring()
    reader.finish()
    return fields


def error_from_fields(fields: Mapping[str, str]) -> DatabaseError:
    """The DatabaseError an ErrorResponse describes."""
    position = fields.get("P")
    return DatabaseError(fields.get("C", INTERNAL_ERROR), fields.get("M", ""), detail=fields.get("D"),
                         hint=fields.get("H"), position=int(position) if position else None,
                         severity=fields.get("V", fields.get("S", "ERROR")))


def decode_authentication(body: bytes) -> tuple[int, bytes]:
    """(request code, the data after it): salt for md5, mechanisms or SCRAM data for SASL."""
    reader = BodyReader(body)
    return reader.int32(), reader.rest()


def decode_sasl_mechanisms(data: bytes) -> list[str]:
    """The mechanism list of AuthenticationSASL (the data after the code)."""
    reader = BodyReader(data)
    mechanisms: list[str] = []
    while mechanism := reader.cstring():
        mechanisms.append(mechanism)
    reader.finish()
    return mechanisms


def decode_notification(body: bytes) -> tuple[int, str, str]:
    """NotificationResponse: (the notifying backend's process id, channel, payload)."""
    reader = BodyReader(body)
    sender, channel, payload = reader.int32(), reader.cstring(), reader.cstring()
    reader.finish()
    return sender, channel, payload


def decode_parameter_status(body: bytes) -> tuple[str, str]:
    reader = BodyReader(body)
    name, value = reader.cstring(), reader.cstring()
    reader.finish()
    return name, value


def decode_backend_key_data(body: bytes) -> tuple[int, int]:
    """(process id, secret key)."""
    reader = BodyReader(body)
    process_id, secret_key = reader.int32(), reader.int32()
    reader.finish()
    return process_id, secret_key


def decode_ready_for_query(body: bytes) -> str:
    """The transaction status: "I", "T" or "E"."""
    reader = BodyReader(body)
    status = reader.byte()
    reader.finish()
    if status not in ("I", "T", "E"):
        raise protocol_violation(f"invalid transaction status {status!r}")
    return status


def decode_row_description(body: bytes) -> tuple[list[FieldDescription], list[int]]:
    """(fields, their format codes)."""
    reader = BodyReader(body)
    fields: list[FieldDescription] = []
    formats: list[int] = []
    for _ in range(reader.uint16()):
        name = reader.cstring()
        table_oid, column_number, type_oid = reader.uint32(), reader.int16(), reader.uint32()
        type_size, type_modifier, fmt = reader.int16(), reader.int32(), reader.int16()
        fields.append(FieldDescription(name, type_oid, type_size, type_modifier, table_oid, column_number))
        formats.append(fmt)
    reader.finish()
    return fields, formats


def decode_data_row(body: bytes) -> list[bytes | None]:
    reader = BodyReader(body)
    values: list[bytes | None] = []
    for _ in range(reader.uint16()):
        length = reader.int32()
        values.append(None if length == -1 else reader.raw(length))
    reader.finish()
    return values


def decode_command_complete(body: bytes) -> str:
    reader = BodyReader(body)
    tag = reader.cstring()
    reader.finish()
    return tag


def decode_parameter_description(body: bytes) -> tuple[int, ...]:
    reader = BodyReader(body)
    oids = tuple(reader.uint32() for _ in range(reader.uint16()))
    reader.finish()
    return oids


def decode_copy_response(body: bytes) -> tuple[int, tuple[int, ...]]:
    """CopyInResponse/CopyOutResponse: (overall format, column formats)."""
    reader = BodyReader(body)
    overall = ord(reader.byte())
    formats = tuple(reader.int16() for _ in range(reader.uint16()))
    reader.finish()
    return overall, formats


# SCRAM-SHA-256, client side --------------------------------------------------------------------


class ScramClient:
    """Client half of one SCRAM-SHA-256 exchange without channel binding (gs2 header "n,,").

    `first_message()` is the client-first-message for SASLInitialResponse; `final_message(server_first)`
    answers AuthenticationSASLContinue; `verify_server(server_final)` checks AuthenticationSASLFinal.
    Password preparation is auth.saslprep, the same as the server's verifier derivation.

    Without the password, `keys` (a verifier and the ClientKey a client proved to a proxy) answer
    a server whose verifier has the same salt and iteration count (PgBouncer's SCRAM pass-through).
    """

    def __init__(self, password: str | None = None, *, nonce: str | None = None,
                 keys: tuple[auth.ScramVerifier, bytes] | None = None) -> None:
        assert (password is None) != (keys is None), "a password or keys"
        self._password = auth.saslprep(password.encode("utf-8")) if password is not None else b""
        self._keys = keys
        self._nonce = nonce or secrets.token_urlsafe(18)
        self._client_first_bare = f"n=,r={self._nonce}"
        self._server_signature = b""

    def first_message(self) -> bytes:
        return ("n,," + self._client_first_bare).encode("ascii")

    def final_message(self, server_first: bytes) -> bytes:
        text = server_first.decode("utf-8", "replace")
        attributes = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        try:
            nonce, iterations = attributes["r"], int(attributes["i"])
            salt = base64.b64decode(attributes["s"], validate=True)
        except (KeyError, ValueError, binascii.Error) as exc:
            raise protocol_violation(f"malformed SCRAM server-first-message: {text!r}") from exc
        if iterations < 1:
            raise protocol_violation(f"invalid SCRAM iteration count {iterations}")
        if not nonce.startswith(self._nonce) or nonce == self._nonce:
            raise protocol_violation("SCRAM server nonce does not extend the client nonce")
        client_key, server_key = self._client_and_server_keys(salt, iterations)
        without_proof = "c=biws,r=" + nonce
        auth_message = ",".join((self._client_first_bare, text, without_proof)).encode("utf-8")
        signature = _hmac(hashlib.sha256(client_key).digest(), auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self._server_signature = _hmac(server_key, auth_message)
        return f"{without_proof},p={_b64(proof)}".encode("ascii")

    def _client_and_server_keys(self, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
        if self._keys is None:
            salted = hashlib.pbkdf2_hmac("sha256", self._password, salt, iterations)
            return _hmac(salted, b"Client Key"), _hmac(salted, b"Server Key")
        verifier, client_key = self._keys
        if (verifier.salt, verifier.iterations) != (salt, iterations):
            raise DatabaseError(INVALID_PASSWORD, "the server's SCRAM verifier for this user is not the one "
                                "these keys come from (another salt or iteration count)", severity="FATAL")
        return client_key, verifier.server_key

    def verify_server(self, server_final: bytes) -> None:
        """Raise 28P01 unless the server proved it knows the password verifier."""
        expected = f"v={_b64(self._server_signature)}".encode("ascii")
        if not self._server_signature or not hmac.compare_digest(server_final, expected):
            raise DatabaseError(INVALID_PASSWORD, "SCRAM server signature does not match", severity="FATAL")


def authentication_answer(code: int, data: bytes, user: str, password: str,
                          scram: ScramClient | None) -> tuple[bytes, ScramClient | None]:
    """The message answering Authentication request `code` with `data` (b"" when none is due:
    AuthenticationOk, a verified SASLFinal) and the SCRAM exchange in progress. ValueError for a
    request a password cannot answer."""
    if code == AUTH_OK:
        return b"", scram
    if code == AUTH_SASL_FINAL and scram is not None:
        scram.verify_server(data)
        return b"", scram
    if code == AUTH_CLEARTEXT_PASSWORD:
        return password_message(password), scram
    if code == AUTH_MD5_PASSWORD:
        return password_message(md5_password_response(user, password, data)), scram
    if code == AUTH_SASL:
        mechanisms = decode_sasl_mechanisms(data)
        if "SCRAM-SHA-256" not in mechanisms:
            raise ValueError(f"no supported SASL mechanism among {', '.join(mechanisms)}")
        scram = ScramClient(password)
        return sasl_initial_response("SCRAM-SHA-256", scram.first_message()), scram
    if code == AUTH_SASL_CONTINUE and scram is not None:
        return sasl_response(scram.final_message(data)), scram
    raise ValueError(f"unsupported authentication request {code}")


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
