"""The sqlglot dialects of the engine: PostgreSQL in, SQLite out, with the fixes the engine relies on.

Parsing uses sqlglot's PostgreSQL dialect as is (its E'..' strings arrive as ByteString nodes
decoded with C's escape rules; the translator substitutes PostgreSQL's value, `escape_strings`). The SQLite
generator renders `$n` as `?n`, a numbered SQLite parameter, so parameters bind by number and
not by order of appearance, and refuses (UnsupportedError) what it cannot express.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.dialects.sqlite import SQLite
from sqlglot.errors import ErrorLevel


def _keep_call(name: str) -> Callable[[list[exp.Expression]], exp.Expression]:
    return lambda args: exp.Anonymous(this=name, expressions=args)


class HeliosPostgres(Postgres):
    """The input dialect: a few functions stay calls (sqlglot would turn mod() into %, losing the
    column name PostgreSQL gives it)."""

    class Parser(Postgres.Parser):
        FUNCTIONS = {**Postgres.Parser.FUNCTIONS, "MOD": _keep_call("mod")}


class HeliosSQLite(SQLite):
    """The output dialect."""

    class Generator(SQLite.Generator):
        TRANSFORMS = {
            **SQLite.Generator.TRANSFORMS,
            exp.Parameter: lambda self, node: f"?{node.this.name}",
        }


def render(node: exp.Expression) -> str:
    """SQLite SQL for a translated tree."""
    return node.sql(dialect=HeliosSQLite, unsupported_level=ErrorLevel.RAISE)
