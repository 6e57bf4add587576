"""The connection one server opens to another (`replication.client.PeerConnection`) against a real
server: a primary's probe of its peer (`peer_parameters`) is an ordinary session, so it must name
the database the server serves whatever `replication.replication_user` is."""

from __future__ import annotations

import asyncio

from heliosdb_lite.replication.client import PeerCredentials, peer_parameters
from testsupport.server_process import ServerProcess


def test_peer_probe_as_a_replication_user_other_than_postgres(server: ServerProcess) -> None:
    credentials = PeerCredentials(user="replicator")
    parameters = asyncio.run(peer_parameters(f"{server.host}:{server.port}", credentials))
    assert parameters["in_hot_standby"] == "off"
    assert parameters["session_authorization"] == "replicator"
