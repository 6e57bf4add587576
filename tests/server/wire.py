"""A minimal raw PostgreSQL v3 frontend on a blocking socket, for tests that must send exact bytes
(other protocol versions, GSSENCRequest, CancelRequest) and read exactly what comes back.

Untyped packets: Int32 length (counting itself), Int32 code, body. Typed messages both ways: Byte1
type, Int32 length counting itself, body.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

PROTOCOL_3_0 = 3 << 16
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102
SOCKET_TIMEOUT = 10.0


@dataclass(frozen=True)
class BackendMessage:
    type: bytes
    body: bytes

    def error_fields(self) -> dict[str, str]:
        """The fields of an ErrorResponse or NoticeResponse, by field code (S, C, M, ...)."""
        assert self.type in (b"E", b"N"), f"not an error or notice: {self}"
        fields = {}
        for part in self.body.rstrip(b"\x00").split(b"\x00"):
            fields[part[:1].decode()] = part[1:].decode()
        return fields


class RawConnection:
    """One TCP connection speaking raw protocol bytes; every read is bounded by SOCKET_TIMEOUT."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=SOCKET_TIMEOUT)
        self._buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_untyped(self, code: int, body: bytes = b"") -> None:
        self.sock.sendall(struct.pack("!ii", len(body) + 8, code) + body)

    def send_startup(self, parameters: dict[str, str], version: int = PROTOCOL_3_0) -> None:
        body = b"".join(k.encode() + b"\x00" + v.encode() + b"\x00" for k, v in parameters.items())
        self.send_untyped(version, body + b"\x00")

    def send_cancel(self, process_id: int, secret_key: int) -> None:
        self.send_untyped(CANCEL_REQUEST_CODE, struct.pack("!ii", process_id, secret_key))

    def send_query(self, sql: str) -> None:
        body = sql.encode() + b"\x00"
        self.sock.sendall(b"Q" + struct.pack("!i", len(body) + 4) + body)

    def _fill(self, size: int) -> bool:
        while len(self._buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            self._buffer += chunk
        return True

    def read_byte(self) -> bytes:
        """One unframed byte (the answer to SSLRequest or GSSENCRequest)."""
        assert self._fill(1), "connection closed before the one-byte answer"
        byte, self._buffer = self._buffer[:1], self._buffer[1:]
        return byte

    def read_message(self) -> BackendMessage:
        assert self._fill(5), f"connection closed; {len(self._buffer)} stray bytes"
        type_code, length = struct.unpack_from("!ci", self._buffer)
        assert self._fill(1 + length), "connection closed inside a message"
        message = BackendMessage(type_code, self._buffer[5 : 1 + length])
        self._buffer = self._buffer[1 + length :]
        return message

    def read_until_ready(self) -> list[BackendMessage]:
        """Messages up to and including ReadyForQuery."""
        received = [self.read_message()]
        while received[-1].type != b"Z":
            received.append(self.read_message())
        return received

    def closed_by_peer(self) -> bool:
        """True once the server closed the connection (end of stream), with nothing else pending."""
        return not self._buffer and not self._fill(1)


@dataclass(frozen=True)
class Started:
    """A session after a successful trust startup, with its cancel key."""

    connection: RawConnection
    process_id: int
    secret_key: int


def start_session(host: str, port: int, user: str = "postgres") -> Started:
    connection = RawConnection(host, port)
    connection.send_startup({"user": user, "database": "postgres"})
    messages = connection.read_until_ready()
    assert messages[0] == BackendMessage(b"R", struct.pack("!i", 0)), messages[0]
    keys = [m for m in messages if m.type == b"K"]
    assert len(keys) == 1, messages
    process_id, secret_key = struct.unpack("!ii", keys[0].body)
    return Started(connection, process_id, secret_key)
