"""`helios_raise_exception(sqlstate, message, detail, hint)`: PL/pgSQL's RAISE EXCEPTION in a
function's body (`translate/plpgsql_bodies.py` makes the statement this call, in the branch that
takes it): the statement fails with that SQLSTATE (P0001 when NULL), message, DETAIL and HINT.
Registered as not deterministic, so SQLite never evaluates it ahead of the branch that calls it."""

from __future__ import annotations

from typing import Any

from heliosdb_lite.errors import RAISE_EXCEPTION, DatabaseError

RAISE_FUNCTION = "helios_raise_exception"


def raise_exception(*arguments: Any) -> None:
    """(sqlstate, message, detail, hint): always raises."""
    sqlstate, message, detail, hint = arguments
    raise DatabaseError(sqlstate or RAISE_EXCEPTION, message, detail=detail, hint=hint)
