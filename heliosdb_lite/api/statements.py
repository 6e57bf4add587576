"""How the API reads a statement before running it: split into statements, and whether one
controls the transaction (BEGIN, COMMIT, ROLLBACK), which the API routes to the backend's own
begin/commit/rollback so that remote mode knows where every transaction starts and ends."""

from __future__ import annotations

from typing import Literal

from heliosdb_lite.api.errors import ProgrammingError
from heliosdb_lite.engine import parsing
from heliosdb_lite.errors import DatabaseError as EngineError

StatementKind = Literal["begin", "commit", "rollback", "other"]
_TRAILING = (None, "work", "transaction")


def split(sql: str) -> list[str]:
    """The statements of `sql`, without their semicolons ([] when there are none)."""
    try:
        return parsing.split(sql)
    except EngineError as error:
        raise ProgrammingError(error.message, sqlstate=error.sqlstate) from None


def statement_kind(sql: str) -> StatementKind:
    """"begin" for BEGIN / START TRANSACTION (with modes), "commit" for COMMIT / END, "rollback" for
    ROLLBACK / ABORT (not ROLLBACK TO SAVEPOINT), else "other"."""
    try:
        words = parsing.first_words(sql, 3)
    except EngineError:
        return "other"
    first = words[0] if words else None
    rest = words[1] if len(words) > 1 else None
    if first == "begin" or (first == "start" and rest == "transaction"):
        return "begin"
    if len(words) > 2:
        return "other"
    if first in ("commit", "end") and rest in _TRAILING:
        return "commit"
    if first in ("rollback", "abort") and rest in _TRAILING:
        return "rollback"
    return "other"
