"""The databases a server serves, and which one a startup packet may name.

`postgres` is the data directory's own store and journal. CREATE DATABASE makes another, a store of
its own in `<data_dir>/databases/<name>/` (`store.db` and `journal/`) with its own journal, LSNs,
`_helios_txn` and writer slot: a transaction is in one database, as in PostgreSQL, and each journal
keeps I1-I6 for its own store (recovery runs for each when the server starts, before it listens).
A new database is made in `databases/.new-<name>` and renamed into place, DROP DATABASE renames it
to `databases/.dropped-<name>` before removing it, so after a crash a database is whole or absent
(the leftovers are removed at start). Sessions of one database see none of another's objects.

Not replicated: a standby receives the postgres journal only. With replication.replicate_journal,
failover, or the standby role configured, CREATE DATABASE is refused (0A000) and a database made
before is not served (FATAL 0A000 saying why), rather than served and lost at a failover.

pg_database lists them after `postgres` (OID 5), each with an OID from its name. It also lists
PostgreSQL's templates, as clients expect them there: template0 refuses connections as in
PostgreSQL, template1 (a separate database there) is refused with 0A000; any other name does not
exist (3D000).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import shutil
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from heliosdb_lite.config import Config
from heliosdb_lite.engine.interface import Engine
from heliosdb_lite.errors import (
    DUPLICATE_DATABASE,
    FEATURE_NOT_SUPPORTED,
    INVALID_CATALOG_NAME,
    INVALID_NAME,
    OBJECT_IN_USE,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    SUCCESSFUL_COMPLETION,
    DatabaseError,
    fatal,
)
from heliosdb_lite.journal.segment import sync_directory
from heliosdb_lite.protocol.codecs.strings import NAME_MAX_BYTES
from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.server.startup import OpenDatabase, open_unlocked
from heliosdb_lite.server.writer_slot import WriterSlot

log = logging.getLogger("heliosdb.databases")

DATABASE = "postgres"
DATABASE_OID = 5  # postgres's OID in PostgreSQL (and pg_catalog.rows.DATABASE_OID)
DATABASES_DIR = "databases"
_NEW_PREFIX = ".new-"
_DROPPED_PREFIX = ".dropped-"
DROP_WAIT_SECONDS = 5.0  # how long DROP DATABASE waits for the database's sessions to end (PostgreSQL's)
_TEMPLATES = ("template0", "template1")
_FIRST_OID, _OID_RANGE = 16384, 2**31 - 16384  # PostgreSQL's OIDs of what users make
# a name that is also a safe directory name: PostgreSQL allows more (refused with 0A000)
_DIRECTORY_NAME = re.compile(r"^[a-z_][a-z0-9_$-]*$", re.IGNORECASE)


@dataclass
class ServedDatabase:
    """One database: its engine, commit service (None without a journal) and writer slot."""

    name: str
    oid: int
    engine: Engine
    commit_service: CommitService | None
    writer_slot: WriterSlot
    opened: OpenDatabase | None = None  # a created database's (postgres's is the CLI's to close)
    sessions: int = 0


def database_oid(name: str) -> int:
    return DATABASE_OID if name == DATABASE else _FIRST_OID + zlib.crc32(name.encode()) % _OID_RANGE


def refusal(database: str) -> DatabaseError | None:
    """The FATAL error a connection to a database that is not served gets (None: not one of those)."""
    if database == "template0":
        return fatal(OBJECT_NOT_IN_PREREQUISITE_STATE,
                     f'database "{database}" is not currently accepting connections')
    if database == "template1":
        return fatal(FEATURE_NOT_SUPPORTED, f'connecting to database "{database}" is not supported',
                     detail=f'HeliosDB-Lite does not keep template databases; connect to "{DATABASE}".')
    return None


class Databases:
    """The server's databases (implements `engine.interface.DatabaseCatalog` for every engine)."""

    def __init__(self, config: Config, engine: Engine, commit_service: CommitService | None,
                 writer_slot: WriterSlot) -> None:
        self._config = config
        self._directory = config.database.path / DATABASES_DIR
        self._replicated = (config.replication.replicate_journal or config.failover.enabled
                            or config.replication.role == "standby")
        self._served = {DATABASE: ServedDatabase(DATABASE, DATABASE_OID, engine, commit_service, writer_slot)}
        self._lock = threading.Lock()  # CREATE/DROP run on sessions' worker threads
        self._sessions_left = threading.Condition(self._lock)  # a session ended (DROP waits for it)
        engine.databases = self

    @property
    def postgres(self) -> ServedDatabase:
        return self._served[DATABASE]

    def open_all(self) -> None:
        """Open (and recover) every database CREATE DATABASE made; remove half-made or half-dropped
        ones. Before the server listens."""
        if not self._directory.is_dir():
            return
        for path in sorted(self._directory.iterdir()):
            if path.name.startswith((_NEW_PREFIX, _DROPPED_PREFIX)):
                log.info("removing %s, left by a CREATE or DROP DATABASE that did not finish", path)
                shutil.rmtree(path)
            elif self._replicated:
                log.error("database %r (%s) is not served: replication is configured and it would not be "
                          "replicated", path.name, path)
            else:
                self._served[path.name] = self._open(path.name, path)

    def _open(self, name: str, path: Path) -> ServedDatabase:
        opened = open_unlocked(self._database_config(path))
        opened.engine.databases = self
        return ServedDatabase(name, database_oid(name), opened.engine, opened.commit_service, WriterSlot(),
                              opened)

    def _database_config(self, path: Path) -> Config:
        config = self._config
        return dataclasses.replace(
            config, database=dataclasses.replace(config.database, path=path),
            transaction_replay=dataclasses.replace(config.transaction_replay, journal_path=path / "journal"))

    def connect(self, name: str) -> ServedDatabase:
        """The database a new session uses (counted until `disconnect`); FATAL if it is not served."""
        with self._lock:
            served = self._served.get(name)
            if served is not None:
                served.sessions += 1
                return served
        refused = refusal(name)
        if refused is not None:
            raise refused
        if self._replicated and (self._directory / name).is_dir():
            raise fatal(FEATURE_NOT_SUPPORTED,
                        f'database "{name}" is not served while replication is configured',
                        detail="Only the postgres database is replicated to standbys.")
        raise fatal(INVALID_CATALOG_NAME, f'database "{name}" does not exist')

    def disconnect(self, served: ServedDatabase) -> None:
        with self._lock:
            served.sessions -= 1
            self._sessions_left.notify_all()

    def listed(self) -> list[tuple[int, str]]:
        with self._lock:
            return [(served.oid, served.name) for served in self._served.values()]

    def create(self, name: str) -> None:
        if self._replicated:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "CREATE DATABASE is not supported with replication",
                                detail="Only the postgres database is replicated to standbys.")
        _check_name(name)
        with self._lock:
            if name in self._served or name in _TEMPLATES:
                raise DatabaseError(DUPLICATE_DATABASE, f'database "{name}" already exists')
            self._directory.mkdir(exist_ok=True)
            made = self._directory / f"{_NEW_PREFIX}{name}"
            if made.exists():
                shutil.rmtree(made)
            made.mkdir()
            served = self._open(name, made)  # its store and journal, empty
            served.opened.close_sync()  # type: ignore[union-attr]  # _open always sets it
            path = self._directory / name
            made.rename(path)
            sync_directory(self._directory)
            self._served[name] = self._open(name, path)

    def drop(self, name: str, *, if_exists: bool, current: str) -> DatabaseError | None:
        with self._lock:
            served = self._served.get(name)
            if served is None and name not in _TEMPLATES:
                if if_exists:
                    return DatabaseError(SUCCESSFUL_COMPLETION, f'database "{name}" does not exist, skipping',
                                         severity="NOTICE")
                raise DatabaseError(INVALID_CATALOG_NAME, f'database "{name}" does not exist')
            if name == current:
                raise DatabaseError(OBJECT_IN_USE, "cannot drop the currently open database")
            if served is None or served.opened is None:
                raise DatabaseError(FEATURE_NOT_SUPPORTED, f'DROP DATABASE of "{name}" is not supported',
                                    detail=f'The "{DATABASE}" database and the templates cannot be dropped.')
            # as PostgreSQL, wait a while for sessions that are ending (a client's Terminate is
            # answered before the server has closed its session)
            self._sessions_left.wait_for(lambda: served.sessions == 0, timeout=DROP_WAIT_SECONDS)
            if served.sessions:
                others = served.sessions
                raise DatabaseError(OBJECT_IN_USE, f'database "{name}" is being accessed by other users',
                                    detail=f"There {'is' if others == 1 else 'are'} {others} other "
                                           f"session{'' if others == 1 else 's'} using the database.")
            del self._served[name]
            served.opened.close_sync()
            dropped = self._directory / f"{_DROPPED_PREFIX}{name}"
            (self._directory / name).rename(dropped)
            sync_directory(self._directory)
            shutil.rmtree(dropped)
            return None

    def commit_services(self) -> list[CommitService]:
        """Every database's commit service (the periodic checkpoint's)."""
        with self._lock:
            return [served.commit_service for served in self._served.values()
                    if served.commit_service is not None]

    def close(self) -> None:
        """Close the created databases (postgres is closed by whoever opened it)."""
        with self._lock:
            created = [served for served in self._served.values() if served.opened is not None]
            for served in created:
                del self._served[served.name]
        for served in created:
            assert served.opened is not None
            served.opened.close_sync()


def _check_name(name: str) -> None:
    if len(name.encode()) > NAME_MAX_BYTES:
        raise DatabaseError(INVALID_NAME, f'database name "{name}" is too long')
    if not _DIRECTORY_NAME.match(name):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f'database name "{name}" is not supported',
                            detail="A database name here is letters, digits, _, $ and -, not starting "
                                   "with a digit, $ or -.")


