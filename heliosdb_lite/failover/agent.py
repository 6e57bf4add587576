"""The failover agent: an asyncio task in every server with `[failover] enabled`, holding the
primary's leadership in etcd (keys in keys.py; the whole design in docs/failover.md).

Every loop_wait_seconds (sooner when a watched key changes) it renews this node's lease, reads the
cluster's keys and publishes its member key, then:
- a primary checks that the leader key still names it in its epoch and moves the `LeaseGuard`
  deadline (guard.py), keeps the sync set in etcd (only listed standbys' acknowledgements count),
  publishes its last LSN, and hands leadership over when `cluster switchover/failover` asks;
- a standby streams from the leader etcd names (`ReplicationNode.follow`, no restart); when there
  is no leader it takes the leader key — in one txn with the next cluster-wide epoch and a fresh
  sync set — if it may (not paused; in the sync modes a listed sync standby at least as advanced
  as every other listed one it can see, with enough of them seen that one of them must hold
  every acknowledged commit; in async the most advanced reachable member, the loss logged), then
  promotes itself to that epoch.
A primary that cannot renew keeps its answers waiting past the guard's deadline; once its lease
may have expired (ttl after the last confirmed renewal), or etcd names another leader, it gives
up: it restarts its own process (exec), which starts as a standby and rejoins the leader. So does
a standby whose stream the leader refuses (its journal has parted from the leader's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

from heliosdb_lite.config import Config
from heliosdb_lite.failover import keys
from heliosdb_lite.failover.etcd import Compare, EtcdClient, EtcdError, delete_op, put_op
from heliosdb_lite.failover.guard import LeaseGuard
from heliosdb_lite.failover.keys import ClusterView, FailoverRequest, Leader, Member, SyncState
from heliosdb_lite.replication.acks import ASYNC
from heliosdb_lite.replication.client import PeerConnection, PeerError, peer_credentials, simple_query
from heliosdb_lite.replication.node import ReplicationNode
from heliosdb_lite.replication.role import Role

log = logging.getLogger("heliosdb.failover")
HANDOVER_CATCH_UP_SECONDS = 10.0
_PEER_ERRORS = (OSError, TimeoutError, asyncio.IncompleteReadError, PeerError, ValueError)


def restart_process(reason: str) -> NoReturn:
    """Replace this process with a fresh `heliosdb-lite` run of the same command line (exec: same
    pid, same stderr); its start-up asks etcd for the leader and rejoins it."""
    log.critical("failover: RESTARTING this server to rejoin as a standby: %s", reason)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os.execv(sys.executable, [sys.executable, "-m", "heliosdb_lite.cli", *sys.argv[1:]])


class FailoverAgent:
    """See the module docstring."""

    def __init__(self, config: Config, node: ReplicationNode) -> None:
        settings = config.failover
        self._settings = settings
        self._replication = config.replication
        self.name = settings.node_name
        self.address = config.advertise_address
        self._prefix = keys.root(settings.cluster_name)
        self._etcd = EtcdClient(settings.etcd_endpoints, settings.retry_timeout_seconds)
        self._node = node
        self._journal = node.journal
        self._lease = 0
        self._renewed_at = 0.0  # monotonic send time of the last renewal etcd confirmed
        self._renewed_ttl = 0
        self._leader_value = ""  # the leader key's value while this node leads
        self._guard = LeaseGuard()
        self._wake = asyncio.Event()
        self._sync_lock = asyncio.Lock()
        self._handing_over = False
        self._tasks: list[asyncio.Task[Any]] = []
        self._last_problem = ""
        node.lease_guard = self._guard
        node.on_diverged = self._diverged
        node.on_standby_change = self._wake.set
        node.may_degrade = self._may_degrade

    def key(self, name: str) -> str:
        return self._prefix + name

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name="failover-agent"),
                       asyncio.create_task(self._watch(), name="failover-watch")]

    async def stop(self) -> None:
        """On shutdown: stop answering as the primary, then give the lease (and leadership) up."""
        self._guard.hold()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        if self._lease:
            with contextlib.suppress(EtcdError):
                await self._etcd.revoke(self._lease)
            log.info("failover: lease revoked on shutdown (leadership released)")

    def _give_up(self, reason: str) -> NoReturn:
        self._guard.hold()
        restart_process(reason)

    def _diverged(self, message: str) -> None:
        asyncio.get_running_loop().call_soon(restart_process, f"the leader refused this standby's stream "
                                                              f"({message})")

    # -- the loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            retry_now = False
            try:
                await self._cycle()
                if self._last_problem:
                    log.warning("failover: etcd answers again")
                self._last_problem = ""
            except EtcdError as error:
                retry_now = self._etcd_failed(error)
            except Exception:
                log.exception("failover: the agent's loop failed; retrying")
            if retry_now:
                await asyncio.sleep(0.05)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.loop_wait_seconds)

    def _etcd_failed(self, error: EtcdError) -> bool:
        """Log it; a primary whose lease may have expired gives up. Whether to retry at once."""
        message = str(error)
        if message != self._last_problem:
            log.warning("failover: etcd call failed: %s", message)
            self._last_problem = message
        if self._node.role.role is not Role.PRIMARY:
            return False
        if time.monotonic() >= self._renewed_at + self._renewed_ttl:
            self._give_up(f"the lease could not be renewed for ttl_seconds ({self._renewed_ttl} s): it may "
                          "have expired and another node may lead")
        if not self._guard.valid():
            log.error("failover: lease not renewed within ttl - retry_timeout: this primary acknowledges "
                      "nothing until it is")
        return True

    async def _cycle(self) -> None:
        etcd = self._etcd
        sent = time.monotonic()
        ttl = await etcd.keepalive(self._lease) if self._lease else 0
        if self._lease and ttl == 0:
            self._lease = 0
            if self._node.role.role is Role.PRIMARY:
                self._give_up("etcd says this node's lease has expired")
        if not self._lease:
            sent = time.monotonic()
            self._lease, ttl = await etcd.grant(self._settings.ttl_seconds)
        self._renewed_at, self._renewed_ttl = sent, ttl
        kvs, revision = await etcd.get_prefix(self._prefix)
        view = ClusterView.parse(self._prefix, kvs, revision)
        await etcd.put(self.key(f"members/{self.name}"), keys.encode(self._member()), self._lease)
        if self._node.role.role is Role.PRIMARY:
            await self._lead(view)
        elif self._node.role.role is Role.STANDBY:
            await self._follow_or_take(view)

    def _member(self) -> Member:
        node = self._node
        return Member(self.name, self.address, node.role.role.value, node.role.epoch, self._journal.last_lsn,
                      node.applied_lsn, node.primary_host or "")

    async def _watch(self) -> None:
        """Wake the loop when a key other than a member's or the status changes (a leader gone,
        a hand-over asked); the loop runs every loop_wait_seconds regardless."""
        while True:
            try:
                _, revision = await self._etcd.get_prefix(self._prefix)
                async for event in self._etcd.watch(self._prefix, revision + 1):
                    name = event.kv.key[len(self._prefix):]
                    if not name.startswith("members/") and name != "status":
                        self._wake.set()
            except (EtcdError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                log.debug("failover: watch ended: %s", error)
            await asyncio.sleep(self._settings.loop_wait_seconds)

    # -- the primary --------------------------------------------------------------------------

    async def _lead(self, view: ClusterView) -> None:
        node = self._node
        leader = view.leader
        if leader is None or leader.name != self.name or leader.epoch != node.role.epoch \
                or view.leader_kv is None or view.leader_kv.lease != self._lease:
            named = f"{leader.name} (epoch {leader.epoch})" if leader is not None else "no leader"
            self._give_up(f"etcd names {named}, not this node in epoch {node.role.epoch}")
        if self._handing_over:
            return
        self._guard.extend(self._renewed_at + self._renewed_ttl - self._settings.retry_timeout_seconds)
        await self._put_as_leader("status", {"name": self.name, "epoch": node.role.epoch,
                                             "lsn": self._journal.last_lsn, "at": time.time()})
        await self._maintain_sync(view)
        request = view.failover
        if request is not None and request.fresh and request.candidate != self.name \
                and request.leader in (self.name, ""):
            self._handing_over = True
            self._tasks.append(asyncio.create_task(self._hand_over(request, view), name="failover-hand-over"))

    async def _put_as_leader(self, name: str, value: Any) -> bool:
        """Write a key only while the leader key is still this node's."""
        return await self._etcd.txn([Compare(self.key("leader"), "VALUE", self._leader_value)],
                                    [put_op(self.key(name), keys.encode(value))])

    async def _maintain_sync(self, view: ClusterView) -> None:
        """List in etcd the sync standbys whose acknowledgements count (see the module docstring)."""
        node, acks = self._node, self._node.acks
        if acks is None or acks.mode == ASYNC or node.counted is None:
            return
        async with self._sync_lock:
            listed = set(node.counted)
            connected = {name: link for name, link in node.links.items() if link.sync}
            if acks.degraded:
                add = await self._resume_sync(set(connected) - listed, acks.required - len(listed))
            else:
                add = set(connected) - listed
            remove: set[str] = set()
            gone = listed - set(connected)
            holders = [name for name in listed & set(connected) if acks.flushed(name) >= acks.acked_lsn]
            if gone and len(holders) >= acks.required:
                remove = gone
            wanted = (listed | add) - remove
            sync = view.sync
            stale = sync is None or sync.epoch != node.role.epoch or set(sync.standbys) != listed
            if wanted == listed and not stale:
                return
            node.counted -= remove
            if not await self._put_as_leader("sync", SyncState(self.name, node.role.epoch, acks.required,
                                                               sorted(wanted))):
                return
            node.count_acknowledgements(add)
            if add or remove:
                log.info("failover: sync standbys in etcd: %s", ", ".join(sorted(wanted)) or "none")

    async def _resume_sync(self, candidates: set[str], needed: int) -> set[str]:
        """The way back from degraded, under the sync lock: stop acknowledging without standbys,
        then wait (half of sync_timeout_ms at most: the waiting commits' own timeout would degrade
        again) until `needed` of the connected candidates hold every commit acknowledged before;
        those are to be listed. When fewer do, degrade again and list none."""
        acks = self._node.acks
        assert acks is not None
        if needed < 1 or len(candidates) < needed:
            return set()
        acks.end_degraded()
        holding = await self._holding(candidates, acks.acknowledged_bound, needed, acks.timeout_seconds / 2)
        if len(holding) < needed:
            acks.degrade(f"no standby reached the acknowledged LSN {acks.acknowledged_bound} to be listed as "
                         "sync")
            return set()
        return holding

    async def _may_degrade(self, still_needed: Callable[[], bool]) -> bool:
        """Before sync degrades to async: empty etcd's sync set first (see acks.py). False, and
        nothing done, when the waiting commit was acknowledged meanwhile (`still_needed`)."""
        node, acks = self._node, self._node.acks
        async with self._sync_lock:
            if acks is None or acks.degraded:
                return True
            if not still_needed():
                return False
            try:
                written = await self._put_as_leader("sync", SyncState(self.name, node.role.epoch,
                                                                      acks.required, []))
            except EtcdError as error:
                log.error("failover: cannot empty the sync set in etcd (%s): commits keep waiting for a "
                          "standby", error)
                return False
            if not written:
                return False
            if node.counted is not None:
                node.counted.clear()
            acks.forget_standbys()
            return True

    async def _hand_over(self, request: FailoverRequest, view: ClusterView) -> None:
        """Switchover (or forced failover) away from this primary: stop acknowledging, let the
        candidate catch up with everything acknowledged (unless forced), release the leader key
        to it, restart as a standby."""
        candidate = request.candidate
        member = view.members.get(candidate)
        if member is None:
            log.error("failover: hand-over to %s refused: it is not a live member", candidate)
            await self._etcd.delete(self.key("failover"))
            self._handing_over = False
            return
        self._guard.hold()
        target = self._journal.last_lsn
        log.warning("failover: HANDING OVER to %s (%s): acknowledgements held; waiting for it to reach "
                    "LSN %d", candidate, "forced" if request.forced else "switchover", target)
        if not request.forced and not await self._holding({candidate}, target, 1, HANDOVER_CATCH_UP_SECONDS):
            log.error("failover: hand-over to %s abandoned: it did not reach LSN %d within %g s", candidate,
                      target, HANDOVER_CATCH_UP_SECONDS)
            await self._etcd.delete(self.key("failover"))
            self._handing_over = False
            return
        await self._etcd.txn([Compare(self.key("leader"), "VALUE", self._leader_value)],
                             [delete_op(self.key("leader"))])
        self._give_up(f"leadership handed over to {candidate}")

    async def _holding(self, names: set[str], lsn: int, count: int, seconds: float) -> set[str]:
        """Those of the connected standbys `names` that have fsynced `lsn`, once `count` of them
        have or `seconds` have passed."""
        deadline = time.monotonic() + seconds
        while True:
            holding = {name for name in names
                       if (link := self._node.links.get(name)) is not None and link.flushed_lsn >= lsn}
            if len(holding) >= count or time.monotonic() >= deadline:
                return holding
            await asyncio.sleep(0.01)

    # -- a standby ----------------------------------------------------------------------------

    async def _follow_or_take(self, view: ClusterView) -> None:
        leader = view.leader
        if leader is not None and leader.name == self.name:
            assert view.leader_kv is not None
            log.warning("failover: etcd still names this node the leader under an earlier lease (it was "
                        "restarted): revoking that lease")
            await self._etcd.revoke(view.leader_kv.lease)
            if view.leader_kv.lease == self._lease:
                self._lease = 0
            self._wake.set()
            return
        if leader is not None:
            if leader.address != self._node.primary_host:
                await self._node.follow(leader.address)
            return
        request = view.failover if view.failover is not None and view.failover.fresh else None
        if request is not None and request.candidate != self.name:
            return
        if request is None and (view.paused or not await self._eligible(view)):
            return
        await self._take(view, request)

    async def _eligible(self, view: ClusterView) -> bool:
        """Whether this standby may take leadership now (see the module docstring)."""
        mine = self._journal.last_lsn
        if self._replication.replication_mode == ASYNC or view.epoch_kv is None:
            others = [member for name, member in view.members.items() if name != self.name]
            positions = await asyncio.gather(*(self._position(member.address) for member in others))
            return not self._ahead(mine, {member.name: lsn for member, lsn
                                          in zip(others, positions, strict=True) if lsn is not None})
        sync = view.sync
        if sync is None:
            return False
        if sync.leader == self.name:
            return True
        if self.name not in sync.standbys:
            return False
        standbys = [name for name in sync.standbys if name != self.name]
        addresses = [view.members[name].address if name in view.members else None for name in standbys]
        positions = await asyncio.gather(*(self._position(address) for address in addresses))
        seen = {name: lsn for name, lsn in zip(standbys, positions, strict=True) if lsn is not None}
        if len(seen) + 1 < len(sync.standbys) - sync.required + 1:
            return False  # too few seen to be sure one of them holds every acknowledged commit
        return not self._ahead(mine, seen)

    def _ahead(self, mine: int, positions: dict[str, int]) -> list[str]:
        """The members ahead of this one (a tie goes to the smaller name)."""
        return [name for name, lsn in positions.items() if (lsn, self.name) > (mine, name)]

    async def _position(self, address: str | None) -> int | None:
        """A member's journal's last LSN, asked over its PostgreSQL port; None if it does not answer."""
        if address is None:
            return None
        try:
            async with asyncio.timeout(self._settings.retry_timeout_seconds):
                connection = await PeerConnection.open(address, peer_credentials(self._replication))
                try:
                    rows = await simple_query(connection, "SELECT heliosdb_current_lsn()")
                finally:
                    connection.close()
            return int(rows[0][0] or 0)
        except (*_PEER_ERRORS, IndexError):
            return None

    async def _take(self, view: ClusterView, request: FailoverRequest | None) -> None:
        node = self._node
        epoch = max(view.epoch, node.role.epoch, self._journal.epoch) + 1
        leader_value = keys.encode(Leader(self.name, self.address, epoch))
        sync = SyncState(self.name, epoch, self._replication.synchronous_standby_count, [])
        success = [put_op(self.key("leader"), leader_value, self._lease),
                   put_op(self.key("epoch"), str(epoch)), put_op(self.key("sync"), keys.encode(sync))]
        if request is not None:
            success.append(delete_op(self.key("failover")))
        compare = [Compare(self.key("leader"), "CREATE", 0),
                   Compare(self.key("epoch"), "MOD", view.epoch_kv.mod_revision if view.epoch_kv else 0)]
        if not await self._etcd.txn(compare, success):
            return
        self._leader_value = leader_value
        self._guard.extend(self._renewed_at + self._renewed_ttl - self._settings.retry_timeout_seconds)
        why = (f"{'forced failover' if request.forced else 'switchover'} asked by the operator"
               if request is not None else "no leader")
        log.warning("failover: TOOK LEADERSHIP of cluster %s (%s) in epoch %d at LSN %d", self._prefix, why,
                    epoch, self._journal.last_lsn)
        lost = int(view.status.get("lsn", 0)) - self._journal.last_lsn
        if lost > 0 and view.status.get("name") != self.name:
            previous = view.status
            log.error("failover: the previous primary %s had reached LSN %s; this node has LSN %d: up to %d "
                      "journal entries it wrote are lost (%s)", previous.get("name"), previous.get("lsn"),
                      self._journal.last_lsn, lost, self._replication.replication_mode)
        try:
            await node.promote(epoch)
        except Exception as error:
            with contextlib.suppress(EtcdError):
                await self._etcd.revoke(self._lease)
            self._give_up(f"the promotion to epoch {epoch} failed: {error}")
