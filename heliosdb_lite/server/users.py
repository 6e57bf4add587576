"""The users file: the roles, each with its password verifier, and the `heliosdb-lite user`
commands managing it (SQL's CREATE/ALTER/DROP ROLE change it too: `engine/roles.py`).

Format (TOML, UTF-8, written by this module, one table per user, keys always quoted):

    # HeliosDB-Lite users, managed by `heliosdb-lite user add|remove|list`.
    journal = [3, 1742]
    [users."alice"]
    verifier = "SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>"

    [users."reporting"]
    login = false

A verifier is a SCRAM-SHA-256 or md5 verifier in PostgreSQL's format (see protocol/auth.py); a role
without one has no password (password authentication fails for it, as for PostgreSQL's NULL
password); `login = false` is a role that may not log in (NOLOGIN; absent: it may).
Every change rewrites the whole file atomically (temporary file, fsync, rename, directory
fsync) with mode 0600, under an exclusive lock on the directory so concurrent commands
cannot lose each other's changes: a change is durable once made.

SQL's role changes are journaled (in the postgres database's journal: `replay.commit`) and applied
here with the (epoch, LSN) of their entry, which `journal` keeps: replaying an entry (recovery, a
standby's stream) applies it only when it comes after that position, so a change is applied once
and a later offline edit (`heliosdb-lite user add|remove`, which keeps the position) is never
undone. Offline edits are this node's own, as pg_hba.conf is: they are not replicated.

The primary writes an entry's changes before the journal has synced it, so it first writes, to a
file of its own in its data directory (`UNSYNCED_ROLES_FILE`, not the users file, which nodes may
share), what each such entry changed — every role's state before and after — until an entry the
journal has synced comes after it:

    [[entry]]
    at = [3, 1743]
    before = [3, 1742]
    roles = [{ name = "bob", after = { verifier = "SCRAM-SHA-256$..." } }]

Start-up recovery (`undo_after`) sets back each role an entry past the journal's recovered end
changed (a power loss took the entry) — unless the role changed again since (an offline edit) —
and forgets the rest. What a standby is seeded with (`durable_text`) leaves those entries out too.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import getpass
import os
import sys
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from heliosdb_lite.config import Config
from heliosdb_lite.engine.interface import JournalPosition, RoleChange
from heliosdb_lite.errors import (
    CONFIG_FILE_ERROR,
    INVALID_NAME,
    INVALID_PARAMETER_VALUE,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    DatabaseError,
)
from heliosdb_lite.journal.segment import sync_directory
from heliosdb_lite.protocol.auth import make_md5_verifier, make_scram_verifier, verifier_method

METHODS = ("scram-sha-256", "md5")
MAX_USER_NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1
_FILE_MODE = 0o600
_HEADER = "# HeliosDB-Lite users, managed by `heliosdb-lite user add|remove|list`.\n"
UNSYNCED_ROLES_FILE = "roles-unsynced.toml"  # in the data directory (module docstring)
_UNSYNCED_HEADER = "# Role changes of journal entries not yet synced (HeliosDB-Lite's users file).\n"


def validate_user_name(name: str) -> None:
    """Raise 42602 unless `name` is a usable role name: non-empty, at most 63 UTF-8 bytes,
    no control characters."""
    if not name:
        raise DatabaseError(INVALID_NAME, "user name must not be empty")
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        raise DatabaseError(INVALID_NAME, f"user name {name!r} contains control characters")
    if len(name.encode("utf-8")) > MAX_USER_NAME_BYTES:
        raise DatabaseError(
            INVALID_NAME, f"user name {name!r} is longer than {MAX_USER_NAME_BYTES} bytes in UTF-8"
        )


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = []
    for char in text:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


@dataclass(frozen=True, slots=True)
class Role:
    verifier: str | None = None  # None: no password
    login: bool = True


@dataclass(frozen=True, slots=True)
class RoleStep:
    """One role as one change found it and left it (None: no such role)."""

    name: str
    before: Role | None
    after: Role | None


@dataclass(frozen=True, slots=True)
class Unsynced:
    """A journal entry's role changes written before the journal synced it: the users file's
    position before it, and the roles it changed."""

    at: JournalPosition
    before: JournalPosition | None
    steps: tuple[RoleStep, ...]


@dataclass(slots=True)
class _Contents:
    roles: dict[str, Role]
    position: JournalPosition | None


def _position_text(position: JournalPosition) -> str:
    return f"[{position[0]}, {position[1]}]"


def _role_keys(role: Role) -> list[str]:
    keys = [] if role.verifier is None else [f"verifier = {_toml_string(role.verifier)}"]
    return keys if role.login else [*keys, "login = false"]


def _lines(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _render(contents: _Contents) -> str:
    tables = [_lines([f"[users.{_toml_string(name)}]", *_role_keys(role)])
              for name, role in sorted(contents.roles.items())]
    marker = "" if contents.position is None else f"journal = {_position_text(contents.position)}\n"
    return _HEADER + marker + "".join("\n" + table for table in tables)


def _step_text(step: RoleStep) -> str:
    keys = [f"name = {_toml_string(step.name)}"]
    keys += [f"{key} = {{ {', '.join(_role_keys(role))} }}"
             for key, role in (("before", step.before), ("after", step.after)) if role is not None]
    return "{ " + ", ".join(keys) + " }"


def _render_unsynced(entries: Sequence[Unsynced]) -> str:
    tables = []
    for entry in entries:
        lines = ["[[entry]]", f"at = {_position_text(entry.at)}"]
        if entry.before is not None:
            lines.append(f"before = {_position_text(entry.before)}")
        lines.append(f"roles = [{', '.join(_step_text(step) for step in entry.steps)}]")
        tables.append(_lines(lines))
    return _UNSYNCED_HEADER + "".join("\n" + table for table in tables)


def _stepped(roles: dict[str, Role], changes: Sequence[RoleChange]) -> list[RoleStep]:
    """Apply `changes` to `roles` in place, one after the other; returns each role before and after."""
    steps = []
    for change in changes:
        before = roles.get(change.name)
        if change.action == "drop":
            roles.pop(change.name, None)
        else:
            role = before or Role()
            if change.set_verifier:
                role = replace(role, verifier=change.verifier)
            if change.login is not None:
                role = replace(role, login=change.login)
            roles[change.name] = role
        steps.append(RoleStep(change.name, before, roles.get(change.name)))
    return steps


def _undoing(steps: Sequence[RoleStep]) -> list[RoleChange]:
    """The changes setting each role of `steps` back as it was (so undoing twice is undoing once)."""
    return [RoleChange("drop", step.name) if step.before is None else
            RoleChange("create", step.name, step.before.verifier, True, step.before.login)
            for step in reversed(steps)]


def _set_back(roles: dict[str, Role], entry: Unsynced) -> list[str]:
    """Undo `entry`'s steps, newest first, on the roles it left as they are; returns their names."""
    names = []
    for step in reversed(entry.steps):
        if roles.get(step.name) != step.after:
            continue  # changed again since (an offline edit): that stays
        if step.before is None:
            roles.pop(step.name, None)
        else:
            roles[step.name] = step.before
        names.append(step.name)
    return names


class UsersFile:
    """Read and change one users file; `unsynced`: the node's file of the role changes written ahead
    of the journal's sync (the server's postgres database: `UNSYNCED_ROLES_FILE`), else None."""

    def __init__(self, path: str | os.PathLike[str], unsynced: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path)
        self.unsynced_path = None if unsynced is None else Path(unsynced)

    def load(self) -> dict[str, str]:
        """All users with a password and their verifiers; empty when the file does not exist."""
        return {name: role.verifier for name, role in self.roles().items() if role.verifier is not None}

    def roles(self) -> dict[str, Role]:
        """All roles; empty when the file does not exist."""
        return self._read().roles

    def position(self) -> JournalPosition | None:
        """The (epoch, LSN) of the last journal entry whose role changes the file holds."""
        return self._read().position

    def unsynced(self) -> list[Unsynced]:
        """The entries whose changes the file holds without knowing them synced, oldest first."""
        if self.unsynced_path is None:
            return []
        try:
            with self.unsynced_path.open("rb") as file:
                document = tomllib.load(file)
        except FileNotFoundError:
            return []
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise self._corrupt(f"has an unreadable {self.unsynced_path}: {exc}") from exc
        entries = document.get("entry", [])
        if set(document) - {"entry"} or not isinstance(entries, list):
            raise self._corrupt(f"has an {self.unsynced_path} that is not [[entry]] tables")
        return [self._checked_unsynced(entry) for entry in entries]

    def _read(self) -> _Contents:
        try:
            with self.path.open("rb") as file:
                document = tomllib.load(file)
        except FileNotFoundError:
            return _Contents({}, None)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise self._corrupt(f"cannot be read: {exc}") from exc
        return self._parsed(document)

    def _parsed(self, document: dict[str, object]) -> _Contents:
        unknown = sorted(set(document) - {"users", "journal"})
        if unknown:
            raise self._corrupt(f"has unknown top-level key(s) {', '.join(unknown)}; expected [users.<name>]")
        users = document.get("users", {})
        if not isinstance(users, dict):
            raise self._corrupt("must hold [users.<name>] tables")
        return _Contents({name: self._checked_entry(name, entry) for name, entry in users.items()},
                         self._checked_position(document.get("journal")))

    def _checked_position(self, position: object) -> JournalPosition | None:
        if position is None:
            return None
        if not (isinstance(position, list) and len(position) == 2
                and all(isinstance(part, int) and part >= 0 for part in position)):
            raise self._corrupt("has a journal position that is not [epoch, lsn]")
        return position[0], position[1]

    def _checked_unsynced(self, entry: object) -> Unsynced:
        if not (isinstance(entry, dict) and set(entry) <= {"at", "before", "roles"} and "at" in entry
                and isinstance(entry.get("roles"), list)):
            raise self._corrupt(f"has an {self.unsynced_path} entry that is not at, before and roles")
        at = self._checked_position(entry["at"])
        assert at is not None
        steps = []
        for step in entry["roles"]:
            if not (isinstance(step, dict) and isinstance(step.get("name"), str)
                    and set(step) <= {"name", "before", "after"}):
                raise self._corrupt(f"has an {self.unsynced_path} role that is not name, before and after")
            name = step["name"]
            before, after = (None if step.get(key) is None else self._checked_entry(name, step[key])
                             for key in ("before", "after"))
            steps.append(RoleStep(name, before, after))
        return Unsynced(at, self._checked_position(entry.get("before")), tuple(steps))

    def verifier(self, user: str) -> str | None:
        """The stored verifier of `user`, or None when there is no such user (or it has none)."""
        return self.load().get(user)

    def role(self, user: str) -> Role | None:
        return self.roles().get(user)

    def logins(self) -> dict[str, bool]:
        return {name: role.login for name, role in self.roles().items()}

    def check_name(self, name: str) -> None:
        validate_user_name(name)

    def check_writable(self) -> None:
        """Raise 55000 unless a change can be written now: a file made and removed beside it (a
        read-only mount refuses it, for root too)."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.path.parent, prefix=f".{self.path.name}.",
                                             suffix=".probe"):
                pass
        except OSError as exc:
            hint = ("Role changes are written to the server's users file: make it writable, or manage "
                    "users with `heliosdb-lite user add` where it is.")
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                f"users file {self.path} cannot be written: {exc.strerror or exc}",
                                hint=hint) from None

    def apply(self, changes: Sequence[RoleChange], at: JournalPosition | None = None,
              synced_lsn: int | None = None) -> list[RoleChange]:
        """CREATE / ALTER / DROP ROLE's changes (`interface.RoleStore`), written at once; returns the
        changes undoing them. With `at`, the position of the journal entry holding them, not synced
        yet: first the unsynced file keeps what they change (forgetting the entries at or below
        `synced_lsn`, the journal's synced LSN)."""
        with self._locked():
            contents = self._read()
            steps = _stepped(contents.roles, changes)
            if at is not None:
                if self.unsynced_path is not None:
                    kept = [entry for entry in self.unsynced()
                            if synced_lsn is None or entry.at[1] > synced_lsn]
                    self._write_unsynced([*kept, Unsynced(at, contents.position, tuple(steps))])
                contents.position = at
            self._write(contents)
        return _undoing(steps)

    def replay(self, changes: Sequence[RoleChange], at: JournalPosition) -> bool:
        """Apply the changes of the journal entry at `at` unless the file holds them (its position is
        `at` or later); True when applied."""
        with self._locked():
            contents = self._read()
            if contents.position is not None and at <= contents.position:
                return False
            _stepped(contents.roles, changes)
            contents.position = at
            self._write(contents)
        return True

    def undo_after(self, lsn: int) -> list[str]:
        """Start-up recovery, the journal ending at `lsn` (everything up to it synced): set back the
        roles the entries past it changed (a power loss took them before the journal synced them),
        those changed again since apart, and forget the others; returns the roles set back."""
        with self._locked():
            entries = self.unsynced()
            if not entries:
                return []
            lost = [entry for entry in entries if entry.at[1] > lsn]
            names: list[str] = []
            if lost:
                contents = self._read()
                for entry in reversed(lost):
                    names += _set_back(contents.roles, entry)
                contents.position = lost[0].before
                self._write(contents)
            self._write_unsynced([])
        return names

    def durable_text(self, synced_lsn: int) -> str | None:
        """The file without the changes of entries past `synced_lsn` (what a standby starts from:
        `replication.rejoin`); None when there is no file."""
        with self._locked():
            if not self.path.exists():
                return None
            contents = self._read()
            for entry in reversed(self.unsynced()):
                if entry.at[1] > synced_lsn:
                    _set_back(contents.roles, entry)
                    contents.position = entry.before
        return _render(contents)

    def replace(self, text: str) -> int:
        """Make the file `text` (another node's `durable_text`), checked first, unless it holds that
        already (a file the nodes share, read-only perhaps), and forget this node's unsynced
        changes (they were to the file replaced); returns its roles' count."""
        try:
            contents = self._parsed(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            raise self._corrupt(f"cannot take the text given: {exc}") from exc
        with self._locked():
            if self._read() != contents:
                self._write(contents)
            if self.unsynced():
                self._write_unsynced([])
        return len(contents.roles)

    def add(self, user: str, password: str, *, method: str = "scram-sha-256") -> bool:
        """Store a verifier for `user` (replacing any previous one); True when the user is new."""
        validate_user_name(user)
        if method not in METHODS:
            raise DatabaseError(
                INVALID_PARAMETER_VALUE, f"unknown password method {method!r}; expected one of {METHODS}"
            )
        if not password:
            raise DatabaseError(INVALID_PARAMETER_VALUE, "password must not be empty")
        verifier = (
            make_scram_verifier(password) if method == "scram-sha-256" else make_md5_verifier(user, password)
        )
        with self._locked():
            contents = self._read()
            created = user not in contents.roles
            contents.roles[user] = replace(contents.roles.get(user, Role()), verifier=verifier)
            self._write(contents)
        return created

    def remove(self, user: str) -> bool:
        """Delete `user`; False when there was no such user."""
        if not self.path.exists():
            return False
        with self._locked():
            contents = self._read()
            if contents.roles.pop(user, None) is None:
                return False
            self._write(contents)
        return True

    def list(self) -> list[str]:
        """All user names, sorted."""
        return sorted(self.roles())

    def _checked_entry(self, name: str, entry: object) -> Role:
        try:
            validate_user_name(name)
        except DatabaseError as exc:
            raise self._corrupt(exc.message) from exc
        if not isinstance(entry, dict) or not set(entry) <= {"verifier", "login"}:
            raise self._corrupt(f"user {name!r} may have the keys verifier and login only")
        verifier = entry.get("verifier")
        if verifier is not None and (not isinstance(verifier, str) or verifier_method(verifier) is None):
            raise self._corrupt(f"user {name!r} has a verifier that is neither SCRAM-SHA-256 nor md5")
        login = entry.get("login", True)
        if not isinstance(login, bool):
            raise self._corrupt(f"user {name!r} has a login that is not a boolean")
        return Role(verifier, login)

    def _corrupt(self, problem: str) -> DatabaseError:
        return DatabaseError(CONFIG_FILE_ERROR, f"users file {self.path} {problem}")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the file's directory (created 0700 if missing)."""
        directory = self.path.parent
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def _write(self, contents: _Contents) -> None:
        _write_durably(self.path, _render(contents))

    def _write_unsynced(self, entries: Sequence[Unsynced]) -> None:
        assert self.unsynced_path is not None
        if entries:
            _write_durably(self.unsynced_path, _render_unsynced(entries))
        elif self.unsynced_path.exists():
            self.unsynced_path.unlink()
            sync_directory(self.unsynced_path.parent)


def server_users(config: Config) -> UsersFile:
    """The server's users file, with its data directory's file of unsynced role changes."""
    return UsersFile(config.users_file_path, config.database.path / UNSYNCED_ROLES_FILE)


def _write_durably(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically: a temporary file (mode 0600), fsync, rename, directory fsync."""
    directory = path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), _FILE_MODE)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    sync_directory(directory)



def _fail(message: str) -> int:
    print(f"heliosdb-lite: {message}", file=sys.stderr)
    return 1


def _read_password(name: str, from_stdin: bool) -> str:
    """The new password: first line of stdin, or typed twice at a prompt. Raises ValueError."""
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not password:
            raise ValueError("no password on standard input")
        return password
    try:
        password = getpass.getpass(f"Password for user {name}: ")
        repeated = getpass.getpass("Repeat password: ")
    except EOFError as exc:
        raise ValueError("no password entered") from exc
    if password != repeated:
        raise ValueError("passwords do not match")
    return password


def _run_add(args: argparse.Namespace) -> int:
    try:
        validate_user_name(args.name)
        password = _read_password(args.name, args.password_stdin)
        created = UsersFile(args.users_file).add(args.name, password, method=args.method)
    except ValueError as exc:
        return _fail(str(exc))
    except DatabaseError as exc:
        return _fail(exc.message)
    print(f"user {args.name!r} {'added' if created else 'updated'} in {args.users_file}")
    return 0


def _run_remove(args: argparse.Namespace) -> int:
    try:
        removed = UsersFile(args.users_file).remove(args.name)
    except DatabaseError as exc:
        return _fail(exc.message)
    if not removed:
        return _fail(f"user {args.name!r} does not exist in {args.users_file}")
    print(f"user {args.name!r} removed from {args.users_file}")
    return 0


def _run_list(args: argparse.Namespace) -> int:
    try:
        names = UsersFile(args.users_file).list()
    except DatabaseError as exc:
        return _fail(exc.message)
    for name in names:
        print(name)
    return 0


def add_user_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    default_users_file: Path | None = None,
) -> None:
    """Register `user add|remove|list`; each leaf parser sets `func(args) -> exit code`."""
    users_file_option = argparse.ArgumentParser(add_help=False)
    users_file_option.add_argument(
        "--users-file",
        type=Path,
        default=default_users_file,
        metavar="PATH",
        help="users file to change (default: server.users_file of --config, else data/users.toml)",
    )
    user_parser = subparsers.add_parser("user", help="manage password users")
    commands = user_parser.add_subparsers(dest="user_command", required=True, metavar="COMMAND")

    add = commands.add_parser("add", parents=[users_file_option], help="add a user or change a password")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    add.add_argument("--method", choices=METHODS, default="scram-sha-256", help="verifier kind")
    add.set_defaults(func=_run_add)

    remove = commands.add_parser("remove", parents=[users_file_option], help="remove a user")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=_run_remove)

    list_users = commands.add_parser("list", parents=[users_file_option], help="list user names")
    list_users.set_defaults(func=_run_list)
