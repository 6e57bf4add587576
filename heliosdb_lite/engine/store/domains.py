"""Domains (CREATE DOMAIN), as the store keeps them: a `_helios_types` row of kind `d` (its OID and
array type's OID, `user_types`) and a row of `_helios_domains`:

    _helios_domains(oid, base_oid, base_typmod, base_name, base_modifiers, parent, not_null,
                    default_sql, checks)

base_* is the base type resolved when the domain was made (`pgtypes.ResolvedType`: its OID, typmod,
typname and modifiers as text, `10,2`), parent the domain it was made over (0: none; its
constraints apply too), default_sql the DEFAULT as written (PostgreSQL SQL), checks a JSON list of
[constraint name, condition as written with VALUE] in order.

Inside the engine a domain is its base type (`Translator.resolve_type`): columns store the base
type and casts give it; the domain's constraints are checked by `helios_domain_value`
(`functions/domains.py`) in a cast to the domain and in a CHECK of every column of the domain, with
PostgreSQL's messages. The codecs know the domain's OID as an alias of its base type's
(`register`), so pg_type's rows (typtype `d`, typbasetype) and clients reading them find it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import apsw

from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.types.pgtypes import PgType, ResolvedType
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import user_types as codec_types
from heliosdb_lite.protocol.codecs.catalog import TYPES, TypeInfo
from heliosdb_lite.protocol.codecs.registry import CODECS

DOMAINS_TABLE = "_helios_domains"
DOMAIN_KIND = "d"
CREATE_TABLE = (f"CREATE TABLE IF NOT EXISTS {DOMAINS_TABLE} (oid INTEGER PRIMARY KEY, "
                "base_oid INTEGER NOT NULL, base_typmod INTEGER NOT NULL, base_name TEXT NOT NULL, "
                "base_modifiers TEXT NOT NULL, "
                "parent INTEGER NOT NULL, not_null INTEGER NOT NULL, default_sql TEXT, checks TEXT NOT NULL)")
CHECK_FUNCTION = "helios_domain_value"


@dataclass(frozen=True, slots=True)
class Domain:
    oid: int
    stored: str
    array_oid: int
    base: ResolvedType
    parent: int
    not_null: bool
    default_sql: str | None
    checks: tuple[tuple[str, str], ...]  # (constraint name, condition with VALUE)

    @property
    def name(self) -> str:
        return schemas.split(self.stored)[1]

    @property
    def schema(self) -> str:
        return schemas.split(self.stored)[0]


def domains(connection: apsw.Connection) -> dict[int, Domain]:
    """Every domain of the store, by OID."""
    if not connection.table_exists("main", DOMAINS_TABLE):
        return {}
    rows: list[tuple[int, str, int, int, int, str, str, int, int, str | None, str]] = list(connection.execute(
        f"SELECT d.oid, t.name, t.array_oid, d.base_oid, d.base_typmod, d.base_name, d.base_modifiers, "
        f"d.parent, d.not_null, d.default_sql, d.checks FROM {DOMAINS_TABLE} d "
        "JOIN _helios_types t ON t.oid = d.oid"))
    found = {}
    for oid, stored, array_oid, base_oid, typmod, name, modifiers, parent, not_null, default, checks in rows:
        resolved = ResolvedType(PgType(base_oid, typmod), name,
                                tuple(int(m) for m in modifiers.split(",") if m))
        found[oid] = Domain(oid, stored, array_oid, resolved, parent, bool(not_null), default,
                            tuple((check_name, condition) for check_name, condition in json.loads(checks)))
    return found


def chain(all_domains: dict[int, Domain], domain: Domain) -> list[Domain]:
    """The domain and those it was made over, outermost first."""
    found = [domain]
    while found[-1].parent in all_domains:
        found.append(all_domains[found[-1].parent])
    return found


def inserted(domain: Domain) -> list[str]:
    """The statements that record a new domain (its `_helios_types` row is the caller's)."""
    base = domain.base
    modifiers = ",".join(str(m) for m in base.modifiers)
    default = "NULL" if domain.default_sql is None else string_literal(domain.default_sql)
    checks = string_literal(json.dumps([list(check) for check in domain.checks]))
    return [CREATE_TABLE,
            f"INSERT INTO {DOMAINS_TABLE} VALUES ({domain.oid}, {base.pg_type.oid}, {base.pg_type.typmod}, "
            f"{string_literal(base.name)}, {string_literal(modifiers)}, {domain.parent}, "
            f"{int(domain.not_null)}, {default}, {checks})"]


def register(domain: Domain, shown: str) -> None:
    """The domain's OID (and its array type's) among the codecs' types, as aliases of its base type's."""
    base = codecs.type_by_oid(domain.base.pg_type.oid)
    TYPES[domain.oid] = TypeInfo(domain.oid, shown, base.typlen, domain.array_oid, 0, base.category)
    TYPES[domain.array_oid] = TypeInfo(domain.array_oid, f"_{shown}", -1, 0, domain.oid, "A")
    CODECS[domain.oid] = CODECS[base.oid]
    codec_types.DOMAIN_BASES[domain.oid] = base.oid
    if base.array_oid:
        CODECS[domain.array_oid] = CODECS[base.array_oid]
        codec_types.DOMAIN_BASES[domain.array_oid] = base.array_oid
