"""Casts where SQLite stores what an expression gives: an index key, an index predicate, a generated
column. SQLite takes only deterministic functions there and PostgreSQL only immutable ones, while
the cast function every other expression calls (`functions.names.CAST`) reads the session's
TimeZone and DateStyle, so SQLite refused every cast there (XX000). A cast PostgreSQL classes
immutable (`types/cast_volatility.py`: `int::text`, `text::int`, `(jsonb ->> 'k')::int`, a typmod)
becomes a call of the deterministic cast, which reads no setting; any other is PostgreSQL's 42P17.
"""

from __future__ import annotations

from sqlglot import exp

from heliosdb_lite.engine.functions import names
from heliosdb_lite.engine.types.cast_volatility import IMMUTABLE_CASTS
from heliosdb_lite.errors import INVALID_OBJECT_DEFINITION, DatabaseError


def immutable_casts(tree: exp.Expr, refusal: str) -> exp.Expr:
    """The translated `tree` with its casts made the deterministic cast; 42P17 `refusal` for a cast
    PostgreSQL does not class immutable."""
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() != names.CAST:
            continue
        source, target = (int(argument.this) for argument in node.expressions[1:3])
        if source != target and (source, target) not in IMMUTABLE_CASTS:
            raise DatabaseError(INVALID_OBJECT_DEFINITION, refusal)
        node.set("this", names.IMMUTABLE_CAST)
    return tree
