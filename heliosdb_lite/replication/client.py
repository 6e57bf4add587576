"""The standby's side of the PostgreSQL protocol: just enough to open a connection to a peer,
authenticate (trust, or a password in cleartext or MD5), read its ParameterStatus values, and run
a replication connection's CopyBoth stream. SCRAM is not spoken here yet (docs/replication.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import struct
from dataclasses import dataclass, field

from heliosdb_lite.errors import CONFIGURATION_ERROR, PROTOCOL_VIOLATION, DatabaseError
from heliosdb_lite.server.databases import DATABASE

PROTOCOL_VERSION = 196608
CONNECT_TIMEOUT_SECONDS = 10.0
_HEAD = struct.Struct("!ci")
_AUTH_OK, _AUTH_CLEARTEXT, _AUTH_MD5 = 0, 3, 5


class PeerError(Exception):
    """The peer answered with an ErrorResponse (its SQLSTATE and message) or broke the protocol."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(f"{sqlstate}: {message}")
        self.sqlstate = sqlstate
        self.message = message


def _message(kind: bytes, body: bytes) -> bytes:
    return _HEAD.pack(kind, len(body) + 4) + body


def _error_fields(body: bytes) -> PeerError:
    fields = {part[:1]: part[1:].decode(errors="replace") for part in body.split(b"\0") if part}
    return PeerError(fields.get(b"C", "XX000"), fields.get(b"M", "error"))


@dataclass
class PeerConnection:
    """An open, authenticated connection to another server."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def open(cls, address: str, *, user: str, password: str | None = None,
                   startup: dict[str, str] | None = None) -> PeerConnection:
        """Connect to "host:port" and authenticate; raises OSError, TimeoutError or PeerError."""
        host, _, port = address.rpartition(":")
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)),
                                                CONNECT_TIMEOUT_SECONDS)
        connection = cls(reader, writer)
        try:
            params = {"user": user, "database": DATABASE, **(startup or {})}
            body = struct.pack("!i", PROTOCOL_VERSION) + b"".join(
                key.encode() + b"\0" + value.encode() + b"\0" for key, value in params.items()) + b"\0"
            writer.write(struct.pack("!i", len(body) + 4) + body)
            await asyncio.wait_for(connection._authenticate(user, password), CONNECT_TIMEOUT_SECONDS)
        except BaseException:
            connection.close()
            raise
        return connection

    async def _authenticate(self, user: str, password: str | None) -> None:
        while True:
            kind, body = await self.read()
            if kind == b"R":
                code = struct.unpack_from("!i", body)[0]
                if code == _AUTH_OK:
                    continue
                if password is None or code not in (_AUTH_CLEARTEXT, _AUTH_MD5):
                    raise DatabaseError(CONFIGURATION_ERROR,
                                        f"the peer asks for authentication method {code}, which a "
                                        "replication connection cannot answer (use trust, password or md5 "
                                        "for the replication user)")
                secret = password.encode()
                if code == _AUTH_MD5:
                    inner = hashlib.md5(secret + user.encode()).hexdigest().encode()
                    secret = b"md5" + hashlib.md5(inner + body[4:8]).hexdigest().encode()
                self.writer.write(_message(b"p", secret + b"\0"))
            elif kind == b"S":
                name, value, _ = body.split(b"\0", 2)
                self.parameters[name.decode()] = value.decode()
            elif kind == b"Z":
                return

    async def read(self) -> tuple[bytes, bytes]:
        """The next message (type, body); an ErrorResponse raises PeerError, notices are skipped."""
        while True:
            head = await self.reader.readexactly(_HEAD.size)
            kind, length = _HEAD.unpack(head)
            body = await self.reader.readexactly(length - 4)
            if kind == b"E":
                raise _error_fields(body)
            if kind != b"N":
                return kind, body

    async def start_copy_both(self, query: str) -> None:
        """Send a simple query that must answer CopyBothResponse."""
        self.writer.write(_message(b"Q", query.encode() + b"\0"))
        kind, _ = await self.read()
        if kind != b"W":
            raise PeerError(PROTOCOL_VIOLATION, f"expected CopyBothResponse, got message {kind!r}")

    async def read_copy_data(self) -> bytes:
        while True:
            kind, body = await self.read()
            if kind == b"d":
                return body
            if kind in (b"c", b"C", b"Z"):
                raise PeerError(PROTOCOL_VIOLATION, "the peer ended the replication stream")
            if kind != b"S":
                raise PeerError(PROTOCOL_VIOLATION, f"unexpected message {kind!r} in a replication stream")

    def send_copy_data(self, data: bytes) -> None:
        self.writer.write(_message(b"d", data))

    async def drain(self) -> None:
        await self.writer.drain()

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.write(_message(b"X", b""))
        self.writer.close()


async def peer_parameters(address: str, *, user: str, password: str | None = None) -> dict[str, str]:
    """The ParameterStatus values a peer reports at start-up (its role and epoch among them)."""
    connection = await PeerConnection.open(address, user=user, password=password)
    connection.close()
    return connection.parameters


async def simple_query(connection: PeerConnection, sql: str) -> list[list[str | None]]:
    """Run one simple query; its rows as text."""
    connection.writer.write(_message(b"Q", sql.encode() + b"\0"))
    rows: list[list[str | None]] = []
    while True:
        kind, body = await connection.read()
        if kind == b"D":
            count = struct.unpack_from("!h", body)[0]
            offset, row = 2, []
            for _ in range(count):
                length = struct.unpack_from("!i", body, offset)[0]
                offset += 4
                row.append(None if length < 0 else body[offset:offset + length].decode())
                offset += max(length, 0)
            rows.append(row)
        elif kind == b"Z":
            return rows
