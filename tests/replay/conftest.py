"""Replay test fixtures: the lossy SQLite VFS, registered as the default for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.replay.lossy_vfs import LossyVFS


@pytest.fixture
def lossy_vfs() -> Iterator[LossyVFS]:
    vfs = LossyVFS()
    try:
        yield vfs
    finally:
        vfs.unregister()
