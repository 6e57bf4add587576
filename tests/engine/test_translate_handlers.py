"""The translator's handler tables: each module's (`HANDLERS`, keyed by expression type) is merged
into `translate.HANDLERS`; a type handled by two modules would have one handler silently replaced."""

from __future__ import annotations

from collections import Counter

from heliosdb_lite.engine import translate
from heliosdb_lite.engine.translate import (
    calls,
    expressions,
    operators,
    queries,
    ranges,
    records,
    user_functions,
)


def test_no_expression_type_has_handlers_in_two_modules() -> None:
    counts = Counter(node_type for module in (expressions, operators, calls, queries, ranges, records,
                                                    user_functions)
                     for node_type in module.HANDLERS)
    assert [node_type.__name__ for node_type, count in counts.items() if count > 1] == []
    assert len(translate.HANDLERS) == sum(counts.values())
