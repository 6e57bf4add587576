"""What a cluster keeps in etcd, under /heliosdb/<cluster_name>/ (values are JSON):

- `leader` (the leader's lease): name, address, epoch of the primary; taken in a txn only if absent;
- `epoch` (no lease): the highest epoch ever taken, written in the same txn: epochs are unique;
- `sync` (no lease, the primary's): leader, epoch, required, standbys — the sync standbys whose
  acknowledgements count, so every acknowledged commit is on `required` of them;
- `status` (no lease, the primary's, every loop): its name, epoch and last LSN (what an async
  failover may lose);
- `members/<name>` (each node's lease, every loop): address, role, epoch, LSNs, its primary;
- `failover` (no lease, `heliosdb-lite cluster switchover/failover`): leader, candidate, forced, at;
- `config` (no lease, `heliosdb-lite cluster pause/resume`): paused — no automatic failover.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from heliosdb_lite.failover.etcd import KeyValue

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

ROOT = "/heliosdb"
FAILOVER_REQUEST_SECONDS = 30.0  # a switchover/failover request older than this is ignored


def root(cluster: str) -> str:
    return f"{ROOT}/{cluster}/"


def encode(value: Any) -> str:
    return json.dumps(asdict(value) if hasattr(value, "__dataclass_fields__") else value, sort_keys=True)


def _load(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Leader:
    name: str
    address: str
    epoch: int


@dataclass(frozen=True)
class SyncState:
    leader: str
    epoch: int
    required: int
    standbys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Member:
    name: str
    address: str
    role: str  # primary, standby, fenced
    epoch: int
    lsn: int  # the journal's last LSN (on a standby: received and fsynced)
    applied: int
    primary: str = ""  # the address a standby streams from


@dataclass(frozen=True)
class FailoverRequest:
    candidate: str
    leader: str = ""  # the leader it was asked of ("" when there was none)
    forced: bool = False
    at: float = 0.0  # wall-clock time of the request

    @property
    def fresh(self) -> bool:
        return time.time() - self.at < FAILOVER_REQUEST_SECONDS


Record = TypeVar("Record", bound="DataclassInstance")


def _build(cls: type[Record], raw: dict[str, Any]) -> Record | None:
    """The record of `raw`'s fields that `cls` has (others ignored), None if one it needs is missing."""
    names = cls.__dataclass_fields__
    try:
        return cls(**{key: value for key, value in raw.items() if key in names})
    except TypeError:
        return None


@dataclass
class ClusterView:
    """The cluster's keys as read at `revision`."""

    revision: int = 0
    leader: Leader | None = None
    leader_kv: KeyValue | None = None
    epoch: int = 0
    epoch_kv: KeyValue | None = None
    sync: SyncState | None = None
    status: dict[str, Any] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    failover: FailoverRequest | None = None
    paused: bool = False

    @classmethod
    def parse(cls, prefix: str, kvs: list[KeyValue], revision: int) -> ClusterView:
        view = cls(revision=revision)
        for kv in kvs:
            name = kv.key[len(prefix):]
            raw = _load(kv.value)
            if name == "leader":
                view.leader, view.leader_kv = _build(Leader, raw), kv
            elif name == "epoch":
                view.epoch, view.epoch_kv = int(kv.value or 0) if kv.value.isdigit() else 0, kv
            elif name == "sync":
                view.sync = _build(SyncState, raw)
            elif name == "status":
                view.status = raw
            elif name.startswith("members/"):
                member = _build(Member, raw)
                if member is not None:
                    view.members[member.name] = member
            elif name == "failover":
                view.failover = _build(FailoverRequest, raw)
            elif name == "config":
                view.paused = bool(raw.get("paused", False))
        return view
