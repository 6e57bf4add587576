"""TABLESAMPLE's choice of rows (`translate.table_samples`): `helios_tablesample(percent, seed, row)`
keeps a row with probability percent / 100, drawn at random, or with REPEATABLE (seed not NULL)
decided by the seed and the row's rowid alone, so the same seed picks the same rows of an unchanged
table. SYSTEM samples rows as BERNOULLI does (PostgreSQL's picks whole pages: the same expected
share, another spread). PostgreSQL's errors for a percentage NULL or outside 0..100 (2202H)."""

from __future__ import annotations

import random
import struct

from heliosdb_lite.engine.functions.names import TABLESAMPLE
from heliosdb_lite.errors import INVALID_TABLESAMPLE_ARGUMENT, INVALID_TABLESAMPLE_REPEAT, DatabaseError

_MASK = (1 << 64) - 1
_SCALE = float(1 << 64)


def sampled(percent: float | None, seed: float | None, seeded: int, row: int | None) -> int:
    """1 if the row is in the sample, else 0."""
    if percent is None:
        raise DatabaseError(INVALID_TABLESAMPLE_ARGUMENT, "TABLESAMPLE parameter cannot be null")
    if not 0 <= percent <= 100:
        raise DatabaseError(INVALID_TABLESAMPLE_ARGUMENT, "sample percentage must be between 0 and 100")
    if not seeded:
        return int(random.random() * 100 < percent)
    if seed is None:
        raise DatabaseError(INVALID_TABLESAMPLE_REPEAT, "TABLESAMPLE REPEATABLE parameter cannot be null")
    (bits,) = struct.unpack("<Q", struct.pack("<d", float(seed)))
    return int(_mixed(bits * 0x9E3779B97F4A7C15 + (row or 0)) / _SCALE * 100 < percent)


def _mixed(value: int) -> int:
    """splitmix64's finaliser: 64 well-mixed bits of `value`."""
    value &= _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


FUNCTIONS = {TABLESAMPLE: sampled}
