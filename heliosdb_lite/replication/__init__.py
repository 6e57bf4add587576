"""Journal replication: hot standbys, the three protection modes, promotion and fencing.

`wire.py` holds the messages of a replication connection, `client.py` the standby's side of the
PostgreSQL protocol, `sender.py` the primary's side of one standby, `receiver.py` the standby's
stream, `acks.py` the sync-mode acknowledgement barrier, `role.py` what a server is (primary,
standby, fenced) and `node.py` puts them together for the server. docs/replication.md describes it.
"""
