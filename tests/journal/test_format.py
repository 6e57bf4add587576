"""Entry and payload encoding: round-trips, and every damaged byte is caught."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.journal import (
    CheckpointPayload,
    CommitPayload,
    EntryType,
    EpochPayload,
    FencePayload,
    Isolation,
    ReadSet,
    SessionState,
    Statement,
    WriteSet,
    decode_payload,
    encode_payload,
    isolation_of,
)
from heliosdb_lite.journal.format import HEADER_SIZE, EntryView, decode_entry, encode_entry

u64 = st.integers(0, 2**64 - 1)
u32 = st.integers(0, 2**32 - 1)
entry_types = st.sampled_from(list(EntryType))
gtids = st.binary(min_size=16, max_size=16)
entries = st.tuples(entry_types, st.integers(0, 2**16 - 1), u64, gtids, u64, u32, st.binary(max_size=300))


@settings(max_examples=200, deadline=None)
@given(entries)
def test_entry_round_trips(fields: tuple) -> None:
    entry_type, flags, lsn, gtid, timestamp_us, epoch, payload = fields
    encoded = encode_entry(entry_type, flags, lsn, gtid, timestamp_us, epoch, payload)
    assert len(encoded) == HEADER_SIZE + len(payload)
    decoded = decode_entry(memoryview(b"\0" * 7 + encoded), 7, "seg")
    assert isinstance(decoded, EntryView)
    assert (decoded.entry_type, decoded.flags, decoded.lsn, decoded.gtid, decoded.timestamp_us, decoded.epoch,
            bytes(decoded.payload)) == fields
    assert (decoded.segment, decoded.offset, decoded.end) == ("seg", 7, 7 + len(encoded))


@settings(max_examples=300, deadline=None)
@given(entries, st.data())
def test_any_flipped_byte_is_detected(fields: tuple, data: st.DataObject) -> None:
    damaged = bytearray(encode_entry(*fields))
    position = data.draw(st.integers(0, len(damaged) - 1))
    damaged[position] ^= data.draw(st.integers(1, 255))
    assert isinstance(decode_entry(memoryview(bytes(damaged)), 0, "seg"), str)


@settings(max_examples=100, deadline=None)
@given(entries, st.data())
def test_a_cut_entry_is_detected(fields: tuple, data: st.DataObject) -> None:
    encoded = encode_entry(*fields)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    assert isinstance(decode_entry(memoryview(encoded[:cut]), 0, "seg"), str)


def test_isolation_lives_in_the_flags() -> None:
    for level in Isolation:
        assert isolation_of(int(level) | 0xFFF0) is level


texts = st.text(max_size=20)
params = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
                   st.text(max_size=10), st.binary(max_size=10))
statements = st.builds(Statement, texts, st.lists(params, max_size=4), st.binary(max_size=16))
commits = st.builds(
    CommitPayload,
    st.lists(statements, max_size=3),
    st.builds(ReadSet, st.lists(texts, max_size=3), u64),
    st.builds(WriteSet, st.lists(texts, max_size=3), st.binary(max_size=64).map(memoryview)),
    st.builds(SessionState, texts, texts, st.dictionaries(texts, texts, max_size=3)),
)
payloads = st.one_of(
    commits.map(lambda payload: (EntryType.COMMIT, payload)),
    st.builds(FencePayload, texts).map(lambda payload: (EntryType.FENCE, payload)),
    st.builds(CheckpointPayload, u64).map(lambda payload: (EntryType.CHECKPOINT, payload)),
    st.builds(EpochPayload, texts, u64).map(lambda payload: (EntryType.EPOCH, payload)),
)


@settings(max_examples=200, deadline=None)
@given(payloads)
def test_payload_round_trips(typed: tuple) -> None:
    entry_type, payload = typed
    assert decode_payload(entry_type, encode_payload(payload)) == payload


def test_changeset_decodes_as_a_view_of_the_buffer() -> None:
    payload = CommitPayload(write_set=WriteSet(["t"], memoryview(b"abc")))
    buffer = memoryview(bytearray(encode_payload(payload)))
    decoded = decode_payload(EntryType.COMMIT, buffer)
    assert isinstance(decoded, CommitPayload)
    assert decoded.write_set.changeset.obj is buffer.obj


def test_a_payload_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ValueError):
        decode_payload(EntryType.CHECKPOINT, encode_payload(FencePayload("x")))
