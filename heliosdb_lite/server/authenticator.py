"""Authentication exchanges per method (trust, password, md5, scram-sha-256) over the users file.

An `Exchange` is a tiny state machine: `first_request()` gives the first Authentication message to
send (b"" for trust), `respond(body)` consumes a PasswordMessage body and returns the next message
to send (b"" if none); `done` turns true once the client is authenticated, and whatever `respond`
returned last (SASLFinal) is still to be sent. A failure raises FATAL 28P01 (or 08P01 for a
malformed response); an unknown user fails exactly like a wrong password. After a SCRAM exchange,
`scram_keys` holds the verifier and the ClientKey the client proved (the proxy logs in upstream
with them); None for the other methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from heliosdb_lite.errors import INVALID_AUTHORIZATION_SPECIFICATION, INVALID_PASSWORD, DatabaseError, fatal
from heliosdb_lite.protocol import auth, messages
from heliosdb_lite.server.users import UsersFile


class Exchange(Protocol):
    @property
    def done(self) -> bool: ...

    @property
    def scram_keys(self) -> tuple[auth.ScramVerifier, bytes] | None: ...

    def first_request(self) -> bytes: ...

    def respond(self, body: bytes) -> bytes: ...


def _failed(user: str, method: str) -> DatabaseError:
    return fatal(INVALID_PASSWORD, f'password authentication failed for user "{user}"',
                 detail=f'Connection matched authentication method "{method}".')


class _Trust:
    done = True
    scram_keys = None

    def first_request(self) -> bytes:
        return b""

    def respond(self, body: bytes) -> bytes:
        raise messages.protocol_violation("unexpected password message")


class _Cleartext:
    scram_keys = None

    def __init__(self, user: str, verifier: str | None) -> None:
        self._user = user
        self._verifier = verifier
        self.done = False

    def first_request(self) -> bytes:
        return messages.authentication(3)

    def respond(self, body: bytes) -> bytes:
        password = messages.BodyReader(body).cstring()
        if not auth.check_password(self._verifier, password, user=self._user):
            raise _failed(self._user, "password")
        self.done = True
        return b""


class _Md5:
    scram_keys = None

    def __init__(self, user: str, verifier: str | None) -> None:
        self._user = user
        self._verifier = verifier
        self._salt = auth.new_md5_salt()
        self.done = False

    def first_request(self) -> bytes:
        return messages.authentication(5, self._salt)

    def respond(self, body: bytes) -> bytes:
        if not auth.check_md5_response(self._verifier, self._salt, body):
            raise _failed(self._user, "md5")
        self.done = True
        return b""


class _Scram:
    def __init__(self, user: str, verifier: str | None) -> None:
        self._server = auth.ScramServer.for_user(user, verifier)
        self._started = False
        self.done = False

    def first_request(self) -> bytes:
        return messages.auth_sasl(self._server.mechanisms)

    def respond(self, body: bytes) -> bytes:
        if not self._started:
            self._started = True
            reader = messages.BodyReader(body)
            mechanism = reader.cstring()
            length = reader.int32()
            data = reader.rest()
            if length != len(data) and not (length == -1 and not data):
                raise messages.protocol_violation("invalid SASLInitialResponse length")
            return messages.authentication(11, self._server.handle_initial(mechanism, data))
        final = self._server.handle_final(body)
        self.done = True
        return messages.authentication(12, final)

    @property
    def scram_keys(self) -> tuple[auth.ScramVerifier, bytes] | None:
        client_key = self._server.client_key
        return None if client_key is None else (self._server.verifier, client_key)


class Authenticator:
    """Chooses the exchange for the configured method; reads verifiers from the users file."""

    def __init__(self, method: str, users: UsersFile | None) -> None:
        self._method = method
        self.users = users

    def begin(self, user: str) -> Exchange:
        role = self.users.role(user) if self.users is not None else None
        if role is not None and not role.login:  # NOLOGIN, checked under trust too, as PostgreSQL does
            raise fatal(INVALID_AUTHORIZATION_SPECIFICATION, f'role "{user}" is not permitted to log in')
        if self._method == "trust":
            return _Trust()
        verifier = role.verifier if role is not None else None
        if self._method == "password":
            return _Cleartext(user, verifier)
        if self._method == "md5" and auth.verifier_method(verifier or "") != "scram-sha-256":
            return _Md5(user, verifier)  # as PostgreSQL: md5 with a SCRAM verifier runs SCRAM
        return _Scram(user, verifier)



async def run_exchange(exchange: Exchange, send: Callable[[bytes], Awaitable[None]],
                       receive: Callable[[], Awaitable[messages.FrontendMessage]]) -> bytes:
    """Drive `exchange` over a connection until the client is authenticated; returns the last
    message still to send (SASLFinal, or b"")."""
    request = exchange.first_request()
    while not exchange.done:
        await send(request)
        response = await receive()
        if not isinstance(response, messages.PasswordMessage):
            raise messages.protocol_violation(
                f"expected password response, got message type {type(response).__name__}")
        request = exchange.respond(response.body)
    return request
