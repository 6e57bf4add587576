"""What a new server connection is given to recreate a session (proxy/session_state.py): prepared
statements settle at idle moments, settings only when their transaction committed, and the messages
restoring them never let one failure skip the others."""

from __future__ import annotations

from heliosdb_lite.protocol import frontend
from heliosdb_lite.proxy.session_state import SessionState

PARSE_A = frontend.parse("a", "SELECT 1")
PARSE_B = frontend.parse("b", "SELECT 2")
SET_ZONE = frontend.query("SET TimeZone = 'UTC'")


def test_startup_resumes_the_session_id() -> None:
    state = SessionState({"user": "u", "options": "-c search_path=x"})
    state.session_id = "00000000000000ff"
    assert state.upstream_startup()["options"] == "-c search_path=x -c heliosdb.session_id=00000000000000ff"


def test_statements_settle_at_idle_and_settings_only_when_committed() -> None:
    state = SessionState({"user": "u"})
    state.statement_parsed("a", PARSE_A)
    state.request_completed(SET_ZONE)
    assert state.restore() == (b"", 0)  # the open transaction replays them itself
    state.settle(committed=False)
    assert state.statements == {"a": PARSE_A} and state.requests == []
    state.request_completed(SET_ZONE)
    state.statement_closed("a")
    state.settle(committed=True)
    assert state.statements == {} and state.requests == [SET_ZONE]


def test_every_restored_statement_has_its_own_sync() -> None:
    state = SessionState({"user": "u"})
    state.statement_parsed("a", PARSE_A)
    state.statement_parsed("b", PARSE_B)
    state.settle(committed=True)
    data, ready = state.restore()
    assert (data, ready) == (PARSE_A + frontend.sync() + PARSE_B + frontend.sync(), 2)


def test_statements_parsed_again_by_replays_are_sent_once() -> None:
    """A statement parsed in a transaction that was replayed twice is in the changes three times;
    sending it three times would fail the second Parse ("already exists") and, before every Parse
    had its own Sync, skip the statements after it."""
    state = SessionState({"user": "u"})
    for name, parse in (("a", PARSE_A), ("a", PARSE_A), ("a", PARSE_A), ("b", PARSE_B)):
        state.statement_parsed(name, parse)
    data, ready = state.settle_statements()
    assert (data, ready) == (PARSE_A + frontend.sync() + PARSE_B + frontend.sync(), 2)
    assert state.settle_statements() == (b"", 0)


def test_deallocate_all_then_parse_closes_what_the_connection_has() -> None:
    state = SessionState({"user": "u"})
    state.statement_parsed("a", PARSE_A)
    state.settle(committed=True)
    state.statement_closed(None)
    state.statement_parsed("b", PARSE_B)
    data, ready = state.settle_statements()
    assert (data, ready) == (frontend.close("S", "a") + frontend.sync() + PARSE_B + frontend.sync(), 2)


def test_the_unnamed_statement_is_restored_apart() -> None:
    """Any simple query destroys the unnamed statement, and a recovery runs some (the outcome
    lookup): it is restored last, on its own."""
    state = SessionState({"user": "u"})
    unnamed = frontend.parse("", "COMMIT")
    state.statement_parsed("", unnamed)
    state.statement_parsed("a", PARSE_A)
    state.settle(committed=True)
    assert state.restore() == (PARSE_A + frontend.sync(), 1)
    assert state.unnamed_statement == unnamed
