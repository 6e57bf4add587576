"""Tests for heliosdb_lite.config: defaults, the seed's TOML examples, precedence, errors,
the accepted-without-effect report, the serving rule for non-loopback addresses, and the
reference table in docs/configuration.md."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from heliosdb_lite.config import (
    ALL_KEYS,
    NO_EFFECT,
    Config,
    ConfigError,
    DatabaseConfig,
    ServerConfig,
    is_loopback_address,
    load_config,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"

# The seed's examples (shared/seeds/000_cdc5e0a07c369cd1.txt), line breaks restored.
SEED_EMBEDDED = """\
[database]
path = "/data/orders.db"
cache_size_mb = 512

[transaction_replay]
# Enable Oracle-grade transaction replay
enabled = true

# Journal configuration
journal_path = "/data/tx-journal"
journal_max_size_mb = 512 # Circular buffer
journal_sync_mode = "async" # Async for performance, durability via journal

# Checksum algorithm
checksum_algorithm = "xxh3" # SIMD-accelerated (50GB/sec)
verify_on_replay = true # Integrity check during recovery

# Replay behavior
auto_replay_on_startup = true
parallel_replay = true # Multi-threaded replay
replay_threads = 8
max_replay_time_seconds = 30 # Abort if replay takes too long

# Transaction tracking
track_read_sets = true # Capture reads for conflict detection
track_write_sets = true # Capture writes for replay
generate_gtid = true # Global Transaction ID for deduplication

# Failover behavior
replay_on_connection_loss = true # Transparent client reconnect
max_replay_attempts = 3 # Give up after 3 failures
replay_backoff_ms = 100 # Exponential backoff

[replication]
# Optional: replicate journal to standby
replicate_journal = true
standby_host = "replica.example.com:50051"
replication_mode = "async" # Journal replication is async-safe

[performance]
# SIMD optimizations
simd_checksums = true # AVX2/AVX-512/NEON
io_uring_journal = true # Linux async I/O for journal writes

[observability]
metrics_enabled = true
metrics_port = 9090
# Track replay statistics
track_replay_latency = true
track_journal_size = true
log_replayed_transactions = true
"""

SEED_KUBERNETES = """\
[database]
path = "/data/orders.db"

[transaction_replay]
enabled = true
journal_path = "/data/tx-journal"
journal_max_size_mb = 1024
auto_replay_on_startup = true
parallel_replay = true

[replication]
replicate_journal = true
replication_mode = "async"
"""

SEED_EDGE = """\
[database]
path = "/data/sensor-data.db"

[transaction_replay]
enabled = true
journal_path = "/data/tx-journal"
journal_max_size_mb = 256 # Limited storage on edge devices

# Edge-specific settings
replay_on_connection_loss = true # Network drops are common
max_replay_attempts = 10 # Retry more on edge
replay_backoff_ms = 500 # Longer backoff for cellular

[replication]
# Sync to cloud when connectivity restored
replicate_journal = true
standby_host = "cloud-central.example.com:50051"
replication_mode = "async"
replication_retry_interval_seconds = 60 # Retry every minute

[edge]
# Battery-powered devices
low_power_journal = true # Reduce fsync frequency
batch_journal_writes = true # Group commits to save power
"""


@pytest.fixture(autouse=True)
def _empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs where no ./heliosdb.toml exists unless it writes one."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "helios.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> Config:
    return load_config(write(tmp_path, text), environ={})


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    return str(caught.value)


# --- defaults -------------------------------------------------------------------------------


def test_defaults_without_file_env_or_overrides() -> None:
    config = load_config(None, environ={})
    assert config == Config()
    assert config.source_file is None
    assert config.explicit == frozenset()
    assert config.server.listen == "127.0.0.1"
    assert config.server.port == 5432
    assert config.server.max_connections == 100
    assert config.server.auth_method == "trust"
    assert config.server.tls_cert is None and config.server.tls_key is None
    assert config.server.max_message_bytes == 64 * 1024 * 1024
    assert config.database.path == Path("./data")
    assert config.transaction_replay.journal_sync_mode == "fsync"
    assert config.transaction_replay.checksum_algorithm == "xxh3"
    assert config.transaction_replay.outcome_retention_hours == 24
    assert config.observability.metrics_enabled is False
    assert config.without_effect() == []


def test_derived_paths_default_under_the_data_directory() -> None:
    config = load_config(None, overrides={"database.path": "/srv/helios"}, environ={})
    assert config.database.path == Path("/srv/helios")
    assert config.journal_dir == Path("/srv/helios/journal")
    assert config.users_file_path == Path("/srv/helios/users.toml")


def test_derived_paths_follow_explicit_settings() -> None:
    config = load_config(
        None,
        overrides={"transaction_replay.journal_path": "/j", "server.users_file": "/etc/helios/users.toml"},
        environ={},
    )
    assert config.journal_dir == Path("/j")
    assert config.users_file_path == Path("/etc/helios/users.toml")


def test_sections_are_frozen() -> None:
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.server.port = 1  # type: ignore[misc]  # the refusal is what the test checks


def test_heliosdb_toml_in_working_directory_is_used_when_present(tmp_path: Path) -> None:
    write(tmp_path, "[server]\nport = 6000\n", name="heliosdb.toml")
    config = load_config(None, environ={})
    assert config.server.port == 6000
    assert config.source_file == Path("heliosdb.toml")


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.toml", environ={})


# --- the seed's examples ----------------------------------------------------------------------


def test_seed_embedded_example_loads_every_key(tmp_path: Path) -> None:
    config = load_text(tmp_path, SEED_EMBEDDED)
    assert config.database == DatabaseConfig(path=Path("/data/orders.db"), cache_size_mb=512)
    replay = config.transaction_replay
    assert replay.journal_path == Path("/data/tx-journal")
    assert config.journal_dir == Path("/data/tx-journal")
    assert (replay.journal_max_size_mb, replay.journal_sync_mode) == (512, "async")
    assert (replay.replay_threads, replay.max_replay_time_seconds) == (8, 30)
    assert (replay.max_replay_attempts, replay.replay_backoff_ms) == (3, 100)
    assert config.replication.standby_host == "replica.example.com:50051"
    assert config.replication.replication_mode == "async"
    assert config.performance.io_uring_journal is True
    assert (config.observability.metrics_enabled, config.observability.metrics_port) == (True, 9090)
    assert config.observability.log_replayed_transactions is True
    assert len(config.explicit) == 28


def test_seed_embedded_example_reports_exactly_its_no_effect_keys(tmp_path: Path) -> None:
    reported = [key for key, _ in load_text(tmp_path, SEED_EMBEDDED).without_effect()]
    assert reported == [
        "transaction_replay.checksum_algorithm",
        "transaction_replay.parallel_replay",
        "transaction_replay.replay_threads",
        "transaction_replay.replay_on_connection_loss",
        "transaction_replay.max_replay_attempts",
        "transaction_replay.replay_backoff_ms",
        "performance.simd_checksums",
        "performance.io_uring_journal",
        "observability.log_replayed_transactions",
    ]


def test_seed_kubernetes_example_loads(tmp_path: Path) -> None:
    config = load_text(tmp_path, SEED_KUBERNETES)
    assert config.database.path == Path("/data/orders.db")
    assert config.transaction_replay.journal_max_size_mb == 1024
    assert config.transaction_replay.parallel_replay is True
    assert config.replication.standby_host is None
    assert dict(config.without_effect()).keys() == {"transaction_replay.parallel_replay"}


def test_seed_edge_example_loads(tmp_path: Path) -> None:
    config = load_text(tmp_path, SEED_EDGE)
    assert config.transaction_replay.journal_max_size_mb == 256
    assert config.transaction_replay.max_replay_attempts == 10
    assert config.replication.replication_retry_interval_seconds == 60
    assert config.edge.low_power_journal is True
    reported = dict(config.without_effect())
    assert {"edge.low_power_journal", "edge.batch_journal_writes"} <= reported.keys()
    assert "transaction_replay.journal_max_size_mb" not in reported
    assert "journal_sync_mode" in reported["edge.low_power_journal"]


def test_seed_docker_compose_environment_maps_to_replication(tmp_path: Path) -> None:
    primary = load_config(None, environ={"HELIOSDB_ROLE": "primary", "HELIOSDB_STANDBY": "db-standby:50051"})
    assert primary.replication.role == "primary"
    assert primary.replication.standby_host == "db-standby:50051"
    standby = load_config(None, environ={"HELIOSDB_ROLE": "standby", "HELIOSDB_PRIMARY": "db-primary:50051"})
    assert standby.replication.role == "standby"
    assert standby.replication.primary_host == "db-primary:50051"
    assert dict(standby.without_effect()).keys() == set()


# --- precedence -----------------------------------------------------------------------------


def test_environment_beats_file_and_overrides_beat_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nport = 6000\nmax_connections = 7\nlisten = "localhost"\n')
    environ = {"HELIOSDB_SERVER_PORT": "6001", "HELIOSDB_SERVER_MAX_CONNECTIONS": "8"}
    config = load_config(path, overrides={"server.port": "6002"}, environ=environ)
    assert config.server.port == 6002
    assert config.server.max_connections == 8
    assert config.server.listen == "localhost"
    assert config.explicit == {"server.port", "server.max_connections", "server.listen"}


def test_environment_names_with_underscored_section() -> None:
    environ = {"HELIOSDB_TRANSACTION_REPLAY_JOURNAL_SYNC_MODE": "fdatasync"}
    assert load_config(None, environ=environ).transaction_replay.journal_sync_mode == "fdatasync"


def test_section_prefixed_variable_beats_seed_alias() -> None:
    environ = {"HELIOSDB_REPLICATION_STANDBY_HOST": "b:2", "HELIOSDB_STANDBY": "a:1"}
    assert load_config(None, environ=environ).replication.standby_host == "b:2"


def test_unrelated_heliosdb_variables_are_ignored() -> None:
    environ = {"HELIOSDB_CONFIG": "/app/config.toml", "HELIOSDB_TRANSACTION_X": "1", "PATH": "/bin"}
    assert load_config(None, environ=environ) == Config()


def test_unknown_key_in_known_section_of_environment_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, environ={"HELIOSDB_SERVER_PROT": "1"})
    message = str(caught.value)
    assert "server.prot" in message and "HELIOSDB_SERVER_PROT" in message and "server.port" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("on", True),
        ("1", True),
        ("YES", True),
        ("false", False),
        ("Off", False),
        ("0", False),
    ],
)
def test_booleans_from_text(text: str, expected: bool) -> None:
    config = load_config(None, overrides={"observability.metrics_enabled": text}, environ={})
    assert config.observability.metrics_enabled is expected


def test_empty_text_unsets_an_optional_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\ntls_cert = "c.pem"\ntls_key = "k.pem"\n')
    config = load_config(path, overrides={"server.tls_cert": "", "server.tls_key": ""}, environ={})
    assert config.server.tls_cert is None and config.server.tls_key is None


# --- errors name the key and the expected form ------------------------------------------------


def test_bad_choice_names_key_choices_and_value(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[transaction_replay]\njournal_sync_mode = "sometimes"\n')
    assert message.startswith(
        'transaction_replay.journal_sync_mode: expected one of fsync, fdatasync, async, got "sometimes"'
    )


def test_only_xxh3_is_a_checksum(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[transaction_replay]\nchecksum_algorithm = "crc32"\n')
    assert message.startswith('transaction_replay.checksum_algorithm: expected one of xxh3, got "crc32"')


def test_unknown_section_suggests_the_closest(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[transaction_reply]\nenabled = true\n")
    assert "[transaction_reply]" in message and "did you mean transaction_replay" in message


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[transaction_replay]\njournal_sync = "fsync"\n')
    assert "transaction_replay.journal_sync" in message
    assert "did you mean transaction_replay.journal_sync_mode" in message


def test_wrong_toml_type_is_an_error_not_a_conversion(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[server]\nport = "5432"\n')
    assert message.startswith('server.port: expected an integer from 0 to 65535, got "5432"')
    assert error_of(tmp_path, "[server]\nmax_connections = true\n").startswith(
        "server.max_connections: expected an integer >= 1, got true"
    )
    assert error_of(tmp_path, "[edge]\nlow_power_journal = 1\n").startswith(
        "edge.low_power_journal: expected true or false, got 1"
    )
    assert error_of(tmp_path, "[database]\npath = [1]\n").startswith(
        "database.path: expected a path, got an array"
    )


def test_section_must_be_a_table(tmp_path: Path) -> None:
    assert error_of(tmp_path, "server = 5\n").startswith("server: expected a [server] table, got 5")


def test_invalid_toml_reports_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[server]\nport = 5432\nlisten = \n")
    assert "not valid TOML" in message and "line 3" in message


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("server.port", "65536", "expected an integer from 0 to 65535"),
        ("server.port", "abc", "expected an integer from 0 to 65535"),
        ("server.max_message_bytes", "100", "expected an integer from 1024 to 1073741824"),
        ("server.listen", "0.0.0.0, ::", "expected an IP address or host name"),
        ("server.auth_method", "plain", "expected one of trust, password, md5, scram-sha-256"),
        ("observability.metrics_enabled", "maybe", "expected true or false"),
        ("replication.standby_host", "replica", 'expected a "host:port" address'),
        ("replication.standby_host", "replica:0", 'expected a "host:port" address'),
        (
            "replication.role",
            "$(POD_NAME == 'x' && 'primary' || 'standby')",
            "expected one of primary, standby",
        ),
        ("transaction_replay.outcome_retention_hours", "0", "expected an integer >= 1"),
        ("database.path", "", "expected a path"),
    ],
)
def test_bad_text_values_name_key_form_and_source(key: str, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, overrides={key: text}, environ={})
    assert str(caught.value).startswith(f"{key}: {expected}")
    assert "command-line override" in str(caught.value)
    assert caught.value.key == key


def test_environment_errors_name_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^server\.port: .*HELIOSDB_SERVER_PORT"):
        load_config(None, environ={"HELIOSDB_SERVER_PORT": "many"})


def test_ipv6_host_port_is_accepted() -> None:
    config = load_config(None, overrides={"replication.standby_host": "[::1]:50051"}, environ={})
    assert config.replication.standby_host == "[::1]:50051"


@pytest.mark.parametrize("key", ["port", "server", "nosuch.key", "server.nosuch"])
def test_unknown_override_names_it(key: str) -> None:
    with pytest.raises(ConfigError, match="unknown") as caught:
        load_config(None, overrides={key: "1"}, environ={})
    assert key.partition(".")[0] in str(caught.value)


def test_key_without_section_suggests_sections_having_it() -> None:
    with pytest.raises(ConfigError,
                       match=r"did you mean server\.listen or replication\.listen or proxy\.listen\?"):
        load_config(None, overrides={"listen": "::1"}, environ={})


def test_tls_cert_and_key_go_together() -> None:
    with pytest.raises(ConfigError, match=r"^server\.tls_key: required when server\.tls_cert is set"):
        load_config(None, overrides={"server.tls_cert": "cert.pem"}, environ={})
    with pytest.raises(ConfigError, match=r"^server\.tls_cert: required"):
        load_config(None, overrides={"server.tls_key": "key.pem"}, environ={})


# --- accepted without effect ----------------------------------------------------------------


def test_no_effect_table_names_only_known_keys() -> None:
    assert set(NO_EFFECT) <= set(ALL_KEYS)
    assert all(rule.reason for rule in NO_EFFECT.values())


def test_without_effect_lists_only_explicitly_set_keys() -> None:
    config = load_config(
        None, overrides={"server.port": "1", "performance.io_uring_journal": "off"}, environ={}
    )
    assert config.without_effect() == [
        ("performance.io_uring_journal", "the journal uses write() + fsync; io_uring is not used")
    ]


def test_without_effect_depends_on_the_value_where_one_value_is_honoured() -> None:
    honoured = load_config(None, overrides={"transaction_replay.verify_on_replay": "true"}, environ={})
    assert honoured.without_effect() == []
    ignored = load_config(None, overrides={"transaction_replay.verify_on_replay": "false"}, environ={})
    assert [key for key, _ in ignored.without_effect()] == ["transaction_replay.verify_on_replay"]


def test_replication_keys_are_honoured_except_a_port_of_its_own() -> None:
    overrides = {key: "" for key in ALL_KEYS if key.endswith("_host")}
    overrides |= {"replication.replication_mode": "sync-strict", "replication.sync_timeout_ms": "10",
                  "replication.listen": "127.0.0.1:50051"}
    reported = dict(load_config(None, overrides=overrides, environ={}).without_effect())
    assert list(reported) == ["replication.listen"]
    assert "PostgreSQL port" in reported["replication.listen"]


# --- serving on a non-loopback address -------------------------------------------------------


@pytest.mark.parametrize(
    "listen", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]
)
def test_loopback_addresses(listen: str) -> None:
    assert is_loopback_address(listen)
    Config(server=ServerConfig(listen=listen)).validate_for_serving(users_exist=False)


@pytest.mark.parametrize("listen", ["0.0.0.0", "::", "*", "10.0.0.5", "db.example.com", "128.0.0.1"])
def test_non_loopback_without_users_is_refused(listen: str) -> None:
    assert not is_loopback_address(listen)
    config = Config(server=ServerConfig(listen=listen, auth_method="scram-sha-256"))
    with pytest.raises(ConfigError, match="not loopback and no users are configured") as caught:
        config.validate_for_serving(users_exist=False)
    assert listen in str(caught.value) and "heliosdb-lite user add" in str(caught.value)


def test_non_loopback_with_trust_is_refused_even_with_users() -> None:
    config = Config(server=ServerConfig(listen="0.0.0.0"))
    with pytest.raises(ConfigError, match=r"^server\.auth_method: trust"):
        config.validate_for_serving(users_exist=True)


def test_non_loopback_with_users_and_password_auth_is_allowed() -> None:
    Config(server=ServerConfig(listen="0.0.0.0", auth_method="scram-sha-256")).validate_for_serving(True)


def test_password_auth_without_users_is_refused_on_loopback_too() -> None:
    with pytest.raises(ConfigError, match=r"^server\.auth_method: md5 needs users"):
        Config(server=ServerConfig(auth_method="md5")).validate_for_serving(users_exist=False)


# --- docs/configuration.md stays the reference -----------------------------------------------


def _docs_rows() -> dict[str, list[str]]:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([a-z_]+\.[a-z_]+)` \|", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
    return rows


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return str(value)


def test_docs_table_lists_every_key_with_its_default_and_status() -> None:
    rows = _docs_rows()
    assert sorted(rows) == sorted(ALL_KEYS)
    defaults = Config()
    for key, (_, _type, default, _meaning, honoured) in rows.items():
        value = defaults.value(key)
        if value is None:
            assert default.startswith("unset"), key
        elif isinstance(value, Path):
            assert Path(default.strip('`"')) == value, key
        else:
            assert default.startswith(f"`{_toml(value)}`"), key
        rule = NO_EFFECT.get(key)
        if rule is None:
            assert honoured.startswith("yes"), key
        elif rule.applies_to(object()):
            assert honoured.startswith("no"), key
        else:
            assert honoured.startswith(f"`{_toml(rule.ignored_value)}` ignored"), key


# --- [failover] -----------------------------------------------------------------------------------

_FAILOVER_ON = {"HELIOSDB_FAILOVER_ENABLED": "true", "HELIOSDB_FAILOVER_NODE_NAME": "node1",
                "HELIOSDB_REPLICATION_REPLICATE_JOURNAL": "true"}


def test_failover_agreed_keys_load_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "heliosdb.toml"
    path.write_text('[replication]\nreplicate_journal = true\n[failover]\nenabled = true\n'
                    'etcd_endpoints = ["10.0.0.5:2379", "10.0.0.6:2379"]\ncluster_name = "orders"\n'
                    'node_name = "db-1"\nadvertise_host = "10.0.0.1:5432"\nttl_seconds = 10\n'
                    'loop_wait_seconds = 2\nretry_timeout_seconds = 3\n')
    failover = load_config(path, environ={}).failover
    assert failover.etcd_endpoints == ("10.0.0.5:2379", "10.0.0.6:2379")
    assert (failover.cluster_name, failover.node_name, failover.advertise_host) == ("orders", "db-1",
                                                                                    "10.0.0.1:5432")


def test_failover_timing_rule_is_checked_when_enabled() -> None:
    environ = {**_FAILOVER_ON, "HELIOSDB_FAILOVER_TTL_SECONDS": "7"}
    with pytest.raises(ConfigError, match=r"^failover\.ttl_seconds: .*\(2 \+ 2 \* 3 > 7\)"):
        load_config(None, environ=environ)
    disabled = load_config(None, environ={**environ, "HELIOSDB_FAILOVER_ENABLED": "false"})
    assert disabled.failover.ttl_seconds == 7
    relaxed = load_config(None, environ={**environ, "HELIOSDB_FAILOVER_TTL_SECONDS": "8"})
    assert relaxed.failover.ttl_seconds == 8


@pytest.mark.parametrize(("change", "key"), [
    ({"HELIOSDB_FAILOVER_NODE_NAME": ""}, "failover.node_name"),
    ({"HELIOSDB_FAILOVER_NODE_NAME": "a b"}, "failover.node_name"),
    ({"HELIOSDB_REPLICATION_REPLICATE_JOURNAL": "false"}, "replication.replicate_journal"),
    ({"HELIOSDB_SERVER_LISTEN": "0.0.0.0"}, "failover.advertise_host"),
])
def test_failover_requirements_name_their_key(change: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(None, environ={**_FAILOVER_ON, **change})
    assert raised.value.key == key


def test_failover_advertise_address_defaults_to_the_listen_address() -> None:
    config = load_config(None, environ={**_FAILOVER_ON, "HELIOSDB_SERVER_PORT": "5433"})
    assert config.advertise_address == "127.0.0.1:5433"
    config = load_config(None, environ={**_FAILOVER_ON, "HELIOSDB_SERVER_LISTEN": "0.0.0.0",
                                        "HELIOSDB_FAILOVER_ADVERTISE_HOST": "db1.internal:5432"})
    assert config.advertise_address == "db1.internal:5432"
