"""Transparent replay, the driver-independent half: what the proxy (`heliosdb_lite.proxy`) and the
remote Python API share, sans-IO.

- `policy`: how hard one recovery tries (reconnect backoff, replay attempts, hard deadline);
- `statements`: what a statement does to the session or the transaction (BEGIN, COMMIT, SET, ...);
- `recording`: the byte budget and the off switch of one session's recorded transaction;
- `checksum`: XXH3-128 digests of the responses a client has seen;
- `outcome`: the GTID outcome lookup and its decision (answer as recorded, or replay);
- `failure`: the replay error, SQLSTATE HZ001, naming the GTID, the statement and the reason;
- `metrics`: Prometheus metrics and the `heliosdb_replay_metrics()` counts of the client side.

The protocol is documented in docs/replay-proxy.md.
"""
