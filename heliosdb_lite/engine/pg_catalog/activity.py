"""pg_stat_activity, pg_prepared_statements and the backend functions of one session
(pg_backend_pid, pg_cancel_backend, pg_terminate_backend), from what the server tells it of its
sessions (`interface.Backend`). Without a server (the embedded API) the session is the process's
only backend: its pid is the process's, pg_stat_activity and pg_prepared_statements are empty and
there is nobody to signal.

Columns are PostgreSQL 15's (client_addr an inet), except the ones without a meaning here
(leader_pid, client_hostname, wait events, backend_xid/xmin, query_id): NULL or left out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from heliosdb_lite.engine.functions.advisory_locks import AdvisoryLocks
from heliosdb_lite.engine.pg_catalog.names import SessionNames
from heliosdb_lite.engine.pg_catalog.rows import DATABASE_OID
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.value_storage import to_storage
from heliosdb_lite.protocol.codecs import oids

COLUMNS = ("datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid usename:name application_name:text "
           "client_addr:inet client_hostname:text client_port:int4 backend_start:timestamptz "
           "xact_start:timestamptz query_start:timestamptz state_change:timestamptz wait_event_type:text "
           "wait_event:text state:text query:text backend_type:text")
PREPARED_COLUMNS = ("name:text statement:text prepare_time:timestamptz parameter_types:regtype[] "
                    "from_sql:bool generic_plans:int8 custom_plans:int8")
FUNCTION_TYPES = {"pg_backend_pid": t.INT4, "pg_cancel_backend": t.BOOL, "pg_terminate_backend": t.BOOL}
_TIMESTAMPTZ = to_storage(t.TIMESTAMPTZ)
_REGTYPE_ARRAY = to_storage(oids.REGTYPE_ARRAY)

if TYPE_CHECKING:  # the engine's seam, above this package; annotations only
    from heliosdb_lite.engine.interface import Activity, Backend, NamedStatement


# pg_locks: HeliosDB-Lite's locks a client can take are advisory locks (one writer at a time takes no
# row or table locks), so those are its rows; virtual transactions are not (virtualtransaction NULL)
LOCK_COLUMNS = ("locktype:text database:oid relation:oid page:int4 tuple:int2 virtualxid:text "
                "transactionid:xid classid:oid objid:oid objsubid:int2 virtualtransaction:text pid:int4 "
                "mode:text granted:bool fastpath:bool waitstart:timestamptz")
_WORD = 0xFFFFFFFF


def lock_rows(locks: AdvisoryLocks) -> Iterator[tuple[Any, ...]]:
    """pg_locks' rows of the advisory locks held and waited for: a bigint key as its high and low
    words with objsubid 1, two int keys as themselves with objsubid 2, as PostgreSQL's locktags."""
    for owner, key, shared, granted in locks.listed():
        if len(key) == 1:
            classid, objid, subid = (key[0] >> 32) & _WORD, key[0] & _WORD, 1
        else:
            classid, objid, subid = key[0] & _WORD, key[1] & _WORD, 2
        process_id = getattr(owner, "process_id", os.getpid)()  # a session's SessionAdvisoryLocks
        yield ("advisory", DATABASE_OID, None, None, None, None, None, classid, objid, subid, None,
               process_id, "ShareLock" if shared else "ExclusiveLock", int(granted), 0, None)


class SessionBackend:
    """The server's sessions as one session sees them, once the server has attached its `Backend`."""

    def __init__(self, names: SessionNames) -> None:
        self.names = names
        self.backend: Backend | None = None
        self.sql_statements: Callable[[], list[NamedStatement]] = list  # the session's PREPAREd ones

    def process_id(self) -> int:
        return self.backend.process_id if self.backend is not None else os.getpid()

    def rows(self) -> Iterator[tuple[Any, ...]]:
        role_oids = {name: oid for oid, name in self.names.roles().items()}
        for activity in self.backend.activity() if self.backend is not None else ():
            yield _row(activity, role_oids.get(activity.user))

    def prepared_statements(self) -> Iterator[tuple[Any, ...]]:
        """The session's named prepared statements of the protocol and of SQL PREPARE (from_sql)."""
        protocol = self.backend.prepared_statements() if self.backend is not None else []
        for statement in [*protocol, *self.sql_statements()]:
            yield (statement.name, statement.sql, _TIMESTAMPTZ(statement.prepared_at),
                   _REGTYPE_ARRAY(list(statement.param_oids)), int(statement.from_sql), 0, 0)

    def functions(self) -> dict[str, Callable[..., Any]]:
        def signal(process_id: int | None, terminate: bool) -> int | None:
            if process_id is None:
                return None
            return int(self.backend is not None and self.backend.signal(process_id, terminate=terminate))

        return {"pg_backend_pid": self.process_id,
                "pg_cancel_backend": lambda process_id: signal(process_id, False),
                "pg_terminate_backend": lambda process_id, timeout=0: signal(process_id, True)}


def _row(activity: Activity, role_oid: int | None) -> tuple[Any, ...]:
    def moment(value: Any) -> Any:
        return None if value is None else _TIMESTAMPTZ(value)

    return (DATABASE_OID, activity.database, activity.process_id, None, role_oid, activity.user,
            activity.application_name, activity.client_address, None, activity.client_port,
            moment(activity.backend_start), moment(activity.transaction_start), moment(activity.query_start),
            moment(activity.state_change), None, None, activity.state, activity.query, "client backend")
