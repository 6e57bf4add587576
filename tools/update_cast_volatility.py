"""Regenerates heliosdb_lite/engine/types/cast_volatility.py from PostgreSQL 15: which casts between
built-in scalar types are immutable, so that an index key, an index predicate or a generated column
may use them.

    python -m tools.update_cast_volatility [--check] [--dsn DSN]

PostgreSQL is the judge: for every ordered pair of its built-in scalar base types it tries
`CREATE INDEX ON t ((c_source::target))` on an empty table and keeps the pairs it accepts (42P17
says the cast is stable, as `timestamptz::date` or `date::text` are; another error, that there is
no such cast). Reads the server at DSN, else a throwaway PostgreSQL 15 started for the purpose.
--check changes nothing and exits 1 if the file is not what the server gives.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from tools.generated import ROOT, regenerate_from_postgres
from tools.update_oids import constant

TARGET = ROOT / "heliosdb_lite" / "engine" / "types" / "cast_volatility.py"
SCALAR_TYPES = """
SELECT t.oid, t.typname FROM pg_type t
WHERE t.oid < 10000 AND t.typtype = 'b' AND t.typcategory <> 'A' AND t.typelem = 0 AND t.typisdefined
ORDER BY t.oid
"""


def immutable_pairs(dsn: str) -> list[tuple[str, str]]:
    """(source, target) typnames of the casts PostgreSQL accepts in an index expression."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        types = [str(name) for _, name in connection.execute(SCALAR_TYPES)]
        columns: list[str] = []
        for name in types:  # some base types cannot be a column's (cstring-like internals): left out
            try:
                connection.execute(sql.SQL("CREATE TEMP TABLE probe_{} (c {})").format(
                    sql.SQL(name), sql.Identifier(name)))
                columns.append(name)
            except psycopg.Error:
                continue
        pairs: list[tuple[str, str]] = []
        for source in columns:
            for target in columns:
                if source == target:
                    continue
                try:
                    with connection.transaction():
                        connection.execute(sql.SQL("CREATE INDEX ON {} ((c::{}))").format(
                            sql.Identifier(f"probe_{source}"), sql.Identifier(target)))
                        raise psycopg.Rollback()
                    pairs.append((source, target))
                except psycopg.Error:
                    continue
        return pairs


def render(pairs: list[tuple[str, str]]) -> str:
    lines = ["IMMUTABLE_CASTS: frozenset[tuple[int, int]] = frozenset({\n"]
    lines += [f"    (oids.{constant(source)}, oids.{constant(target)}),\n" for source, target in pairs]
    lines.append("})\n")
    return "".join(lines)


def main() -> int:
    return regenerate_from_postgres(__doc__.splitlines()[0], TARGET, lambda dsn: render(immutable_pairs(dsn)))


if __name__ == "__main__":
    raise SystemExit(main())
