"""What `connect`/`Database.open` was given, and the backend it opens: a `Config`, a TOML file or a
data directory → embedded; a DSN (a `postgresql://` URI or `key=value` pairs) → remote."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from heliosdb_lite.api.backend import Backend
from heliosdb_lite.config import Config, DatabaseConfig

Target = Config | str | os.PathLike[str]
_KEYWORD_VALUE = re.compile(r"^\s*[A-Za-z_]+\s*=")
_URI = re.compile(r"^postgres(ql)?://", re.IGNORECASE)


def is_dsn(target: Target) -> bool:
    return isinstance(target, str) and bool(_URI.match(target) or _KEYWORD_VALUE.match(target))


def embedded_config(target: Config | str | os.PathLike[str]) -> Config:
    """The configuration an embedded target names: a Config as is, a `.toml` file through
    `Config.from_file`, a directory as `database.path` with every other key at its default."""
    if isinstance(target, Config):
        return target
    path = Path(target)
    if path.suffix == ".toml" or path.is_file():
        return Config.from_file(path)
    return replace(Config(), database=DatabaseConfig(path=path))


def open_backend(target: Target, **options: Any) -> Backend:
    if is_dsn(target):
        from heliosdb_lite.api.remote import RemoteBackend

        assert isinstance(target, str)
        return RemoteBackend(target, **options)
    from heliosdb_lite.api.embedded import EmbeddedBackend

    return EmbeddedBackend(embedded_config(target), **options)
