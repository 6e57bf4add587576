"""`heliosdb-lite`: the one command-line entry point and its subcommands.

serve                 run the server (flags override single config keys)
proxy                 run the transparent-replay proxy ([proxy] section; docs/replay-proxy.md)
journal verify|dump|stats   inspect the transaction journal
restore               rebuild a store from the journal alone (to an LSN or a time)
promote               make a running hot standby the primary of a new epoch
cluster status|switchover|failover|pause|resume   a failover cluster's leadership in etcd
user add|remove|list  manage password users in the users file

Every subcommand takes --config FILE (default ./heliosdb.toml when present, else built-in defaults).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from heliosdb_lite.config import Config, ConfigError, load_config
from heliosdb_lite.errors import OBJECT_IN_USE, DatabaseError
from heliosdb_lite.failover.command import add_cluster_command
from heliosdb_lite.journal.cli import add_journal_commands
from heliosdb_lite.replay.restore import add_restore_command
from heliosdb_lite.replication.promote_command import add_promote_command
from heliosdb_lite.server.users import UsersFile, add_user_commands

log = logging.getLogger("heliosdb")

# serve flag -> config key
_SERVE_FLAGS = {
    "listen": "server.listen",
    "port": "server.port",
    "max_connections": "server.max_connections",
    "auth_method": "server.auth_method",
    "tls_cert": "server.tls_cert",
    "tls_key": "server.tls_key",
    "users_file": "server.users_file",
    "data_dir": "database.path",
    "journal_sync_mode": "transaction_replay.journal_sync_mode",
    "metrics_port": "observability.metrics_port",
}


def _config_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="TOML configuration (default: ./heliosdb.toml when present)")
    return parent


def _load(args: argparse.Namespace, overrides: dict[str, str] | None = None) -> Config:
    return load_config(args.config, overrides=overrides or {})


def _serve(args: argparse.Namespace) -> int:
    overrides = {key: str(getattr(args, flag)) for flag, key in _SERVE_FLAGS.items()
                 if getattr(args, flag) is not None}
    if args.metrics_port is not None:
        overrides["observability.metrics_enabled"] = "true"
    config = _load(args, overrides)
    # users who can log in with a password (a role of CREATE ROLE may have none)
    users_exist = config.users_file_path.is_file() and bool(UsersFile(config.users_file_path).load())
    config.validate_for_serving(users_exist)
    for key, reason in config.without_effect():
        log.warning("config key %s is accepted but has no effect: %s", key, reason)
    from heliosdb_lite.failover import startup as failover_startup
    from heliosdb_lite.replication.node import ReplicationNode
    from heliosdb_lite.replication.rejoin import prepare_standby
    from heliosdb_lite.server.app import run, serve
    from heliosdb_lite.server.startup import open_database

    prepare = prepare_standby
    if config.failover.enabled:
        config = failover_startup.startup_config(config)
        prepare = failover_startup.prepare
    try:
        database = open_database(config, f"heliosdb-lite serve on port {config.server.port}", prepare)
    except DatabaseError as error:
        if error.sqlstate != OBJECT_IN_USE:
            raise
        print(f"heliosdb-lite: {error.message}", file=sys.stderr)
        return 1
    replication = None if database.journal is None or database.commit_service is None else \
        ReplicationNode(config, database.engine, database.journal, database.commit_service)

    async def main() -> None:
        try:
            await serve(config, database.engine, database.commit_service, replication)
        finally:
            await database.close()

    try:
        run(main)
    except OSError as error:
        print(f"heliosdb-lite: could not listen on {config.server.listen}:{config.server.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    return 0


# proxy flag -> config key
_PROXY_FLAGS = {
    "listen": "proxy.listen",
    "port": "proxy.port",
    "upstreams": "proxy.upstreams",
    "metrics_port": "proxy.metrics_port",
}


def _proxy(args: argparse.Namespace) -> int:
    overrides = {key: str(getattr(args, flag)) for flag, key in _PROXY_FLAGS.items()
                 if getattr(args, flag) is not None}
    config = _load(args, overrides)
    from heliosdb_lite.proxy.app import proxy_context, serve_proxy
    from heliosdb_lite.server.app import run

    proxy_context(config)  # configuration errors before anything listens
    try:
        run(lambda: serve_proxy(config))
    except OSError as error:
        print(f"heliosdb-lite: could not listen on {config.proxy.listen}:{config.proxy.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="heliosdb-lite", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    config_option = _config_option()

    serve = commands.add_parser("serve", parents=[config_option], help="run the server")
    serve.add_argument("--listen", help="address(es) to listen on, comma-separated (server.listen)")
    serve.add_argument("--port", type=int, help="TCP port (server.port)")
    serve.add_argument("--max-connections", type=int, help="server.max_connections")
    serve.add_argument("--auth-method", choices=["trust", "password", "md5", "scram-sha-256"],
                       help="server.auth_method")
    serve.add_argument("--tls-cert", help="PEM certificate (server.tls_cert)")
    serve.add_argument("--tls-key", help="PEM private key (server.tls_key)")
    serve.add_argument("--users-file", help="server.users_file")
    serve.add_argument("--data-dir", help="store directory (database.path)")
    serve.add_argument("--journal-sync-mode", choices=["fsync", "fdatasync", "async"],
                       help="transaction_replay.journal_sync_mode")
    serve.add_argument("--metrics-port", type=int, help="serve /metrics on this port")
    serve.set_defaults(func=_serve)

    proxy = commands.add_parser("proxy", parents=[config_option],
                                help="run the transparent-replay proxy ([proxy] section)")
    proxy.add_argument("--listen", help="address to accept clients on (proxy.listen)")
    proxy.add_argument("--port", type=int, help="TCP port (proxy.port)")
    proxy.add_argument("--upstreams", help="servers as host:port, comma-separated, tried in order "
                                           "(proxy.upstreams)")
    proxy.add_argument("--metrics-port", type=int, help="serve /metrics on this port (proxy.metrics_port)")
    proxy.set_defaults(func=_proxy)

    add_journal_commands(commands)
    add_user_commands(commands)
    add_restore_command(commands)
    add_promote_command(commands)
    add_cluster_command(commands)
    for name in ("journal", "user", "restore", "promote", "cluster"):
        _add_parent(commands.choices[name], config_option)
    return parser


def _add_parent(parser: argparse.ArgumentParser, parent: argparse.ArgumentParser) -> None:
    """Give a subcommand tree the --config option on every leaf."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_parent(child, parent)
            return
    if not any("--config" in a.option_strings for a in parser._actions):
        parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                            help="TOML configuration (default: ./heliosdb.toml when present)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        if args.command == "user" and args.users_file is None:
            args.users_file = _load(args).users_file_path
        if args.command in ("journal", "restore") and args.journal is None:
            args.journal = _load(args).journal_dir
        return int(args.func(args))
    except ConfigError as error:
        print(f"heliosdb-lite: configuration error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
