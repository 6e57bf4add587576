"""Prometheus metrics of the journal, created once at import on the default registry.

They carry no labels and are shared by every `Journal` in the process (a server has one; tests
open several, and the counters then add up). Entries and bytes appended are counted by the
flusher once per batch, to keep the append path short: they lag by at most one sync.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

ENTRIES_APPENDED = Counter("heliosdb_journal_entries_appended", "Entries appended to the journal")
BYTES_APPENDED = Counter("heliosdb_journal_bytes_appended", "Bytes appended to the journal, headers included")
FSYNC_SECONDS = Histogram(
    "heliosdb_journal_fsync_seconds",
    "Time of one group flush: the fsync/fdatasync calls that make a batch of entries durable",
    buckets=(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
             1, 2.5),
)
GROUP_SIZE = Histogram(
    "heliosdb_journal_group_size",
    "Entries made durable by one group flush",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096),
)
SEGMENTS = Gauge("heliosdb_journal_segments", "Segment files on disk")
OLDEST_RETAINED_LSN = Gauge("heliosdb_journal_oldest_retained_lsn", "LSN of the oldest entry kept on disk")
FLUSHED_LSN = Gauge("heliosdb_journal_flushed_lsn", "Highest LSN covered by a completed sync")
FULL_WAITS = Counter(
    "heliosdb_journal_full_waits",
    "Times an append waited because the journal reached journal_max_size_mb",
)
APPENDS_WAITING = Gauge(
    "heliosdb_journal_appends_waiting",
    "Appends waiting for segments to be released (checkpoint or standby acknowledgement)",
)
