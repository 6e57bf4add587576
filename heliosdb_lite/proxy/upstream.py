"""The proxy's connection to a server: choosing the writable upstream, starting up as the client's
user, and reading the server's messages.

`connect_writable` tries the configured upstreams in order, as libpq's
`target_session_attrs=read-write` does: with more than one, a server whose
`SHOW transaction_read_only` says `on` is skipped. Authentication upstream: trust needs nothing;
SCRAM-SHA-256 is answered with the verifier and ClientKey the client proved to the proxy (the
proxy and the server hold the same verifier); a password or md5 request cannot be answered.
Any failure to reach or start a server is `UpstreamLost`, except the server's refusal of the
login itself (`UpstreamRefused`, carrying its FATAL error).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from heliosdb_lite.errors import INVALID_AUTHORIZATION_SPECIFICATION, DatabaseError
from heliosdb_lite.protocol import frontend
from heliosdb_lite.protocol.auth import ScramVerifier
from heliosdb_lite.protocol.frontend import BackendMessage, BackendParser
from heliosdb_lite.proxy.link import Link

# SQLSTATE classes of a refused login that another attempt may get past (the server is starting
# up or shutting down, or too many connections).
TRANSIENT_CLASSES = ("08", "53", "57")


class UpstreamLost(Exception):
    """The server connection failed or could not be made: EOF, reset, refused, FATAL 57P0x."""


class UpstreamRefused(UpstreamLost):
    """The server refused the login (its FATAL error is `error`)."""

    def __init__(self, error: DatabaseError) -> None:
        super().__init__(error.message)
        self.error = error

    @property
    def transient(self) -> bool:
        return self.error.sqlstate[:2] in TRANSIENT_CLASSES


@dataclass(frozen=True, slots=True)
class Credentials:
    """How the proxy logs in upstream as the client's user."""

    user: str
    scram_keys: tuple[ScramVerifier, bytes] | None = None


class Upstream:
    """One open server connection after startup: its reported parameters and backend key."""

    def __init__(self, link: Link, address: str) -> None:
        self.link = link
        self.address = address
        self.parser = BackendParser()
        self.parameters: dict[str, str] = {}
        self.key: tuple[int, int] = (0, 0)

    @property
    def host_port(self) -> tuple[str, int]:
        return split_address(self.address)

    @property
    def read_only(self) -> bool:
        """Whether the server announced itself read-only (a standby, or default read-only)."""
        reported = self.parameters
        return "on" in (reported.get("in_hot_standby"), reported.get("default_transaction_read_only"))

    def send(self, data: bytes) -> None:
        if self.link.is_closing():
            raise UpstreamLost("the server connection is closed")
        self.link.write(data)

    async def read_messages(self) -> list[BackendMessage]:
        """The complete messages now available (at least one)."""
        while True:
            found: list[BackendMessage] = []
            while (message := self.parser.next_message()) is not None:
                found.append(message)
            if found:
                return found
            try:
                data = await self.link.read()
            except (ConnectionError, OSError) as error:
                raise UpstreamLost(f"reading from the server failed: {error}") from error
            if not data:
                raise UpstreamLost("the server closed the connection")
            self.parser.feed(data)

    async def until_ready(self, count: int = 1) -> list[BackendMessage]:
        """Every message up to the `count`-th ReadyForQuery (a private exchange's answers)."""
        received: list[BackendMessage] = []
        while count:
            for message in await self.read_messages():
                received.append(message)
                if message.type == "S":
                    name, value = frontend.decode_parameter_status(message.body)
                    self.parameters[name] = value
                elif message.type == "Z":
                    count -= 1
        return received

    def close(self) -> None:
        self.link.stop_relaying()
        with contextlib.suppress(Exception):
            self.link.close()


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


async def _authenticate(upstream: Upstream, credentials: Credentials) -> None:
    scram: frontend.ScramClient | None = None
    while True:
        for message in await upstream.read_messages():
            if message.type == "E":
                raise UpstreamRefused(frontend.error_from_fields(frontend.decode_error_fields(message.body)))
            if message.type == "S":
                name, value = frontend.decode_parameter_status(message.body)
                upstream.parameters[name] = value
            elif message.type == "K":
                upstream.key = frontend.decode_backend_key_data(message.body)
            elif message.type == "Z":
                return
            elif message.type == "R":
                scram = _answer_authentication(upstream, credentials, message.body, scram)


def _answer_authentication(upstream: Upstream, credentials: Credentials, body: bytes,
                           scram: frontend.ScramClient | None) -> frontend.ScramClient | None:
    code, data = frontend.decode_authentication(body)
    if code == frontend.AUTH_OK:
        return scram
    if code == frontend.AUTH_SASL and credentials.scram_keys is not None:
        scram = frontend.ScramClient(keys=credentials.scram_keys)
        upstream.send(frontend.sasl_initial_response("SCRAM-SHA-256", scram.first_message()))
        return scram
    if code == frontend.AUTH_SASL_CONTINUE and scram is not None:
        upstream.send(frontend.sasl_response(scram.final_message(data)))
        return scram
    if code == frontend.AUTH_SASL_FINAL and scram is not None:
        scram.verify_server(data)
        return scram
    raise UpstreamRefused(DatabaseError(
        INVALID_AUTHORIZATION_SPECIFICATION,
        f'the proxy cannot log in upstream as "{credentials.user}": the server asks for authentication '
        f"request {code}, and the proxy holds no SCRAM keys for this user",
        hint='Set proxy.auth_method = "scram-sha-256" with the server\'s users file.', severity="FATAL"))


async def connect(address: str, startup: Mapping[str, str], credentials: Credentials,
                  timeout: float) -> Upstream:
    """Open, start up and authenticate one server connection."""
    host, port = split_address(address)
    try:
        connecting = asyncio.get_running_loop().create_connection(Link, host, port)
        _, link = await asyncio.wait_for(connecting, timeout)
    except (OSError, TimeoutError) as error:
        raise UpstreamLost(f"cannot connect to {address}: {error}") from error
    upstream = Upstream(link, address)
    try:
        upstream.send(frontend.startup_message(startup))
        await asyncio.wait_for(_authenticate(upstream, credentials), timeout)
    except TimeoutError as error:
        upstream.close()
        raise UpstreamLost(f"{address} did not finish start-up in time") from error
    except BaseException:
        upstream.close()
        raise
    return upstream


async def _writable(upstream: Upstream, timeout: float) -> bool:
    upstream.send(frontend.query("SHOW transaction_read_only"))
    answers = await asyncio.wait_for(upstream.until_ready(), timeout)
    rows = [frontend.decode_data_row(message.body) for message in answers if message.type == "D"]
    return bool(rows) and rows[0][0] == b"off"


async def connect_writable(addresses: Sequence[str], startup: Mapping[str, str], credentials: Credentials,
                           timeout: float) -> Upstream:
    """The first upstream that accepts the login and, when there are several, is writable."""
    problems: list[str] = []
    for address in addresses:
        try:
            upstream = await connect(address, startup, credentials, timeout)
        except UpstreamRefused as refused:
            if not refused.transient:
                raise
            problems.append(f"{address}: {refused.error.message}")
            continue
        except UpstreamLost as lost:
            problems.append(str(lost))
            continue
        if len(addresses) == 1:
            return upstream
        try:
            if await _writable(upstream, timeout):
                return upstream
            problems.append(f"{address} is read-only")
        except (UpstreamLost, TimeoutError) as lost:
            problems.append(f"{address}: {lost}")
        upstream.close()
    raise UpstreamLost("no writable server: " + "; ".join(problems))
