"""The server's roles in journal entries: CREATE / ALTER / DROP ROLE's changes (`RoleChange`) as a
commit entry holds them (`RoleRecord`), and the other way.

They travel in the postgres database's journal only (roles are the data directory's, as its users
file is): the primary applies them to its users file right after appending the entry, recovery and
a standby's stream apply them again by the entry's (epoch, LSN), which the users file skips when it
holds them (`server.users.UsersFile.replay`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from heliosdb_lite.engine.interface import RoleChange, RoleStore
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.journal import CommitPayload, EntryView
from heliosdb_lite.journal.payload import RoleRecord

log = logging.getLogger("heliosdb.replay")


def role_records(changes: Sequence[RoleChange]) -> list[RoleRecord]:
    return [RoleRecord(change.action, change.name, change.verifier, change.set_verifier, change.login)
            for change in changes]


def replay_roles(store: RoleStore | None, entry: EntryView, payload: CommitPayload) -> None:
    """Apply the role changes of a commit entry, unless `store` holds them already (or there is none).
    A users file that cannot be written loses them on this node, loudly: the store's data and the
    other entries still apply (a start-up that failed on it would fail at every restart)."""
    if store is None or not payload.roles:
        return
    changes = [RoleChange(record.action, record.name, record.verifier, record.set_verifier, record.login)
               for record in payload.roles]
    try:
        store.replay(changes, (entry.epoch, entry.lsn))
    except (OSError, DatabaseError) as error:
        log.error("journal entry %d: its role changes (%s) are not in the users file, which cannot be "
                  "written: %s", entry.lsn, ", ".join(f"{change.action} {change.name}" for change in changes),
                  error)
