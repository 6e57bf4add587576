"""A raw PostgreSQL v3 frontend on a blocking socket, for tests that must send exact bytes (other
protocol versions, GSSENCRequest, CancelRequest) and read exactly what comes back. Encoding and
decoding are `heliosdb_lite.protocol.frontend`'s; this only adds the socket and bounded reads.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from heliosdb_lite.protocol import frontend
from heliosdb_lite.protocol.frontend import BackendMessage
from heliosdb_lite.protocol.messages import GSSENC_REQUEST_CODE, PROTOCOL_VERSION_3

__all__ = ["GSSENC_REQUEST_CODE", "BackendMessage", "RawConnection", "start_session"]
SOCKET_TIMEOUT = 10.0


class RawConnection:
    """One TCP connection speaking raw protocol bytes; every read is bounded by SOCKET_TIMEOUT."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=SOCKET_TIMEOUT)
        self._parser = frontend.BackendParser()

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_untyped(self, code: int, body: bytes = b"") -> None:
        self.sock.sendall(struct.pack("!ii", len(body) + 8, code) + body)

    def send_startup(self, parameters: dict[str, str], version: int = PROTOCOL_VERSION_3) -> None:
        self.sock.sendall(frontend.startup_message(parameters, version))

    def send_cancel(self, process_id: int, secret_key: int) -> None:
        self.sock.sendall(frontend.cancel_request(process_id, secret_key))

    def send_query(self, sql: str) -> None:
        self.sock.sendall(frontend.query(sql))

    def _receive(self) -> bool:
        chunk = self.sock.recv(65536)
        self._parser.feed(chunk)
        return bool(chunk)

    def read_byte(self) -> str:
        """One unframed byte (the answer to SSLRequest or GSSENCRequest)."""
        while (byte := self._parser.take_byte()) is None:
            assert self._receive(), "connection closed before the one-byte answer"
        return byte

    def read_message(self) -> BackendMessage:
        while (message := self._parser.next_message()) is None:
            assert self._receive(), "connection closed inside or before a message"
        return message

    def read_until_ready(self) -> list[BackendMessage]:
        """Messages up to and including ReadyForQuery."""
        received = [self.read_message()]
        while received[-1].type != "Z":
            received.append(self.read_message())
        return received

    def closed_by_peer(self) -> bool:
        """True once the server closed the connection (end of stream), with nothing else pending."""
        return self._parser.next_message() is None and not self._receive()


def exchange(connection: RawConnection, *messages: bytes) -> list[BackendMessage]:
    """Send the messages (the last a Sync or Query) and read the replies up to ReadyForQuery."""
    connection.sock.sendall(b"".join(messages))
    return connection.read_until_ready()


def error_fields(message: BackendMessage) -> dict[str, str]:
    assert message.type in ("E", "N"), f"not an error or notice: {message}"
    return frontend.decode_error_fields(message.body)


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
    assert messages[0] == BackendMessage("R", struct.pack("!i", 0)), messages[0]
    keys = [m for m in messages if m.type == "K"]
    assert len(keys) == 1, messages
    process_id, secret_key = frontend.decode_backend_key_data(keys[0].body)
    return Started(connection, process_id, secret_key)
