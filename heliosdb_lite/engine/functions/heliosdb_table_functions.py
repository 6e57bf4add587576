"""HeliosDB's own table-valued functions: their names and result columns, as the translator types them.

The rows come from SQLite eponymous virtual tables registered on each connection by the layer that
owns the data (`replay.commit` for outcomes and replay metrics, `replication.node` for replication
status); this table is the one place their columns are declared, so both sides read it.
"""

from __future__ import annotations

from heliosdb_lite.engine.types.pgtypes import FLOAT8, INT8, TEXT, TIMESTAMPTZ, UUID, PgType

TABLE_FUNCTIONS: dict[str, list[tuple[str, PgType]]] = {
    "heliosdb_txn_outcome": [("gtid", PgType(UUID)), ("status", PgType(TEXT)), ("lsn", PgType(INT8)),
                             ("commit_time", PgType(TIMESTAMPTZ)), ("command_tags", PgType(TEXT))],
    "heliosdb_replay_metrics": [("total_replays", PgType(INT8)), ("successful_replays", PgType(INT8)),
                                ("failed_replays", PgType(INT8)), ("avg_replay_time_ms", PgType(FLOAT8)),
                                ("journal_size_mb", PgType(FLOAT8)),
                                ("last_replay_timestamp", PgType(TIMESTAMPTZ)),
                                ("data_loss_prevented", PgType(INT8))],
    "heliosdb_replication_status": [("name", PgType(TEXT)), ("address", PgType(TEXT)),
                                    ("state", PgType(TEXT)),
                                    ("sent_lsn", PgType(INT8)), ("flushed_lsn", PgType(INT8)),
                                    ("applied_lsn", PgType(INT8)), ("lag_bytes", PgType(INT8)),
                                    ("lag_seconds", PgType(FLOAT8)), ("sync_state", PgType(TEXT))],
}


def column_names(function: str) -> tuple[str, ...]:
    return tuple(name for name, _ in TABLE_FUNCTIONS[function])
