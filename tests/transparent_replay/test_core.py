"""The driver-independent parts of transparent replay: statement classification, the recovery
budget, outcome decisions, checksums, the HZ001 error and the seed's metric keys."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heliosdb_lite.config import TransactionReplayConfig
from heliosdb_lite.errors import TRANSACTION_REPLAY_FAILED
from heliosdb_lite.transparent_replay import statements
from heliosdb_lite.transparent_replay.checksum import ResponseChecksum
from heliosdb_lite.transparent_replay.failure import FailureReason, replay_error
from heliosdb_lite.transparent_replay.gtid import gtid_of
from heliosdb_lite.transparent_replay.metrics import ReplayStatistics
from heliosdb_lite.transparent_replay.outcome import (
    RecordedResponse,
    Resolution,
    outcome_from_row,
)
from heliosdb_lite.transparent_replay.policy import ReplayPolicy
from heliosdb_lite.transparent_replay.recording import TransactionRecording
from heliosdb_lite.transparent_replay.statements import Kind, classify, may_write, split


@pytest.mark.parametrize(("sql", "expected"), [
    ("select 'a;b'; select 2", ["select 'a;b'", "select 2"]),
    ("select E'\\';'; select 2", ["select E'\\';'", "select 2"]),
    ('select ";" from t;;', ['select ";" from t']),
    ("select $$;$$; select $a$ ; $a$", ["select $$;$$", "select $a$ ; $a$"]),
    ("select 1 -- ;\n; /* ; */", ["select 1 -- ;"]),
    ("select $1; select 2", ["select $1", "select 2"]),
    ("  ;  ", []),
])
def test_split_at_top_level_semicolons(sql: str, expected: list[str]) -> None:
    assert split(sql) == expected


# texts made of SQL's punctuation, quotes and comment marks, words and white space
_SQLISH = st.text(st.sampled_from(list("aeEsS1_ \t\n;'\"$-/*()=,.")), max_size=40)


def test_with_standard_conforming_strings_off_a_backslash_escapes_a_quote_in_any_string() -> None:
    """The server reads 'a\\'' as the string a' under standard_conforming_strings = off: the LISTEN
    after it is a statement of its own, which the proxy must see to switch replay off."""
    sql = "select 'a\\''; listen x; --'"
    assert [item.kind for item in classify(sql, backslash_quotes=True)] == [Kind.OTHER, Kind.UNSAFE]
    assert [item.kind for item in classify(sql)] == [Kind.OTHER]  # on: one string up to the last quote


@given(_SQLISH)
def test_split_without_the_tokenizer_agrees_with_it(sql: str) -> None:
    """Texts with no quote, dollar or comment mark are split without the tokenizer: same result."""
    assert split(sql) == statements._split_tokens(sql, False)
    assert split(sql, backslash_quotes=True) == statements._split_tokens(sql, True)


@given(_SQLISH)
def test_leading_words_without_the_tokenizer_agree_with_it(sql: str) -> None:
    expected: list[str] = []
    code = statements._comments_blanked(sql, False)
    position = 0
    while len(expected) < 3 and (found := statements._WORD.match(code, position)) is not None:
        expected.append(found.group(1).lower())
        position = found.end()
    assert statements._leading_words(sql, 3, False) == expected


@pytest.mark.parametrize(("sql", "kind"), [
    ("BEGIN", Kind.BEGIN), ("start transaction isolation level serializable", Kind.BEGIN),
    ("COMMIT", Kind.COMMIT), ("commit;", Kind.COMMIT), ("END", Kind.COMMIT),
    ("/* x */ commit work", Kind.COMMIT),
    ("ROLLBACK", Kind.ROLLBACK), ("abort", Kind.ROLLBACK),
    ("ROLLBACK TO SAVEPOINT a", Kind.TRANSACTION_LOCAL), ("rollback work to a", Kind.TRANSACTION_LOCAL),
    ("SAVEPOINT a", Kind.TRANSACTION_LOCAL), ("SET LOCAL x = 1", Kind.TRANSACTION_LOCAL),
    ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", Kind.TRANSACTION_LOCAL),
    ("show TimeZone", Kind.TRANSACTION_LOCAL),
    ("SET TimeZone = 'UTC'", Kind.SESSION), ("set session search_path to x", Kind.SESSION),
    ("RESET ALL", Kind.SESSION), ("select set_config('jit', 'off', false)", Kind.SESSION),
    ("DEALLOCATE ALL", Kind.SESSION), ("DISCARD ALL", Kind.SESSION),
    ("LISTEN channel", Kind.UNSAFE), ("copy t to '/tmp/x'", Kind.UNSAFE),
    ("copy t from program 'x'", Kind.UNSAFE),
    ("select pg_advisory_lock(1)", Kind.UNSAFE), ("select * from heliosdb_txn_outcome('x')", Kind.UNSAFE),
    ("copy t from stdin", Kind.OTHER), ("UPDATE a SET b = 1", Kind.OTHER),
    ("COMMIT PREPARED 'x'", Kind.OTHER),
    ("select nextval('s')", Kind.OTHER),
])
def test_classify(sql: str, kind: Kind) -> None:
    (classified,) = classify(sql)
    assert classified.kind is kind


def test_named_gtid_is_read_from_set() -> None:
    (classified,) = classify("SET heliosdb.gtid = '6f1c0000-0000-0000-0000-000000000001'")
    assert classified.kind is Kind.NAMED_GTID
    assert classified.value == "6f1c0000-0000-0000-0000-000000000001"
    (spelled,) = classify("set session heliosdb.gtid to 'x'")
    assert (spelled.kind, spelled.value) == (Kind.NAMED_GTID, "x")


def test_may_write() -> None:
    assert not may_write(classify("BEGIN; SET x = 1; SHOW x"))
    assert may_write(classify("select 1"))
    assert may_write(classify("COMMIT"))


def test_policy_from_config_and_budget() -> None:
    policy = ReplayPolicy.from_config(TransactionReplayConfig(max_replay_attempts=2, replay_backoff_ms=100,
                                                              replay_timeout_seconds=5))
    now = [0.0]
    budget = policy.budget(clock=lambda: now[0])
    assert [budget.connect_delay() for _ in range(7)] == [0.0, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert budget.start_replay() and budget.start_replay() and not budget.start_replay()
    now[0] = 4.5
    assert budget.remaining() == pytest.approx(0.5)
    assert budget.connect_delay() == pytest.approx(0.5)  # never past the deadline
    now[0] = 5.0
    assert budget.expired


def test_outcome_decision() -> None:
    tags = json.dumps([["UPDATE 3", None], ["INSERT 0 1", 1]])
    committed = outcome_from_row("g", "committed", "7", tags)
    assert committed.resolution is Resolution.ANSWER_AS_RECORDED
    assert committed.responses == (RecordedResponse("UPDATE 3", None), RecordedResponse("INSERT 0 1", 1))
    assert committed.lsn == 7
    fenced = outcome_from_row("g", "not committed", None, None)
    assert fenced.resolution is Resolution.REPLAY_UNDER_FRESH_GTID
    assert fenced.responses is None


def test_checksum_counts_and_compares() -> None:
    first, second = ResponseChecksum(), ResponseChecksum()
    for checksum in (first, second):
        checksum.update(b"C\x00\x00\x00\x0dUPDATE 1\x00")
    assert first.digest() == second.digest() and first.count == 1
    second.update(b"Z\x00\x00\x00\x05I")
    assert first.digest() != second.digest()


def test_replay_error_names_gtid_statement_and_reason() -> None:
    error = replay_error("6f1c0000-0000-0000-0000-000000000001", "UPDATE t SET v = random()",
                         FailureReason.DIVERGED)
    assert error.sqlstate == TRANSACTION_REPLAY_FAILED == "HZ001"
    assert "6f1c0000-0000-0000-0000-000000000001" in error.message
    assert "UPDATE t SET v = random()" in error.message
    assert "differ" in error.message
    assert error.hint is not None and "Nothing" in error.hint


def test_recording_is_switched_off_past_its_limit() -> None:
    recording = TransactionRecording(limit=10)
    assert recording.admit(6)
    assert not recording.admit(6)
    assert recording.disabled is not None and "replay_max_transaction_bytes" in recording.disabled
    recording.reset()
    assert recording.active and recording.admit(10)


def test_statistics_keep_the_seed_keys() -> None:
    statistics = ReplayStatistics()
    statistics.recovery_finished("commit_in_flight", seconds=0.5, failure=None, transaction_saved=True)
    statistics.recovery_finished("open_transaction", seconds=1.5, failure="diverged", transaction_saved=False)
    values = statistics.snapshot(recorded_bytes=2 * 1024 * 1024)
    assert list(values) == ["total_replays", "successful_replays", "failed_replays", "avg_replay_time_ms",
                            "journal_size_mb", "last_replay_timestamp", "data_loss_prevented"]
    assert (values["total_replays"], values["successful_replays"], values["failed_replays"]) == (2, 1, 1)
    assert values["avg_replay_time_ms"] == pytest.approx(1000.0)
    assert values["journal_size_mb"] == 2.0 and values["data_loss_prevented"] == 1


def test_gtid_of_session_and_sequence() -> None:
    assert gtid_of("00000000000000ff", 2) == "00000000-0000-00ff-0000-000000000002"
