"""Prometheus metrics of replication (the same numbers heliosdb_replication_status() shows)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

IS_PRIMARY = Gauge("heliosdb_replication_is_primary", "1 on a writable primary, 0 on a standby or fenced one")
EPOCH = Gauge("heliosdb_replication_epoch", "The epoch this server knows as the newest")
DEGRADED = Gauge("heliosdb_replication_degraded", "1 while a sync primary runs degraded to async")
DEGRADATIONS = Counter("heliosdb_replication_degradations_total", "Times sync mode degraded to async")
STANDBYS = Gauge("heliosdb_replication_standbys", "Standbys streaming from this primary")
SENT_LSN = Gauge("heliosdb_replication_sent_lsn", "Last LSN sent to a standby", ["standby"])
FLUSHED_LSN = Gauge("heliosdb_replication_flushed_lsn", "Last LSN a standby has fsynced", ["standby"])
APPLIED_LSN = Gauge("heliosdb_replication_applied_lsn", "Last LSN a standby has applied", ["standby"])
LAG_BYTES = Gauge("heliosdb_replication_lag_bytes", "Journal bytes sent to a standby and not yet applied",
                  ["standby"])
LAG_SECONDS = Gauge("heliosdb_replication_lag_seconds", "Age of the oldest entry a standby has not applied",
                    ["standby"])
RECEIVED_LSN = Gauge("heliosdb_standby_received_lsn", "On a standby: last LSN received and fsynced")
APPLIED_LOCAL_LSN = Gauge("heliosdb_standby_applied_lsn", "On a standby: last LSN applied to the store")
ENTRIES_RECEIVED = Counter("heliosdb_standby_entries_received_total", "On a standby: entries received")
