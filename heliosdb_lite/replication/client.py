"""The standby's side of the PostgreSQL protocol: just enough to open a connection to a peer,
negotiate TLS (`replication.sslmode`: disable, prefer, require, verify-full as libpq means them,
`replication.sslrootcert` the CA for verify-full), authenticate (trust, cleartext, MD5 or
SCRAM-SHA-256: `frontend.authentication_answer`), read its ParameterStatus values, and run a
replication connection's CopyBoth stream.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import struct
from dataclasses import dataclass, field
from pathlib import Path

from heliosdb_lite.config import ReplicationConfig
from heliosdb_lite.errors import (
    CONFIG_FILE_ERROR,
    INTERNAL_ERROR,
    PROTOCOL_VIOLATION,
    SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
    DatabaseError,
)
from heliosdb_lite.protocol import frontend
from heliosdb_lite.server.databases import DATABASE

PROTOCOL_VERSION = 196608
CONNECT_TIMEOUT_SECONDS = 10.0
_HEAD = struct.Struct("!ci")


@dataclass(frozen=True)
class PeerCredentials:
    """How to reach a peer: user, password, TLS (`replication.*` keys)."""

    user: str
    password: str | None = None
    sslmode: str = "prefer"
    sslrootcert: Path | None = None

    def tls_context(self) -> ssl.SSLContext | None:
        """The context for a TLS peer connection (None for sslmode disable)."""
        if self.sslmode == "disable":
            return None
        if self.sslmode == "verify-full":
            return ssl.create_default_context(cafile=self.sslrootcert)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context


def peer_credentials(settings: ReplicationConfig) -> PeerCredentials:
    """The credentials the `[replication]` keys give."""
    return PeerCredentials(settings.replication_user, settings.password, settings.sslmode,
                           settings.sslrootcert)


class PeerError(Exception):
    """The peer answered with an ErrorResponse (its SQLSTATE and message) or broke the protocol."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(f"{sqlstate}: {message}")
        self.sqlstate = sqlstate
        self.message = message


def _error_fields(body: bytes) -> PeerError:
    fields = {part[:1]: part[1:].decode(errors="replace") for part in body.split(b"\0") if part}
    return PeerError(fields.get(b"C", INTERNAL_ERROR), fields.get(b"M", "error"))


@dataclass
class PeerConnection:
    """An open, authenticated connection to another server."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def open(cls, address: str, credentials: PeerCredentials, *,
                   startup: dict[str, str] | None = None) -> PeerConnection:
        """Connect to "host:port", negotiate TLS and authenticate; raises OSError, TimeoutError,
        ssl.SSLError or PeerError."""
        host, _, port = address.rpartition(":")
        host = host.strip("[]")
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)),
                                                CONNECT_TIMEOUT_SECONDS)
        connection = cls(reader, writer)
        try:
            await asyncio.wait_for(connection._negotiate_tls(host, credentials), CONNECT_TIMEOUT_SECONDS)
            params = {"user": credentials.user, "database": DATABASE, **(startup or {})}
            connection.writer.write(frontend.startup_message(params))
            await asyncio.wait_for(connection._authenticate(credentials.user, credentials.password),
                                   CONNECT_TIMEOUT_SECONDS)
        except BaseException:
            connection.close()
            raise
        return connection

    async def _negotiate_tls(self, host: str, credentials: PeerCredentials) -> None:
        context = credentials.tls_context()
        if context is None:
            return
        self.writer.write(frontend.ssl_request())
        await self.writer.drain()
        answer = await self.reader.readexactly(1)
        if answer == b"S":
            await self.writer.start_tls(context, server_hostname=host)
        elif credentials.sslmode != "prefer":
            raise PeerError(SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                            f"the peer does not accept TLS (replication.sslmode = {credentials.sslmode})")

    async def _authenticate(self, user: str, password: str | None) -> None:
        scram: frontend.ScramClient | None = None
        while True:
            kind, body = await self.read()
            if kind == b"R":
                code, data = frontend.decode_authentication(body)
                if password is None and code not in (frontend.AUTH_OK, frontend.AUTH_SASL_FINAL):
                    raise DatabaseError(CONFIG_FILE_ERROR, "the peer asks for a password: set "
                                                           "replication.password")
                try:
                    answer, scram = frontend.authentication_answer(code, data, user, password or "", scram)
                except ValueError as error:
                    raise DatabaseError(CONFIG_FILE_ERROR, f"the peer's authentication: {error}") from None
                if answer:
                    self.writer.write(answer)
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
        self.writer.write(frontend.query(query))
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
        self.writer.write(frontend.copy_data(data))

    async def drain(self) -> None:
        await self.writer.drain()

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.write(frontend.terminate())
        self.writer.close()


async def peer_parameters(address: str, credentials: PeerCredentials) -> dict[str, str]:
    """The ParameterStatus values a peer reports at start-up (its role and epoch among them)."""
    connection = await PeerConnection.open(address, credentials)
    connection.close()
    return connection.parameters


async def simple_query(connection: PeerConnection, sql: str) -> list[list[str | None]]:
    """Run one simple query; its rows as text."""
    connection.writer.write(frontend.query(sql))
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


async def copy_out(connection: PeerConnection, sql: str, into: Path) -> str:
    """Run a simple query the peer answers with COPY OUT, write its data to `into` (fsynced);
    returns the CommandComplete tag."""
    connection.writer.write(frontend.query(sql))
    tag = ""
    with open(into, "wb") as file:
        while True:
            kind, body = await connection.read()
            if kind == b"d":
                file.write(body)
            elif kind == b"C":
                tag = body.rstrip(b"\0").decode()
            elif kind == b"Z":
                break
        file.flush()
        os.fsync(file.fileno())
    return tag
