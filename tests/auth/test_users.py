"""The users file (server/users.py): TOML round-trip, atomic 0600 writes, validation, CLI commands."""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import stat
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.engine.interface import RoleChange
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.auth import check_password
from heliosdb_lite.server import users as users_module
from heliosdb_lite.server.users import Role, UsersFile, add_user_commands

WEIRD_NAMES = [
    "alice",
    'quo"te',
    "back\\slash",
    "dots.and spaces",
    "[users]",
    "=",
    "'single'",
    "\u00fcn\u00efc\u00f6d\u00e9",
    "\u65e5\u672c",
    '\\"\\u0041',
    "#comment",
]


@pytest.fixture
def users_file(tmp_path: Path) -> UsersFile:
    return UsersFile(tmp_path / "conf" / "users.toml")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_file_means_no_users(users_file: UsersFile) -> None:
    assert users_file.load() == {}
    assert users_file.list() == []
    assert users_file.verifier("alice") is None
    assert users_file.remove("alice") is False
    assert not users_file.path.parent.exists()


def test_add_verifier_remove_round_trip(users_file: UsersFile) -> None:
    assert users_file.add("alice", "pencil") is True
    assert users_file.add("bob", "secret", method="md5") is True
    assert users_file.list() == ["alice", "bob"]

    alice = users_file.verifier("alice")
    assert alice is not None and alice.startswith("SCRAM-SHA-256$4096:")
    assert check_password(alice, "pencil", user="alice")
    assert users_file.verifier("bob") == "md5" + hashlib.md5(b"secretbob").hexdigest()

    assert users_file.add("alice", "new password") is False
    changed = users_file.verifier("alice")
    assert changed is not None and check_password(changed, "new password", user="alice")
    assert not check_password(changed, "pencil", user="alice")

    assert users_file.remove("alice") is True
    assert users_file.remove("alice") is False
    assert users_file.list() == ["bob"]


def test_writes_are_0600_and_leave_no_temporary_files(users_file: UsersFile) -> None:
    users_file.add("alice", "pencil", method="md5")
    assert _mode(users_file.path) == 0o600
    os.chmod(users_file.path, 0o644)
    users_file.add("bob", "pencil", method="md5")
    assert _mode(users_file.path) == 0o600
    users_file.remove("bob")
    assert _mode(users_file.path) == 0o600
    assert os.listdir(users_file.path.parent) == ["users.toml"]


def test_failed_write_keeps_the_old_file(users_file: UsersFile, monkeypatch: pytest.MonkeyPatch) -> None:
    users_file.add("alice", "pencil", method="md5")
    before = users_file.path.read_bytes()

    def broken_replace(source: str, destination: Path) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(users_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        users_file.add("bob", "pencil", method="md5")
    assert users_file.path.read_bytes() == before
    assert os.listdir(users_file.path.parent) == ["users.toml"]


@pytest.mark.parametrize("name", WEIRD_NAMES)
def test_weird_names_round_trip_through_toml(users_file: UsersFile, name: str) -> None:
    users_file.add(name, "pencil", method="md5")
    users_file.add("zed", "pencil", method="md5")
    assert UsersFile(users_file.path).list() == sorted([name, "zed"])
    with users_file.path.open("rb") as file:
        assert set(tomllib.load(file)["users"]) == {name, "zed"}


def test_file_format_is_one_table_per_user(users_file: UsersFile) -> None:
    users_file.add("alice", "pencil", method="md5")
    users_file.add('o"neil', "pencil", method="md5")
    text = users_file.path.read_text()
    assert '[users."alice"]\nverifier = "md5' in text
    assert '[users."o\\"neil"]\n' in text


def _valid_names() -> st.SearchStrategy[str]:
    characters = st.characters(blacklist_categories=("Cc", "Cs"))
    return st.text(characters, min_size=1, max_size=20).filter(lambda name: len(name.encode()) <= 63)


@settings(max_examples=60, deadline=None)
@given(st.lists(_valid_names(), min_size=1, max_size=4, unique=True))
def test_any_valid_names_round_trip(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        users_file = UsersFile(Path(directory) / "users.toml")
        for name in names:
            users_file.add(name, "pw", method="md5")
        assert UsersFile(users_file.path).list() == sorted(names)


@pytest.mark.parametrize("name", ["", "a\nb", "nul\0", "tab\t", "del\x7f", "x" * 64, "\u00e9" * 32, "\udc80"])
def test_invalid_names_are_rejected(users_file: UsersFile, name: str) -> None:
    with pytest.raises(DatabaseError) as error:
        users_file.add(name, "pencil")
    assert error.value.sqlstate == "42602"
    assert not users_file.path.exists()


def test_longest_allowed_name_is_63_bytes(users_file: UsersFile) -> None:
    users_file.add("x" * 63, "pencil", method="md5")
    assert users_file.list() == ["x" * 63]


def test_empty_password_and_unknown_method_are_rejected(users_file: UsersFile) -> None:
    with pytest.raises(DatabaseError):
        users_file.add("alice", "")
    with pytest.raises(DatabaseError):
        users_file.add("alice", "pencil", method="plain")
    assert not users_file.path.exists()


@pytest.mark.parametrize(
    "content",
    [
        "this is not toml",
        '[server]\nport = 1\n[users."a"]\nverifier = "md5' + "0" * 32 + '"\n',
        'users = "alice"\n',
        '[users."a"]\npassword = "x"\n',
        '[users."a"]\nverifier = "plaintext"\n',
        '[users."a"]\nverifier = 5\n',
        '[users."a\\n"]\nverifier = "md5' + "0" * 32 + '"\n',
        '[users."a"]\nverifier = "md5' + "0" * 32 + '"\nextra = 1\n',
        '[users."a"]\nlogin = "no"\n',
        'journal = 3\n',
        'journal = [1, -2]\n',
        'journal = [1, 2, 3]\n',
    ],
)
def test_corrupt_file_is_a_configuration_error(users_file: UsersFile, content: str) -> None:
    users_file.path.parent.mkdir()
    users_file.path.write_text(content)
    with pytest.raises(DatabaseError) as error:
        users_file.load()
    assert error.value.sqlstate == "F0000"
    assert str(users_file.path) in error.value.message


def test_concurrent_adds_lose_nothing(users_file: UsersFile) -> None:
    names = [f"user{index}" for index in range(8)]
    threads = [
        threading.Thread(target=users_file.add, args=(name, "pw"), kwargs={"method": "md5"}) for name in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert users_file.list() == names


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="heliosdb-lite")
    add_user_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(parser: argparse.ArgumentParser, *argv: str) -> int:
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    replacement = io.StringIO()
    monkeypatch.setattr("sys.stdin", replacement)
    yield replacement


def test_cli_add_list_remove(
    parser: argparse.ArgumentParser, tmp_path: Path, stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "users.toml")
    stdin.write("s3cret pass\n")
    stdin.seek(0)
    assert _run(parser, "user", "add", "alice", "--password-stdin", "--users-file", path) == 0
    verifier = UsersFile(path).verifier("alice")
    assert verifier is not None and check_password(verifier, "s3cret pass", user="alice")

    stdin.seek(0)
    stdin.write("md5pass\r\n")
    stdin.seek(0)
    assert (
        _run(parser, "user", "add", "bob", "--password-stdin", "--method", "md5", "--users-file", path) == 0
    )
    assert UsersFile(path).verifier("bob") == "md5" + hashlib.md5(b"md5passbob").hexdigest()

    capsys.readouterr()
    assert _run(parser, "user", "list", "--users-file", path) == 0
    assert capsys.readouterr().out == "alice\nbob\n"

    assert _run(parser, "user", "remove", "alice", "--users-file", path) == 0
    assert _run(parser, "user", "remove", "alice", "--users-file", path) == 1
    assert "does not exist" in capsys.readouterr().err
    assert UsersFile(path).list() == ["bob"]


def test_cli_prompts_twice(
    parser: argparse.ArgumentParser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "users.toml")
    answers = iter(["pencil", "pencil", "one", "two"])
    monkeypatch.setattr(users_module.getpass, "getpass", lambda prompt: next(answers))
    assert _run(parser, "user", "add", "alice", "--users-file", path) == 0
    assert check_password(UsersFile(path).verifier("alice"), "pencil", user="alice")
    assert _run(parser, "user", "add", "bob", "--users-file", path) == 1
    assert UsersFile(path).list() == ["alice"]


@pytest.mark.parametrize(("name", "stdin_text"), [("alice", ""), ("alice", "\n"), ("bad\nname", "pw\n")])
def test_cli_add_failures_exit_1_without_writing(
    parser: argparse.ArgumentParser,
    tmp_path: Path,
    stdin: io.StringIO,
    capsys: pytest.CaptureFixture[str],
    name: str,
    stdin_text: str,
) -> None:
    path = tmp_path / "users.toml"
    stdin.write(stdin_text)
    stdin.seek(0)
    assert _run(parser, "user", "add", name, "--password-stdin", "--users-file", str(path)) == 1
    assert capsys.readouterr().err.startswith("heliosdb-lite: ")
    assert not path.exists()


def test_cli_reports_a_corrupt_file(
    parser: argparse.ArgumentParser, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "users.toml"
    path.write_text("not toml")
    assert _run(parser, "user", "list", "--users-file", str(path)) == 1
    assert str(path) in capsys.readouterr().err


def test_cli_default_users_file(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_user_commands(parser.add_subparsers(), default_users_file=tmp_path / "default.toml")
    assert parser.parse_args(["user", "list"]).users_file == tmp_path / "default.toml"


def test_roles_of_sql_round_trip_without_a_password_or_login(users_file: UsersFile) -> None:
    """CREATE / ALTER / DROP ROLE's changes: a role may have no verifier and be NOLOGIN; load() (the
    password users) leaves out the ones without a verifier, `user add` keeps a role's login."""
    verifier = "md5" + "1" * 32
    users_file.apply([RoleChange("create", "reader", None, True, False),
                      RoleChange("create", "app", verifier, True, True)])
    assert users_file.roles() == {"reader": Role(None, False), "app": Role(verifier, True)}
    assert users_file.load() == {"app": verifier}
    assert users_file.logins() == {"reader": False, "app": True}
    assert users_file.path.read_text().count("login = false") == 1
    users_file.add("reader", "pencil")
    assert users_file.role("reader") == Role(users_file.verifier("reader"), False)
    users_file.apply([RoleChange("alter", "reader", None, True, True), RoleChange("drop", "app")])
    assert users_file.roles() == {"reader": Role(None, True)}


def test_journaled_changes_apply_once_by_epoch_then_lsn(users_file: UsersFile) -> None:
    """A journal entry's role changes go in with its (epoch, LSN), kept in the file; replaying an
    entry at or before that position changes nothing, a later one (a later epoch at a lower LSN
    too) applies; `user add` keeps the position; apply returns what undoes it."""
    verifier = "md5" + "2" * 32
    undo = users_file.apply([RoleChange("create", "app", verifier, True, True)], (1, 10))
    assert users_file.position() == (1, 10)
    assert tomllib.loads(users_file.path.read_text())["journal"] == [1, 10]
    assert not users_file.replay([RoleChange("drop", "app")], (1, 10))
    assert not users_file.replay([RoleChange("drop", "app")], (0, 99))
    users_file.add("app", "offline")
    assert users_file.position() == (1, 10)
    offline = users_file.verifier("app")
    assert users_file.replay([RoleChange("create", "other", None, True, False)], (2, 5))
    assert users_file.position() == (2, 5)
    assert users_file.roles() == {"app": Role(offline, True), "other": Role(None, False)}
    users_file.apply(undo)
    assert users_file.roles() == {"other": Role(None, False)}
    assert users_file.position() == (2, 5)


def test_unsynced_changes_are_undone_past_the_journal_end(tmp_path: Path) -> None:
    """apply() with a position first keeps, in the node's unsynced file, what the entry changed,
    until one at or below the synced LSN comes after it; undo_after(lsn) (recovery) sets back the
    roles the entries past `lsn` changed, newest first — not one changed again since (an offline
    `user add`) — puts the position back and forgets the rest; durable_text() is the file without
    the unsynced entries (a standby's seed)."""
    users_file = UsersFile(tmp_path / "users.toml", tmp_path / "roles-unsynced.toml")
    first, second = "md5" + "3" * 32, "md5" + "4" * 32
    users_file.apply([RoleChange("create", "app", first, True, True)], (1, 10), synced_lsn=9)
    users_file.apply([RoleChange("alter", "app", second, True, False),
                      RoleChange("create", "lost", None, True, True)], (1, 11), synced_lsn=9)
    assert [entry.at for entry in users_file.unsynced()] == [(1, 10), (1, 11)]
    assert users_file.unsynced_path is not None
    assert "users" not in tomllib.loads(users_file.unsynced_path.read_text())  # the node's own file
    seed = UsersFile(tmp_path / "seed.toml")
    text = users_file.durable_text(10)
    assert text is not None and seed.replace(text) == 1
    assert seed.roles() == {"app": Role(first, True)} and seed.position() == (1, 10)
    users_file.apply([RoleChange("create", "later", None, True, True)], (1, 12), synced_lsn=10)
    assert [entry.at for entry in users_file.unsynced()] == [(1, 11), (1, 12)]
    users_file.add("lost", "offline")
    assert sorted(users_file.undo_after(10)) == ["app", "later"]
    assert users_file.roles() == {"app": Role(first, True), "lost": Role(users_file.verifier("lost"), True)}
    assert users_file.position() == (1, 10) and users_file.unsynced() == []
    assert users_file.undo_after(0) == []
    assert UsersFile(tmp_path / "none.toml").durable_text(0) is None


def test_replace_takes_another_file_and_leaves_an_equal_one_alone(users_file: UsersFile,
                                                                  tmp_path: Path) -> None:
    """replace() (a standby taking its primary's file) checks the text first, writes nothing when the
    file holds the same already (a read-only file the nodes share), and refuses a corrupt one."""
    primary = UsersFile(tmp_path / "primary.toml", tmp_path / "primary-unsynced.toml")
    primary.add("admin", "secret")
    primary.apply([RoleChange("create", "app", None, True, False)], (2, 7), synced_lsn=7)
    text = primary.durable_text(7)
    assert text is not None
    assert users_file.replace(text) == 2
    assert users_file.roles() == primary.roles() and users_file.position() == (2, 7)
    written = users_file.path.stat().st_ino  # each write renames a new file in place
    assert users_file.replace(text) == 2
    assert users_file.path.stat().st_ino == written
    with pytest.raises(DatabaseError, match="cannot take the text given"):
        users_file.replace("[users.")
    with pytest.raises(DatabaseError, match="unknown top-level"):
        users_file.replace("other = 1\n")
