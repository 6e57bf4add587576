"""Fixtures for the codec tests: the reference PostgreSQL and a raw-bytes client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.codecs.reference_client import ReferenceClient


@pytest.fixture(scope="session")
def reference(reference_pg: str) -> Iterator[ReferenceClient]:
    """One autocommit connection to the reference server, returning raw result bytes."""
    client = ReferenceClient.connect(reference_pg)
    try:
        yield client
    finally:
        client.close()
