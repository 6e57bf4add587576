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

The primary writes an entry's changes before the journal has synced it, so each such write also
keeps what undoes it, until an entry the journal has synced comes after it:

    [[pending]]
    at = [3, 1743]
    before = [3, 1742]
    undo = [{ action = "drop", name = "bob" }]

Start-up recovery (`undo_after`) undoes the changes of every entry past the journal's recovered
end (a power loss took it) and forgets the rest. What a standby is seeded with (`durable_text`)
holds the entries a synced journal covers only.
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

from heliosdb_lite.engine.interface import JournalPosition, RoleChange
from heliosdb_lite.errors import (
    CONFIG_FILE_ERROR,
    INVALID_NAME,
    INVALID_PARAMETER_VALUE,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    DatabaseError,
)
from heliosdb_lite.protocol.auth import make_md5_verifier, make_scram_verifier, verifier_method

METHODS = ("scram-sha-256", "md5")
MAX_USER_NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1
_FILE_MODE = 0o600
_HEADER = "# HeliosDB-Lite users, managed by `heliosdb-lite user add|remove|list`.\n"


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
class Pending:
    """An entry's changes written before the journal synced it: the changes undoing them, and the
    file's position before."""

    at: JournalPosition
    before: JournalPosition | None
    undo: tuple[RoleChange, ...]


@dataclass(slots=True)
class _Contents:
    roles: dict[str, Role]
    position: JournalPosition | None
    pending: list[Pending]


def _position_text(position: JournalPosition) -> str:
    return f"[{position[0]}, {position[1]}]"


def _change_text(change: RoleChange) -> str:
    keys = [f"action = {_toml_string(change.action)}", f"name = {_toml_string(change.name)}"]
    if change.verifier is not None:
        keys.append(f"verifier = {_toml_string(change.verifier)}")
    if change.login is not None:
        keys.append(f"login = {'true' if change.login else 'false'}")
    return "{ " + ", ".join(keys) + " }"


def _render(contents: _Contents) -> str:
    tables = []
    for name, role in sorted(contents.roles.items()):
        lines = [f"[users.{_toml_string(name)}]\n"]
        if role.verifier is not None:
            lines.append(f"verifier = {_toml_string(role.verifier)}\n")
        if not role.login:
            lines.append("login = false\n")
        tables.append("".join(lines))
    for pending in contents.pending:
        lines = ["[[pending]]\n", f"at = {_position_text(pending.at)}\n"]
        if pending.before is not None:
            lines.append(f"before = {_position_text(pending.before)}\n")
        lines.append(f"undo = [{', '.join(_change_text(change) for change in pending.undo)}]\n")
        tables.append("".join(lines))
    marker = "" if contents.position is None else f"journal = {_position_text(contents.position)}\n"
    return _HEADER + marker + "".join("\n" + table for table in tables)


def _changed(roles: dict[str, Role], changes: Sequence[RoleChange]) -> list[RoleChange]:
    """Apply `changes` to `roles` in place; returns the changes that undo them (each sets a role
    back to what it was, so undoing twice is undoing once)."""
    undo = []
    for change in changes:
        before = roles.get(change.name)
        undo.append(RoleChange("drop", change.name) if before is None else
                    RoleChange("create", change.name, before.verifier, True, before.login))
        if change.action == "drop":
            roles.pop(change.name, None)
            continue
        role = before or Role()
        if change.set_verifier:
            role = replace(role, verifier=change.verifier)
        if change.login is not None:
            role = replace(role, login=change.login)
        roles[change.name] = role
    return undo[::-1]


class UsersFile:
    """Read and change one users file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, str]:
        """All users with a password and their verifiers; empty when the file does not exist."""
        return {name: role.verifier for name, role in self.roles().items() if role.verifier is not None}

    def roles(self) -> dict[str, Role]:
        """All roles; empty when the file does not exist."""
        return self._read().roles

    def position(self) -> JournalPosition | None:
        """The (epoch, LSN) of the last journal entry whose role changes the file holds."""
        return self._read().position

    def pending(self) -> list[Pending]:
        """The entries whose changes the file holds without knowing them synced, oldest first."""
        return self._read().pending

    def _read(self) -> _Contents:
        try:
            with self.path.open("rb") as file:
                document = tomllib.load(file)
        except FileNotFoundError:
            return _Contents({}, None, [])
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise self._corrupt(f"cannot be read: {exc}") from exc
        return self._parsed(document)

    def _parsed(self, document: dict[str, object]) -> _Contents:
        unknown = sorted(set(document) - {"users", "journal", "pending"})
        if unknown:
            raise self._corrupt(f"has unknown top-level key(s) {', '.join(unknown)}; expected [users.<name>]")
        users = document.get("users", {})
        if not isinstance(users, dict):
            raise self._corrupt("must hold [users.<name>] tables")
        pending = document.get("pending", [])
        if not isinstance(pending, list):
            raise self._corrupt("must hold [[pending]] tables")
        return _Contents({name: self._checked_entry(name, entry) for name, entry in users.items()},
                         self._checked_position(document.get("journal")),
                         [self._checked_pending(record) for record in pending])

    def _checked_position(self, position: object) -> JournalPosition | None:
        if position is None:
            return None
        if not (isinstance(position, list) and len(position) == 2
                and all(isinstance(part, int) and part >= 0 for part in position)):
            raise self._corrupt("has a journal position that is not [epoch, lsn]")
        return position[0], position[1]

    def _checked_pending(self, record: object) -> Pending:
        if not (isinstance(record, dict) and set(record) <= {"at", "before", "undo"} and "at" in record
                and isinstance(record.get("undo"), list)):
            raise self._corrupt("has a [[pending]] table that is not at, before and undo")
        at = self._checked_position(record["at"])
        assert at is not None
        undo = []
        for change in record["undo"]:
            if not (isinstance(change, dict) and change.get("action") in ("create", "drop")
                    and isinstance(change.get("name"), str)):
                raise self._corrupt("has a [[pending]] change that is not a create or a drop of a role")
            action, name = change["action"], change["name"]
            role = self._checked_entry(name, {key: value for key, value in change.items()
                                              if key in ("verifier", "login")})
            undo.append(RoleChange(action, name, role.verifier, action == "create", role.login))
        return Pending(at, self._checked_position(record.get("before")), tuple(undo))

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
        changes undoing them. With `at`, the position of the journal entry holding them, not yet
        synced: the file keeps their undoing until an entry at or below `synced_lsn` (the journal's
        synced LSN) comes after them."""
        with self._locked():
            contents = self._read()
            undo = _changed(contents.roles, changes)
            if at is not None:
                contents.pending = [pending for pending in contents.pending
                                    if synced_lsn is None or pending.at[1] > synced_lsn]
                contents.pending.append(Pending(at, contents.position, tuple(undo)))
                contents.position = at
            self._write(contents)
        return undo

    def replay(self, changes: Sequence[RoleChange], at: JournalPosition) -> bool:
        """Apply the changes of the journal entry at `at` unless the file holds them (its position is
        `at` or later); True when applied."""
        with self._locked():
            contents = self._read()
            if contents.position is not None and at <= contents.position:
                return False
            _changed(contents.roles, changes)
            contents.position = at
            self._write(contents)
        return True

    def undo_after(self, lsn: int) -> list[RoleChange]:
        """Start-up recovery, the journal ending at `lsn` (everything up to it synced): undo the
        changes of the entries past it (a power loss took them before the journal synced them) and
        forget the others' undoing. Returns the changes undone."""
        with self._locked():
            contents = self._read()
            if not contents.pending:
                return []
            lost = [pending for pending in contents.pending if pending.at[1] > lsn]
            undone: list[RoleChange] = []
            for pending in reversed(lost):
                _changed(contents.roles, pending.undo)
                undone += pending.undo
            if lost:
                contents.position = lost[0].before
            contents.pending = []
            self._write(contents)
        return undone

    def durable_text(self, synced_lsn: int) -> str | None:
        """The file as it is with the changes of entries past `synced_lsn` undone (what a standby
        starts from: `replication.rejoin`); None when there is no file."""
        with self._locked():
            if not self.path.exists():
                return None
            contents = self._read()
        for pending in reversed(contents.pending):
            if pending.at[1] > synced_lsn:
                _changed(contents.roles, pending.undo)
                contents.position = pending.before
        contents.pending = []
        return _render(contents)

    def replace(self, text: str) -> int:
        """Make the file `text` (another node's `durable_text`), checked first, unless it holds that
        already (a file the nodes share, read-only perhaps); returns its roles' count."""
        try:
            contents = self._parsed(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            raise self._corrupt(f"cannot take the text given: {exc}") from exc
        contents.pending = []
        with self._locked():
            if self._read() != contents:
                self._write(contents)
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
            self._write(_edited_offline(contents, user))
        return created

    def remove(self, user: str) -> bool:
        """Delete `user`; False when there was no such user."""
        if not self.path.exists():
            return False
        with self._locked():
            contents = self._read()
            if contents.roles.pop(user, None) is None:
                return False
            self._write(_edited_offline(contents, user))
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
        directory = self.path.parent
        descriptor, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                os.fchmod(file.fileno(), _FILE_MODE)
                file.write(_render(contents))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        directory_descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)


def _edited_offline(contents: _Contents, user: str) -> _Contents:
    """An offline edit of `user` wins over a later undoing of SQL's changes to it."""
    contents.pending = [replace(pending, undo=tuple(change for change in pending.undo if change.name != user))
                        for pending in contents.pending]
    return contents


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
