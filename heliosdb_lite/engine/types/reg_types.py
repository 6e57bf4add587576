"""The reg* types (regclass, regtype, regnamespace, regrole, regproc) as the engine handles them:
a cast to one is a call of its input function, a reg* value printed as text a call of its output
function (both registered by `pg_catalog`; `pg_catalog.regcasts` rewrites the casts), and the
column name PostgreSQL gives such a cast."""

from __future__ import annotations

REG_TYPES = ("regclass", "regtype", "regnamespace", "regrole", "regproc")


def input_function(reg_type: str) -> str:
    return f"helios_{reg_type}_in"


def output_function(reg_type: str) -> str:
    return f"helios_{reg_type}_out"


def cast_column_name(function: str) -> str | None:
    """The column name PostgreSQL gives the cast that `rewrite` made a call of `function` when the
    cast's operand names nothing: the reg* type's for its input function (`'int4'::regtype` is
    `regtype`), `text` for an output function (`::regtype::text`); None for other functions."""
    for reg_type in REG_TYPES:
        if function == input_function(reg_type):
            return reg_type
        if function == output_function(reg_type):
            return "text"
    return None
