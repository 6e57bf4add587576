"""A standby's start-up, before its journal and store open (under the data directory's lock): rejoin
a primary whose history has parted from this server's, and step down from a stale promotion.

- A `PROMOTED` marker (this standby was promoted once) keeps the server a primary across restarts,
  unless its configured primary_host now answers as a primary of a newer epoch: then this server was
  superseded, the marker goes and it starts as that primary's standby. A `DEPOSED` marker (this
  primary was fenced, written by `node.py`) goes when the server starts as a standby.
- A standby whose journal holds entries the primary's does not (an old primary rejoining after a
  failover) asks the primary for its epoch history (EPOCH_HISTORY), finds the first LSN where the
  two differ (`history.fork_lsn`), lists the transactions it had from there on — never acknowledged
  in sync-strict, nor in sync unless degraded — in a log line and in
  `rejoin-<fork lsn>-lost-transactions.tsv` in its data directory (and, in the log, the role changes
  among them), cuts its journal there, rebuilds its store to the LSN before with the restore code
  (`replay.restore`), and then streams from there as any standby.
- Whenever a standby builds its state from the primary's — a new one (no journal entries yet), one
  rebuilt from a copy of the store (BASE_BACKUP), one rewound — it takes the primary's users file
  too (USERS_FILE: the roles and the journal position they are at), as its data: the roles made
  before a store copy come with it, and a rewind drops the roles of the lost transactions. The
  entries it streams next apply their role changes only past that position (`server.users`).
When the primary cannot be reached the standby starts as it is: its stream is refused (55000,
diverged) until a restart finds the primary.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path

from heliosdb_lite.config import Config
from heliosdb_lite.engine.store import STORE_FILE
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.journal import (
    DEFAULT_SEGMENT_SIZE,
    CommitPayload,
    EntryType,
    EntryView,
    JournalScan,
    decode_payload,
)
from heliosdb_lite.journal.payload import RoleRecord
from heliosdb_lite.journal.segment import create_segment, cut_segment, list_segments, sync_directory
from heliosdb_lite.journal.syscalls import OS_SYSCALLS
from heliosdb_lite.replay.recovery import _with_aborts
from heliosdb_lite.replay.restore import restore
from heliosdb_lite.replication import wire
from heliosdb_lite.replication.client import (
    PeerConnection,
    PeerError,
    copy_out,
    peer_credentials,
    peer_parameters,
    simple_query,
)
from heliosdb_lite.replication.history import EpochSpan, epoch_history, fork_lsn
from heliosdb_lite.replication.role import EPOCH_PARAMETER, REPLICATION_PARAMETER
from heliosdb_lite.server.users import server_users

log = logging.getLogger("heliosdb.replication")

PROMOTED_FILE = "PROMOTED"  # in the data directory: this standby was promoted, it starts as a primary
DEPOSED_FILE = "DEPOSED"  # in the data directory: this primary was fenced, it starts fenced unless a standby
REBUILD_DIRECTORY = "rejoin-store"
_PEER_ERRORS = (OSError, TimeoutError, asyncio.IncompleteReadError, PeerError, DatabaseError)


def prepare_standby(config: Config) -> None:
    """See the module docstring; a no-op unless replication.role is standby."""
    settings = config.replication
    if settings.role != "standby" or not settings.primary_host:
        return
    asyncio.run(_prepare(config))


async def _prepare(config: Config) -> None:
    settings = config.replication
    assert settings.primary_host is not None
    marker = config.database.path / PROMOTED_FILE
    if marker.exists() and not await _superseded(config, marker):
        return
    (config.database.path / DEPOSED_FILE).unlink(missing_ok=True)
    journal_dir = config.journal_dir
    segments = list_segments(journal_dir) if journal_dir.is_dir() else []
    mine = epoch_history(JournalScan(journal_dir)) if segments else []
    my_first = segments[0].first_lsn if segments else 1
    try:
        connection = await PeerConnection.open(settings.primary_host, peer_credentials(settings),
                                               startup={wire.REPLICATION_PARAMETER: settings.standby_name
                                                        or "rejoining"})
    except _PEER_ERRORS as error:
        log.warning("replication: primary %s unreachable at start-up (%s): cannot check whether this "
                    "standby's journal has parted from the primary's", settings.primary_host, error)
        return
    try:
        try:
            theirs = [EpochSpan(*(int(value or 0) for value in row))
                      for row in await simple_query(connection, wire.HISTORY_QUERY)]
        except _PEER_ERRORS as error:
            log.warning("replication: primary %s refused its epoch history at start-up (%s): starting as "
                        "this standby is", settings.primary_host, error)
            return
        fork = fork_lsn(mine, theirs) if mine else my_first
        diverged = bool(mine) and fork <= mine[-1].last_lsn
        beyond_retention = bool(theirs) and fork < theirs[0].first_lsn
        if diverged:
            await asyncio.to_thread(_list_lost, config, fork)
        if beyond_retention or (diverged and my_first != 1):
            await _rebuild_from_copy(config, connection)
        elif diverged:
            await asyncio.to_thread(rewind, config, fork)
        if not mine or diverged or beyond_retention:
            await _take_users_file(config, connection)
    finally:
        connection.close()


async def _take_users_file(config: Config, connection: PeerConnection) -> None:
    """Replace this node's users file with the primary's (USERS_FILE), unless the primary has none."""
    users = server_users(config)
    try:
        [[text]] = await simple_query(connection, wire.USERS_QUERY)
    except (*_PEER_ERRORS, ValueError) as error:
        log.warning("replication: the primary's users file could not be read (%s): this standby keeps its "
                    "own %s, whose roles may not be the primary's", error, users.path)
        return
    if text is None:
        log.info("replication: the primary has no users file: this standby keeps its own")
        return
    try:
        before = set(users.roles())
        count = await asyncio.to_thread(users.replace, text)
        gone = sorted(before - set(users.roles()))
    except (OSError, DatabaseError) as error:
        log.warning("replication: users file %s cannot take the primary's (%s): its roles may not be the "
                    "primary's", users.path, error)
        return
    log.warning("replication: users file %s replaced by the primary's (%d roles, at journal position %s)%s",
                users.path, count, users.position(),
                f"; roles gone: {', '.join(gone)}" if gone else "")


async def _superseded(config: Config, marker: Path) -> bool:
    """Whether the configured primary is now a primary of a newer epoch than this server's promotion
    (then the marker is removed)."""
    settings = config.replication
    assert settings.primary_host is not None
    promoted_epoch = int(marker.read_text().strip() or 0)
    try:
        parameters = await peer_parameters(settings.primary_host, peer_credentials(settings))
    except _PEER_ERRORS:
        return False
    epoch = int(parameters.get(EPOCH_PARAMETER, "0") or 0)
    primary = parameters.get("in_hot_standby") == "off" and parameters.get(REPLICATION_PARAMETER) != "fenced"
    if not primary or epoch <= promoted_epoch:
        return False
    log.warning("replication: %s is the primary of epoch %d, newer than this server's promotion (epoch %d): "
                "this server steps down and rejoins it as a standby", settings.primary_host, epoch,
                promoted_epoch)
    marker.unlink()
    return True


def _list_lost(config: Config, fork: int) -> Path:
    """Log and list in a file the committed transactions of this journal from LSN `fork` on."""
    dropped = list(JournalScan(config.journal_dir, from_lsn=fork))
    lost = [entry for entry, aborted in _with_aborts(dropped)
            if entry.entry_type == EntryType.COMMIT and not aborted]
    listing = config.database.path / f"rejoin-{fork}-lost-transactions.tsv"
    _write_listing(listing, lost)
    log.error("replication: REJOIN: this server's journal parts from the primary's at LSN %d; %d "
              "entries from there are dropped, among them %d committed transaction(s) the primary does not "
              "have (never acknowledged in sync-strict, nor in sync unless degraded): %s; listed in %s",
              fork, len(dropped), len(lost), " ".join(entry.gtid.hex() for entry in lost) or "none", listing)
    roles = [f"{role.action} {role.name}" for entry in lost for role in _roles_of(entry)]
    if roles:
        log.error("replication: REJOIN: the role changes of those transactions are lost with them (the "
                  "users file becomes the primary's): %s", ", ".join(roles))
    return listing


def _roles_of(entry: EntryView) -> list[RoleRecord]:
    payload = decode_payload(EntryType.COMMIT, entry.payload)
    assert isinstance(payload, CommitPayload)
    return payload.roles


def rewind(config: Config, fork: int) -> None:
    """Cut the journal before LSN `fork` and rebuild the store to the LSN before it from the journal."""
    journal_dir = config.journal_dir
    segments = list_segments(journal_dir)
    first = next(iter(JournalScan(journal_dir, from_lsn=fork)))
    for segment in segments:
        if segment.first_lsn > fork:
            segment.path.unlink()
        elif segment.name == first.segment:
            cut_segment(segment, first.offset, OS_SYSCALLS)
    sync_directory(journal_dir, OS_SYSCALLS)
    rebuilt = config.database.path / REBUILD_DIRECTORY
    shutil.rmtree(rebuilt, ignore_errors=True)
    report = restore(journal_dir, rebuilt, to_lsn=fork - 1, show_progress=False)
    _put_store_in_place(config.database.path, rebuilt)
    log.warning("replication: REJOIN: store rebuilt from the journal up to LSN %d (%d entries applied in "
                "%.3f s)", report.last_lsn, report.applied, report.seconds)


async def _rebuild_from_copy(config: Config, connection: PeerConnection) -> None:
    """Replace the store with the primary's copy (BASE_BACKUP) and the journal with an empty one
    that continues after the copy's LSN."""
    rebuilt = config.database.path / REBUILD_DIRECTORY
    shutil.rmtree(rebuilt, ignore_errors=True)
    rebuilt.mkdir(parents=True)
    lsn, epoch = wire.parse_backup_tag(await copy_out(connection, wire.BACKUP_QUERY, rebuilt / STORE_FILE))
    await asyncio.to_thread(_install_copy, config, rebuilt, lsn)
    log.warning("replication: REBUILT from a copy of the primary's store at LSN %d (epoch %d): the "
                "primary no longer retains the journal this standby needed; streaming from LSN %d",
                lsn, epoch, lsn + 1)


def _install_copy(config: Config, rebuilt: Path, lsn: int) -> None:
    journal_dir = config.journal_dir
    journal_dir.mkdir(parents=True, exist_ok=True)
    for segment in list_segments(journal_dir):
        segment.path.unlink()
    fd, _ = create_segment(journal_dir, lsn + 1, DEFAULT_SEGMENT_SIZE)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    sync_directory(journal_dir, OS_SYSCALLS)
    _put_store_in_place(config.database.path, rebuilt)


def _put_store_in_place(data_dir: Path, rebuilt: Path) -> None:
    """Replace the store files in `data_dir` with those in `rebuilt`, then remove `rebuilt`."""
    for old in data_dir.glob(f"{STORE_FILE}*"):
        old.unlink()
    for new in rebuilt.glob(f"{STORE_FILE}*"):
        os.replace(new, data_dir / new.name)
    sync_directory(data_dir, OS_SYSCALLS)
    shutil.rmtree(rebuilt)


def _write_listing(path: Path, lost: list[EntryView]) -> None:
    lines = ["lsn\tgtid\tepoch\ttimestamp_us"]
    lines += [f"{entry.lsn}\t{entry.gtid.hex()}\t{entry.epoch}\t{entry.timestamp_us}" for entry in lost]
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")
        file.flush()
        os.fsync(file.fileno())
