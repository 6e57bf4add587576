"""CREATE DATABASE and DROP DATABASE, read from the statement's tokens (`statement_words`):

    CREATE DATABASE name [[WITH] option [=] value ...]      DROP DATABASE [IF EXISTS] name [[WITH] (FORCE)]

The server runs them (`engine.interface.DatabaseCatalog`, docs/server.md "Databases"): a database is
a store of its own. Of CREATE's options, those that describe what every database here is are
accepted (OWNER the session's user, TEMPLATE template0 or template1, ENCODING UTF8, LOCALE /
LC_COLLATE / LC_CTYPE C.UTF-8, ALLOW_CONNECTIONS true, CONNECTION LIMIT -1, IS_TEMPLATE false);
any other value is refused with 0A000 naming it, as is DROP's FORCE.
"""

from __future__ import annotations

from dataclasses import dataclass

from heliosdb_lite.engine.sql.statement_words import Words
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError

# option -> the values accepted (lower case; None: any, checked elsewhere)
_ACCEPTED: dict[str, tuple[str, ...] | None] = {
    "owner": None, "template": ("template0", "template1"), "encoding": ("utf8", "utf-8", "unicode"),
    "locale": ("c.utf-8", "c.utf8"), "lc_collate": ("c.utf-8", "c.utf8"), "lc_ctype": ("c.utf-8", "c.utf8"),
    "allow_connections": ("true", "on", "1"), "is_template": ("false", "off", "0"),
    "connection limit": ("-1",),
}


@dataclass(frozen=True, slots=True)
class DatabaseCommand:
    """action: create or drop; owner: the OWNER named (None: the session's user)."""

    action: str
    name: str
    if_exists: bool = False
    owner: str | None = None

    @property
    def tag(self) -> str:
        return f"{self.action.upper()} DATABASE"


def parse_database_statement(words: Words, action: str) -> DatabaseCommand:
    """The rest of a CREATE or DROP statement whose next word is DATABASE."""
    words.expect("database")
    if action == "drop":
        if_exists = words.accept("if", "exists")
        name = words.name()
        if words.accept("with") or words.peek() == "(":
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "DROP DATABASE ... WITH (FORCE) is not supported")
        words.end()
        return DatabaseCommand("drop", name, if_exists=if_exists)
    name = words.name()
    words.accept("with")
    owner = None
    while not words.at_end():
        option = "connection limit" if words.accept("connection", "limit") else words.next_word()
        words.accept("=")
        value = words.next_word()
        if value == "-":  # CONNECTION LIMIT -1 reads as two words
            value = f"-{words.next_word()}"
        if option not in _ACCEPTED:
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                f"CREATE DATABASE option {option.upper()} is not supported")
        accepted = _ACCEPTED[option]
        if option == "owner":
            owner = value
        elif accepted is not None and value.lower() not in accepted and value.lower() != "default":
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                f"CREATE DATABASE with {option.upper()} {value} is not supported",
                                detail="Every database here is UTF8, C.UTF-8, made empty.")
    return DatabaseCommand("create", name, owner=owner)
