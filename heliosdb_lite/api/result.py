"""One executed statement's result as both modes hand it to the API: columns, rows (Python
values, as psycopg loads them), and the command tag with the row count it implies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heliosdb_lite.engine.interface import Column

_COUNTED_TAGS = frozenset({"INSERT", "UPDATE", "DELETE", "SELECT", "MERGE", "MOVE", "FETCH", "COPY"})
NUMERIC_OID = 1700
VARHDRSZ = 4


@dataclass(frozen=True, slots=True)
class Result:
    """`columns` is None for a statement that returns no rows (INSERT without RETURNING, SET)."""

    columns: tuple[Column, ...] | None
    command_tag: str
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def rowcount(self) -> int:
        """Rows returned or affected, from the command tag (`INSERT 0 3` → 3); -1 when it has none."""
        words = self.command_tag.split()
        if len(words) >= 2 and words[0] in _COUNTED_TAGS and words[-1].isdigit():
            return int(words[-1])
        return -1

    def description(self) -> list[tuple[Any, ...]] | None:
        """PEP 249's description: (name, type_code = type OID, display_size, internal_size,
        precision, scale, null_ok) per column; precision and scale for numeric(p, s)."""
        if self.columns is None:
            return None
        return [(column.name, column.type_oid, None, None, *_precision_scale(column), None)
                for column in self.columns]


def _precision_scale(column: Column) -> tuple[int | None, int | None]:
    if column.type_oid != NUMERIC_OID or column.type_modifier < VARHDRSZ:
        return None, None
    modifier = column.type_modifier - VARHDRSZ
    return modifier >> 16, modifier & 0xFFFF
