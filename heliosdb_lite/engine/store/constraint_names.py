"""The names of foreign keys, which SQLite keeps but does not report: PostgreSQL's default rule,
and the names declared in CREATE TABLE read back from the stored DDL.

`PRAGMA foreign_key_list` numbers a table's foreign keys from the last declared (id 0) to the
first; every one of them has exactly one REFERENCES in the stored CREATE TABLE, preceded by
`CONSTRAINT name` when it was named (`name REFERENCES` for a column's, `name FOREIGN KEY (...)
REFERENCES` for the table's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import apsw
from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql.parsing import tokenize


def foreign_key(table: str, columns: Iterable[str]) -> str:
    """`<table>_<columns>_fkey`, the name PostgreSQL gives an unnamed FOREIGN KEY of `table`."""
    return f"{table}_{'_'.join(columns)}_fkey"


def declared_foreign_keys(connection: apsw.Connection, stored: str, database: str = "main") -> dict[int, str]:
    """The names declared for the foreign keys of table `stored`, by `foreign_key_list` id."""
    row = connection.execute(f"SELECT sql FROM {database}.sqlite_master WHERE type = 'table' AND name = ?",
                             (stored,)).fetchone()
    if row is None or row[0] is None:
        return {}
    tokens = tokenize(row[0])
    found = [_declared_name(tokens, index) for index, token in enumerate(tokens)
             if token.token_type == TokenType.REFERENCES]
    return {len(found) - 1 - position: name for position, name in enumerate(found) if name is not None}


def _declared_name(tokens: Sequence[Token], references: int) -> str | None:
    index = references - 1
    if index >= 0 and tokens[index].token_type == TokenType.R_PAREN:  # FOREIGN KEY (columns)
        while index >= 0 and tokens[index].token_type != TokenType.FOREIGN_KEY:
            index -= 1
        index -= 1
    if index >= 1 and tokens[index - 1].token_type == TokenType.CONSTRAINT:
        return tokens[index].text
    return None
