"""The etcd v3 JSON-gateway client against a real etcd: keys, create-if-absent transactions,
leases (renewal, revocation, expiry seen by a watch), endpoint rotation, and the deadline every call
keeps when an endpoint is down, silent, or etcd itself is stopped (SIGSTOP)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

from heliosdb_lite.failover.etcd import Compare, EtcdClient, EtcdUnavailable, put_op
from testsupport.etcd_process import EtcdProcess
from testsupport.server_process import free_port

DEADLINE = 1.0
SLACK = 0.5  # scheduling on a loaded 2-core machine


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A port that accepts connections and never answers (a hung etcd)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


async def test_keys_round_trip(etcd: EtcdProcess) -> None:
    client = EtcdClient([etcd.endpoint], DEADLINE)
    assert await client.get("/t/a") is None
    await client.put("/t/a", "one")
    await client.put("/t/b", "two")
    await client.put("/u/c", "other prefix")
    got = await client.get("/t/a")
    assert got is not None and got.value == "one" and got.create_revision > 0
    listed, revision = await client.get_prefix("/t/")
    assert [(kv.key, kv.value) for kv in listed] == [("/t/a", "one"), ("/t/b", "two")]
    assert revision >= got.mod_revision
    await client.delete("/t/a")
    assert await client.get("/t/a") is None


async def test_create_only_once_and_compared_transactions(etcd: EtcdProcess) -> None:
    client = EtcdClient([etcd.endpoint], DEADLINE)
    assert await client.create("/t/leader", "node1")
    assert not await client.create("/t/leader", "node2")
    current = await client.get("/t/leader")
    assert current is not None and current.value == "node1"
    assert not await client.txn([Compare("/t/leader", "VALUE", "node2")], [put_op("/t/leader", "x")])
    assert await client.txn([Compare("/t/leader", "MOD", current.mod_revision)], [put_op("/t/leader", "y")])
    stored = await client.get("/t/leader")
    assert stored is not None and stored.value == "y"


async def test_lease_renewal_revocation_and_expiry_seen_by_a_watch(etcd: EtcdProcess) -> None:
    client = EtcdClient([etcd.endpoint], DEADLINE)
    lease, ttl = await client.grant(2)
    assert ttl == 2
    await client.put("/t/held", "v", lease=lease)
    assert 1 <= await client.keepalive(lease) <= 2
    stored = await client.get("/t/held")
    assert stored is not None and stored.lease == lease
    await client.revoke(lease)
    assert await client.get("/t/held") is None
    assert await client.keepalive(lease) == 0
    await client.revoke(lease)  # already gone: no error

    expiring, _ = await client.grant(2)
    await client.put("/t/expiring", "v", lease=expiring)
    _, revision = await client.get_prefix("/t/")
    started = time.monotonic()

    async def first_delete() -> str:
        async for event in client.watch("/t/", revision + 1):
            if event.kind == "DELETE":
                return event.kv.key
        raise AssertionError("the watch ended")

    assert await asyncio.wait_for(first_delete(), 10) == "/t/expiring"
    assert time.monotonic() - started >= 1.5  # not before the lease's TTL


async def test_a_dead_or_silent_endpoint_is_skipped(etcd: EtcdProcess, silent_endpoint: str) -> None:
    dead = f"127.0.0.1:{free_port()}"
    client = EtcdClient([dead, silent_endpoint, etcd.endpoint], 3.0)
    started = time.monotonic()
    await client.put("/t/rotated", "yes")
    assert time.monotonic() - started < 3.0 + SLACK
    assert client.endpoints[client._current] == etcd.endpoint  # the one that answered stays current
    started = time.monotonic()
    stored = await client.get("/t/rotated")
    assert stored is not None and stored.value == "yes"
    assert time.monotonic() - started < SLACK


@pytest.mark.parametrize("kind", ["dead", "silent"])
async def test_no_call_outlives_its_deadline(silent_endpoint: str, kind: str) -> None:
    endpoint = silent_endpoint if kind == "silent" else f"127.0.0.1:{free_port()}"
    client = EtcdClient([endpoint], DEADLINE)
    started = time.monotonic()
    with pytest.raises(EtcdUnavailable, match="within 1 s"):
        await client.keepalive(1)
    assert DEADLINE - 0.05 <= time.monotonic() - started < DEADLINE + SLACK


async def test_a_stopped_etcd_makes_calls_fail_in_time_then_answer_again(etcd: EtcdProcess) -> None:
    client = EtcdClient([etcd.endpoint], DEADLINE)
    lease, _ = await client.grant(10)
    etcd.pause()
    try:
        started = time.monotonic()
        with pytest.raises(EtcdUnavailable):
            await client.keepalive(lease)
        assert time.monotonic() - started < DEADLINE + SLACK
    finally:
        etcd.resume()
    assert await client.keepalive(lease) > 0
