"""Regenerates heliosdb_lite/protocol/codecs/oids.py from PostgreSQL 15's pg_type.

    python -m tools.update_oids [--check] [--dsn DSN]

Reads the built-in types (OID below 10000: base, pseudo, range and multirange types and their
arrays; the catalogs' row types are left out) from the server at DSN, else from a throwaway
PostgreSQL 15 started for the purpose. Each type's constant is its typname upper-cased, an array's
its element's with _ARRAY (`_int4` -> INT4_ARRAY). --check changes nothing and exits 1 if the file is
not what the server gives.
"""

from __future__ import annotations

import psycopg

from tools.generated import ROOT, regenerate_from_postgres

TARGET = ROOT / "heliosdb_lite" / "protocol" / "codecs" / "oids.py"
BUILTIN_TYPES = """
SELECT t.oid, t.typname, t.typlen, t.typarray, t.typelem, t.typcategory
FROM pg_type t LEFT JOIN pg_type element ON element.oid = t.typelem
WHERE t.oid < 10000 AND t.typtype IN ('b', 'p', 'r', 'm') AND coalesce(element.typtype, 'b') <> 'c'
ORDER BY t.oid
"""
Row = tuple[int, str, int, int, int, str]


def constant(typname: str) -> str:
    """The Python name of a type's OID constant."""
    return f"{typname[1:].upper()}_ARRAY" if typname.startswith("_") else typname.upper()


def render(rows: list[Row]) -> str:
    """The constants, one per type in OID order, then the rows keyed by them."""
    names = {oid: constant(typname) for oid, typname, *_ in rows}
    if len(set(names.values())) != len(names):
        raise SystemExit("pg_type: two types would have one constant name")

    def ref(oid: int) -> str:
        return names[oid] if oid else "0"

    lines = [f"{names[oid]} = {oid}\n" for oid, *_ in rows]
    lines.append("\n# oid: (typname, typlen, typarray, typelem, typcategory)\n")
    lines.append("PG_TYPE: dict[int, tuple[str, int, int, int, str]] = {\n")
    for oid, typname, typlen, typarray, typelem, category in rows:
        fields = f'"{typname}", {typlen}, {ref(typarray)}, {ref(typelem)}, "{category}"'
        lines.append(f"    {names[oid]}: ({fields}),\n")
    lines.append("}\n")
    return "".join(lines)


def read_rows(dsn: str) -> list[Row]:
    """The built-in types of the server at dsn."""
    with psycopg.connect(dsn) as connection:
        return [(int(oid), str(typname), int(typlen), int(typarray), int(typelem), str(category))
                for oid, typname, typlen, typarray, typelem, category in connection.execute(BUILTIN_TYPES)]


def main() -> int:
    return regenerate_from_postgres(__doc__.splitlines()[0], TARGET, lambda dsn: render(read_rows(dsn)))


if __name__ == "__main__":
    raise SystemExit(main())
