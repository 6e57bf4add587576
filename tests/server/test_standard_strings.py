r"""standard_conforming_strings and escape_string_warning over the wire, the server beside a real
PostgreSQL 15 (skipped without it): the ParameterStatus each SET sends, ordinary string constants
read with backslash escapes under `off` (in the simple and the extended protocol, several
statements in one query string, a `\'` before a `;`, a constant continued on the next line), the
WARNINGs escape_string_warning sends (before the error of a statement that fails; none when off,
none for escape strings, dollar quotes, identifiers and comments), U&'...' refused under `off`
(0A000), and psycopg's own quoting of str and bytes values under either setting."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from tests.server.conftest import Connections

STATEMENTS = [
    r"select 'a\'b' as q, 'a\\b' as b, 'a\nb' as n, 'a\101\x42' as o, 'plain' as p, 'it''s' as d",
    r"select E'e\tx' as e, $$d\n$$ as dollar, $t$x\'$t$ as tagged, 1 as ""q\"",
    "select 'x' /* a\\' comment */ as c -- and\\' this\n",
    r"select '\x41'::bytea as hex_bytes, '\\x41'::bytea as escaped_hex, length('\\\\') as l",
    r"select 'x\';' as semi; select 'y\\' as two",
    r"select 'ab' || '\'' as joined",
    "select 'a'\n'b\\n' as continued, 'c'\n  'd' as plain",
    r"select 'a\'b' from no_such_table",
]


def _outcome(connection: psycopg.Connection, statement: str, *, simple: bool) -> tuple[object, ...]:
    """(rows or SQLSTATE, the notices' severities, messages and hints) of statement."""
    notices: list[tuple[str | None, str | None, str | None]] = []

    def collect(diagnostic: psycopg.errors.Diagnostic) -> None:
        notices.append((diagnostic.severity, diagnostic.message_primary, diagnostic.message_hint))

    connection.add_notice_handler(collect)
    try:
        if simple:
            results = connection.pgconn.exec_(statement.encode())
            error = results.error_field(psycopg.pq.DiagnosticField.SQLSTATE)
            rows: object = error.decode() if error else [
                results.get_value(row, column) for row in range(results.ntuples)
                for column in range(results.nfields)]
        else:
            rows = connection.execute(statement, ()).fetchall()
    except psycopg.Error as error:
        rows = error.sqlstate
    finally:
        connection.remove_notice_handler(collect)
    return rows, notices


def _set_both(connections: Connections, setting: str, value: str) -> None:
    for connection in connections:
        connection.execute(f"set {setting} = {value}")


@pytest.mark.parametrize("warning", ["on", "off"])
@pytest.mark.parametrize("conforming", ["off", "on"])
@pytest.mark.parametrize("statement", STATEMENTS)
def test_same_values_and_warnings(connections: Connections, conforming: str, warning: str,
                                  statement: str) -> None:
    _set_both(connections, "standard_conforming_strings", conforming)
    _set_both(connections, "escape_string_warning", warning)
    assert [c.info.parameter_status("standard_conforming_strings") for c in connections] == [conforming] * 2
    simple = ";" in statement.rstrip(";")
    ours, theirs = (_outcome(connection, statement, simple=simple) for connection in connections)
    assert ours == theirs


def test_unicode_escapes_refused_when_not_conforming(connections: Connections) -> None:
    _set_both(connections, "standard_conforming_strings", "off")
    outcomes = [_outcome(connection, r"select U&'d\0061t' as u", simple=False) for connection in connections]
    assert outcomes[0] == outcomes[1] == ("0A000", [])


@pytest.mark.parametrize("value", ["off", "false", "0", "no", "on"])
def test_show_and_reset(connections: Connections, value: str) -> None:
    for connection in connections:
        connection.execute(f"set standard_conforming_strings to {value}")
    shown = [c.execute("show standard_conforming_strings").fetchone() for c in connections]
    assert shown[0] == shown[1]
    for connection in connections:
        connection.execute("reset standard_conforming_strings")
    assert [c.info.parameter_status("standard_conforming_strings") for c in connections] == ["on", "on"]


@pytest.mark.parametrize("conforming", ["off", "on"])
def test_psycopg_quotes_every_character_and_byte(connections: Connections, conforming: str) -> None:
    """psycopg quotes by the standard_conforming_strings it was last told of: each of its literals
    must come back as the value it quoted, with no warning (its own test_string test_quote_*)."""
    _set_both(connections, "standard_conforming_strings", conforming)
    _set_both(connections, "escape_string_warning", "on")
    ours, _ = connections
    values: list[object] = [chr(code) for code in range(1, 256)] + [bytes([code]) for code in range(256)]
    query = sql.SQL(", ").join(sql.Literal(value) for value in values)
    notices: list[str | None] = []
    ours.add_notice_handler(lambda diagnostic: notices.append(diagnostic.message_primary))
    row = ours.execute(sql.SQL("select ") + query).fetchone()
    assert row is not None
    assert [bytes(value) if isinstance(value, memoryview) else value for value in row] == values
    assert notices == []
