"""sum() and avg() of float4 and float8 values as PostgreSQL computes them (SQLite's own sum
compensates the rounding of each addition, so its totals differ in the last digits).

sum adds in order with one rounding per addition (float4pl / float8pl: in single precision for
float4), 22003 when the total overflows. avg keeps float8_accum's running count, sum and sum of
squared deviations (Youngs-Cramer), 22003 when either overflows, and divides at the end. Used as
window functions, a frame that loses rows is added up again from its first row, as PostgreSQL
recomputes it (its float aggregates have no inverse transition). A NaN (stored as 'NaN') makes the
sum and the average NaN, as PostgreSQL's.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from heliosdb_lite.engine.functions.numbers import checked_float, float_arith
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.value_storage import float_overflow, stored_float

SUM_FLOAT4 = "helios_sum_float4"
SUM_FLOAT8 = "helios_sum_float8"
AVG_FLOAT = "helios_avg_float"


class _FloatAggregate:
    """The values of the frame in order, and the state accumulated over them."""

    def __init__(self) -> None:
        self.values: deque[float] = deque()
        self.state: Any = self.start()

    def start(self) -> Any:
        raise NotImplementedError

    def add(self, state: Any, value: float) -> Any:
        raise NotImplementedError

    def result(self) -> float | None:
        raise NotImplementedError

    def step(self, stored: float | str | None) -> None:
        if stored is not None:
            value = float(stored)
            self.values.append(value)
            self.state = self.add(self.state, value)

    def inverse(self, stored: float | str | None) -> None:
        if stored is not None:
            self.values.popleft()
            state = self.start()
            for remaining in self.values:
                state = self.add(state, remaining)
            self.state = state

    def value(self) -> float | str | None:
        result = self.result()
        return None if result is None else stored_float(result)

    def final(self) -> float | str | None:
        return self.value()


class _FloatSum(_FloatAggregate):
    oid = t.FLOAT8

    def start(self) -> float | None:
        return None

    def add(self, state: float | None, value: float) -> float:
        return value if state is None else float_arith("+", state, value, self.oid)

    def result(self) -> float | None:
        return self.state


class _Float4Sum(_FloatSum):
    oid = t.FLOAT4


class _FloatAverage(_FloatAggregate):
    def start(self) -> tuple[float, float, float]:
        return 0.0, 0.0, 0.0

    def add(self, state: tuple[float, float, float], value: float) -> tuple[float, float, float]:
        count, total, squares = state
        new_count, new_total = count + 1, total + value
        if count > 0:
            deviation = value * new_count - new_total
            squares += deviation * deviation / (new_count * count)
            if math.isinf(new_total) or math.isinf(squares):
                if not math.isinf(total) and not math.isinf(value):
                    raise float_overflow()
                squares = math.nan
        return new_count, new_total, squares

    def result(self) -> float | None:
        count, total, _ = self.state
        return checked_float(total / count, total) if count else None


AGGREGATES = {SUM_FLOAT4: _Float4Sum, SUM_FLOAT8: _FloatSum, AVG_FLOAT: _FloatAverage}
