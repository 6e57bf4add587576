"""One socket of the proxy (to a client or to a server) as an asyncio Protocol, read two ways.

While a session starts up, and while a recovery talks to a new server privately, its bytes are
awaited (`read`). Once the session relays, they are pushed to a handler as they arrive
(`relay_to`), with no task switch in between: the relay's work per message is then a function
call, as in a byte relay. Flow control pairs the links of a session: while one link cannot write
(its transport's buffer is past the high-water mark), the link that feeds it stops reading.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

WRITE_HIGH_WATER = 256 * 1024


class Link(asyncio.Protocol):
    """The transport, what arrived while nobody relays, and who is told of new bytes or the end."""

    def __init__(self, on_made: Callable[[Link], None] | None = None) -> None:
        self.transport: asyncio.Transport | None = None
        self.feeder: Link | None = None  # paused while this link cannot write
        self._on_made = on_made
        self._received = bytearray()
        self._closed = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._handler: Callable[[bytes], None] | None = None
        self._on_end: Callable[[], None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self._reading_paused = False

    # asyncio.Protocol ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        if self._on_made is not None:
            self._on_made(self)

    def data_received(self, data: bytes) -> None:
        if self._handler is not None:
            self._handler(data)
            return
        self._received += data
        self._wake()

    def eof_received(self) -> bool:
        self._ended(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended(exc)
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        if self.feeder is not None:
            self.feeder.resume_reading()

    def pause_writing(self) -> None:
        if self.feeder is not None:
            self.feeder.pause_reading()

    def resume_writing(self) -> None:
        if self.feeder is not None:
            self.feeder.resume_reading()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    @property
    def error(self) -> BaseException | None:
        """Why the connection ended, when it ended by an error."""
        return self._error

    # reading -----------------------------------------------------------------------------------------

    async def read(self) -> bytes:
        """The bytes received and not yet read; b"" once the peer closed the connection."""
        while not self._received:
            if self._closed:
                if self._error is not None:
                    raise ConnectionResetError(str(self._error)) from self._error
                return b""
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = bytes(self._received)
        self._received.clear()
        return data

    def relay_to(self, handler: Callable[[bytes], None], on_end: Callable[[], None],
                 pending: bytes = b"") -> None:
        """From now on every received chunk goes to `handler`; `on_end` is called when the
        connection ends. `pending` (bytes a parser already holds) and what arrived meanwhile go
        to the handler at once."""
        data = pending + bytes(self._received)
        self._received.clear()
        self._handler, self._on_end = handler, on_end
        if data:
            handler(data)
        if self._closed and self._handler is handler:
            on_end()

    def stop_relaying(self) -> None:
        self._handler = self._on_end = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _ended(self, error: BaseException | None) -> None:
        if self._closed:
            return
        self._closed = True
        self._error = error
        self._wake()
        on_end = self._on_end
        if on_end is not None:
            self.stop_relaying()
            on_end()

    def pause_reading(self) -> None:
        if self.transport is not None and not self._reading_paused and not self.transport.is_closing():
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and self._reading_paused and not self.transport.is_closing():
            self._reading_paused = False
            self.transport.resume_reading()

    # writing -----------------------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    def is_closing(self) -> bool:
        return self._closed or self.transport is None or self.transport.is_closing()

    async def drain(self) -> None:
        """Wait until the transport's buffer is below the high-water mark (or the link is closed)."""
        transport = self.transport
        while transport is not None and not self._closed and \
                transport.get_write_buffer_size() > WRITE_HIGH_WATER:
            self._writable = asyncio.get_running_loop().create_future()
            await self._writable
        if self._closed and self._error is not None:
            raise ConnectionResetError(str(self._error)) from self._error

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
