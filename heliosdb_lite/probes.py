"""The probe commands containers and operators call: `heliosdb-health-check`, `heliosdb-ready-check`
and `heliosdb-query`.

Each opens one plain TCP connection with a small blocking client built on `protocol.frontend`,
authenticates (trust, cleartext password, md5 or SCRAM-SHA-256), runs simple-protocol queries and
exits 0 on success or 1 with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import frontend
from heliosdb_lite.protocol.frontend import BackendMessage
from heliosdb_lite.server.databases import DATABASE as DEFAULT_DATABASE

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5432
DEFAULT_USER = "postgres"
DEFAULT_TIMEOUT = 5.0
_RECEIVE_CHUNK = 65536


class ProbeFailure(Exception):
    """A failure that is not a server error: refused connection, timeout, unexpected reply."""


@dataclass
class QueryResult:
    """One statement's outcome: column names (None for no result set), text rows, command tag."""

    columns: list[str] | None
    rows: list[list[str | None]] = field(default_factory=list)
    tag: str = ""


class ProbeConnection:
    """One blocking connection: startup, authentication, simple queries, Terminate."""

    def __init__(self, host: str, port: int, *, timeout: float) -> None:
        self._address = f"{host}:{port}"
        try:
            self._socket = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise ProbeFailure(f"cannot connect to {self._address}: {exc.strerror or exc}") from exc
        self._parser = frontend.BackendParser()
        self.parameters: dict[str, str] = {}
        self.transaction_status = ""

    def __enter__(self) -> ProbeConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.sendall(frontend.terminate())
        self._socket.close()

    def _send(self, data: bytes) -> None:
        try:
            self._socket.sendall(data)
        except OSError as exc:
            raise ProbeFailure(f"lost the connection to {self._address}: {exc}") from exc

    def _receive(self) -> BackendMessage:
        while (message := self._parser.next_message()) is None:
            try:
                data = self._socket.recv(_RECEIVE_CHUNK)
            except TimeoutError as exc:
                raise ProbeFailure(f"no answer from {self._address} within the timeout") from exc
            except OSError as exc:
                raise ProbeFailure(f"lost the connection to {self._address}: {exc}") from exc
            if not data:
                raise ProbeFailure(f"{self._address} closed the connection")
            self._parser.feed(data)
        return message

    def startup(self, user: str, database: str, password: str | None) -> None:
        """Send the startup packet and authenticate; returns once ReadyForQuery arrives."""
        self._send(frontend.startup_message({"user": user, "database": database,
                                             "application_name": "heliosdb-probe"}))
        scram: frontend.ScramClient | None = None
        while True:
            message = self._receive()
            if message.type == "R":
                scram = self._answer_authentication(message.body, user, password, scram)
            elif message.type == "Z":
                self.transaction_status = frontend.decode_ready_for_query(message.body)
                return
            else:
                self._common(message)

    def _answer_authentication(self, body: bytes, user: str, password: str | None,
                               scram: frontend.ScramClient | None) -> frontend.ScramClient | None:
        code, data = frontend.decode_authentication(body)
        if password is None and code not in (frontend.AUTH_OK, frontend.AUTH_SASL_FINAL):
            raise ProbeFailure("the server asks for a password: pass --password or set PGPASSWORD")
        try:
            answer, scram = frontend.authentication_answer(code, data, user, password or "", scram)
        except ValueError as exc:
            raise ProbeFailure(str(exc)) from exc
        if answer:
            self._send(answer)
        return scram

    def _common(self, message: BackendMessage) -> None:
        """Messages that may come at any time: errors, notices, parameter changes, key data."""
        if message.type == "E":
            raise frontend.error_from_fields(frontend.decode_error_fields(message.body))
        if message.type == "S":
            name, value = frontend.decode_parameter_status(message.body)
            self.parameters[name] = value
        elif message.type not in ("N", "K", "v"):
            raise ProbeFailure(f"unexpected message {message.type!r} from the server")

    def simple_query(self, sql: str) -> Iterator[QueryResult]:
        """Run `sql` (one or more statements), yielding each statement's result as it completes;
        an error is raised once ReadyForQuery has arrived (the connection is then usable again)."""
        self._send(frontend.query(sql))
        current = QueryResult(None)
        error: DatabaseError | None = None
        while True:
            message = self._receive()
            match message.type:
                case "T":
                    fields, _ = frontend.decode_row_description(message.body)
                    current.columns = [description.name for description in fields]
                case "D":
                    current.rows.append([None if value is None else value.decode("utf-8", "replace")
                                         for value in frontend.decode_data_row(message.body)])
                case "d":
                    current.rows.append([message.body.decode("utf-8", "replace").removesuffix("\n")])
                case "C":
                    current.tag = frontend.decode_command_complete(message.body)
                    yield current
                    current = QueryResult(None)
                case "G":
                    self._send(frontend.copy_fail("COPY FROM STDIN is not supported by this probe"))
                case "H" | "c" | "I":
                    pass
                case "E":
                    error = frontend.error_from_fields(frontend.decode_error_fields(message.body))
                case "Z":
                    self.transaction_status = frontend.decode_ready_for_query(message.body)
                    if error is not None:
                        raise error
                    return
                case _:
                    self._common(message)


def _connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"server address (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"server port (default {DEFAULT_PORT})")
    parser.add_argument("--user", default=DEFAULT_USER, help=f"user name (default {DEFAULT_USER})")
    parser.add_argument("--password", default=None, help="password (default: $PGPASSWORD)")
    parser.add_argument("--dbname", default=DEFAULT_DATABASE, help=f"database (default {DEFAULT_DATABASE})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds to wait for each answer (default {DEFAULT_TIMEOUT:g})")


def _connect(args: argparse.Namespace) -> ProbeConnection:
    connection = ProbeConnection(args.host, args.port, timeout=args.timeout)
    try:
        password = args.password if args.password is not None else os.environ.get("PGPASSWORD")
        connection.startup(args.user, args.dbname, password)
    except BaseException:
        connection.close()
        raise
    return connection


def _describe_failure(failure: Exception) -> str:
    if isinstance(failure, DatabaseError):
        return f"{failure.severity}: {failure.message} (SQLSTATE {failure.sqlstate})"
    return str(failure)


def _run(prog: str, action: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one probe action; any failure is one line on stderr and exit code 1."""
    try:
        return action(args)
    except (DatabaseError, ProbeFailure) as failure:
        print(f"{prog}: {_describe_failure(failure)}", file=sys.stderr)
        return 1


def _answers_select_one(connection: ProbeConnection) -> None:
    results = list(connection.simple_query("SELECT 1"))
    if len(results) != 1 or results[0].rows != [["1"]]:
        raise ProbeFailure(f"SELECT 1 returned {results[0].rows if results else 'nothing'} instead of 1")


def _health_check(args: argparse.Namespace) -> int:
    with _connect(args) as connection:
        _answers_select_one(connection)
        if args.role:
            print(_role(connection.parameters))
    return 0


def _role(parameters: dict[str, str]) -> str:
    """standby (in_hot_standby on), fenced (a deposed primary: heliosdb.replication), or primary."""
    if parameters.get("in_hot_standby") == "on":
        return "standby"
    return "fenced" if parameters.get("heliosdb.replication") == "fenced" else "primary"


def _ready_check(args: argparse.Namespace) -> int:
    with _connect(args) as connection:
        if connection.transaction_status != "I":
            raise ProbeFailure(f"session not idle after startup (status {connection.transaction_status})")
        _answers_select_one(connection)
    return 0


def _query(args: argparse.Namespace) -> int:
    with _connect(args) as connection:
        for result in connection.simple_query(args.sql):
            for row in result.rows:
                print("\t".join("" if value is None else value for value in row))
    return 0


def health_check_main(argv: list[str] | None = None) -> int:
    """`heliosdb-health-check`: exit 0 when the server authenticates us and answers SELECT 1."""
    parser = argparse.ArgumentParser(prog="heliosdb-health-check",
                                     description="Check that the server answers SELECT 1.")
    _connection_arguments(parser)
    parser.add_argument("--role", action="store_true",
                        help='also print the server role: "primary", "standby" or "fenced" (deposed)')
    return _run(parser.prog, _health_check, parser.parse_args(argv))


def ready_check_main(argv: list[str] | None = None) -> int:
    """`heliosdb-ready-check`: exit 0 only when the server accepts queries."""
    parser = argparse.ArgumentParser(prog="heliosdb-ready-check",
                                     description="Check that the server accepts connections and queries.")
    _connection_arguments(parser)
    return _run(parser.prog, _ready_check, parser.parse_args(argv))


def query_main(argv: list[str] | None = None) -> int:
    """`heliosdb-query SQL`: run one simple query, print rows tab-separated (NULL as empty)."""
    parser = argparse.ArgumentParser(prog="heliosdb-query",
                                     description="Run SQL and print result rows tab-separated.")
    _connection_arguments(parser)
    parser.add_argument("sql", help="one or more SQL statements")
    return _run(parser.prog, _query, parser.parse_args(argv))
