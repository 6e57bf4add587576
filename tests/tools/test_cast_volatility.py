"""engine/types/cast_volatility.py is what tools/update_cast_volatility.py reads from PostgreSQL 15."""

from __future__ import annotations

from tools.generated import write_region
from tools.update_cast_volatility import TARGET, immutable_pairs, render


def test_cast_volatility_py_is_generated_from_postgresql(reference_pg: str) -> None:
    current = write_region(TARGET, render(immutable_pairs(reference_pg)), check=True)
    assert current, "cast_volatility.py is stale: run python -m tools.update_cast_volatility"
