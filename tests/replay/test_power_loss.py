"""Simulated power loss across journal and store (I1, I4): every write no sync covered may be lost.

A seeded workload runs through engine sessions and the commit protocol on lossy disks (the store on
`LossyVFS`, the journal on `LossySyscalls`); the power goes at a chosen store write, truncate or sync
(or a step boundary), with a chosen prefix of each disk's unsynced writes surviving. After the
reboot the journal is reopened, `recover()` reconciles the store, and then:
- I1: every acknowledged commit is in the store, with its GTID and its ledger row;
- I4: the store's `_helios_txn` LSNs are exactly the journal's (1..N, no gap), with the same GTIDs
  and outcomes, both a prefix of what was committed; the data is what a restore of the journal
  from scratch builds, and each committed ledger row is there once;
- the users file (the random cases create and drop roles) holds exactly the roles the journal's
  entries leave: none of an entry the power loss took.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.journal import CommitPayload, EntryType, Journal, SyncMode, decode_payload
from heliosdb_lite.replay.recovery import RecoveryReport, recover
from heliosdb_lite.replay.restore import restore
from heliosdb_lite.replay.txn_table import COMMITTED, FENCED
from heliosdb_lite.server.users import UNSYNCED_ROLES_FILE, UsersFile
from tests.journal.fakes import CountingSyscalls, LossySyscalls
from tests.replay.lossy_vfs import LossyVFS
from tests.replay.machine import RETENTION_HOURS, SEGMENT_SIZE, Machine, PowerSwitch
from tests.replay.store_contents import read_store
from tests.replay.workload import Step, setup_step, workload

RANDOM_CASES = {"fsync": 80, "async": 40}
STEPS = 24
OUTCOMES = {EntryType.COMMIT: COMMITTED, EntryType.FENCE: FENCED}


def recover_and_check(machine: Machine, root: Path) -> RecoveryReport:
    """Reopen journal and store after the power loss, recover, and check I1 and I4."""
    journal = Journal.open(machine.journal_dir, segment_size=SEGMENT_SIZE,
                           syscalls=CountingSyscalls(real=False))
    engine = SQLiteEngine(machine.data_dir)
    try:
        report = recover(journal, engine.maintenance_connection(), roles=machine.users)
        entries = [(entry.lsn, bytes(entry.gtid), OUTCOMES[entry.entry_type])
                   for entry in journal.read_from(1)]
        journaled_roles = _roles_left(journal)
    finally:
        engine.close()
        journal.close_sync()
    store = read_store(machine.data_dir / "store.db")
    last = len(entries)

    assert [lsn for lsn, _, _ in entries] == list(range(1, last + 1))
    assert store.transactions == entries, "I4: the store's transactions are the journal's, once each"
    assert machine.acknowledged <= set(range(1, last + 1)), "I1: an acknowledged commit was lost"
    assert [gtid for _, gtid, _ in entries] == [machine.history[lsn].gtid for lsn in range(1, last + 1)], \
        "the journal is not a prefix of what was committed"
    tags = [row[0] for row in store.tables["ledger"]] if "ledger" in store.tables else []
    committed_tags = {tag for lsn in range(1, last + 1) if (tag := machine.history[lsn].tag) is not None}
    assert sorted(tags) == sorted(committed_tags), "ledger rows are not the committed transactions, once each"

    if machine.users is not None:
        assert set(machine.users.roles()) == journaled_roles, "the users file's roles are not the journal's"

    restored_dir = root / "restored"
    restore(machine.journal_dir, restored_dir, show_progress=False)
    restored = read_store(restored_dir / "store.db")
    assert store.schema == restored.schema
    assert store.tables == restored.tables, "the store's data is not the journal's"
    assert store.transactions == restored.transactions
    return report


def _roles_left(journal: Journal) -> set[str]:
    """The roles the journal's commit entries create and drop, in order."""
    roles: set[str] = set()
    for entry in journal.read_from(1):
        if entry.entry_type == EntryType.COMMIT:
            payload = decode_payload(EntryType.COMMIT, entry.payload)
            assert isinstance(payload, CommitPayload)
            for change in payload.roles:
                if change.action == "drop":
                    roles.discard(change.name)
                else:
                    roles.add(change.name)
    return roles


def recover_until_power_loss(machine: Machine, vfs: LossyVFS, after_changes: int, keep_store: float,
                             keep_journal: float) -> None:
    """Start recovery after the reboot, on the same lossy disks, and lose power again during it."""
    syscalls = LossySyscalls()
    journal = Journal.open(machine.journal_dir, segment_size=SEGMENT_SIZE, syscalls=syscalls)
    engine = SQLiteEngine(machine.data_dir)
    power = PowerSwitch(vfs, syscalls)
    try:
        power.arm(after_changes, keep_store, keep_journal)
        recover(journal, engine.maintenance_connection(), roles=machine.users)
    finally:
        power.cut()
        engine.close()
        journal.close_sync()
        power.reboot()


def run_until_power_loss(machine: Machine, steps: list[Step], crash_step: int, after_changes: int,
                         keep_store: float, keep_journal: float) -> None:
    """Run the steps; arm the power cut at `crash_step` and stop after the step it happened in."""
    try:
        for index, step in enumerate(steps):
            if index == crash_step:
                machine.power.arm(after_changes, keep_store, keep_journal)
            if not machine.powered:
                break
            step(machine)
        if crash_step >= len(steps):
            machine.power.arm(0, keep_store, keep_journal)
    finally:
        machine.shut_down()


def _fraction(rng: random.Random) -> float:
    return rng.choice([0.0, 1.0, rng.random()])


@pytest.mark.parametrize(("sync_mode", "case"),
                         [(mode, case) for mode, count in RANDOM_CASES.items() for case in range(count)])
def test_power_loss_at_random_instants(lossy_vfs: LossyVFS, tmp_path: Path, case: int,
                                       sync_mode: SyncMode) -> None:
    rng = random.Random(f"{sync_mode}-{case}")
    steps = workload(rng.randrange(1 << 30), STEPS, roles=True)
    crash_step = rng.randrange(len(steps) + 1)
    after_changes = rng.choice([0, rng.randint(1, 8), rng.randint(1, 80)])
    if rng.random() < 0.4:  # the journal's disk gets stuck a few steps before the power goes
        stall_at = max(crash_step - rng.randint(0, 3), 1)
        steps.insert(stall_at, Machine.stall_journal)
        crash_step += stall_at <= crash_step
    users = UsersFile(tmp_path / "users.toml", tmp_path / "data" / UNSYNCED_ROLES_FILE)
    machine = Machine(tmp_path, lossy_vfs, sync_mode=sync_mode, async_flush_interval=0.01, users=users)
    run_until_power_loss(machine, steps, crash_step, after_changes, _fraction(rng), _fraction(rng))
    if rng.random() < 0.3:
        recover_until_power_loss(machine, lossy_vfs, rng.randint(1, 30), _fraction(rng), _fraction(rng))
    recover_and_check(machine, tmp_path)


def commits(count: int, first: int, *, acknowledge: bool = False) -> list[Step]:
    """`count` autocommit ledger inserts, tagged c<first>, c<first+1>, ..."""
    def insert(tag: str) -> Step:
        def step(machine: Machine) -> None:
            machine.transaction(0, [f"INSERT INTO ledger (tag, amount) VALUES ('{tag}', 1)"], tag=tag,
                                acknowledge=acknowledge)

        return step

    return [insert(f"c{first + i}") for i in range(count)]


def test_journal_ahead_is_redone(lossy_vfs: LossyVFS, tmp_path: Path) -> None:
    """Every commit acknowledged, no checkpoint, the store's WAL lost: recovery redoes them all."""
    machine = Machine(tmp_path, lossy_vfs)
    run_until_power_loss(machine, [setup_step, *commits(10, 0, acknowledge=True)], crash_step=11,
                         after_changes=0, keep_store=0.0, keep_journal=0.0)
    report = recover_and_check(machine, tmp_path)
    assert report.applied == len(machine.history) and report.written_back == 0
    assert len(machine.acknowledged) == len(machine.history)


def test_store_ahead_after_async_checkpoints_is_written_back(lossy_vfs: LossyVFS, tmp_path: Path) -> None:
    """journal_sync_mode = async never syncs here, while two checkpoints sync the store: the store
    is ahead and recovery writes its transactions back into the journal."""
    machine = Machine(tmp_path, lossy_vfs, sync_mode="async", async_flush_interval=3600)
    steps = [setup_step, *commits(5, 0), Machine.checkpoint, *commits(5, 5), Machine.checkpoint,
             *commits(3, 10)]
    run_until_power_loss(machine, steps, crash_step=len(steps), after_changes=0, keep_store=0.0,
                         keep_journal=0.0)
    report = recover_and_check(machine, tmp_path)
    assert report.written_back > 0 and report.applied == 0
    assert report.journal_lsn == report.store_lsn == len(machine.history) - 3


def test_store_ahead_when_journal_syncs_stall_is_written_back(lossy_vfs: LossyVFS, tmp_path: Path) -> None:
    """fsync mode: the journal's syncs hang while the store's unsynced WAL writes reach the disk
    (the OS wrote them back): the store is ahead; none of those commits was acknowledged."""
    machine = Machine(tmp_path, lossy_vfs)
    steps = [setup_step, *commits(4, 0), Machine.checkpoint, Machine.stall_journal, *commits(6, 4)]
    run_until_power_loss(machine, steps, crash_step=len(steps), after_changes=0, keep_store=1.0,
                         keep_journal=0.0)
    report = recover_and_check(machine, tmp_path)
    assert report.written_back == 6 and report.applied == 0


def test_checkpoints_wait_for_a_stuck_journal(lossy_vfs: LossyVFS, tmp_path: Path) -> None:
    """Two checkpoints asked for while the journal cannot sync must not make the store durable
    ahead of it (they would drop the payloads write-back needs): they wait until the power goes."""
    machine = Machine(tmp_path, lossy_vfs)
    for step in [setup_step, *commits(3, 0), Machine.checkpoint, Machine.stall_journal, *commits(3, 3)]:
        step(machine)

    def checkpoint_twice() -> None:
        for _ in range(2):
            machine.service.checkpoint(retention_hours=RETENTION_HOURS)

    checkpoints = threading.Thread(target=checkpoint_twice)
    checkpoints.start()
    checkpoints.join(timeout=0.5)  # a wrong order completes at once; the right one never does
    finished_while_stuck = not checkpoints.is_alive()
    machine.power.arm(0, keep_store=0.0, keep_journal=0.0)
    checkpoints.join()
    machine.shut_down()
    assert not finished_while_stuck, "a checkpoint completed while the journal could not sync"
    recover_and_check(machine, tmp_path)
