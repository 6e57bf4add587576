"""Frame splitting for the frontend byte stream: bytes in, typed messages out (sans-IO).

A connection starts with untyped packets (Int32 length, then body): StartupMessage, SSLRequest,
GSSENCRequest or CancelRequest. After startup every message is typed (Byte1 type, Int32 length
counting itself, body). Lengths are checked before any body is buffered, so an oversized or
negative length is refused at once with FATAL 08P01 and never allocates.
"""

from __future__ import annotations

import struct

from heliosdb_lite.protocol.messages import (
    FrontendMessage,
    TextDecoder,
    decode_frontend,
    decode_untyped,
    protocol_violation,
)

MAX_STARTUP_PACKET = 10_000  # as PostgreSQL's MAX_STARTUP_PACKET_LENGTH
_LENGTH = struct.Struct("!i")
_TYPED_HEAD = struct.Struct("!Bi")
COMPACT_AFTER = 1 << 16  # taken bytes dropped from the front of a partly taken buffer


class FrontendParser:
    """Accumulates received bytes and yields complete frontend messages.

    `expect_startup()` switches back to untyped packets (after SSLRequest/GSSENCRequest the client
    sends a fresh startup packet). `last_frame` is the wire bytes of the message last returned
    (what a proxy forwards). `text_decoder` decodes the strings of the messages after startup: the
    client encoding's, set by whoever knows it (None: UTF-8).
    """

    def __init__(self, max_message_bytes: int) -> None:
        # the bytes received: those before `_taken` are returned as messages already. A chunk that
        # arrives when everything before it was taken is kept as it is, uncopied.
        self._received: bytes | bytearray = b""
        self._taken = 0
        self._startup_phase = True
        self._max_message_bytes = max_message_bytes
        self.last_frame = b""
        self.text_decoder: TextDecoder | None = None

    def expect_startup(self) -> None:
        self._startup_phase = True

    def startup_done(self) -> None:
        self._startup_phase = False

    def feed(self, data: bytes) -> None:
        received, taken = self._received, self._taken
        if taken >= len(received):
            self._received, self._taken = data, 0
            return
        if not isinstance(received, bytearray) or taken > COMPACT_AFTER:
            self._received, self._taken = bytearray(memoryview(received)[taken:]), 0
        self._received += data

    @property
    def buffered(self) -> int:
        return len(self._received) - self._taken

    def next_message(self) -> FrontendMessage | None:
        """The next complete message, or None if more bytes are needed."""
        if self._startup_phase:
            return self._next_untyped()
        return self._next_typed()

    def _take(self, end: int) -> bytes:
        self.last_frame = bytes(self._received[self._taken:end])
        self._taken = end
        return self.last_frame

    def _next_untyped(self) -> FrontendMessage | None:
        start = self._taken
        if len(self._received) - start < 4:
            return None
        (length,) = _LENGTH.unpack_from(self._received, start)
        if length < 8 or length > MAX_STARTUP_PACKET:
            raise protocol_violation(f"invalid length of startup packet: {length}")
        if len(self._received) - start < length:
            return None
        return decode_untyped(self._take(start + length)[4:])

    def _next_typed(self) -> FrontendMessage | None:
        start = self._taken
        if len(self._received) - start < 5:
            return None
        type_code, length = _TYPED_HEAD.unpack_from(self._received, start)
        if length < 4:
            raise protocol_violation(f"invalid message length {length}")
        if length > self._max_message_bytes:
            raise protocol_violation(
                f"message of {length} bytes exceeds the limit of {self._max_message_bytes} bytes"
            )
        end = start + length + 1
        if len(self._received) < end:
            return None
        self._take(end)
        return decode_frontend(type_code, self.last_frame[5:], self.text_decoder)
