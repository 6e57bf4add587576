"""Differential script for the literals and the smaller built-in types the drivers' suites use:
national character strings (N'...'). Each statement runs against the engine and a real PostgreSQL 15
in order; the outcome (tag, columns, type OIDs, rows in text form, SQLSTATE, transaction status),
the error message and the notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

LITERALS = [
    "select N'Static text string' as column1, N'abc'",
    "select N'it''s  ', n'x' || 'y', pg_typeof(N'a'), N'abc' = 'abc  ', length(N'ab  ')",
    "select N'abc'::text, N'abc'::varchar(2), N''",
    "create table national_strings (c char(5), v varchar)",
    "insert into national_strings values (N'ab', N'cd  ') returning c || '|', v || '|'",
    "select * from national_strings where c = N'ab   '",
]

SCRIPT = [*LITERALS]

reference = reference_database("differential_more_types")
engine_session = engine_store("differential_more_types")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
