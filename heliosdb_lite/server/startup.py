"""Opening the database for serving: journal, store, start-up recovery, commit service.

Recovery always runs before the listener opens, so no client sees a store the journal disagrees
with, except when it exceeds max_replay_time_seconds: then the server serves reads only and every
write fails with 25006 saying why, until a restart lets recovery finish. With
transaction_replay.enabled = false the engine runs without a journal (no durability beyond
SQLite's own, said at start-up).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from heliosdb_lite.config import Config
from heliosdb_lite.engine.passthrough import SQLiteEngine
from heliosdb_lite.journal import Journal
from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.replay.recovery import recover

log = logging.getLogger("heliosdb.startup")


@dataclass
class OpenDatabase:
    engine: SQLiteEngine
    journal: Journal | None
    commit_service: CommitService | None

    async def close(self) -> None:
        self.engine.close()
        if self.commit_service is not None:
            self.commit_service.close()
        if self.journal is not None:
            await self.journal.close()


def open_database(config: Config) -> OpenDatabase:
    replay = config.transaction_replay
    config.database.path.mkdir(parents=True, exist_ok=True)
    engine = SQLiteEngine(config.database.path)
    if not replay.enabled:
        log.warning("transaction_replay.enabled = false: commits are not journaled; a crash may lose "
                    "acknowledged transactions")
        return OpenDatabase(engine, None, None)
    if replay.journal_sync_mode == "async":
        log.warning("journal_sync_mode = async: commits are acknowledged before fsync; a power loss "
                    "can lose acknowledged transactions (RPO > 0)")
    journal = Journal.open(config.journal_dir, max_size_mb=replay.journal_max_size_mb,
                           sync_mode=replay.journal_sync_mode)
    service = CommitService(journal, engine.store_path)
    report = recover(journal, engine.maintenance_connection(), max_seconds=replay.max_replay_time_seconds)
    log.info("recovery: store at LSN %d, journal at LSN %d (%d applied, %d written back, %.3f s)",
             report.store_lsn, report.journal_lsn, report.applied, report.written_back, report.seconds)
    if report.remaining:
        reason = (f"recovery stopped after max_replay_time_seconds = {replay.max_replay_time_seconds} "
                  f"with {report.remaining} journal entries not yet applied; reads may miss them")
        log.error("%s: serving read-only until a restart completes recovery", reason)
        service.refuse_writes(reason)
    retention = replay.outcome_retention_hours
    journal.register_checkpoint_callback(lambda: service.checkpoint_soon(retention_hours=retention))
    return OpenDatabase(engine, journal, service)
