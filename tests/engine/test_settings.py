"""SET/SHOW/RESET, set_config/current_setting, startup settings and ParameterStatus changes."""

from __future__ import annotations

import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.errors import DatabaseError

from .helpers import columns, error, rows, run, value

DEFAULTS = {
    "application_name": "", "client_encoding": "UTF8", "DateStyle": "ISO, MDY", "TimeZone": "Etc/UTC",
    "IntervalStyle": "postgres", "standard_conforming_strings": "on", "integer_datetimes": "on",
    "server_version": "15.18", "server_encoding": "UTF8", "is_superuser": "on",
    "session_authorization": "postgres", "default_transaction_read_only": "off", "in_hot_standby": "off",
    "transaction_isolation": "read committed", "search_path": '"$user", public', "extra_float_digits": "1",
    "statement_timeout": "0", "lock_timeout": "0", "idle_in_transaction_session_timeout": "0",
}


@pytest.mark.parametrize(("name", "expected"), DEFAULTS.items())
def test_defaults(session: SQLiteSession, name: str, expected: str) -> None:
    assert value(session, f"show {name}") == expected
    assert session.parameter(name) == expected


@pytest.mark.parametrize(("statement", "name", "shown"), [
    ("set application_name = 'my app'", "application_name", "my app"),
    ("SET SESSION application_name TO bare_word", "application_name", "bare_word"),
    ("set time zone 'europe/paris'", "TimeZone", "Europe/Paris"),
    ("set TimeZone to 'UTC'", "timezone", "UTC"),
    ("set datestyle to iso, mdy", "DateStyle", "ISO, MDY"),
    ("set datestyle = 'ISO'", "DateStyle", "ISO, MDY"),
    ("set client_encoding = 'utf-8'", "client_encoding", "UTF8"),
    ("set names 'UTF8'", "client_encoding", "UTF8"),
    ("set names 'iso-8859-15'", "client_encoding", "LATIN9"),
    ("set search_path to myschema, public", "search_path", "myschema, public"),
    ("set extra_float_digits = -3", "extra_float_digits", "-3"),
    ("set statement_timeout = 5000", "statement_timeout", "5s"),
    ("set lock_timeout = '90s'", "lock_timeout", "90s"),
    ("set default_transaction_read_only = true", "default_transaction_read_only", "on"),
    ("set myapp.tenant = 'acme'", "myapp.tenant", "acme"),
])
def test_set_and_show(session: SQLiteSession, statement: str, name: str, shown: str) -> None:
    assert run(session, statement).command_tag() == "SET"
    assert value(session, f"show {name}") == shown


def test_reset(session: SQLiteSession) -> None:
    run(session, "set application_name = 'x'")
    run(session, "set timezone = 'Asia/Tokyo'")
    assert run(session, "reset application_name").command_tag() == "RESET"
    assert value(session, "show application_name") == ""
    run(session, "set application_name to default")
    run(session, "reset all")
    assert value(session, "show timezone") == "Etc/UTC"


@pytest.mark.parametrize(("statement", "sqlstate"), [
    ("show no_such_thing", "42704"),
    ("set no_such_thing = 1", "42704"),
    ("reset no_such_thing", "42704"),
    ("set server_version = '1'", "55P02"),
    ("set timezone = 'Mars/Olympus'", "22023"),
    ("set client_encoding = 'LATIN11'", "22023"),
    ("set client_encoding = 'mule_internal'", "0A000"),
    ("set extra_float_digits = 9", "22023"),
    ("set standard_conforming_strings = maybe", "22023"),
    ("set datestyle = 'ISO, SQL'", "22023"),
    ("set datestyle = 'ISO DMY'", "22023"),
    ("set datestyle = 'Swatch'", "22023"),
    ("set intervalstyle = 'verbose'", "22023"),
    ("set session authorization 'Æthelred'", "0A000"),  # was read as SET SESSION authorization: 42601
    ("set local session authorization postgres", "0A000"),
    ("set session role postgres", "0A000"),
    ("set role postgres", "0A000"),
])
def test_refused(session: SQLiteSession, statement: str, sqlstate: str) -> None:
    assert error(session, statement).sqlstate == sqlstate


def test_unknown_show_message(session: SQLiteSession) -> None:
    assert error(session, "show nope").message == 'unrecognized configuration parameter "nope"'


def test_show_all(session: SQLiteSession) -> None:
    assert [c[0] for c in columns(session, "show all")] == ["name", "setting", "description"]
    settings = {name: setting for name, setting, _ in rows(session, "show all")}
    assert settings["TimeZone"] == "Etc/UTC"


def test_set_config_and_current_setting(session: SQLiteSession) -> None:
    assert rows(session, "select current_setting('jit') as cur, set_config('jit', 'off', false) as new") == [
        ("on", "off")]
    assert value(session, "select current_setting('jit')") == "off"
    assert value(session, "select set_config('jit', $1, false)", ["on"]) == "on"
    assert value(session, "select current_setting('missing.custom', true)") is None
    assert error(session, "select current_setting('missing.custom')").sqlstate == "42704"


def test_parameter_changes_report_only_guc_report_parameters(session: SQLiteSession) -> None:
    assert session.parameter_changes() == []
    run(session, "set application_name = 'a'")
    run(session, "set extra_float_digits = 2")
    run(session, "set time zone 'Asia/Tokyo'")
    assert sorted(session.parameter_changes()) == [("TimeZone", "Asia/Tokyo"), ("application_name", "a")]
    assert session.parameter_changes() == []
    run(session, "begin")
    run(session, "set application_name = 'b'")
    run(session, "rollback")
    assert session.parameter_changes() == []
    run(session, "select set_config('application_name', 'c', false)")
    assert session.parameter_changes() == [("application_name", "c")]


def test_parameter_changes_of_a_transaction_and_their_undoing_are_reported(session: SQLiteSession) -> None:
    """Reported after each statement, as PostgreSQL does: a value set in a transaction, then the
    value the rollback restores, or the end of a SET LOCAL."""
    run(session, "set application_name = 'a'")
    assert session.parameter_changes() == [("application_name", "a")]
    run(session, "begin")
    run(session, "select 1")
    assert session.parameter_changes() == []
    run(session, "set application_name = 'b'")
    assert session.parameter_changes() == [("application_name", "b")]
    run(session, "rollback")
    assert session.parameter_changes() == [("application_name", "a")]
    run(session, "begin")
    run(session, "set local time zone 'Asia/Tokyo'")
    assert session.parameter_changes() == [("TimeZone", "Asia/Tokyo")]
    run(session, "commit")
    assert session.parameter_changes() == [("TimeZone", "Etc/UTC")]
    run(session, "begin")
    run(session, "reset all")
    assert session.parameter_changes() == [("application_name", "")]
    run(session, "rollback")
    assert session.parameter_changes() == [("application_name", "a")]
    assert value(session, "show application_name") == "a"


def test_startup_settings_apply_without_being_reported(engine: SQLiteEngine) -> None:
    session = engine.open_session("alice", "db1", {"application_name": "psql", "client_encoding": "'utf-8'",
                                                   "TimeZone": "America/New_York"})
    assert session.parameter("application_name") == "psql"
    assert session.parameter("client_encoding") == "UTF8"
    assert session.parameter("TimeZone") == "America/New_York"
    assert session.parameter("session_authorization") == "alice"
    assert session.parameter_changes() == []
    assert rows(session, "select current_user, session_user, current_database()") == [
        ("alice", "alice", "db1")]


def test_unknown_startup_setting_is_fatal(engine: SQLiteEngine) -> None:
    with pytest.raises(DatabaseError) as raised:
        engine.open_session("postgres", "postgres", {"no_such_option": "1"})
    assert (raised.value.sqlstate, raised.value.severity) == ("42704", "FATAL")


def test_version_parses_like_postgresql(session: SQLiteSession) -> None:
    assert value(session, "select pg_catalog.version()").startswith("PostgreSQL 15.18 ")
