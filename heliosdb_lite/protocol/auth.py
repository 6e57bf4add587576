"""Password authentication, sans-IO: SCRAM-SHA-256 (RFC 5802/7677), md5 and cleartext checks.

Owns the stored password verifiers and the server side of each exchange; the connection layer
moves the bytes (AuthenticationSASL/SASLContinue/SASLFinal, AuthenticationMD5Password, ...).

Verifier formats (identical to PostgreSQL's pg_authid.rolpassword):
- SCRAM: ``SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>`` where
  SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations),
  StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key").
- md5: ``md5`` + hex(MD5(password || user)); the client answers a 4-byte salt with
  ``md5`` + hex(MD5(hex(MD5(password || user)) || salt)).

SASLprep follows PostgreSQL's pg_saslprep: pure-ASCII passwords are used as they are; otherwise
RFC 4013 mapping, NFKC, prohibited/unassigned/bidi checks, and on any failure (including input
that is not valid UTF-8) the raw password bytes are used instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import stringprep
import unicodedata
from dataclasses import dataclass
from enum import Enum, auto

from heliosdb_lite.errors import INVALID_PASSWORD, PROTOCOL_VIOLATION, DatabaseError

SCRAM_SHA_256 = "SCRAM-SHA-256"
SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS"
SCRAM_PREFIX = "SCRAM-SHA-256$"
MD5_PREFIX = "md5"
DEFAULT_SCRAM_ITERATIONS = 4096
SCRAM_SALT_LENGTH = 16
SCRAM_RAW_NONCE_LENGTH = 18
MD5_SALT_LENGTH = 4
_KEY_LENGTH = 32
_MD5_HEX_LENGTH = 32
_GS2_HEADERS = ("n,,", "y,,")

# A per-process secret that makes the mock salt of an unknown user stable across attempts, so
# repeated probes cannot tell a missing user from an existing one by a changing salt.
_MOCK_AUTH_SECRET = secrets.token_bytes(32)


def _password_bytes(password: str | bytes) -> bytes:
    if isinstance(password, bytes):
        return password
    return password.encode("utf-8", "surrogateescape")


def _is_prohibited_output(char: str) -> bool:
    return (
        stringprep.in_table_c12(char)
        or stringprep.in_table_c21_c22(char)
        or stringprep.in_table_c3(char)
        or stringprep.in_table_c4(char)
        or stringprep.in_table_c5(char)
        or stringprep.in_table_c6(char)
        or stringprep.in_table_c7(char)
        or stringprep.in_table_c8(char)
        or stringprep.in_table_c9(char)
        or stringprep.in_table_a1(char)
    )


def _bidi_acceptable(text: str) -> bool:
    if not any(stringprep.in_table_d1(char) for char in text):
        return True
    if any(stringprep.in_table_d2(char) for char in text):
        return False
    return stringprep.in_table_d1(text[0]) and stringprep.in_table_d1(text[-1])


def saslprep(password: bytes) -> bytes:
    """The password bytes PostgreSQL feeds into SCRAM: SASLprep'd, or raw when SASLprep fails."""
    if password.isascii():
        return password
    try:
        text = password.decode("utf-8")
    except UnicodeDecodeError:
        return password
    mapped = "".join(
        " " if stringprep.in_table_c12(char) else char for char in text if not stringprep.in_table_b1(char)
    )
    if not mapped:
        return password
    normalized = unicodedata.normalize("NFKC", mapped)
    if any(_is_prohibited_output(char) for char in normalized) or not _bidi_acceptable(normalized):
        return password
    return normalized.encode("utf-8")


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict base64 decoding; raises ValueError on anything that is not canonical base64."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"invalid base64: {text!r}") from exc


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


@dataclass(frozen=True)
class ScramVerifier:
    """The parsed parts of a SCRAM-SHA-256 verifier."""

    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    @classmethod
    def derive(cls, password: bytes, salt: bytes, iterations: int) -> ScramVerifier:
        """Compute the verifier for a password (already in wire bytes, before SASLprep)."""
        salted = hashlib.pbkdf2_hmac("sha256", saslprep(password), salt, iterations)
        client_key = _hmac(salted, b"Client Key")
        return cls(iterations, salt, hashlib.sha256(client_key).digest(), _hmac(salted, b"Server Key"))

    @classmethod
    def parse(cls, text: str) -> ScramVerifier:
        """Parse PostgreSQL's stored form; raises ValueError when it is not a valid SCRAM verifier."""
        if not text.startswith(SCRAM_PREFIX):
            raise ValueError("not a SCRAM-SHA-256 verifier")
        try:
            parameters, keys = text[len(SCRAM_PREFIX) :].split("$")
            iterations_text, salt_text = parameters.split(":")
            stored_text, server_text = keys.split(":")
        except ValueError as exc:
            raise ValueError(
                f"malformed SCRAM-SHA-256 verifier: expected {SCRAM_PREFIX}"
                "<iterations>:<salt>$<StoredKey>:<ServerKey>"
            ) from exc
        if not iterations_text.isascii() or not iterations_text.isdigit() or int(iterations_text) < 1:
            raise ValueError(f"SCRAM-SHA-256 verifier has an invalid iteration count {iterations_text!r}")
        salt, stored_key, server_key = (_b64decode(part) for part in (salt_text, stored_text, server_text))
        if not salt or len(stored_key) != _KEY_LENGTH or len(server_key) != _KEY_LENGTH:
            raise ValueError("SCRAM-SHA-256 verifier has an empty salt or keys of the wrong length")
        return cls(int(iterations_text), salt, stored_key, server_key)

    def __str__(self) -> str:
        return (
            f"{SCRAM_PREFIX}{self.iterations}:{_b64encode(self.salt)}"
            f"${_b64encode(self.stored_key)}:{_b64encode(self.server_key)}"
        )


def make_scram_verifier(
    password: str, *, iterations: int = DEFAULT_SCRAM_ITERATIONS, salt: bytes | None = None
) -> str:
    """A SCRAM-SHA-256 verifier in PostgreSQL's stored format, with a random 16-byte salt by default."""
    if iterations < 1:
        raise ValueError("iterations must be at least 1")
    if salt is None:
        salt = secrets.token_bytes(SCRAM_SALT_LENGTH)
    if not salt:
        raise ValueError("salt must not be empty")
    return str(ScramVerifier.derive(_password_bytes(password), salt, iterations))


def _is_md5_verifier(verifier: str) -> bool:
    digest = verifier[len(MD5_PREFIX) :]
    return (
        verifier.startswith(MD5_PREFIX)
        and len(digest) == _MD5_HEX_LENGTH
        and all(char in "0123456789abcdef" for char in digest)
    )


def verifier_method(verifier: str) -> str | None:
    """Which kind a well-formed verifier is: "scram-sha-256", "md5", or None when it is neither."""
    if _is_md5_verifier(verifier):
        return "md5"
    try:
        ScramVerifier.parse(verifier)
    except ValueError:
        return None
    return "scram-sha-256"


def _authentication_failed(user: str) -> DatabaseError:
    return DatabaseError(
        INVALID_PASSWORD, f'password authentication failed for user "{user}"', severity="FATAL"
    )


def _malformed(detail: str, message: str = "malformed SCRAM message") -> DatabaseError:
    return DatabaseError(PROTOCOL_VIOLATION, message, detail=detail, severity="FATAL")


def _attribute_value(part: str, name: str, message: str) -> str:
    """The value of ``<name>=<value>``; 08P01 naming the message when the attribute is missing."""
    if len(part) < 2 or part[0] != name or part[1] != "=":
        raise _malformed(f'Expected attribute "{name}" in {message} but found "{part}".')
    return part[2:]


def _check_extensions(parts: list[str], message: str) -> None:
    for part in parts:
        if len(part) < 2 or not part[0].isascii() or not part[0].isalpha() or part[1] != "=":
            raise _malformed(f'Attribute expected in {message}, but found "{part}".')


def _is_printable_nonce(nonce: str) -> bool:
    return bool(nonce) and all(0x21 <= ord(char) <= 0x7E and char != "," for char in nonce)


def _decode_message(data: bytes, message: str) -> str:
    if not data:
        raise _malformed(f"The {message} is empty.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(f"The {message} is not valid UTF-8.") from exc
    if "\0" in text:
        raise _malformed(f"The {message} contains a NUL byte.")
    return text


class _Stage(Enum):
    AWAITING_INITIAL = auto()
    AWAITING_FINAL = auto()
    FINISHED = auto()


class ScramServer:
    """Server side of one SCRAM-SHA-256 exchange (no channel binding).

    After a successful `handle_final`, `client_key` is the ClientKey the client proved to know: with
    the verifier it lets a proxy log in to a server holding the same verifier (as PgBouncer does).

    Drive it with the SASLInitialResponse (`handle_initial`, answer with AuthenticationSASLContinue)
    and the SASLResponse (`handle_final`, answer with AuthenticationSASLFinal). Any failure raises a
    FATAL DatabaseError: 28P01 for a wrong password, 08P01 for a malformed or out-of-order message.
    """

    def __init__(self, verifier: str, *, user: str, server_nonce: str | None = None) -> None:
        """`verifier` must be a SCRAM-SHA-256 verifier (ValueError otherwise); `user` names the
        role in the failure message; `server_nonce` fixes the server's nonce part (tests only)."""
        self._verifier = ScramVerifier.parse(verifier)
        self._user = user
        self._doomed = False
        self._server_nonce = server_nonce or _b64encode(secrets.token_bytes(SCRAM_RAW_NONCE_LENGTH))
        if not _is_printable_nonce(self._server_nonce):
            raise ValueError("server nonce must be printable ASCII without commas")
        self._stage = _Stage.AWAITING_INITIAL
        self.client_key: bytes | None = None  # set once a proof is verified
        self._gs2_header = ""
        self._nonce = ""
        self._client_first_bare = ""
        self._server_first = ""

    @property
    def verifier(self) -> ScramVerifier:
        return self._verifier

    @property
    def mechanisms(self) -> list[str]:
        """The SASL mechanisms to advertise in AuthenticationSASL."""
        return [SCRAM_SHA_256]

    @classmethod
    def mock(cls, user: str, *, server_nonce: str | None = None) -> ScramServer:
        """An exchange for a user without a SCRAM verifier: it looks like a real one (same salt for
        the same user on every attempt) and always ends in 28P01."""
        salt = hashlib.sha256(user.encode("utf-8", "surrogateescape") + _MOCK_AUTH_SECRET).digest()
        mock = ScramVerifier(
            DEFAULT_SCRAM_ITERATIONS,
            salt[:SCRAM_SALT_LENGTH],
            secrets.token_bytes(_KEY_LENGTH),
            secrets.token_bytes(_KEY_LENGTH),
        )
        server = cls(str(mock), user=user, server_nonce=server_nonce)
        server._doomed = True
        return server

    @classmethod
    def for_user(cls, user: str, verifier: str | None) -> ScramServer:
        """The real exchange when `verifier` is a SCRAM verifier, else the mock one."""
        if verifier is not None and verifier_method(verifier) == "scram-sha-256":
            return cls(verifier, user=user)
        return cls.mock(user)

    def handle_initial(self, mechanism: str, data: bytes) -> bytes:
        """Consume SASLInitialResponse (mechanism and client-first-message); return server-first."""
        self._expect(_Stage.AWAITING_INITIAL, "SASLInitialResponse")
        self._stage = _Stage.FINISHED
        if mechanism == SCRAM_SHA_256_PLUS:
            raise _malformed(
                "Channel binding is not supported; use SCRAM-SHA-256.",
                "client selected SCRAM-SHA-256-PLUS, which this server does not offer",
            )
        if mechanism != SCRAM_SHA_256:
            raise _malformed(
                f'Mechanism "{mechanism}" is not one of: {", ".join(self.mechanisms)}.',
                "client selected an invalid SASL authentication mechanism",
            )
        text = _decode_message(data, "client-first-message")
        self._gs2_header, client_first_bare = self._split_gs2_header(text)
        parts = client_first_bare.split(",")
        if parts[0].startswith("m="):
            raise _malformed("The client requires an unsupported SCRAM extension.")
        _attribute_value(parts[0], "n", "client-first-message")
        if len(parts) < 2:
            raise _malformed('Expected attribute "r" in client-first-message but found end of message.')
        client_nonce = _attribute_value(parts[1], "r", "client-first-message")
        if not _is_printable_nonce(client_nonce):
            raise _malformed("The client nonce is empty or contains invalid characters.")
        _check_extensions(parts[2:], "client-first-message")
        self._client_first_bare = client_first_bare
        self._nonce = client_nonce + self._server_nonce
        self._server_first = (
            f"r={self._nonce},s={_b64encode(self._verifier.salt)},i={self._verifier.iterations}"
        )
        self._stage = _Stage.AWAITING_FINAL
        return self._server_first.encode("ascii")

    def handle_final(self, data: bytes) -> bytes:
        """Consume SASLResponse (client-final-message), verify the proof; return server-final."""
        self._expect(_Stage.AWAITING_FINAL, "SASLResponse")
        self._stage = _Stage.FINISHED
        text = _decode_message(data, "client-final-message")
        parts = text.split(",")
        if len(parts) < 3:
            raise _malformed("The client-final-message needs the attributes c, r and p.")
        try:
            channel_binding = _b64decode(_attribute_value(parts[0], "c", "client-final-message"))
        except ValueError as exc:
            raise _malformed("The channel binding attribute is not valid base64.") from exc
        if not hmac.compare_digest(channel_binding, self._gs2_header.encode("ascii")):
            raise _malformed(
                "Channel binding data does not match the gs2 header.", "SCRAM channel binding check failed"
            )
        nonce = _attribute_value(parts[1], "r", "client-final-message")
        if not hmac.compare_digest(nonce.encode("utf-8"), self._nonce.encode("ascii")):
            raise _malformed("Nonce does not match.", "invalid SCRAM response")
        _check_extensions(parts[2:-1], "client-final-message")
        try:
            proof = _b64decode(_attribute_value(parts[-1], "p", "client-final-message"))
        except ValueError as exc:
            raise _malformed("The client proof is not valid base64.") from exc
        if len(proof) != _KEY_LENGTH:
            raise _malformed("The client proof has the wrong length.")
        client_final_without_proof = text[: -len(parts[-1]) - 1]
        auth_message = ",".join(
            (self._client_first_bare, self._server_first, client_final_without_proof)
        ).encode("utf-8")
        client_signature = _hmac(self._verifier.stored_key, auth_message)
        client_key = bytes(a ^ b for a, b in zip(proof, client_signature, strict=True))
        proof_valid = hmac.compare_digest(hashlib.sha256(client_key).digest(), self._verifier.stored_key)
        if self._doomed or not proof_valid:
            raise _authentication_failed(self._user)
        self.client_key = client_key
        server_signature = _hmac(self._verifier.server_key, auth_message)
        return f"v={_b64encode(server_signature)}".encode("ascii")

    def _expect(self, stage: _Stage, message: str) -> None:
        if self._stage is not stage:
            self._stage = _Stage.FINISHED
            raise _malformed(
                f"{message} is not expected at this point of the SCRAM exchange.", "unexpected SASL message"
            )

    @staticmethod
    def _split_gs2_header(text: str) -> tuple[str, str]:
        """Split client-first-message into its gs2 header ("n,," or "y,,") and the bare message."""
        if text.startswith("p"):
            raise _malformed(
                'The client requires channel binding (gs2 flag "p"), but this server supports '
                "SCRAM-SHA-256 without channel binding only.",
                "SCRAM channel binding is not supported",
            )
        if text.startswith(("n,a=", "y,a=")):
            raise _malformed("The client uses an authorization identity, which is not supported.")
        header = text[:3]
        if header not in _GS2_HEADERS:
            raise _malformed(f'Unexpected gs2 header "{header}"; expected "n,," or "y,,".')
        return header, text[3:]


def _md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _md5_verifier_from_bytes(user: str, password: bytes) -> str:
    return MD5_PREFIX + _md5_hex(password + user.encode("utf-8", "surrogateescape"))


def make_md5_verifier(user: str, password: str) -> str:
    """PostgreSQL's md5 verifier: "md5" + hex(MD5(password || user))."""
    return _md5_verifier_from_bytes(user, _password_bytes(password))


def new_md5_salt() -> bytes:
    """A random 4-byte salt for AuthenticationMD5Password."""
    return secrets.token_bytes(MD5_SALT_LENGTH)


def check_md5_response(verifier: str | None, salt: bytes, response: bytes) -> bool:
    """Whether `response` (the PasswordMessage payload; a trailing NUL is ignored) answers `salt`
    for this md5 verifier. False for None or a non-md5 verifier, after the same amount of work."""
    if len(salt) != MD5_SALT_LENGTH:
        raise ValueError(f"md5 salt must be {MD5_SALT_LENGTH} bytes")
    usable = verifier is not None and _is_md5_verifier(verifier)
    stored_digest = verifier[len(MD5_PREFIX) :] if verifier is not None and usable else "0" * _MD5_HEX_LENGTH
    expected = (MD5_PREFIX + _md5_hex(stored_digest.encode("ascii") + salt)).encode("ascii")
    return hmac.compare_digest(expected, response.removesuffix(b"\0")) and usable


def check_password(verifier: str | None, password: str | bytes, *, user: str) -> bool:
    """Cleartext check (auth method "password") against a SCRAM or md5 verifier; False for None.

    md5 verifiers are salted with the user name, hence `user`."""
    if verifier is None:
        return False
    password_bytes = _password_bytes(password)
    if _is_md5_verifier(verifier):
        return hmac.compare_digest(_md5_verifier_from_bytes(user, password_bytes), verifier)
    try:
        stored = ScramVerifier.parse(verifier)
    except ValueError:
        return False
    derived = ScramVerifier.derive(password_bytes, stored.salt, stored.iterations)
    return hmac.compare_digest(derived.stored_key, stored.stored_key)
