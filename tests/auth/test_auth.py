"""SCRAM-SHA-256, md5 and cleartext checks in protocol/auth.py, against an independent client."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.auth import (
    ScramServer,
    check_md5_response,
    check_password,
    make_md5_verifier,
    make_scram_verifier,
    verifier_method,
)

RFC_SALT = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO"
RFC_SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
RFC_SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
RFC_CLIENT_FINAL = (
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
)
RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _salted(password: bytes, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password, salt, iterations)


def _stored_key(password: bytes, salt: bytes, iterations: int = 4096) -> bytes:
    return hashlib.sha256(_hmac(_salted(password, salt, iterations), b"Client Key")).digest()


class Client:
    """An independent SCRAM-SHA-256 client (RFC 5802 §3), used to drive the server."""

    def __init__(self, password: bytes, *, user: str = "", nonce: str = "clientnonce", gs2: str = "n,,"):
        self.password = password
        self.gs2 = gs2
        self.first_bare = f"n={user},r={nonce}"

    def first(self) -> bytes:
        return (self.gs2 + self.first_bare).encode()

    def final(self, server_first: bytes, *, nonce: str | None = None) -> bytes:
        fields = dict(part.split("=", 1) for part in server_first.decode().split(","))
        salted = _salted(self.password, base64.b64decode(fields["s"]), int(fields["i"]))
        client_key = _hmac(salted, b"Client Key")
        without_proof = f"c={base64.b64encode(self.gs2.encode()).decode()},r={nonce or fields['r']}"
        auth_message = f"{self.first_bare},{server_first.decode()},{without_proof}".encode()
        signature = _hmac(hashlib.sha256(client_key).digest(), auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self.expected_server_final = (
            "v=" + base64.b64encode(_hmac(_hmac(salted, b"Server Key"), auth_message)).decode()
        ).encode()
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()


def _server(password: str = "pencil", **kwargs: str) -> ScramServer:
    return ScramServer(make_scram_verifier(password, salt=RFC_SALT), user="alice", **kwargs)


def test_rfc7677_exchange_matches_the_published_messages() -> None:
    server = ScramServer(
        make_scram_verifier("pencil", salt=RFC_SALT), user="user", server_nonce=RFC_SERVER_NONCE
    )
    client = Client(b"pencil", user="user", nonce=RFC_CLIENT_NONCE)
    assert client.first() == b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"

    server_first = server.handle_initial("SCRAM-SHA-256", client.first())
    assert server_first.decode() == RFC_SERVER_FIRST
    client_final = client.final(server_first)
    assert client_final.decode() == RFC_CLIENT_FINAL
    assert server.handle_final(client_final).decode() == RFC_SERVER_FINAL


def test_verifier_has_postgres_stored_format_with_independent_keys() -> None:
    verifier = make_scram_verifier("pencil", salt=RFC_SALT)
    match = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([^$:]+)\$([^$:]+):([^$:]+)", verifier)
    assert match is not None
    iterations, salt, stored_key, server_key = match.groups()
    assert iterations == "4096"
    assert base64.b64decode(salt) == RFC_SALT
    assert base64.b64decode(stored_key) == _stored_key(b"pencil", RFC_SALT)
    assert base64.b64decode(server_key) == _hmac(_salted(b"pencil", RFC_SALT, 4096), b"Server Key")


def test_verifier_defaults_to_random_16_byte_salt_and_honours_iterations() -> None:
    first, second = make_scram_verifier("pw", iterations=10), make_scram_verifier("pw", iterations=10)
    assert first != second
    assert first.startswith("SCRAM-SHA-256$10:")
    assert len(base64.b64decode(first.split(":")[1].split("$")[0])) == 16


@pytest.mark.parametrize(("gs2", "user"), [("n,,", ""), ("y,,", "ignored-name"), ("n,,", "a=2Cb")])
def test_exchange_succeeds_with_random_server_nonce(gs2: str, user: str) -> None:
    server = _server()
    client = Client(b"pencil", user=user, gs2=gs2)
    server_first = server.handle_initial("SCRAM-SHA-256", client.first())
    assert server_first.startswith(b"r=clientnonce")
    assert len(server_first.split(b",")[0]) > len(b"r=clientnonce") + 16
    assert server.handle_final(client.final(server_first)) == client.expected_server_final


def test_server_nonce_differs_between_exchanges() -> None:
    client = Client(b"pencil")
    assert _server().handle_initial("SCRAM-SHA-256", client.first()) != _server().handle_initial(
        "SCRAM-SHA-256", client.first()
    )


def _assert_fatal(error: pytest.ExceptionInfo[DatabaseError], sqlstate: str) -> None:
    assert error.value.sqlstate == sqlstate
    assert error.value.severity == "FATAL"


def test_wrong_password_is_rejected_with_28p01_naming_the_user() -> None:
    server = _server()
    client = Client(b"pencil!")
    server_first = server.handle_initial("SCRAM-SHA-256", client.first())
    with pytest.raises(DatabaseError) as error:
        server.handle_final(client.final(server_first))
    _assert_fatal(error, "28P01")
    assert error.value.message == 'password authentication failed for user "alice"'


def test_tampered_proof_is_rejected() -> None:
    server = _server()
    client = Client(b"pencil")
    final = client.final(server.handle_initial("SCRAM-SHA-256", client.first()))
    without_proof, proof = final.rsplit(b",p=", 1)
    flipped = bytearray(base64.b64decode(proof))
    flipped[0] ^= 1
    with pytest.raises(DatabaseError) as error:
        server.handle_final(without_proof + b",p=" + base64.b64encode(bytes(flipped)))
    _assert_fatal(error, "28P01")


def test_tampered_nonce_is_rejected() -> None:
    server = _server()
    client = Client(b"pencil")
    server_first = server.handle_initial("SCRAM-SHA-256", client.first())
    real_nonce = server_first.decode().split(",")[0][2:]
    tampered = real_nonce[:-1] + ("X" if real_nonce[-1] != "X" else "Y")  # one nonce in 64 ends in X
    with pytest.raises(DatabaseError) as error:
        server.handle_final(client.final(server_first, nonce=tampered))
    _assert_fatal(error, "08P01")


def test_channel_binding_data_must_match_the_gs2_header() -> None:
    server = _server()
    client = Client(b"pencil")
    final = client.final(server.handle_initial("SCRAM-SHA-256", client.first()))
    with pytest.raises(DatabaseError) as error:
        server.handle_final(final.replace(b"c=biws", b"c=eSws"))
    _assert_fatal(error, "08P01")


@pytest.mark.parametrize(
    ("mechanism", "data"),
    [
        ("SCRAM-SHA-256-PLUS", b"p=tls-server-end-point,,n=,r=abc"),
        ("PLAIN", b"n,,n=,r=abc"),
        ("SCRAM-SHA-256", b""),
        ("SCRAM-SHA-256", b"x"),
        ("SCRAM-SHA-256", b"n,,"),
        ("SCRAM-SHA-256", b"n,,n="),
        ("SCRAM-SHA-256", b"n,,r=abc"),
        ("SCRAM-SHA-256", b"n,,n=,r="),
        ("SCRAM-SHA-256", b"n,,n=,r=a b"),
        ("SCRAM-SHA-256", b"n,,n=,r=abc,="),
        ("SCRAM-SHA-256", b"n,,m=ext,n=,r=abc"),
        ("SCRAM-SHA-256", b"n,a=admin,n=,r=abc"),
        ("SCRAM-SHA-256", b"p=tls-server-end-point,,n=,r=abc"),
        ("SCRAM-SHA-256", b"n,,n=,r=\xff"),
        ("SCRAM-SHA-256", b"n,,n=\0,r=abc"),
    ],
)
def test_malformed_client_first_message_is_a_protocol_violation(mechanism: str, data: bytes) -> None:
    with pytest.raises(DatabaseError) as error:
        _server().handle_initial(mechanism, data)
    _assert_fatal(error, "08P01")


def test_channel_binding_requests_get_a_clear_message() -> None:
    with pytest.raises(DatabaseError) as plus:
        _server().handle_initial("SCRAM-SHA-256-PLUS", b"p=tls-server-end-point,,n=,r=abc")
    with pytest.raises(DatabaseError) as flag:
        _server().handle_initial("SCRAM-SHA-256", b"p=tls-server-end-point,,n=,r=abc")
    assert "SCRAM-SHA-256-PLUS" in plus.value.message
    assert "channel binding" in flag.value.message


def _started_server() -> tuple[ScramServer, str]:
    server = _server()
    nonce = server.handle_initial("SCRAM-SHA-256", b"n,,n=,r=abc").decode().split(",")[0][2:]
    return server, nonce


@pytest.mark.parametrize(
    "final",
    [
        "",
        "c=biws",
        "c=biws,r={nonce}",
        "c=biws,r={nonce},p=",
        "c=biws,r={nonce},p=!!!!",
        "c=biws,r={nonce},p=AAAA",
        "c=***,r={nonce},p=" + "A" * 43 + "=",
        "r={nonce},c=biws,p=" + "A" * 43 + "=",
        "c=biws,r={nonce},p=" + "A" * 43 + "=,x=1",
        "c=biws,r={nonce},1=x,p=" + "A" * 43 + "=",
        "c=biws,r={nonce},p=" + "A" * 43 + "=\0",
    ],
)
def test_malformed_client_final_message_is_a_protocol_violation(final: str) -> None:
    server, nonce = _started_server()
    with pytest.raises(DatabaseError) as error:
        server.handle_final(final.format(nonce=nonce).encode())
    _assert_fatal(error, "08P01")


def test_extensions_before_the_proof_are_accepted() -> None:
    server = _server()
    client = Client(b"pencil")
    server_first = server.handle_initial("SCRAM-SHA-256", client.first() + b",x=ext")
    client.first_bare += ",x=ext"
    final = client.final(server_first)
    assert server.handle_final(final) == client.expected_server_final


def test_messages_out_of_order_are_protocol_violations() -> None:
    with pytest.raises(DatabaseError) as early:
        _server().handle_final(b"c=biws,r=abc,p=AAAA")
    _assert_fatal(early, "08P01")

    server, _ = _started_server()
    with pytest.raises(DatabaseError) as repeated:
        server.handle_initial("SCRAM-SHA-256", b"n,,n=,r=abc")
    _assert_fatal(repeated, "08P01")


def test_a_failed_exchange_cannot_be_retried() -> None:
    server = _server()
    client = Client(b"wrong")
    with pytest.raises(DatabaseError):
        server.handle_final(client.final(server.handle_initial("SCRAM-SHA-256", client.first())))
    with pytest.raises(DatabaseError) as retry:
        server.handle_final(Client(b"pencil").final(b"r=clientnonce,s=AAAA,i=1"))
    _assert_fatal(retry, "08P01")


def test_mechanisms_offer_scram_sha_256_only() -> None:
    assert _server().mechanisms == ["SCRAM-SHA-256"]
    assert ScramServer.mock("bob").mechanisms == ["SCRAM-SHA-256"]


def _server_first_fields(server: ScramServer) -> dict[str, str]:
    server_first = server.handle_initial("SCRAM-SHA-256", b"n,,n=,r=abc").decode()
    return dict(part.split("=", 1) for part in server_first.split(","))


def test_mock_exchange_looks_real_and_always_fails() -> None:
    first, second, other = (
        _server_first_fields(ScramServer.mock(name)) for name in ("ghost", "ghost", "other")
    )
    assert first["s"] == second["s"] != other["s"]
    assert len(base64.b64decode(first["s"])) == 16
    assert first["i"] == "4096"

    server = ScramServer.mock("ghost")
    client = Client(b"")
    with pytest.raises(DatabaseError) as error:
        server.handle_final(client.final(server.handle_initial("SCRAM-SHA-256", client.first())))
    _assert_fatal(error, "28P01")
    assert error.value.message == 'password authentication failed for user "ghost"'


@pytest.mark.parametrize("verifier", [None, make_md5_verifier("bob", "pencil"), "garbage"])
def test_for_user_without_a_scram_verifier_runs_the_mock_exchange(verifier: str | None) -> None:
    server = ScramServer.for_user("bob", verifier)
    client = Client(b"pencil")
    with pytest.raises(DatabaseError) as error:
        server.handle_final(client.final(server.handle_initial("SCRAM-SHA-256", client.first())))
    _assert_fatal(error, "28P01")


def test_for_user_with_a_scram_verifier_authenticates() -> None:
    server = ScramServer.for_user("bob", make_scram_verifier("pencil", iterations=16))
    client = Client(b"pencil")
    assert server.handle_final(client.final(server.handle_initial("SCRAM-SHA-256", client.first())))


@pytest.mark.parametrize(
    "verifier",
    [
        "md5" + "0" * 32,
        "SCRAM-SHA-256$4096:c2FsdA==$AAAA",
        "SCRAM-SHA-256$0:c2FsdA==$" + "A" * 43 + "=:" + "A" * 43 + "=",
        "SCRAM-SHA-256$4096:c2FsdA==$" + "A" * 43 + "=:AAAA",
        "SCRAM-SHA-256$4096:***$" + "A" * 43 + "=:" + "A" * 43 + "=",
    ],
)
def test_scram_server_rejects_a_non_scram_or_broken_verifier(verifier: str) -> None:
    with pytest.raises(ValueError):
        ScramServer(verifier, user="bob")


@pytest.mark.parametrize(
    ("password", "prepared"),
    [
        ("pencil", b"pencil"),
        ("a\x07b", b"a\x07b"),  # pure ASCII is used as is, even with control characters
        ("I\u00adX", b"IX"),  # soft hyphen is mapped to nothing
        ("\u2168", b"IX"),  # ROMAN NUMERAL NINE, NFKC
        ("a\u00a0b\u00e9", "a b\u00e9".encode()),  # non-ASCII space becomes SPACE
        ("\u00e9\x07", "\u00e9\x07".encode()),  # prohibited control character: raw
        ("\u05d0a", "\u05d0a".encode()),  # RandALCat mixed with LCat: raw
        ("\u00ad", "\u00ad".encode()),  # nothing left after mapping: raw
        ("caf\udce9", b"caf\xe9"),  # not valid UTF-8 (Latin-1 bytes): raw
    ],
)
def test_saslprep_follows_postgres(password: str, prepared: bytes) -> None:
    verifier = make_scram_verifier(password, iterations=4, salt=RFC_SALT)
    assert base64.b64decode(verifier.split("$")[2].split(":")[0]) == _stored_key(prepared, RFC_SALT, 4)


def test_md5_verifier_matches_postgres() -> None:
    assert make_md5_verifier("postgres", "secret") == "md553f48b7c4b76a86ce72276c5755f217d"
    assert make_md5_verifier("bob", "pw") == "md5" + hashlib.md5(b"pwbob").hexdigest()


def test_md5_response_is_checked_against_an_independent_computation() -> None:
    salt = bytes([1, 2, 3, 4])
    verifier = make_md5_verifier("postgres", "secret")
    response = (
        b"md5" + hashlib.md5(hashlib.md5(b"secretpostgres").hexdigest().encode() + salt).hexdigest().encode()
    )
    assert response == b"md5bb41a296aab6baccb36ff243a562abff"
    assert check_md5_response(verifier, salt, response)
    assert check_md5_response(verifier, salt, response + b"\0")
    assert not check_md5_response(verifier, bytes([1, 2, 3, 5]), response)
    assert not check_md5_response(make_md5_verifier("postgres", "other"), salt, response)
    assert not check_md5_response(verifier, salt, response[:-1])


def test_md5_response_without_md5_verifier_fails() -> None:
    salt = bytes(4)
    fake = b"md5" + hashlib.md5(b"0" * 32 + salt).hexdigest().encode()
    assert not check_md5_response(None, salt, fake)
    assert not check_md5_response(make_scram_verifier("x", iterations=1), salt, fake)
    with pytest.raises(ValueError):
        check_md5_response(None, b"abc", fake)


def test_check_password_with_scram_and_md5_verifiers() -> None:
    scram = make_scram_verifier("I\u00adX", iterations=16)
    assert check_password(scram, "IX", user="u")
    assert check_password(scram, "\u2168".encode(), user="u")
    assert not check_password(scram, "ix", user="u")

    md5 = make_md5_verifier("bob", "s\u00e9cret")
    assert check_password(md5, "s\u00e9cret", user="bob")
    assert check_password(md5, "s\u00e9cret".encode(), user="bob")
    assert not check_password(md5, "s\u00e9cret", user="alice")
    assert not check_password(md5, "secret", user="bob")

    assert not check_password(None, "anything", user="bob")
    assert not check_password("plaintext", "plaintext", user="bob")


def test_verifier_method() -> None:
    assert verifier_method(make_scram_verifier("x", iterations=1)) == "scram-sha-256"
    assert verifier_method(make_md5_verifier("u", "x")) == "md5"
    assert verifier_method("md5" + "X" * 32) is None
    assert verifier_method("SCRAM-SHA-256$garbage") is None


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_any_password_verifies_against_its_own_verifier(password: str) -> None:
    verifier = make_scram_verifier(password, iterations=2)
    assert check_password(verifier, password, user="u")
    assert check_password(make_md5_verifier("u", password), password, user="u")


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=20))
def test_any_ascii_password_completes_the_exchange(password: str) -> None:
    server = ScramServer(make_scram_verifier(password, iterations=2), user="u")
    client = Client(password.encode())
    server_first = server.handle_initial("SCRAM-SHA-256", client.first())
    assert server.handle_final(client.final(server_first)) == client.expected_server_final


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80), st.binary(max_size=80))
def test_arbitrary_bytes_only_raise_fatal_database_errors(first: bytes, final: bytes) -> None:
    server = _server()
    try:
        server.handle_initial("SCRAM-SHA-256", first)
        server.handle_final(final)
    except DatabaseError as error:
        assert error.severity == "FATAL"
        assert error.sqlstate in ("08P01", "28P01")
    else:
        pytest.fail("random bytes authenticated")


@pytest.mark.parametrize("password", ["pencil", "I\u00adX \u2168 caf\u00e9\u00a0!"])
def test_exchange_with_scramp_client_used_by_pg8000(password: str) -> None:
    scramp = pytest.importorskip("scramp")
    client = scramp.ScramClient(["SCRAM-SHA-256"], "alice", password)
    server = ScramServer(make_scram_verifier(password), user="alice")
    server_first = server.handle_initial("SCRAM-SHA-256", client.get_client_first().encode())
    client.set_server_first(server_first.decode())
    server_final = server.handle_final(client.get_client_final().encode())
    client.set_server_final(server_final.decode())
