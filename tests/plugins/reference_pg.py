"""The `reference_pg` fixture: the DSN of a real PostgreSQL 15 (testsupport/pg_reference.py) started
once per test session (per worker under pytest-xdist); the tests that use it skip, saying why, when
none can be started here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testsupport.pg_reference import reference_unavailable_reason, start_cluster, stop_cluster


@pytest.fixture(scope="session")
def reference_pg() -> Iterator[str]:
    """DSN of a real PostgreSQL 15 started for this test session (skips if unavailable)."""
    reason = reference_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    cluster = start_cluster()
    try:
        yield cluster.dsn
    finally:
        stop_cluster(cluster)
