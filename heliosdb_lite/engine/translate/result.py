"""What a translation produces, shared by the translator, the DDL modules and the session: a
typed expression (`Typed`), a result column (`OutputColumn`), a statement ready for SQLite
(`Translation`), the 0A000 error of what is not translated (`unsupported`), and the schema a
name is qualified with (`schema_of`). A leaf: it imports nothing of the engine but `pgtypes`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError

Typed = tuple[exp.Expr, PgType]


def unsupported(what: str) -> DatabaseError:
    """0A000 naming what cannot be translated faithfully (a wrong answer is worse than an error)."""
    return DatabaseError(FEATURE_NOT_SUPPORTED, f"{what} is not supported")


def schema_of(table: exp.Table) -> str | None:
    """The schema a name is qualified with (unquoted names folded to lower case), else None."""
    db = table.args.get("db")
    if not isinstance(db, exp.Identifier):
        return None
    return db.name if db.quoted else db.name.lower()


@dataclass(frozen=True, slots=True)
class OutputColumn:
    """A result column as the translator sees it; type None: ask the prepared SQLite statement."""

    name: str
    type: PgType | None


@dataclass(frozen=True, slots=True)
class Translation:
    """A statement ready for SQLite."""

    sql: str
    command: str  # the CommandComplete tag's first word(s): "SELECT", "INSERT", "CREATE TABLE", ...
    columns: tuple[OutputColumn, ...] | None
    param_types: tuple[PgType, ...]
    target: str | None = None  # the table written
    key_sources: tuple[tuple[str, int | str], ...] = ()  # column -> parameter number or literal text
    serial_sequence: str | None = None  # INSERT: the sequence of the serial key SQLite numbers (rowid)
    serial_upsert: bool = False  # ... with ON CONFLICT: which values PostgreSQL would draw is unknown
    schema_change: bool = False
    notices: tuple[DatabaseError, ...] = ()  # sent when the statement has run
    locks_rows: bool = False  # SELECT ... FOR UPDATE/SHARE, or calling nextval/setval: run as a writer
