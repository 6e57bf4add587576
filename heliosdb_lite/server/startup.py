"""Opening a data directory: its lock, journal, store, start-up recovery, commit service.

Used by the server and by the embedded Python API (`hdb.Database.open`) alike: both take the data
directory's lock first (`data_lock`), so only one process at a time runs the commit protocol on it.

Recovery always runs before the listener opens, so no client sees a store the journal disagrees
with, except when it exceeds max_replay_time_seconds: then the server serves reads only and every
write fails with 25006 saying why, until a restart lets recovery finish. With
transaction_replay.enabled = false the engine runs without a journal (no durability beyond
SQLite's own, said at start-up).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from heliosdb_lite.config import Config
from heliosdb_lite.data_lock import DataDirectoryLock
from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.journal import Journal
from heliosdb_lite.journal.syscalls import Syscalls
from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.replay.recovery import recover
from heliosdb_lite.server.users import UsersFile, server_users

log = logging.getLogger("heliosdb.startup")


@dataclass
class OpenDatabase:
    engine: SQLiteEngine
    journal: Journal | None
    commit_service: CommitService | None
    lock: DataDirectoryLock | None  # None: a database inside a directory locked already

    def close_sync(self) -> None:
        """Close the engine, the commit service and the journal (syncing it), then unlock."""
        try:
            self.engine.close()
            if self.commit_service is not None:
                self.commit_service.close()
            if self.journal is not None:
                self.journal.close_sync()
        finally:
            if self.lock is not None:
                self.lock.release()

    async def close(self) -> None:
        """`close_sync` off the event loop."""
        await asyncio.to_thread(self.close_sync)


def open_database(config: Config, holder: str,
                  prepare: Callable[[Config], None] | None = None, *,
                  journal_syscalls: Syscalls | None = None) -> OpenDatabase:
    """Lock the data directory for this process (`holder` says what it is, for the refusal others
    get: DatabaseError 55006), run `prepare` (a standby's rejoin), then open and recover it.
    `journal_syscalls` replaces the journal's system calls (tests hold its fsync back)."""
    lock = DataDirectoryLock.acquire(config.database.path, holder)
    try:
        if prepare is not None:
            prepare(config)
        return _open_locked(config, lock, journal_syscalls, server_users(config))
    except BaseException:
        lock.release()
        raise


def open_unlocked(config: Config) -> OpenDatabase:
    """Open and recover a database inside a data directory this process holds the lock of (a
    database CREATE DATABASE made: `server.databases`)."""
    return _open_locked(config, None, None, None)


def _open_locked(config: Config, lock: DataDirectoryLock | None, journal_syscalls: Syscalls | None,
                 roles: UsersFile | None) -> OpenDatabase:
    """`roles`: the users file, for the postgres database, whose journal carries role changes."""
    replay = config.transaction_replay
    engine = SQLiteEngine(config.database.path, max_result_bytes=config.server.max_result_bytes)
    if not replay.enabled:
        log.warning("transaction_replay.enabled = false: commits are not journaled; a crash may lose "
                    "acknowledged transactions")
        return OpenDatabase(engine, None, None, lock)
    if replay.journal_sync_mode == "async":
        log.warning("journal_sync_mode = async: commits are acknowledged before fsync; a power loss "
                    "can lose acknowledged transactions (RPO > 0)")
    try:
        journal = Journal.open(config.journal_dir, max_size_mb=replay.journal_max_size_mb,
                               sync_mode=replay.journal_sync_mode, syscalls=journal_syscalls)
    except BaseException:
        engine.close()
        raise
    database = OpenDatabase(engine, journal, CommitService(journal, engine.store_path, roles=roles), lock)
    try:
        _recover(config, database)
    except BaseException:
        database.close_sync()  # also unlocks: open_database's release is then a no-op
        raise
    return database


def _recover(config: Config, database: OpenDatabase) -> None:
    replay = config.transaction_replay
    journal, service = database.journal, database.commit_service
    assert journal is not None and service is not None
    report = recover(journal, database.engine.maintenance_connection(),
                     max_seconds=replay.max_replay_time_seconds, roles=service.roles)
    log.info("recovery: store at LSN %d, journal at LSN %d (%d applied, %d written back, %.3f s)",
             report.store_lsn, report.journal_lsn, report.applied, report.written_back, report.seconds)
    if report.remaining:
        reason = (f"recovery stopped after max_replay_time_seconds = {replay.max_replay_time_seconds} "
                  f"with {report.remaining} journal entries not yet applied; reads may miss them")
        log.error("%s: serving read-only until a restart completes recovery", reason)
        service.refuse_writes(reason)
    retention = replay.outcome_retention_hours
    journal.register_checkpoint_callback(lambda: service.checkpoint_soon(retention_hours=retention))
