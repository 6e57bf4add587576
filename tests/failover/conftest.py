"""Fixtures of the failover tests: a real etcd on free loopback ports, in the test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testsupport.etcd_process import EtcdProcess


@pytest.fixture
def etcd(tmp_path: Path) -> Iterator[EtcdProcess]:
    process = EtcdProcess(tmp_path / "etcd").start()
    try:
        yield process
    finally:
        process.stop()
