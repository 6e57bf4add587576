"""The slice of PostgreSQL's system catalog clients ask for (psql's `\\d` commands, SQLAlchemy's
reflection, information_schema): the relations as SQLite virtual tables and what the translator
asks of them (`relations`, exported here), their rows (`rows`) read from the store (`reader`) under
the session's names (`names`), and the server's sessions as one session sees them (`activity`)."""

from heliosdb_lite.engine.pg_catalog.relations import (
    FUNCTION_TYPES,
    RELATIONS,
    attach_backend,
    empty_result,
    follow_search_path,
    normalize,
    register,
    relation_name,
    show_locks,
    show_sql_prepared,
)

__all__ = ["FUNCTION_TYPES", "RELATIONS", "attach_backend", "empty_result", "follow_search_path", "normalize",
           "register", "relation_name", "show_locks", "show_sql_prepared"]
