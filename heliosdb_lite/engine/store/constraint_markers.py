"""What the catalog shows of the constraints SQLite keeps in a form it cannot read back: CHECK
constraints (their condition is kept translated for SQLite), and the keys and foreign keys ALTER
TABLE adds as a unique index or as triggers (`ddl.alter`, `ddl.foreign_keys`).

The same comment in the SQL of an index with expressions among its keys (`INDEX_KEYS`) records
PostgreSQL's text of each key, as pg_get_indexdef shows them; in the SQL of a view (`VIEW_QUERY`),
its query as the statement wrote it, which pg_get_viewdef shows (SQLite keeps it translated); in
a column default's SQLite expression (`DEFAULT_TEXT`), PostgreSQL's text of it for pg_get_expr.

A key CREATE TABLE declares is SQLite's own (an autoindex): a record in the table's SQL names it
when its name is not `<table>_pkey` / `<table>_<columns>_key`.

DDL records them as a comment in the stored SQL of the table (a CHECK of CREATE TABLE), of the
index (ADD PRIMARY KEY / UNIQUE) or of the child's insert trigger (ADD CHECK, ADD FOREIGN KEY):
`/* helios_constraint:<record> */`, the record a percent-encoded JSON object, so the comment holds
no quote, parenthesis or bare name that the code splitting or searching stored SQL would see. SQLite
keeps comments as written, so the record goes wherever its object goes: renamed with its table,
dropped with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import quote, unquote

CHECK = "c"
FOREIGN_KEY = "f"
PRIMARY_KEY = "p"
UNIQUE = "u"
INDEX_KEYS = "x"  # not a constraint: an index's key expressions
VIEW_QUERY = "v"  # not a constraint: a view's query as written (its `definition`)
DEFAULT_TEXT = "d"  # not a constraint: a column default as pg_get_expr shows it (its `definition`)

_PREFIX = "helios_constraint:"
_MARKER = re.compile(rf"/\* {_PREFIX}([A-Za-z0-9%._~-]*) \*/")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One constraint as the catalog shows it: pg_constraint.contype (`kind`), its name (empty for a
    key: the index's name is the constraint's), PostgreSQL's text of it (a CHECK's `CHECK (...)`;
    a foreign key's actions, `ON UPDATE ... ON DELETE ...`), the columns it is over, in
    PostgreSQL's order, a foreign key's referenced table (storage name) and columns, a CHECK's
    text as pg_get_constraintdef(oid, true) shows it; an index's keys as pg_get_indexdef shows them,
    plain and pretty ("" for a column)."""

    kind: str
    name: str = ""
    definition: str = ""
    columns: tuple[str, ...] = ()
    referenced: str = ""
    referenced_columns: tuple[str, ...] = field(default=())
    pretty: str = ""
    keys: tuple[str, ...] = ()
    pretty_keys: tuple[str, ...] = ()

    def marker(self) -> str:
        """The comment recording this constraint in stored SQL."""
        text = json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)
        return f"/* {_PREFIX}{quote(text, safe='')} */"


def name_needle(name: str) -> str:
    """The text every record naming a constraint `name` holds (to find it with instr)."""
    return quote(f'"name":{json.dumps(name, ensure_ascii=False)}', safe="")


def key_name(table_sql: str | None, kind: str, columns: tuple[str, ...], default: str) -> str:
    """The name of a PRIMARY KEY or UNIQUE constraint CREATE TABLE declared over these columns: the
    one recorded in the table's SQL (named, or numbered past a name taken), else `default`."""
    return next((record.name for record in recorded(table_sql) if record.kind == kind
                 and (kind == PRIMARY_KEY or record.columns == columns)), default)


def recorded(sql: str | None) -> list[Recorded]:
    """The constraints recorded in stored SQL, in their order there."""
    return [record for _, record in recorded_at(sql)]


def recorded_at(sql: str | None) -> list[tuple[int, Recorded]]:
    """The constraints recorded in stored SQL, each with where its record starts there."""
    found = []
    for match in _MARKER.finditer(sql or ""):
        fields = json.loads(unquote(match.group(1)))
        found.append((match.start(), Recorded(
            fields["kind"], fields["name"], fields["definition"], tuple(fields["columns"]),
            fields["referenced"], tuple(fields["referenced_columns"]), fields["pretty"],
            tuple(fields["keys"]), tuple(fields["pretty_keys"]))))
    return found
