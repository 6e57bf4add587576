"""The servers the benchmarks compare, started by the repository's test helpers: HeliosDB-Lite as
its own process (`tests/server_process.py`) and a local PostgreSQL 15 cluster run as user postgres
on a loopback port (`tests/pg_reference.py`)."""

from __future__ import annotations

from tests.pg_reference import (
    PG_BINDIR,
    as_postgres_user,
    reference_unavailable_reason,
    start_cluster,
    stop_cluster,
)
from tests.server_process import ServerProcess

__all__ = ["PG_BINDIR", "ServerProcess", "as_postgres_user", "reference_unavailable_reason", "start_cluster",
           "stop_cluster"]
