"""The transaction journal: durable, verified, segmented storage of opaque entries.

It knows nothing of SQL or SQLite. `format.py` holds the on-disk entry format, `segment.py` the
files, `payload.py` what the server stores in entries; `Journal` is the one object to use.
"""

from heliosdb_lite.journal.errors import JournalCorruption
from heliosdb_lite.journal.format import EntryType, EntryView, Isolation, isolation_of
from heliosdb_lite.journal.journal import DEFAULT_SEGMENT_SIZE, Journal
from heliosdb_lite.journal.payload import (
    AbortPayload,
    CheckpointPayload,
    CommitPayload,
    EpochPayload,
    FencePayload,
    Payload,
    ReadSet,
    SessionState,
    Statement,
    WriteSet,
    WriteStep,
    decode_payload,
    encode_payload,
)
from heliosdb_lite.journal.reader import JournalScan
from heliosdb_lite.journal.syscalls import Syscalls
from heliosdb_lite.journal.writer import SyncMode

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "AbortPayload",
    "CheckpointPayload",
    "CommitPayload",
    "EntryType",
    "EntryView",
    "EpochPayload",
    "FencePayload",
    "Isolation",
    "Journal",
    "JournalCorruption",
    "JournalScan",
    "Payload",
    "ReadSet",
    "SessionState",
    "Statement",
    "SyncMode",
    "Syscalls",
    "WriteSet",
    "WriteStep",
    "decode_payload",
    "encode_payload",
    "isolation_of",
]
