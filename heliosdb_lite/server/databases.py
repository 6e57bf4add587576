"""Which database a startup packet may name: HeliosDB-Lite serves one database, `postgres`.

pg_database also lists PostgreSQL's templates, as clients expect them there; template0 refuses
connections as in PostgreSQL, and template1, a separate database in PostgreSQL, is refused with
0A000 rather than served from the same store. Any other name does not exist (3D000).
"""

from __future__ import annotations

from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_CATALOG_NAME,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    DatabaseError,
    fatal,
)

DATABASE = "postgres"


def refusal(database: str) -> DatabaseError | None:
    """The FATAL error a connection to `database` gets, or None for the served database."""
    if database == DATABASE:
        return None
    if database == "template0":
        return fatal(OBJECT_NOT_IN_PREREQUISITE_STATE,
                     f'database "{database}" is not currently accepting connections')
    if database == "template1":
        return fatal(FEATURE_NOT_SUPPORTED, f'connecting to database "{database}" is not supported',
                     detail=f'HeliosDB-Lite serves one database, "{DATABASE}".')
    return fatal(INVALID_CATALOG_NAME, f'database "{database}" does not exist')
