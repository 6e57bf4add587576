"""`heliosdb-lite proxy`: a PostgreSQL v3 sidecar that hides lost server connections from any driver.

It records each client session's state and open transaction, and when the server connection
fails it reconnects to the writable upstream, restores the session, resolves an interrupted
COMMIT by its GTID and replays the transaction, validating every response the client already
saw (docs/replay-proxy.md). Both of its sides speak through `heliosdb_lite.protocol`; the replay
rules are `heliosdb_lite.transparent_replay`'s.
"""
