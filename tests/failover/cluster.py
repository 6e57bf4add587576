"""A failover cluster of real processes for tests: one etcd, N servers with `[failover] enabled`
(each its own TOML, data directory and free port), optionally each behind its own TCP relay to
etcd (tests/failover/relay.py: `partition(name)` cuts that node off from etcd, `heal(name)` ends
it), and, optionally, the replay proxy in front of them all. Waits are bounded polls of etcd's keys
(what `heliosdb-lite cluster status` reads), never sleeps.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

from heliosdb_lite.failover import keys
from heliosdb_lite.failover.etcd import EtcdClient
from heliosdb_lite.failover.keys import ClusterView
from tests.failover.relay import Relay
from testsupport.etcd_process import EtcdProcess
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess

CLUSTER = "test"
POLL_SECONDS = 0.02
WAIT_SECONDS = 60.0
RECOVERY_DEADLINE = 120  # the proxy's replay_timeout_seconds: a failover plus a loaded machine


class Timing(TypedDict):
    """The [failover] timing of a cluster (seconds), as FailoverCluster's keywords take it."""

    ttl: int
    loop_wait: int
    retry_timeout: int


class FailoverCluster:
    """`etcd` and servers node1..nodeN under `root` (nothing started)."""

    def __init__(self, root: Path, *, nodes: int = 2, mode: str = "sync", ttl: int = 3, loop_wait: int = 1,
                 retry_timeout: int = 1, sync_timeout_ms: int = 2000, relays: bool = False) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.etcd = EtcdProcess(root / "etcd")
        self.settings = {"mode": mode, "ttl": ttl, "loop_wait": loop_wait, "retry_timeout": retry_timeout,
                         "sync_timeout_ms": sync_timeout_ms}
        self.servers: dict[str, ServerProcess] = {}
        for number in range(1, nodes + 1):
            name = f"node{number}"
            (root / name).mkdir(exist_ok=True)
            server = ServerProcess(root / name / "data", config=root / f"{name}.toml")
            self.servers[name] = server
        self.proxy: ProxyProcess | None = None
        self._use_relays = relays
        self.relays: dict[str, Relay] = {}

    def write_config(self, name: str) -> None:
        server = self.servers[name]
        settings = self.settings
        endpoint = self.relays[name].endpoint if name in self.relays else self.etcd.endpoint
        listed = f'"{endpoint}"'
        assert server._config is not None
        server._config.write_text(
            f'[replication]\nreplicate_journal = true\nreplication_mode = "{settings["mode"]}"\n'
            f'sync_timeout_ms = {settings["sync_timeout_ms"]}\nreplication_retry_interval_seconds = 1\n'
            f'[failover]\nenabled = true\netcd_endpoints = [{listed}]\ncluster_name = "{CLUSTER}"\n'
            f'node_name = "{name}"\nadvertise_host = "127.0.0.1:{server.port}"\n'
            f'ttl_seconds = {settings["ttl"]}\nloop_wait_seconds = {settings["loop_wait"]}\n'
            f'retry_timeout_seconds = {settings["retry_timeout"]}\n')

    def start(self, *, proxy: bool = False) -> FailoverCluster:
        self.etcd.start()
        if self._use_relays:
            self.relays = {name: Relay(self.etcd.endpoint) for name in self.servers}
        for name, server in self.servers.items():
            self.write_config(name)
            server.start()
        self.wait_for(lambda view: view.leader is not None, "a leader")
        if proxy:
            config = self.root / "proxy.toml"
            config.write_text(f"[transaction_replay]\nreplay_timeout_seconds = {RECOVERY_DEADLINE}\n")
            self.proxy = ProxyProcess([f"127.0.0.1:{server.port}" for server in self.servers.values()],
                                      config=config).start()
        return self

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers.values():
            server.stop()
        for relay in self.relays.values():
            relay.close()
        self.etcd.stop()

    def partition(self, name: str) -> None:
        """Cut `name` off from etcd (its clients and peers still reach it)."""
        self.relays[name].cut()

    def heal(self, name: str) -> None:
        self.relays[name].restore()

    # -- etcd's view ---------------------------------------------------------------------------

    def view(self) -> ClusterView:
        async def read() -> ClusterView:
            client = EtcdClient([self.etcd.endpoint], 5.0)
            prefix = keys.root(CLUSTER)
            kvs, revision = await client.get_prefix(prefix)
            return ClusterView.parse(prefix, kvs, revision)

        return asyncio.run(read())

    def wait_for(self, condition: Callable[[ClusterView], object], what: str,
                 timeout: float = WAIT_SECONDS) -> ClusterView:
        """Poll etcd's keys (bounded) until `condition(view)` holds; returns that view."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.view()
            if condition(view):
                return view
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out waiting for {what}; etcd holds {view}\n" + self.logs())
            time.sleep(POLL_SECONDS)

    def leader(self) -> str:
        view = self.view()
        assert view.leader is not None, "no leader"
        return view.leader.name

    def healthy(self, view: ClusterView) -> bool:
        """A leader, and every other node streaming from it and, in the sync modes, listed as sync."""
        if view.leader is None:
            return False
        leader = view.leader
        for name in self.servers:
            member = view.members.get(name)
            if member is None:
                return False
            if name == leader.name:
                if member.role != "primary" or member.epoch != leader.epoch:
                    return False
            elif member.role != "standby" or member.primary != leader.address or member.epoch != leader.epoch:
                return False
        if self.settings["mode"] == "async":
            return True
        return view.sync is not None and view.sync.epoch == leader.epoch and \
            set(view.sync.standbys) == set(self.servers) - {leader.name}

    def wait_healthy(self, timeout: float = WAIT_SECONDS) -> ClusterView:
        return self.wait_for(self.healthy, "every node to follow the leader (and be listed as sync)", timeout)

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`heliosdb-lite cluster ARGS` against this cluster's etcd."""
        return subprocess.run([sys.executable, "-m", "heliosdb_lite.cli", "cluster", *args, "--etcd",
                               self.etcd.endpoint, "--cluster", CLUSTER], capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    def logs(self, lines: int = 40) -> str:
        parts = [f"--- {name} log tail:\n" + "\n".join(server.stderr_lines[-lines:])
                 for name, server in self.servers.items()]
        if self.proxy is not None:
            parts.append("--- proxy log tail:\n" + "\n".join(self.proxy.stderr_lines[-lines:]))
        return "\n".join(parts)
