"""The statements' count and duration histogram on /metrics (`heliosdb_statements_total`, counted
when a statement starts, and `heliosdb_statement_duration_seconds`, when it ends), kept without locks.

Every statement starts and ends on the event loop's thread (`Session._execute`), so one thread adds
to plain counters and a scrape, on the metrics endpoint's thread, reads a copy of them taken at
once (the GIL keeps the copy whole). prometheus-client's Counter and Histogram take a lock for
each change, a tenth of a point select's Python work.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

from prometheus_client.core import REGISTRY, CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
           5.0, 10.0)


class StatementMetrics(Collector):
    """Statements executed and their execution time inside the engine."""

    def __init__(self, buckets: Sequence[float] = BUCKETS) -> None:
        self._bounds = tuple(buckets)
        self._started = 0
        self._counts = [0] * (len(self._bounds) + 1)  # per bucket, the last one past every bound
        self._seconds = 0.0

    def started(self) -> None:
        """A statement began (counted then, so that started - ended is the statements running)."""
        self._started += 1

    def ended(self, seconds: float) -> None:
        """One statement ended, having run for `seconds` (on the event loop's thread only)."""
        self._counts[bisect.bisect_left(self._bounds, seconds)] += 1
        self._seconds += seconds

    def collect(self) -> Iterator[Metric]:
        started, counts, seconds = self._started, self._counts.copy(), self._seconds
        yield CounterMetricFamily("heliosdb_statements", "Statements executed", value=started)
        cumulative = 0
        buckets = []
        for bound, count in zip([*map(floatToGoString, self._bounds), "+Inf"], counts, strict=True):
            cumulative += count
            buckets.append((bound, cumulative))
        yield HistogramMetricFamily("heliosdb_statement_duration_seconds",
                                    "Statement execution time inside the engine",
                                    buckets=buckets, sum_value=seconds)


STATEMENTS = StatementMetrics()
REGISTRY.register(STATEMENTS)
