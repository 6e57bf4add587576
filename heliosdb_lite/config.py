"""Configuration: typed, frozen settings loaded from TOML, HELIOSDB_* variables and overrides.

Owns every section and key ([server], [database], [transaction_replay], [replication], [failover],
[performance], [observability], [edge], and [proxy] for `heliosdb-lite proxy`), their defaults and
validation, the resolution order (built-in defaults < TOML file < environment < overrides) and
the one table of keys that are accepted but have no effect in this version, with the reason.

File format: TOML, one table per section, e.g.

    [server]
    port = 5433
    [transaction_replay]
    journal_sync_mode = "fdatasync"

Environment variables are named HELIOSDB_<SECTION>_<KEY> (HELIOSDB_SERVER_PORT=5433); the
seed's HELIOSDB_ROLE, HELIOSDB_STANDBY and HELIOSDB_PRIMARY map to [replication] keys.
Overrides (command-line flags) are "section.key" -> text. Relative paths are relative to the
working directory. The reference of every key is docs/configuration.md.

Why one module of about 650 lines: the section dataclasses (about half of it) are the schema the
loader reads — each key's type, default and bounds are its field's annotation and metadata, read
through `typing.get_type_hints` — and the table of keys without effect names those same keys; split
apart, one key's definition would be spread over files that must change together.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

DEFAULT_CONFIG_FILE = Path("heliosdb.toml")
ENV_PREFIX = "HELIOSDB_"
MIB = 1024 * 1024
GIB = 1024 * MIB

AuthMethod = Literal["trust", "password", "md5", "scram-sha-256"]
JournalSyncMode = Literal["fsync", "fdatasync", "async"]
ChecksumAlgorithm = Literal["xxh3"]
ReplicationMode = Literal["sync-strict", "sync", "async"]
ReplicationRole = Literal["primary", "standby"]
PeerSslMode = Literal["disable", "prefer", "require", "verify-full"]


class ConfigError(Exception):
    """A configuration value, key or file that cannot be used; the message names the key."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def _bounded(default: int, minimum: int, maximum: int | None = None) -> Any:
    """An integer setting accepted only within [minimum, maximum]."""
    return field(default=default, metadata={"min": minimum, "max": maximum})


def _address(default: str | None = None) -> Any:
    """A "host:port" setting."""
    return field(default=default, metadata={"host_port": True})


@dataclass(frozen=True)
class ServerConfig:
    """[server]: where and how clients connect."""

    listen: str = field(default="127.0.0.1", metadata={"host": True})
    port: int = _bounded(5432, 0, 65535)
    max_connections: int = _bounded(100, 1)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    auth_method: AuthMethod = "trust"
    users_file: Path | None = None
    max_message_bytes: int = _bounded(64 * MIB, 1024, GIB)
    max_result_bytes: int = _bounded(GIB, MIB, 64 * GIB)


@dataclass(frozen=True)
class DatabaseConfig:
    """[database]: the store directory and SQLite's page cache."""

    path: Path = Path("./data")
    cache_size_mb: int = _bounded(64, 1)


@dataclass(frozen=True)
class TransactionReplayConfig:
    """[transaction_replay]: the journal, start-up recovery and outcome lookup."""

    enabled: bool = True
    journal_path: Path | None = None
    journal_max_size_mb: int = _bounded(1024, 1)
    journal_sync_mode: JournalSyncMode = "fsync"
    checksum_algorithm: ChecksumAlgorithm = "xxh3"
    verify_on_replay: bool = True
    auto_replay_on_startup: bool = True
    parallel_replay: bool = False
    replay_threads: int = _bounded(1, 1)
    max_replay_time_seconds: int = _bounded(0, 0)
    track_read_sets: bool = True
    track_write_sets: bool = True
    generate_gtid: bool = True
    replay_on_connection_loss: bool = True
    max_replay_attempts: int = _bounded(3, 0)
    replay_backoff_ms: int = _bounded(100, 0)
    replay_timeout_seconds: int = _bounded(30, 1)
    replay_max_transaction_bytes: int = _bounded(MIB, 0)
    outcome_retention_hours: int = _bounded(24, 1)


@dataclass(frozen=True)
class ReplicationConfig:
    """[replication]: hot standbys fed from the journal (docs/replication.md)."""

    replicate_journal: bool = False
    role: ReplicationRole = "primary"
    standby_host: str | None = _address()
    primary_host: str | None = _address()
    listen: str | None = _address()
    replication_mode: ReplicationMode = "sync"
    sync_timeout_ms: int = _bounded(5000, 1)
    replication_retry_interval_seconds: int = _bounded(5, 1)
    standby_name: str = ""
    synchronous_standby_count: int = _bounded(1, 1)
    replication_user: str = "postgres"
    password: str | None = None
    sslmode: PeerSslMode = "prefer"
    sslrootcert: Path | None = None


@dataclass(frozen=True)
class FailoverConfig:
    """[failover]: automatic failover with leadership held in etcd (docs/failover.md)."""

    enabled: bool = False
    etcd_endpoints: tuple[str, ...] = field(default=("127.0.0.1:2379",), metadata={"host_port": True})
    cluster_name: str = "heliosdb"
    node_name: str = ""
    advertise_host: str | None = _address()
    ttl_seconds: int = _bounded(10, 2)
    loop_wait_seconds: int = _bounded(2, 1)
    retry_timeout_seconds: int = _bounded(3, 1)

    @property
    def timing_rule_holds(self) -> bool:
        """loop_wait + 2 * retry_timeout <= ttl: a leader that fails one renewal still has
        retry_timeout to retry and retry_timeout of margin before its lease can expire."""
        return self.loop_wait_seconds + 2 * self.retry_timeout_seconds <= self.ttl_seconds


@dataclass(frozen=True)
class PerformanceConfig:
    """[performance]: hardware switches from the seed; both are chosen automatically."""

    simd_checksums: bool = True
    io_uring_journal: bool = False


@dataclass(frozen=True)
class ObservabilityConfig:
    """[observability]: the Prometheus endpoint and what is logged."""

    metrics_enabled: bool = False
    metrics_port: int = _bounded(9187, 0, 65535)
    track_replay_latency: bool = True
    track_journal_size: bool = True
    log_replayed_transactions: bool = False


@dataclass(frozen=True)
class EdgeConfig:
    """[edge]: battery-powered deployments (no separate mode exists)."""

    low_power_journal: bool = False
    batch_journal_writes: bool = True


ProxyAuthMethod = Literal["trust", "scram-sha-256"]


@dataclass(frozen=True)
class ProxyConfig:
    """[proxy]: `heliosdb-lite proxy`, the transparent-replay sidecar (docs/replay-proxy.md)."""

    listen: str = field(default="127.0.0.1", metadata={"host": True})
    port: int = _bounded(6432, 0, 65535)
    upstreams: tuple[str, ...] = field(default=("127.0.0.1:5432",), metadata={"host_port": True})
    max_client_connections: int = _bounded(100, 1)
    auth_method: ProxyAuthMethod = "trust"
    users_file: Path | None = None
    metrics_port: int = _bounded(0, 0, 65535)


@dataclass(frozen=True)
class Config:
    """The whole configuration. `explicit` holds the "section.key" names set by file, env or flag."""

    server: ServerConfig = field(default_factory=ServerConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    transaction_replay: TransactionReplayConfig = field(default_factory=TransactionReplayConfig)
    replication: ReplicationConfig = field(default_factory=ReplicationConfig)
    failover: FailoverConfig = field(default_factory=FailoverConfig)
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)
    observability: ObservabilityConfig = field(default_factory=ObservabilityConfig)
    edge: EdgeConfig = field(default_factory=EdgeConfig)
    proxy: ProxyConfig = field(default_factory=ProxyConfig)
    explicit: frozenset[str] = frozenset()
    source_file: Path | None = None

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Config:
        """The configuration in the TOML file `path`, with HELIOSDB_* variables applied (`load_config`)."""
        return load_config(Path(path))

    @property
    def journal_dir(self) -> Path:
        """transaction_replay.journal_path, by default <database.path>/journal."""
        return self.transaction_replay.journal_path or self.database.path / "journal"

    @property
    def advertise_address(self) -> str:
        """failover.advertise_host, by default server.listen:server.port when listen is one
        concrete address."""
        if self.failover.advertise_host:
            return self.failover.advertise_host
        host = self.server.listen
        return f"[{host}]:{self.server.port}" if ":" in host else f"{host}:{self.server.port}"

    @property
    def users_file_path(self) -> Path:
        """server.users_file, by default <database.path>/users.toml."""
        return self.server.users_file or self.database.path / "users.toml"

    def value(self, key: str) -> Any:
        """The value of a "section.key" name."""
        section, name = key.split(".", 1)
        return getattr(getattr(self, section), name)

    def without_effect(self) -> list[tuple[str, str]]:
        """Explicitly set keys whose value this version accepts but does not act on, with the reason."""
        return [
            (key, rule.reason)
            for key, rule in NO_EFFECT.items()
            if key in self.explicit and rule.applies_to(self.value(key))
        ]

    def validate_for_serving(self, users_exist: bool) -> None:
        """Refuse settings that would let anyone in, or let no one in; say why and what to do."""
        listen = self.server.listen
        method = self.server.auth_method
        if not is_loopback_address(listen):
            if not users_exist:
                raise ConfigError(
                    f"server.listen: listen address {listen} is not loopback and no users are configured "
                    f"(users file {self.users_file_path}): add users with `heliosdb-lite user add` and "
                    "set server.auth_method, or listen on 127.0.0.1",
                    key="server.listen",
                )
            if method == "trust":
                raise ConfigError(
                    f"server.auth_method: trust lets anyone who reaches {listen} in without a password; "
                    'set server.auth_method = "scram-sha-256", or listen on 127.0.0.1',
                    key="server.auth_method",
                )
        if method != "trust" and not users_exist:
            raise ConfigError(
                f"server.auth_method: {method} needs users but none are configured "
                f"(users file {self.users_file_path}): add one with `heliosdb-lite user add`",
                key="server.auth_method",
            )


_ANY_VALUE = object()


@dataclass(frozen=True)
class _NoEffect:
    """Why a key does nothing; `ignored_value` limits it to the one value that is not honoured."""

    reason: str
    ignored_value: object = _ANY_VALUE

    def applies_to(self, value: object) -> bool:
        return self.ignored_value is _ANY_VALUE or value == self.ignored_value


_CLIENT_SIDE = (
    "transparent replay is done by `heliosdb-lite proxy` and the remote Python API, not the server; "
    "the server always keeps outcomes for lookup"
)
_SINGLE_WRITER = "replay applies changesets in one SQLite writer"
_OWN_PORT = "the replication connection uses the PostgreSQL port (startup parameter replication)"

NO_EFFECT: Mapping[str, _NoEffect] = MappingProxyType(
    {
        "transaction_replay.enabled": _NoEffect(
            "Transaction Replay cannot be switched off: the journal is how every commit becomes durable",
            ignored_value=False,
        ),
        "transaction_replay.checksum_algorithm": _NoEffect(
            "XXH3-128 is the only checksum; the journal entry format fixes it"
        ),
        "transaction_replay.verify_on_replay": _NoEffect(
            "checksums are always verified: corruption is never skipped silently (invariant I6)",
            ignored_value=False,
        ),
        "transaction_replay.auto_replay_on_startup": _NoEffect(
            "start-up recovery always runs: without it the store could lack acknowledged commits",
            ignored_value=False,
        ),
        "transaction_replay.parallel_replay": _NoEffect(_SINGLE_WRITER),
        "transaction_replay.replay_threads": _NoEffect(_SINGLE_WRITER),
        "transaction_replay.track_read_sets": _NoEffect(
            "every journal entry records its read set (tables read, snapshot LSN)", ignored_value=False
        ),
        "transaction_replay.track_write_sets": _NoEffect(
            "every journal entry records its write set: it is what replay applies", ignored_value=False
        ),
        "transaction_replay.generate_gtid": _NoEffect(
            "every transaction has a GTID: exactly-once outcomes depend on it", ignored_value=False
        ),
        "transaction_replay.replay_on_connection_loss": _NoEffect(_CLIENT_SIDE),
        "transaction_replay.max_replay_attempts": _NoEffect(_CLIENT_SIDE),
        "transaction_replay.replay_backoff_ms": _NoEffect(_CLIENT_SIDE),
        "transaction_replay.replay_timeout_seconds": _NoEffect(_CLIENT_SIDE),
        "transaction_replay.replay_max_transaction_bytes": _NoEffect(_CLIENT_SIDE),
        "replication.listen": _NoEffect(_OWN_PORT),
        "performance.simd_checksums": _NoEffect("xxhash picks the fastest instruction set itself"),
        "performance.io_uring_journal": _NoEffect("the journal uses write() + fsync; io_uring is not used"),
        "observability.track_replay_latency": _NoEffect(
            "replay latency is always measured and exported with the other metrics", ignored_value=False
        ),
        "observability.track_journal_size": _NoEffect(
            "journal size is always exported with the other metrics", ignored_value=False
        ),
        "observability.log_replayed_transactions": _NoEffect(
            "start-up replay logs progress and counts, not each transaction", ignored_value=True
        ),
        "edge.low_power_journal": _NoEffect(
            "there is no low-power mode; fewer fsyncs come from group commit or, losing RPO = 0, "
            'from transaction_replay.journal_sync_mode = "async"'
        ),
        "edge.batch_journal_writes": _NoEffect(
            "group commit always batches journal writes: one fsync covers every waiting commit"
        ),
    }
)

_ENV_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "HELIOSDB_ROLE": "replication.role",
        "HELIOSDB_STANDBY": "replication.standby_host",
        "HELIOSDB_PRIMARY": "replication.primary_host",
    }
)

_TRUE_WORDS = frozenset({"true", "on", "yes", "1"})
_FALSE_WORDS = frozenset({"false", "off", "no", "0"})
_HOST = re.compile(r"^(\*|[A-Za-z0-9_.\-]+|\[?[0-9A-Fa-f:.]+\]?)$")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.\-]+):([0-9]{1,5})$")


def is_loopback_address(listen: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address); names are not resolved."""
    if listen.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(listen.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _describe(value: object) -> str:
    """A TOML-flavoured rendering of a bad value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


@dataclass(frozen=True)
class _Setting:
    """One key: its type (from the section's annotations), constraints and conversions."""

    key: str
    kind: Any
    optional: bool
    metadata: Mapping[str, Any]

    @property
    def choices(self) -> tuple[str, ...]:
        return typing.get_args(self.kind) if typing.get_origin(self.kind) is Literal else ()

    @property
    def is_list(self) -> bool:
        return typing.get_origin(self.kind) is tuple

    def expected(self) -> str:
        if self.choices:
            form = "one of " + ", ".join(self.choices)
        elif self.kind is bool:
            form = "true or false"
        elif self.kind is int:
            low, high = self.metadata["min"], self.metadata["max"]
            form = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
        elif self.kind is Path:
            form = "a path"
        elif self.metadata.get("host_port"):
            form = 'a "host:port" address'
            if self.is_list:
                form = 'an array of "host:port" addresses'
        elif self.metadata.get("host"):
            form = "an IP address or host name"
        else:
            form = "a string"
        return f"{form} or empty (unset)" if self.optional else form

    def error(self, value: object, where: str) -> ConfigError:
        return ConfigError(f"{self.key}: expected {self.expected()}, got {_describe(value)}{where}", self.key)

    def from_toml(self, value: object, where: str) -> Any:
        """Check a value parsed from TOML; TOML types are never converted. "" unsets an optional key."""
        if self.optional and value == "":
            return None
        if self.is_list:
            if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
                raise self.error(value, where)
            return tuple(self._checked(item, where) for item in value)
        if self.kind is bool:
            ok = isinstance(value, bool)
        elif self.kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise self.error(value, where)
        return self._checked(value, where)

    def from_text(self, text: str, where: str) -> Any:
        """Parse a value given as text (environment variable or command-line flag)."""
        if self.optional and text == "":
            return None
        if self.is_list:
            items = [item.strip() for item in text.split(",") if item.strip()]
            if not items:
                raise self.error(text, where)
            return tuple(self._checked(item, where) for item in items)
        if self.kind is bool:
            word = text.strip().lower()
            if word not in _TRUE_WORDS | _FALSE_WORDS:
                raise self.error(text, where)
            return word in _TRUE_WORDS
        if self.kind is int:
            try:
                number = int(text.strip())
            except ValueError:
                raise self.error(text, where) from None
            return self._checked(number, where)
        return self._checked(text, where)

    def _checked(self, value: Any, where: str) -> Any:
        if self.kind is int:
            low, high = self.metadata["min"], self.metadata["max"]
            if value < low or (high is not None and value > high):
                raise self.error(value, where)
            return value
        if self.choices and value not in self.choices:
            raise self.error(value, where)
        if self.kind is Path:
            if not value:
                raise self.error(value, where)
            return Path(value)
        if self.metadata.get("host") and not _HOST.match(value):
            raise self.error(value, where)
        if self.metadata.get("host_port"):
            match = _HOST_PORT.match(value)
            if not match or not 1 <= int(match.group(2)) <= 65535:
                raise self.error(value, where)
        return value


def _section_classes() -> dict[str, type]:
    hints = typing.get_type_hints(Config)
    return {f.name: hints[f.name] for f in fields(Config) if is_dataclass(hints[f.name])}


def _settings_of(section: str, cls: type) -> dict[str, _Setting]:
    hints = typing.get_type_hints(cls)
    settings = {}
    for f in fields(cls):
        kind, optional = hints[f.name], False
        if typing.get_origin(kind) in (types.UnionType, typing.Union):
            kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
            optional = True
        settings[f.name] = _Setting(f"{section}.{f.name}", kind, optional, f.metadata)
    return settings


SECTIONS: Mapping[str, type] = MappingProxyType(_section_classes())
_SETTINGS: Mapping[str, Mapping[str, _Setting]] = MappingProxyType(
    {name: _settings_of(name, cls) for name, cls in SECTIONS.items()}
)
ALL_KEYS: tuple[str, ...] = tuple(s.key for section in _SETTINGS.values() for s in section.values())


def _suggestion(word: str, candidates: Iterable[str]) -> str:
    """The suffix '; did you mean X?' for the closest candidate, or nothing."""
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f"; did you mean {close[0]}?" if close else ""


def _unknown_section(section: str, where: str) -> ConfigError:
    return ConfigError(
        f"unknown section [{section}]{where}{_suggestion(section, SECTIONS)} "
        f"(known sections: {', '.join(SECTIONS)})",
        section,
    )


def _setting(key: str, where: str) -> _Setting:
    """The setting named "section.key", or an error naming it and the closest known key."""
    section, _, name = key.partition(".")
    if not name:
        same_name = [known for known in ALL_KEYS if known.endswith(f".{key}")]
        close = f"; did you mean {' or '.join(same_name)}?" if same_name else _suggestion(key, ALL_KEYS)
        raise ConfigError(f"unknown key {key}{where}: expected section.key{close}", key)
    if section not in _SETTINGS:
        raise _unknown_section(section, where)
    if name not in _SETTINGS[section]:
        close = _suggestion(key, [s.key for s in _SETTINGS[section].values()])
        raise ConfigError(f"unknown key {key}{where}{close}", key)
    return _SETTINGS[section][name]


def _read_file(path: Path) -> dict[str, Any]:
    where = f" (in {path})"
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    values: dict[str, Any] = {}
    for section, table in document.items():
        if section not in _SETTINGS:
            raise _unknown_section(section, where)
        if not isinstance(table, dict):
            message = f"{section}: expected a [{section}] table, got {_describe(table)}{where}"
            raise ConfigError(message, section)
        for name, value in table.items():
            setting = _setting(f"{section}.{name}", where)
            values[setting.key] = setting.from_toml(value, where)
    return values


def _env_key(variable: str) -> str | None:
    """The "section.key" an environment variable sets, or None when it is not a config variable."""
    if variable in _ENV_ALIASES:
        return _ENV_ALIASES[variable]
    rest = variable[len(ENV_PREFIX) :].lower()
    for section in SECTIONS:
        if rest.startswith(section + "_"):
            return f"{section}.{rest[len(section) + 1 :]}"
    return None


def _read_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """HELIOSDB_<SECTION>_<KEY> variables; the seed's aliases first so the explicit names win."""
    variables = sorted(
        (name for name in environ if name.startswith(ENV_PREFIX)), key=lambda name: name not in _ENV_ALIASES
    )
    values: dict[str, Any] = {}
    for variable in variables:
        key = _env_key(variable)
        if key is not None:
            where = f" (environment variable {variable})"
            setting = _setting(key, where)
            values[key] = setting.from_text(environ[variable], where)
    return values


def _read_overrides(overrides: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, text in overrides.items():
        where = " (command-line override)"
        values[key] = _setting(key, where).from_text(text, where)
    return values


def _check_consistency(config: Config) -> None:
    """Rules that span keys."""
    server = config.server
    if (server.tls_cert is None) != (server.tls_key is None):
        given, missing = ("tls_cert", "tls_key") if server.tls_key is None else ("tls_key", "tls_cert")
        raise ConfigError(f"server.{missing}: required when server.{given} is set", f"server.{missing}")
    _check_failover(config)


def _check_failover(config: Config) -> None:
    """[failover]'s rules, checked when it is enabled."""
    failover = config.failover
    if not failover.enabled:
        return
    if not failover.timing_rule_holds:
        raise ConfigError(
            f"failover.ttl_seconds: loop_wait_seconds + 2 * retry_timeout_seconds must not exceed "
            f"ttl_seconds ({failover.loop_wait_seconds} + 2 * {failover.retry_timeout_seconds} > "
            f"{failover.ttl_seconds}): "
            "a leader must be able to miss one renewal and still stop acknowledging before its lease expires",
            "failover.ttl_seconds")
    if not failover.node_name:
        raise ConfigError("failover.node_name: required when failover.enabled (unique in the cluster)",
                          "failover.node_name")
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", failover.node_name):
        raise ConfigError(f"failover.node_name: letters, digits, '_', '.' and '-' only, got "
                          f"{_describe(failover.node_name)}", "failover.node_name")
    if not failover.advertise_host and (("," in config.server.listen)
                                        or config.server.listen in ("", "*", "0.0.0.0", "::")):
        raise ConfigError(f"failover.advertise_host: required when server.listen ({config.server.listen}) is "
                          "not one address other nodes can reach", "failover.advertise_host")
    if not config.replication.replicate_journal:
        raise ConfigError("replication.replicate_journal: must be true when failover.enabled (every node may "
                          "become the primary its peers stream from)", "replication.replicate_journal")


_NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})


def load_config(
    path: Path | None = None,
    *,
    overrides: Mapping[str, str] = _NO_OVERRIDES,
    environ: Mapping[str, str] = os.environ,
) -> Config:
    """Defaults < TOML file (`path`, else ./heliosdb.toml when present) < HELIOSDB_* < overrides."""
    source = path if path is not None else (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None)
    values: dict[str, Any] = {}
    if source is not None:
        values |= _read_file(source)
    values |= _read_environ(environ)
    values |= _read_overrides(overrides)
    sections = {
        name: cls(**{key.partition(".")[2]: v for key, v in values.items() if key.partition(".")[0] == name})
        for name, cls in SECTIONS.items()
    }
    config = Config(**sections, explicit=frozenset(values), source_file=source)
    _check_consistency(config)
    return config
