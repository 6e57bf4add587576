"""CREATE / ALTER / DROP ROLE of one session (parsed by `sql.role_commands`) over the server's roles
(`interface.RoleStore`: its users file).

PostgreSQL's checks come first (42710 a role that exists, 42704 one that does not, 42939 a
reserved name, 55006 dropping oneself); a password becomes a verifier by password_encryption (md5 or
scram-sha-256), a verifier given as the password is kept as it is, as PostgreSQL does. The changes
are transactional: kept until the transaction block commits (a TransactionParticipant; undone by
ROLLBACK and ROLLBACK TO), applied at once outside one. Journaled (a server's postgres database:
`TransactionLog.journals_roles`), they are taken by the commit (`take`) and go into its journal entry,
which applies them (`replay.commit`), so they reach standbys and survive a crash; in another
database they are applied to the users file directly, this node's only. Without a server (the
embedded API) there are no roles to change: 0A000.
"""

from __future__ import annotations

from collections.abc import Callable

from heliosdb_lite.engine.interface import RoleChange, RoleStore
from heliosdb_lite.engine.sql.role_commands import RoleCommand
from heliosdb_lite.errors import (
    DUPLICATE_OBJECT,
    FEATURE_NOT_SUPPORTED,
    OBJECT_IN_USE,
    RESERVED_NAME,
    SUCCESSFUL_COMPLETION,
    UNDEFINED_OBJECT,
    DatabaseError,
)
from heliosdb_lite.protocol.auth import make_md5_verifier, make_scram_verifier, verifier_method


class SessionRoles:
    """The session's role changes, pending until its transaction commits."""

    def __init__(self, user: str, notice: Callable[[DatabaseError], None], *,
                 journaled: bool = False) -> None:
        self._user = user
        self._notice = notice
        self._journaled = journaled
        self.store: RoleStore | None = None
        self._pending: list[RoleChange] = []
        self._savepoints: list[int] = []
        self._in_block = False

    def run(self, command: RoleCommand, password_encryption: str) -> None:
        if self.store is None:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f"{command.tag} needs the server's users file",
                                hint="Roles are the server's users (`heliosdb-lite user add`).")
        self.store.check_writable()  # before the change is journaled: a read-only users file refuses it
        names = self._names()
        changes = []
        for name in command.names:
            exists = name in names or name == self._user
            if command.action == "create":
                _check_reserved(name)
                self.store.check_name(name)
                if exists:
                    raise DatabaseError(DUPLICATE_OBJECT, f'role "{name}" already exists')
            elif command.action == "drop" and name == self._user:
                raise DatabaseError(OBJECT_IN_USE, "current user cannot be dropped")
            elif not exists:
                if command.if_exists:
                    self._notice(DatabaseError(SUCCESSFUL_COMPLETION,
                                               f'role "{name}" does not exist, skipping', severity="NOTICE"))
                    continue
                raise DatabaseError(UNDEFINED_OBJECT, f'role "{name}" does not exist')
            verifier = self._verifier(name, command, password_encryption) if command.password_given else None
            changes.append(RoleChange(command.action, name, verifier, command.password_given, command.login))
        self._pending += changes
        if not self._in_block and not self._journaled:
            self.commit()

    def _names(self) -> set[str]:
        """The roles as this transaction sees them: the store's, with its own changes."""
        assert self.store is not None
        names = set(self.store.logins())
        for change in self._pending:
            if change.action == "drop":
                names.discard(change.name)
            else:
                names.add(change.name)
        return names

    def _verifier(self, name: str, command: RoleCommand, password_encryption: str) -> str | None:
        password = command.password
        if password == "":
            self._notice(DatabaseError(SUCCESSFUL_COMPLETION,
                                       "empty string is not a valid password, clearing password",
                                       severity="NOTICE"))
            return None
        if password is None or verifier_method(password) is not None:
            return password
        if password_encryption == "md5":
            return make_md5_verifier(name, password)
        return make_scram_verifier(password)

    def take(self) -> list[RoleChange]:
        """The committing transaction's changes, for its journal entry (the session holds them no more)."""
        pending, self._pending = self._pending, []
        return pending

    # TransactionParticipant --------------------------------------------------------------------

    def begin(self) -> None:
        self._in_block = True

    def commit(self) -> None:
        self._in_block = False
        self._savepoints.clear()
        pending = self.take()
        if pending and self.store is not None:
            self.store.apply(pending)

    def rollback(self) -> None:
        self._in_block = False
        self._savepoints.clear()
        self._pending.clear()

    def savepoint(self) -> None:
        self._savepoints.append(len(self._pending))

    def release(self, depth: int) -> None:
        del self._savepoints[depth:]

    def rollback_to(self, depth: int) -> None:
        del self._pending[self._savepoints[depth]:]
        del self._savepoints[depth + 1:]


def _check_reserved(name: str) -> None:
    if name in ("public", "none"):
        raise DatabaseError(RESERVED_NAME, f'role name "{name}" is reserved')
    if name.startswith("pg_"):
        raise DatabaseError(RESERVED_NAME, f'role name "{name}" is reserved',
                            detail='Role names starting with "pg_" are reserved.')
