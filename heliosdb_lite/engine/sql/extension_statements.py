"""CREATE EXTENSION and DROP EXTENSION, read from the statement's tokens (`statement_words`):

    CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]
    DROP EXTENSION [IF EXISTS] name [, ...] [CASCADE | RESTRICT]

The one extension a database has is PostgreSQL's plpgsql (pg_extension lists it): creating it again
is 42710 (IF NOT EXISTS: its notice). Any other extension (hstore, citext, isn, ...) is refused with
0A000 naming it: its types and functions are C code in PostgreSQL, none of which exists here.
Dropping one that does not exist is 42704 (IF EXISTS: its notice); dropping plpgsql is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from heliosdb_lite.engine.sql.statement_words import Words
from heliosdb_lite.errors import (
    DUPLICATE_OBJECT,
    FEATURE_NOT_SUPPORTED,
    SUCCESSFUL_COMPLETION,
    UNDEFINED_OBJECT,
    DatabaseError,
)

INSTALLED = "plpgsql"


@dataclass(frozen=True, slots=True)
class ExtensionCommand:
    """action: create or drop; names: the extensions named; if_exists: IF [NOT] EXISTS."""

    action: str
    names: tuple[str, ...]
    if_exists: bool

    @property
    def tag(self) -> str:
        return f"{self.action.upper()} EXTENSION"

    def run(self) -> list[DatabaseError]:
        """The notices of the statement; its error, raised."""
        notices = []
        for name in self.names:
            if self.action == "create" and name != INSTALLED:
                raise DatabaseError(FEATURE_NOT_SUPPORTED, f'extension "{name}" is not supported',
                                    detail=f"The one extension HeliosDB-Lite has is {INSTALLED}.")
            if self.action == "create" and not self.if_exists:
                raise DatabaseError(DUPLICATE_OBJECT, f'extension "{name}" already exists')
            if self.action == "create":
                notices.append(_notice(f'extension "{name}" already exists, skipping'))
            elif name == INSTALLED:
                raise DatabaseError(FEATURE_NOT_SUPPORTED, f"DROP EXTENSION {INSTALLED} is not supported")
            elif self.if_exists:
                notices.append(_notice(f'extension "{name}" does not exist, skipping'))
            else:
                raise DatabaseError(UNDEFINED_OBJECT, f'extension "{name}" does not exist')
        return notices


def _notice(message: str) -> DatabaseError:
    return DatabaseError(SUCCESSFUL_COMPLETION, message, severity="NOTICE")


def parse_extension_statement(words: Words, action: str) -> ExtensionCommand:
    """The rest of a CREATE or DROP statement whose next word is EXTENSION."""
    words.expect("extension")
    if action == "create":
        if_not_exists = words.accept("if", "not", "exists")
        name = words.name()
        while not words.at_end():  # WITH, SCHEMA s, VERSION v, CASCADE: nothing they change here
            words.next_word()
        return ExtensionCommand("create", (name,), if_not_exists)
    if_exists, names, _ = words.drop_list(words.name)
    return ExtensionCommand("drop", tuple(names), if_exists)
