"""`heliosdb-lite cluster status|switchover --to NODE|failover --to NODE|pause|resume`: the operator's
view of a failover cluster and its requests, read from and written to etcd (keys.py), like
patronictl. etcd is found from the configuration's [failover] section (--config), or --etcd and
--cluster.

- status: one row per member — address, role (leader, sync standby, standby), epoch, LSN, lag
  behind the leader in LSNs, the primary it streams from — as the members last published them
  (every loop_wait_seconds); `--json` prints the same as JSON.
- switchover --to NODE: the leader stops acknowledging, waits until NODE has every commit, hands the
  leader key to it and restarts as its standby; the command waits until NODE leads.
- failover --to NODE: the same without waiting for NODE to catch up (what it lacks is lost), and
  it also works with no leader at all.
- pause / resume: no automatic failover while paused (a dead primary is not replaced); switchover
  and failover requests still work.
Exit status: 0 done, 1 refused or not done in --timeout seconds, 2 etcd unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict

from heliosdb_lite.config import load_config
from heliosdb_lite.failover import keys
from heliosdb_lite.failover.etcd import EtcdClient, EtcdError
from heliosdb_lite.failover.keys import ClusterView, FailoverRequest

POLL_SECONDS = 0.1
CALL_TIMEOUT_SECONDS = 5.0


class Refused(Exception):
    """The request cannot be made or was not carried out (the message says why)."""


class Cluster:
    """The cluster's keys in etcd, for the commands."""

    def __init__(self, endpoints: list[str], name: str) -> None:
        self.etcd = EtcdClient(endpoints, CALL_TIMEOUT_SECONDS)
        self.name = name
        self.prefix = keys.root(name)

    async def view(self) -> ClusterView:
        kvs, revision = await self.etcd.get_prefix(self.prefix)
        return ClusterView.parse(self.prefix, kvs, revision)


def status_rows(view: ClusterView) -> list[dict[str, object]]:
    leader = view.leader
    leader_lsn = view.members[leader.name].lsn if leader is not None and leader.name in view.members else None
    sync = set(view.sync.standbys) if view.sync is not None and leader is not None \
        and view.sync.epoch == leader.epoch else set()
    rows = []
    for name in sorted(view.members):
        member = view.members[name]
        if leader is not None and name == leader.name:
            role = "leader"
        elif member.role == "standby":
            role = "sync standby" if name in sync else "standby"
        else:
            role = member.role
        lag = max(leader_lsn - member.lsn, 0) if leader_lsn is not None and role != "leader" else 0
        rows.append({"member": name, "address": member.address, "role": role, "epoch": member.epoch,
                     "lsn": member.lsn, "applied": member.applied, "lag": lag, "primary": member.primary})
    return rows


def _print_status(cluster: Cluster, view: ClusterView, as_json: bool) -> None:
    rows = status_rows(view)
    leader = view.leader
    if as_json:
        print(json.dumps({"cluster": cluster.name, "leader": asdict(leader) if leader else None,
                          "paused": view.paused, "sync": asdict(view.sync) if view.sync else None,
                          "members": rows}, indent=2))
        return
    heading = f"cluster {cluster.name}: " + (f"leader {leader.name}, epoch {leader.epoch}" if leader
                                            else "NO LEADER")
    print(heading + (" (paused: no automatic failover)" if view.paused else ""))
    columns = ["member", "address", "role", "epoch", "lsn", "lag", "primary"]
    table = [columns] + [[str(row[column]) for column in columns] for row in rows]
    widths = [max(len(line[index]) for line in table) for index in range(len(columns))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


async def _hand_over(cluster: Cluster, candidate: str, forced: bool, timeout: float) -> str:
    view = await cluster.view()
    member = view.members.get(candidate)
    if member is None:
        raise Refused(f"{candidate} is not a live member of cluster {cluster.name} "
                      f"(members: {', '.join(sorted(view.members)) or 'none'})")
    leader = view.leader
    if leader is not None and leader.name == candidate:
        raise Refused(f"{candidate} is already the leader (epoch {leader.epoch})")
    if leader is None and not forced:
        raise Refused("there is no leader to switch over from: use `cluster failover --to` instead")
    if member.role != "standby":
        raise Refused(f"{candidate} is not a standby ({member.role})")
    request = FailoverRequest(candidate, leader.name if leader else "", forced, time.time())
    await cluster.etcd.put(cluster.prefix + "failover", keys.encode(request))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        view = await cluster.view()
        if view.leader is not None and view.leader.name == candidate:
            return f"{candidate} is the leader of cluster {cluster.name} in epoch {view.leader.epoch}"
        if view.failover is None and view.leader is not None and leader is not None \
                and view.leader.name == leader.name:
            raise Refused(f"{leader.name} abandoned the hand-over (see its log): {candidate} did not "
                          "catch up")
    raise Refused(f"{candidate} did not become the leader within {timeout:g} s")


async def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config, overrides={})
    endpoints = args.etcd.split(",") if args.etcd else list(config.failover.etcd_endpoints)
    cluster = Cluster(endpoints, args.cluster or config.failover.cluster_name)
    action = args.action
    if action == "status":
        _print_status(cluster, await cluster.view(), args.json)
    elif action in ("pause", "resume"):
        await cluster.etcd.put(cluster.prefix + "config", json.dumps({"paused": action == "pause"}))
        print(f"cluster {cluster.name}: automatic failover " + ("paused" if action == "pause" else "resumed"))
    else:
        print(f"{action}: " + await _hand_over(cluster, args.to, action == "failover", args.timeout))
    return 0


def _cluster(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except Refused as refused:
        print(f"heliosdb-lite cluster {args.action}: {refused}", file=sys.stderr)
        return 1
    except EtcdError as error:
        print(f"heliosdb-lite cluster {args.action}: {error}", file=sys.stderr)
        return 2


def add_cluster_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cluster", help="a failover cluster's members and leadership (etcd)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="members, roles, epochs, LSNs, lag, who is sync")
    status.add_argument("--json", action="store_true", help="print JSON")
    for name, text in (("switchover", "planned hand-over to a caught-up standby, nothing lost"),
                       ("failover", "forced: make NODE the leader even if it lacks commits")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--to", required=True, metavar="NODE", help="the member to lead")
        action.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (default 60)")
    actions.add_parser("pause", help="no automatic failover until resume")
    actions.add_parser("resume", help="automatic failover again")
    for action in actions.choices.values():
        action.add_argument("--etcd", default=None, metavar="HOST:PORT,...",
                            help="etcd endpoints (default: failover.etcd_endpoints)")
        action.add_argument("--cluster", default=None, help="cluster name (default: failover.cluster_name)")
    parser.set_defaults(func=_cluster)
