"""What a server with `[failover] enabled` does before it opens its data: ask etcd which node leads,
and start as a standby of that node — rejoining it first when this server's journal has parted from
the leader's (`replication/rejoin.py`) — or, when there is no leader or etcd does not answer within
retry_timeout_seconds, as a standby of none yet. It never starts as a primary: the agent promotes
it once it holds the leader key (agent.py). The PROMOTED and DEPOSED markers of manual failover are
dropped: etcd, not the data directory, says who leads.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from heliosdb_lite.config import Config
from heliosdb_lite.failover import keys
from heliosdb_lite.failover.etcd import EtcdClient, EtcdError
from heliosdb_lite.failover.keys import ClusterView, Leader
from heliosdb_lite.replication.rejoin import DEPOSED_FILE, PROMOTED_FILE, prepare_standby

log = logging.getLogger("heliosdb.failover")


async def _leader(config: Config) -> Leader | None:
    settings = config.failover
    client = EtcdClient(settings.etcd_endpoints, settings.retry_timeout_seconds)
    prefix = keys.root(settings.cluster_name)
    try:
        kvs, revision = await client.get_prefix(prefix)
    except EtcdError as error:
        log.warning("failover: etcd does not answer at start-up (%s): starting as a standby with no primary "
                    "yet", error)
        return None
    return ClusterView.parse(prefix, kvs, revision).leader


def startup_config(config: Config) -> Config:
    """The configuration to start with: a standby of the leader etcd names, if any but this node."""
    leader = asyncio.run(_leader(config))
    primary = None
    if leader is not None and leader.name != config.failover.node_name:
        primary = leader.address
        log.info("failover: etcd names %s (%s, epoch %d) the leader: starting as its standby", leader.name,
                 primary, leader.epoch)
    replication = dataclasses.replace(config.replication, role="standby", primary_host=primary,
                                      standby_host=None, standby_name=config.failover.node_name)
    return dataclasses.replace(config, replication=replication)


def prepare(config: Config) -> None:
    """Under the data directory's lock: drop the manual-failover markers, then rejoin the leader."""
    for marker in (PROMOTED_FILE, DEPOSED_FILE):
        (config.database.path / marker).unlink(missing_ok=True)
    prepare_standby(config)
