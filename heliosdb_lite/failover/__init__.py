"""Automatic failover with leadership in etcd (docs/failover.md).

`http.py` is the HTTP client of etcd's JSON gateway, `etcd.py` the etcd v3 calls over it,
`keys.py` what the cluster keeps in etcd, `agent.py` the loop each server runs, `startup.py` what a
server asks etcd before it opens its data, `command.py` the `heliosdb-lite cluster` commands.
"""
