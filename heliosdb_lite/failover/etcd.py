"""An etcd v3 client over its JSON gateway (/v3/kv/*, /v3/lease/*, /v3/watch), as Patroni's etcd3
client talks to it: keys and values base64, one deadline per call, endpoints rotated.

Every call but `watch` ends within `timeout` seconds: it tries the current endpoint and, when that
fails to answer (refused, reset, slow), the next ones in turn until the deadline, then raises
`EtcdUnavailable`. An endpoint that answered stays the current one. An answer etcd gives as an
error (a bad request, a missing lease) is `EtcdError` at once, without rotation.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from heliosdb_lite.failover.http import HttpError, post_json, stream_json

ROUND_PAUSE_SECONDS = 0.05
_TRANSPORT_ERRORS = (OSError, TimeoutError, asyncio.IncompleteReadError, HttpError)


class EtcdError(Exception):
    """etcd refused a request (its message)."""


class EtcdUnavailable(EtcdError):
    """No endpoint answered before the deadline."""


def _b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def _prefix_end(prefix: str) -> str:
    """The range_end that selects every key starting with `prefix`."""
    raw = bytearray(prefix.encode())
    raw[-1] += 1
    return _b64(bytes(raw))


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: str
    create_revision: int
    mod_revision: int
    lease: int


@dataclass(frozen=True, slots=True)
class Event:
    """One change seen by a watch: `deleted` or put, and the key's new value."""

    kind: str  # "PUT" or "DELETE"
    kv: KeyValue


def _kv(raw: dict[str, Any]) -> KeyValue:
    return KeyValue(base64.b64decode(raw.get("key", "")).decode(),
                    base64.b64decode(raw.get("value", "")).decode(),
                    int(raw.get("create_revision", 0)), int(raw.get("mod_revision", 0)),
                    int(raw.get("lease", 0)))


@dataclass(frozen=True, slots=True)
class Compare:
    """One txn comparison: `target` is VALUE, CREATE (create_revision) or MOD (mod_revision)."""

    key: str
    target: str
    value: str | int

    def json(self) -> dict[str, Any]:
        field = {"VALUE": "value", "CREATE": "create_revision", "MOD": "mod_revision"}[self.target]
        text = str(self.value)
        value = _b64(text) if self.target == "VALUE" else text
        return {"key": _b64(self.key), "target": self.target, "result": "EQUAL", field: value}


def put_op(key: str, value: str, lease: int = 0) -> dict[str, Any]:
    request: dict[str, Any] = {"key": _b64(key), "value": _b64(value)}
    if lease:
        request["lease"] = str(lease)
    return {"request_put": request}


def delete_op(key: str) -> dict[str, Any]:
    return {"request_delete_range": {"key": _b64(key)}}


class EtcdClient:
    """See the module docstring; `endpoints` are "host:port" of etcd's client URLs."""

    def __init__(self, endpoints: Sequence[str], timeout: float) -> None:
        if not endpoints:
            raise ValueError("no etcd endpoint")
        self.endpoints = list(endpoints)
        self.timeout = timeout
        self._current = 0

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST one request, rotating endpoints, within `timeout` (see the module docstring)."""
        deadline = time.monotonic() + self.timeout
        problems: list[str] = []
        for attempt in itertools.count():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EtcdUnavailable(f"no etcd endpoint answered {path} within {self.timeout:g} s: "
                                      + "; ".join(problems[-len(self.endpoints):]))
            endpoint = self.endpoints[self._current]
            untried = len(self.endpoints) - attempt % len(self.endpoints)
            try:
                return await asyncio.wait_for(post_json(endpoint, path, body), remaining / untried)
            except HttpError as error:
                if error.status and error.status < 500:
                    raise EtcdError(f"etcd {endpoint} refused {path}: {error}") from None
                problems.append(f"{endpoint}: {error}")
            except _TRANSPORT_ERRORS as error:
                problems.append(f"{endpoint}: {type(error).__name__} {error}".rstrip())
            self._current = (self._current + 1) % len(self.endpoints)
            if untried == 1:  # every endpoint failed once: pause briefly before the next round
                await asyncio.sleep(min(ROUND_PAUSE_SECONDS, max(deadline - time.monotonic(), 0)))
        raise AssertionError("unreachable")

    # -- keys ----------------------------------------------------------------------------------

    async def get(self, key: str) -> KeyValue | None:
        answer = await self.call("/v3/kv/range", {"key": _b64(key)})
        kvs = answer.get("kvs") or []
        return _kv(kvs[0]) if kvs else None

    async def get_prefix(self, prefix: str) -> tuple[list[KeyValue], int]:
        """Every key under `prefix`, and the store's revision they were read at."""
        answer = await self.call("/v3/kv/range", {"key": _b64(prefix), "range_end": _prefix_end(prefix)})
        return [_kv(raw) for raw in answer.get("kvs") or []], int(answer["header"]["revision"])

    async def put(self, key: str, value: str, lease: int = 0) -> None:
        await self.call("/v3/kv/put", put_op(key, value, lease)["request_put"])

    async def delete(self, key: str) -> None:
        await self.call("/v3/kv/deleterange", {"key": _b64(key)})

    async def txn(self, compare: Sequence[Compare], success: Sequence[dict[str, Any]],
                  failure: Sequence[dict[str, Any]] = ()) -> bool:
        """Run `success` if every comparison holds, else `failure`; whether they held."""
        answer = await self.call("/v3/kv/txn", {"compare": [c.json() for c in compare],
                                                "success": list(success), "failure": list(failure)})
        return bool(answer.get("succeeded"))

    async def create(self, key: str, value: str, lease: int = 0) -> bool:
        """Put `key` only if it does not exist; whether it was created."""
        return await self.txn([Compare(key, "CREATE", 0)], [put_op(key, value, lease)])

    # -- leases --------------------------------------------------------------------------------

    async def grant(self, ttl: int) -> tuple[int, int]:
        """A new lease: (id, TTL granted)."""
        answer = await self.call("/v3/lease/grant", {"TTL": str(ttl)})
        return int(answer["ID"]), int(answer["TTL"])

    async def keepalive(self, lease: int) -> int:
        """Renew `lease`; the TTL it now has, 0 when it no longer exists."""
        answer = await self.call("/v3/lease/keepalive", {"ID": str(lease)})
        return int(answer.get("result", answer).get("TTL", 0))

    async def revoke(self, lease: int) -> None:
        """Revoke `lease` (its keys go with it); a lease that is already gone is no error."""
        try:
            await self.call("/v3/lease/revoke", {"ID": str(lease)})
        except EtcdError as error:
            if "not found" not in str(error):
                raise

    # -- watch ---------------------------------------------------------------------------------

    async def watch(self, prefix: str, start_revision: int) -> AsyncIterator[Event]:
        """Changes under `prefix` from `start_revision` on, until the stream breaks (OSError,
        IncompleteReadError, HttpError: the caller re-reads and watches again). No deadline: the
        caller runs it where waiting blocks nothing."""
        endpoint = self.endpoints[self._current]
        request = {"create_request": {"key": _b64(prefix), "range_end": _prefix_end(prefix),
                                      "start_revision": str(start_revision)}}
        async for message in stream_json(endpoint, "/v3/watch", request):
            result = message.get("result", {})
            for event in result.get("events") or []:
                yield Event(event.get("type", "PUT"), _kv(event.get("kv", {})))
