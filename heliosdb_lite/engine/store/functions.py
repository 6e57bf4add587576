"""User-defined functions (CREATE FUNCTION), as the store keeps them: one row of

    _helios_functions(oid, name, arguments, result_sql, result_oid, language, volatility, strict,
                      source, body)

name is the storage name (`schemas`: the schema as a prefix), arguments a JSON list of
[name or null, type as written (PostgreSQL SQL), type OID, DEFAULT as written or null], result_*
the declared result type, language `sql` or `plpgsql`, volatility pg_proc's letter (i, s, v),
source the body as written (pg_proc.prosrc), body the PostgreSQL query the function computes:
for LANGUAGE sql the body itself (one SELECT), for plpgsql `SELECT <the RETURN expression>`.

A call is translated by inlining that query (`translate/user_functions.py`); the row is written
by DDL inside the transaction, so it is journaled, replayed after a crash and shipped to standbys
like every other write.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

import apsw

from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.protocol.codecs import user_types as codec_types

FUNCTIONS_TABLE = "_helios_functions"
CREATE_TABLE = (f"CREATE TABLE IF NOT EXISTS {FUNCTIONS_TABLE} (oid INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "arguments TEXT NOT NULL, result_sql TEXT NOT NULL, result_oid INTEGER NOT NULL, "
                "language TEXT NOT NULL, volatility TEXT NOT NULL, strict INTEGER NOT NULL, "
                "source TEXT NOT NULL, body TEXT NOT NULL)")


@dataclass(frozen=True, slots=True)
class Argument:
    name: str | None
    type_sql: str
    type_oid: int
    default_sql: str | None


@dataclass(frozen=True, slots=True)
class Function:
    oid: int
    stored: str
    arguments: tuple[Argument, ...]
    result_sql: str
    result_oid: int
    language: str
    volatility: str
    strict: bool
    source: str
    body: str

    @property
    def name(self) -> str:
        return schemas.split(self.stored)[1]

    @property
    def schema(self) -> str:
        return schemas.split(self.stored)[0]

    @property
    def argument_oids(self) -> tuple[int, ...]:
        return tuple(argument.type_oid for argument in self.arguments)

    @property
    def signature(self) -> str:
        """`name(type, ...)`, as PostgreSQL names a function in its messages."""
        types = ", ".join(format_type(argument.type_oid, -1) for argument in self.arguments)
        return f"{self.name}({types})"

    @property
    def defaults(self) -> int:
        return sum(argument.default_sql is not None for argument in self.arguments)


def functions(connection: apsw.Connection) -> tuple[Function, ...]:
    """Every user-defined function of the store, by OID."""
    try:  # not table_exists: that reads the connection's schema as last loaded, which another
        # connection's CREATE (a standby's replay) may have outdated; a statement loads it again
        rows: list[tuple[int, str, str, str, int, str, str, int, str, str]] = list(connection.execute(
            "SELECT oid, name, arguments, result_sql, result_oid, language, volatility, strict, source, "
            f"body FROM main.{FUNCTIONS_TABLE} ORDER BY oid"))
    except apsw.SQLError as error:
        if "no such table" not in str(error):
            raise
        return ()
    return tuple(Function(oid, stored, tuple(Argument(*argument) for argument in json.loads(arguments)),
                          result_sql, result_oid, language, volatility, bool(strict), source, body)
                 for oid, stored, arguments, result_sql, result_oid, language, volatility, strict, source,
                 body in rows)


def new_oid(connection: apsw.Connection) -> int:
    """An OID no function of the store has (random in the user range, as types' are)."""
    taken = {function.oid for function in functions(connection)}
    while True:
        oid = random.randint(codec_types.FIRST_OID, codec_types.LAST_OID)
        if oid not in taken:
            return oid


def inserted(function: Function) -> list[str]:
    """The statements that record a new function."""
    arguments = json.dumps([[a.name, a.type_sql, a.type_oid, a.default_sql] for a in function.arguments])
    return [CREATE_TABLE,
            f"INSERT INTO {FUNCTIONS_TABLE} VALUES ({function.oid}, {string_literal(function.stored)}, "
            f"{string_literal(arguments)}, {string_literal(function.result_sql)}, {function.result_oid}, "
            f"{string_literal(function.language)}, {string_literal(function.volatility)}, "
            f"{int(function.strict)}, {string_literal(function.source)}, {string_literal(function.body)})"]


def deleted(function: Function) -> str:
    return f"DELETE FROM {FUNCTIONS_TABLE} WHERE oid = {function.oid}"
