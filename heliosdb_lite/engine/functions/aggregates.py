"""The aggregates the translator calls where SQLite's own would answer otherwise: sum() and avg() of
exact numbers and intervals (also as window functions; of DISTINCT integers with one argument, as
SQLite's DISTINCT aggregates take only one), array_agg(), and the value of a scalar subquery (21000
for more than one row). sum() and avg() of floats are `float_aggregates`'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from heliosdb_lite.engine.functions import numbers, operators
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.value_storage import from_storage, to_storage
from heliosdb_lite.errors import (
    CARDINALITY_VIOLATION,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs


class Total:
    """A running total of numeric (exact, never a float) or interval values, and how many."""

    def __init__(self) -> None:
        self.total: Any = None
        self.count = 0
        self.oid = t.NUMERIC

    def _add(self, value: Any, oid: int, operator: str) -> None:
        if value is None:
            return
        self.oid = oid
        decoded = from_storage(oid)(value)
        if oid == t.INTERVAL:
            base = self.total if self.total is not None else codecs.Interval(0, 0, 0)
            self.total = operators.datetime_arith(operator, base, t.INTERVAL, decoded, t.INTERVAL, dt.UTC)
        else:
            base = self.total if self.total is not None else Decimal(0)
            self.total = numbers.numeric_arith(operator, base, Decimal(decoded))
        self.count += 1 if operator == "+" else -1

    def step(self, value: Any, oid: int) -> None:
        self._add(value, oid, "+")

    def inverse(self, value: Any, oid: int) -> None:
        self._add(value, oid, "-")

    def final(self) -> Any:
        return self.value()

    def value(self) -> Any:
        raise NotImplementedError


class NumericSum(Total):
    """sum() of int8 and numeric values (a window function too)."""

    def value(self) -> str | None:
        return to_storage(t.NUMERIC)(self.total) if self.count else None


class Average(Total):
    """avg() of integers and numerics as numeric (PostgreSQL's scale), and of intervals."""

    def value(self) -> str | None:
        if not self.count:
            return None
        if self.oid == t.INTERVAL:
            return to_storage(t.INTERVAL)(operators.interval_multiply(self.total, 1 / self.count))
        return to_storage(t.NUMERIC)(numbers.numeric_divide(self.total, Decimal(self.count)))


class DistinctIntegersSum(NumericSum):
    """sum(DISTINCT int8) as numeric; SQLite hands each distinct stored integer once."""

    def step(self, value: Any, oid: int = t.INT8) -> None:
        self._add(value, oid, "+")


class DistinctIntegersAverage(Average):
    """avg(DISTINCT integer) as numeric; SQLite hands each distinct stored integer once."""

    def step(self, value: Any, oid: int = t.INT8) -> None:
        self._add(value, oid, "+")


class ArrayAggregate:
    """array_agg(value): the values, in the order aggregated, as an array of their type."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.oid = t.TEXT

    def step(self, value: Any, oid: int) -> None:
        self.oid = oid
        self.values.append(from_storage(oid)(value))

    def final(self) -> str | None:
        if not self.values:
            return None
        return to_storage(codecs.type_by_oid(self.oid).array_oid)(self.values)


class ScalarSubquery:
    """The value of a scalar subquery's rows: NULL for none, 21000 for more than one."""

    def __init__(self) -> None:
        self.rows = 0
        self.value: Any = None

    def step(self, value: Any) -> None:
        self.rows += 1
        if self.rows > 1:
            raise DatabaseError(CARDINALITY_VIOLATION,
                                "more than one row returned by a subquery used as an expression")
        self.value = value

    def final(self) -> Any:
        return self.value
