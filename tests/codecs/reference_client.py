"""Raw-bytes access to the reference PostgreSQL: what it answers for a literal, byte for byte.

Uses libpq through psycopg's `pgconn` so results are the server's own text or binary output,
untouched by any client-side type adaptation.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import pq


@dataclass(frozen=True)
class ReferenceError:
    """The SQLSTATE and primary message PostgreSQL reported."""

    sqlstate: str
    message: str


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class ReferenceClient:
    """Runs `SELECT '<literal>'::<type>` and returns the raw value in either format."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection
        self.pgconn = connection.pgconn
        self.execute("SET DateStyle = 'ISO, MDY'")
        self.execute("SET IntervalStyle = 'postgres'")
        self.execute("SET extra_float_digits = 1")
        self.execute("SET bytea_output = 'hex'")
        self.execute("SET TimeZone = 'UTC'")

    @classmethod
    def connect(cls, dsn: str) -> ReferenceClient:
        return cls(psycopg.connect(dsn, autocommit=True))

    def close(self) -> None:
        self.connection.close()

    def execute(self, sql: str) -> None:
        result = self.pgconn.exec_(sql.encode())
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise AssertionError(f"{sql}: {result.error_message!r}")

    def set_timezone(self, zone: str) -> None:
        self.execute(f"SET TimeZone = {sql_literal(zone)}")

    def _run(
        self,
        sql: str,
        params: list[bytes | None],
        param_types: list[int],
        param_formats: list[int],
        result_format: int,
    ) -> bytes | ReferenceError | None:
        result = self.pgconn.exec_params(
            sql.encode(),
            params,
            param_types=param_types,
            param_formats=param_formats,
            result_format=result_format,
        )
        if result.status == pq.ExecStatus.FATAL_ERROR:
            sqlstate = (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
            message = (result.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or b"").decode()
            return ReferenceError(sqlstate, message)
        assert result.status == pq.ExecStatus.TUPLES_OK, result.error_message
        return result.get_value(0, 0)

    def rows(self, sql: str) -> list[tuple[str | None, ...]]:
        """All rows of a query, every column as text."""
        result = self.pgconn.exec_(sql.encode())
        assert result.status == pq.ExecStatus.TUPLES_OK, result.error_message
        return [
            tuple(
                None if (cell := result.get_value(row, column)) is None else cell.decode()
                for column in range(result.nfields)
            )
            for row in range(result.ntuples)
        ]

    def cast(self, literal: str, type_name: str, *, binary: bool = False) -> bytes | ReferenceError | None:
        """The value of `'literal'::type_name` in text (default) or binary format, or the error."""
        return self._run(f"SELECT {sql_literal(literal)}::{type_name}", [], [], [], 1 if binary else 0)

    def parse(self, type_oid: int, text: bytes) -> bytes | ReferenceError | None:
        """Send `text` as a text parameter of type_oid; the value comes back in binary (in, then send)."""
        return self._run("SELECT $1", [text], [type_oid], [0], 1)

    def receive(
        self, type_oid: int, data: bytes, *, binary_result: bool = False
    ) -> bytes | ReferenceError | None:
        """Send `data` as a binary parameter of type_oid and read it back (the server's recv, then out)."""
        return self._run("SELECT $1", [data], [type_oid], [1], 1 if binary_result else 0)
