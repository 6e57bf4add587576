"""min() and max() of an extension's type that has an order of its own (citext): PostgreSQL's
citext_smaller / citext_larger keep the later of two values equal in that order (`min` of 'a' then
'A' is 'A'), where SQLite's min and max keep the earlier. As window functions, a frame that loses a
row drops its value (the oldest of that text) and the extreme is found again over the frame.
"""

from __future__ import annotations

from typing import Any

from heliosdb_lite.engine.store import user_types

EXTREME = "helios_ext_extreme"


class Extreme:
    """The frame's stored values in order, and which extreme (largest: max) of which type."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.oid = 0
        self.largest = False

    def step(self, stored: Any, oid: int, largest: int) -> None:
        self.oid, self.largest = oid, bool(largest)
        if stored is not None:
            self.values.append(stored)

    def inverse(self, stored: Any, oid: int, largest: int) -> None:
        if stored is not None:
            self.values.remove(stored)

    def value(self) -> Any:
        if not self.values:  # no rows, or only NULLs
            return None
        provided = user_types.extension_type(self.oid)
        assert provided is not None, self.oid
        best = None
        for stored in self.values:
            order = 0 if best is None else provided.stored_compare(best, stored)
            if best is None or (order <= 0 if self.largest else order >= 0):
                best = stored  # the later of two equal values, as citext_larger / citext_smaller
        return best

    def final(self) -> Any:
        return self.value()
