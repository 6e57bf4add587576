"""`heliosdb-lite promote`: make a running hot standby the primary of a new epoch, from the command
line (the same as `SELECT heliosdb_promote()` on it; docs/replication.md).

The server is reached at --host/--port, by default the configuration's server.listen/server.port;
the answer is one line naming the new epoch, or the refusal (exit 1).
"""

from __future__ import annotations

import argparse
import os
import sys

from heliosdb_lite.config import Config, load_config
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.probes import ProbeConnection, ProbeFailure
from heliosdb_lite.replication.role import EPOCH_PARAMETER

_WILDCARDS = ("", "0.0.0.0", "::", "*")


def _address(args: argparse.Namespace, config: Config) -> tuple[str, int]:
    listen = config.server.listen.split(",")[0].strip()
    host = args.host or ("127.0.0.1" if listen in _WILDCARDS else listen.strip("[]"))
    return host, args.port if args.port is not None else config.server.port


def _promote(args: argparse.Namespace) -> int:
    host, port = _address(args, load_config(args.config, overrides={}))
    password = args.password if args.password is not None else os.environ.get("PGPASSWORD")
    try:
        with ProbeConnection(host, port, timeout=args.timeout) as connection:
            connection.startup(args.user, args.user, password)
            list(connection.simple_query("SELECT heliosdb_promote()"))
            print(f"promoted: {host}:{port} is the primary of epoch "
                  f"{connection.parameters.get(EPOCH_PARAMETER, '?')}")
    except DatabaseError as error:
        print(f"heliosdb-lite promote: {error.severity}: {error.message} (SQLSTATE {error.sqlstate})",
              file=sys.stderr)
        return 1
    except ProbeFailure as failure:
        print(f"heliosdb-lite promote: {failure}", file=sys.stderr)
        return 1
    return 0


def add_promote_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("promote", help="promote a running hot standby to primary")
    parser.add_argument("--host", default=None, help="the standby's address (default: server.listen)")
    parser.add_argument("--port", type=int, default=None, help="the standby's port (default: server.port)")
    parser.add_argument("--user", default="postgres", help="user name (default postgres)")
    parser.add_argument("--password", default=None, help="password (default: $PGPASSWORD)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for the promotion (default 60)")
    parser.set_defaults(func=_promote)

