"""A database 'machine' on lossy disks for power-loss tests: engine sessions committing through the
commit protocol (CommitService, TransactionRecorder), the journal on `LossySyscalls` (whose syncs
can also stall, like a stuck disk), the store on `LossyVFS`, and a power switch that cuts both at
the same instant.

The machine keeps the client's view of history: every journaled transaction by LSN (its GTID and
the ledger tag it wrote, if any) and the LSNs the client was told are durable. A transaction is
acknowledged when `journal.sync_durable` returned for it before the power went, or when the
journal's flushed LSN (read before the power goes) covered it. In the `async` sync mode
`sync_durable` returns before any sync (the server acknowledges then: RPO > 0, by design), so there
only the flushed LSN counts.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.journal import Journal, SyncMode
from heliosdb_lite.replay.commit import CommitService, TransactionRecorder, parse_gtid
from heliosdb_lite.server.activity import ServerBackend
from heliosdb_lite.server.users import UsersFile
from tests.engine.helpers import run
from tests.journal.fakes import LossySyscalls
from tests.replay.lossy_vfs import LossyVFS

SEGMENT_SIZE = 2048  # small, so segments rotate during a workload
RETENTION_HOLD = "power-loss-test"  # a standby that never acknowledges: every segment is kept
RETENTION_HOURS = 24


class StallingSyscalls(LossySyscalls):
    """Journal syncs hang once `stall` is set (a stuck disk) until the power goes."""

    def __init__(self) -> None:
        super().__init__()
        self.stall = threading.Event()
        self._power_lost = threading.Event()

    def fsync(self, fd: int) -> None:
        if self.stall.is_set() and not self._power_lost.wait(timeout=30):
            raise AssertionError("the power never went")
        super().fsync(fd)

    fdatasync = fsync

    def power_loss(self, keep: int) -> None:
        super().power_loss(keep)
        self._power_lost.set()


@dataclass(frozen=True, slots=True)
class Journaled:
    """One journal entry as the client knows it."""

    gtid: bytes
    tag: str | None  # the ledger row the transaction inserted (None: fences, DDL, updates)


class PowerSwitch:
    """Cuts the power of both disks, store and journal, at the same instant: now, or just before
    a chosen store write, truncate or sync. `keep_*` is the fraction of each disk's unsynced
    writes that reach it anyway; `before_cut` runs while the power is still on."""

    def __init__(self, vfs: LossyVFS, syscalls: LossySyscalls,
                 before_cut: Callable[[], None] | None = None) -> None:
        self.vfs = vfs
        self.syscalls = syscalls
        self._before_cut = before_cut
        self._keep_store = self._keep_journal = 1.0
        self._cut_at_change: int | None = None
        vfs.on_change = self._store_changing

    @property
    def powered(self) -> bool:
        return self.vfs.powered

    def arm(self, after_changes: int, keep_store: float, keep_journal: float) -> None:
        """Cut just before the store's `after_changes`+1-th change from now (now, when 0)."""
        self._keep_store, self._keep_journal = keep_store, keep_journal
        self._cut_at_change = self.vfs.changes + after_changes + 1
        if after_changes == 0:
            self.cut()

    def _store_changing(self) -> None:
        if self.vfs.changes == self._cut_at_change:
            self.cut()

    def cut(self) -> None:
        if not self.vfs.powered:
            return
        if self._before_cut is not None:
            self._before_cut()
        self.vfs.power_loss(int(self._keep_store * self.vfs.unsynced_writes))
        self.syscalls.power_loss(int(self._keep_journal * self.syscalls.unsynced_bytes))

    def reboot(self) -> None:
        """Once the process is gone: the disks as the power loss left them."""
        self.cut()
        self.vfs.on_change = None
        self.vfs.reboot()


class Machine:
    """Two sessions, the journal and the commit service on `root`/data and `root`/journal; with
    `users`, the server's roles too (its users file: CREATE ROLE journaled as the server does)."""

    def __init__(self, root: Path, vfs: LossyVFS, sync_mode: SyncMode = "fsync",
                 async_flush_interval: float = 0.2, users: UsersFile | None = None) -> None:
        self.syscalls = syscalls = StallingSyscalls()
        self.data_dir = root / "data"
        self.journal_dir = root / "journal"
        self.engine = SQLiteEngine(self.data_dir)
        self.journal = Journal.open(self.journal_dir, segment_size=SEGMENT_SIZE, syscalls=syscalls,
                                    sync_mode=sync_mode, async_flush_interval=async_flush_interval)
        self.journal.mark_standby_acked(RETENTION_HOLD, 0)
        self.users = users
        self.service = CommitService(self.journal, self.engine.store_path, roles=users)
        self.recorders: list[TransactionRecorder] = []
        self.sessions: list[SQLiteSession] = []
        for number in (1, 2):
            recorder = self.service.recorder(number.to_bytes(8, "big"), "postgres", "postgres")
            self.recorders.append(recorder)
            session = self.engine.open_session("postgres", "postgres", {}, transaction_log=recorder)
            if users is not None:
                session.attach_backend(ServerBackend(None, list, None, roles=users))  # type: ignore[arg-type]
            self.sessions.append(session)
        self.history: dict[int, Journaled] = {}
        self.acknowledged: set[int] = set()
        self.power = PowerSwitch(vfs, syscalls, before_cut=self._note_flushed)

    @property
    def powered(self) -> bool:
        return self.power.powered

    def _note_flushed(self) -> None:
        flushed = self.journal.flushed_lsn
        self.acknowledged.update(lsn for lsn in self.history if lsn <= flushed)

    def stall_journal(self) -> None:
        """From now on the journal's syncs hang until the power goes: nothing more is acknowledged
        and checkpoints (which wait for the journal) are skipped."""
        self.syscalls.stall.set()

    def shut_down(self) -> None:
        """After the power loss: the process ends, the disks come back as the loss left them."""
        self.power.cut()
        self.engine.close()
        self.service.close()
        self.journal.close_sync()
        self.power.reboot()

    # -- the client -------------------------------------------------------------------------------

    def transaction(self, session: int, statements: Sequence[str], *, tag: str | None = None,
                    acknowledge: bool = True, gtid: str | None = None) -> None:
        """Run one transaction's statements (with BEGIN/COMMIT when more than one); record its
        LSN if it wrote, and wait for its durability when `acknowledge`."""
        connection = self.sessions[session]
        if gtid is not None:
            run(connection, f"SET heliosdb.gtid = '{gtid}'")
        expected = gtid or self.recorders[session].next_gtid
        before = self.journal.last_lsn
        block = ["BEGIN", *statements, "COMMIT"] if len(statements) > 1 else list(statements)
        for sql in block:
            run(connection, sql)
        lsn = self.journal.last_lsn
        if lsn == before:
            return
        assert lsn == before + 1, "one transaction, one journal entry"
        self.history[lsn] = Journaled(parse_gtid(expected), tag)
        if acknowledge and not self.syscalls.stall.is_set():
            self.journal.sync_durable(lsn)
            if self.powered and self.journal.sync_mode != "async":
                self.acknowledged.add(lsn)

    def rolled_back(self, session: int, statements: Sequence[str]) -> None:
        connection = self.sessions[session]
        for sql in ["BEGIN", *statements, "ROLLBACK"]:
            run(connection, sql)

    def outcome_lookup(self) -> None:
        """Ask the outcome of a GTID nobody used: it is fenced, which is journaled."""
        gtid = uuid.uuid4()
        before = self.journal.last_lsn
        assert self.service.outcome(str(gtid)).status == "not committed"
        assert self.journal.last_lsn == before + 1
        self.history[before + 1] = Journaled(gtid.bytes, None)

    def checkpoint(self) -> None:
        if not self.syscalls.stall.is_set():
            self.service.checkpoint(retention_hours=RETENTION_HOURS)
