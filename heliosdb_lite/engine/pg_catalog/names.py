"""Names and OIDs of schemas and relations as a session sees them: namespace OIDs, which relation a
possibly qualified name denotes along the session's search_path, whether a relation is visible
(found first along the path, as pg_table_is_visible answers), which type a name denotes (the
built-in ones, then those the database defines along the path), and the reg* input and output
functions (`'s.t'::regclass`, `oid::regclass::text`, regtype, regnamespace, regrole, regproc).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from heliosdb_lite.engine.pg_catalog.reader import (
    TEMPORARY_SCHEMA,
    CatalogReader,
    Store,
    object_oid,
    qualified,
)
from heliosdb_lite.engine.sql.quoting import quote_identifier
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.store.user_types import StoredType
from heliosdb_lite.engine.types.type_names import format_type, type_oid
from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_NAME,
    INVALID_SCHEMA_NAME,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    DatabaseError,
)

PUBLIC_NAMESPACE = 2200
CATALOG_NAMESPACE = 11
INFORMATION_SCHEMA_NAMESPACE = 13183
OWNER_OID = 10
DATABASE_OWNER_OID = 6171  # pg_database_owner: owns schema public
SYSTEM_NAMESPACES = {"pg_catalog": CATALOG_NAMESPACE, "information_schema": INFORMATION_SCHEMA_NAMESPACE}
# PostgreSQL's OIDs of the catalog relations clients name in reg* casts (pg_description.classoid)
CATALOG_RELATION_OIDS = {"pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": 1259,
                         "pg_constraint": 2606, "pg_description": 2609, "pg_index": 2610,
                         "pg_namespace": 2615, "pg_database": 1262, "pg_am": 2601, "pg_attrdef": 2604,
                         "pg_extension": 3079, "pg_authid": 1260, "pg_tablespace": 1213, "pg_language": 2612}
_TEMPORARY_ALIAS = "pg_temp"  # the session's temporary schema, in search_path and qualified names
_NAME_PART = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^".\s]+))\s*(\.|$)')


def namespace_oid(schema: str) -> int:
    if schema == schemas.PUBLIC:
        return PUBLIC_NAMESPACE
    return SYSTEM_NAMESPACES.get(schema) or object_oid(f"schema {schema}")


def role_oid(role: str, user: str) -> int:
    return OWNER_OID if role == user else object_oid(f"role {role}")


def split_name(text: str) -> tuple[str, ...]:
    """The parts of a possibly qualified, possibly quoted name (`s.t`, `"My S"."T"`), folded as
    PostgreSQL folds unquoted identifiers."""
    parts, position = [], 0
    while position < len(text):
        match = _NAME_PART.match(text, position)
        if match is None:
            raise DatabaseError(INVALID_NAME, f'invalid name syntax: "{text}"')
        quoted, bare = match.group(1), match.group(2)
        parts.append(quoted.replace('""', '"') if quoted is not None else bare.lower())
        position = match.end()
    if not parts:
        raise DatabaseError(INVALID_NAME, f'invalid name syntax: "{text}"')
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Namespace:
    oid: int
    name: str
    owner: int


class SessionNames:
    """One session's view of the catalog's names: its user, its search_path and the store."""

    def __init__(self, reader: CatalogReader, user: str, search_path: Callable[[], str]) -> None:
        self._reader = reader
        self._user = user
        self._search_path = search_path
        self._members_of: Store | None = None
        self._path_of: tuple[Store, str] | None = None
        self._path: tuple[str, ...] = ()
        self._members_by_name: dict[tuple[str, str], int] = {}
        self.server_roles: Callable[[], dict[str, bool]] = dict  # the server's roles: may each log in

    @property
    def user(self) -> str:
        return self._user

    def namespaces(self) -> list[Namespace]:
        store = self._reader.store()
        owners = store.schemas
        found = [Namespace(CATALOG_NAMESPACE, "pg_catalog", OWNER_OID),
                 Namespace(INFORMATION_SCHEMA_NAMESPACE, "information_schema", OWNER_OID)]
        if store.public:
            found.insert(1, Namespace(PUBLIC_NAMESPACE, schemas.PUBLIC, DATABASE_OWNER_OID))
        found += [Namespace(namespace_oid(name), name, role_oid(owner, self._user))
                  for name, owner in owners.items()]
        if self._has_temporary():
            found.append(Namespace(namespace_oid(TEMPORARY_SCHEMA), TEMPORARY_SCHEMA, OWNER_OID))
        return found

    def roles(self) -> dict[int, str]:
        """Role OID → name: the session's user, pg_database_owner, the owners of schemas and the
        server's roles (its users file)."""
        roles = {OWNER_OID: self._user, DATABASE_OWNER_OID: "pg_database_owner"}
        roles.update({role_oid(owner, self._user): owner for owner in self._reader.store().schemas.values()})
        roles.update({role_oid(name, self._user): name for name in self.server_roles()})
        return roles

    def path(self) -> tuple[str, ...]:
        """The existing schemas of the search_path, in order; the session's temporary schema first
        unless the path names it (`pg_temp`) elsewhere, as PostgreSQL searches."""
        store, setting = self._reader.store(), self._search_path()
        if self._path_of is None or self._path_of[0] is not store or self._path_of[1] != setting:
            # asked per row of a catalog query: computed once per store and setting
            existing = {schemas.PUBLIC, *store.schemas}
            if self._has_temporary():
                existing.add(TEMPORARY_SCHEMA)
            listed = schemas.search_path(setting, self._user)
            if _TEMPORARY_ALIAS not in listed:
                listed = (_TEMPORARY_ALIAS, *listed)
            named = (TEMPORARY_SCHEMA if name == _TEMPORARY_ALIAS else name for name in listed)
            self._path = tuple(name for name in named if name in existing)
            self._path_of = (store, setting)
        return self._path

    def _has_temporary(self) -> bool:
        return any(r.schema == TEMPORARY_SCHEMA for r in self._reader.relations())

    def lookup(self, schema: str | None, name: str) -> int | None:
        """The OID of the relation or index a name denotes: in `schema`, else the first found along
        the search_path."""
        members = self._members()
        for candidate in (schema,) if schema is not None else self.path():
            if (candidate, name) in members:
                return members[candidate, name]
        return None

    def is_visible(self, oid: int) -> bool:
        """Whether the relation or index is the one its bare name finds (pg_table_is_visible)."""
        named = self._named(oid)
        return named is not None and self.lookup(None, named[1]) == oid

    def relation_text(self, oid: int) -> str | None:
        """A relation's or index's name as regclass output shows it: qualified unless visible."""
        named = self._named(oid)
        if named is None:
            return None
        return quote_identifier(named[1]) if self.is_visible(oid) else qualified(*named)

    def sequence_text(self, storage: str) -> str:
        return self.relation_text(object_oid(storage)) or storage

    def _members(self) -> dict[tuple[str, str], int]:
        """(schema, name) → OID of every relation and index (one namespace in PostgreSQL)."""
        store = self._reader.store()
        if self._members_of is not store:
            self._members_by_name = {(r.schema, r.name): r.oid for r in store.relations}
            self._members_by_name.update(
                {(i.schema, i.name): i.oid for r in store.relations for i in r.indexes})
            self._members_of = store
        return self._members_by_name

    def _named(self, oid: int) -> tuple[str, str] | None:
        relation = self._reader.relation(oid)
        if relation is not None:
            return relation.schema, relation.name
        index = self._reader.index(oid)
        return (index.schema, index.name) if index is not None else None

    # --- reg* input and output ---------------------------------------------------------------------

    def regclass_in(self, value: str | int | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        if (written := _written_oid(value)) is not None:
            return written
        parts = split_name(value)
        if len(parts) > 2:
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                f'cross-database references are not implemented: "{value}"')
        schema, name = (None, *parts) if len(parts) == 1 else parts
        schema = TEMPORARY_SCHEMA if schema == _TEMPORARY_ALIAS else schema
        if schema in (None, "pg_catalog") and name in CATALOG_RELATION_OIDS:
            return CATALOG_RELATION_OIDS[name]
        oid = self.lookup(schema, name)
        if oid is None:
            raise DatabaseError(UNDEFINED_TABLE, f'relation "{value}" does not exist')
        return oid

    def regclass_out(self, oid: int | None) -> str | None:
        if oid is None or oid == 0:
            return INVALID_OID_TEXT if oid == 0 else None
        names = {number: name for name, number in CATALOG_RELATION_OIDS.items()}
        return self.relation_text(oid) or names.get(oid, str(oid))

    def regnamespace_in(self, value: str | int | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        if (written := _written_oid(value)) is not None:
            return written
        (name,) = split_name(value)
        namespace = next((n for n in self.namespaces() if n.name == name), None)
        if namespace is None:
            raise DatabaseError(INVALID_SCHEMA_NAME, f'schema "{value}" does not exist')
        return namespace.oid

    def regnamespace_out(self, oid: int | None) -> str | None:
        if oid is None or oid == 0:
            return INVALID_OID_TEXT if oid == 0 else None
        namespace = next((n for n in self.namespaces() if n.oid == oid), None)
        return quote_identifier(namespace.name) if namespace is not None else str(oid)

    def type_named(self, text: str | None) -> int | None:
        """to_regtype: the OID of the type a name denotes, NULL if none: a built-in type (`int4`,
        `integer`, `text[]`), else one the database defines, in its schema if qualified (`s.mood`,
        `"Odd"[]`, or its array type's name `_mood`), else the first found along the search_path."""
        if text is None:
            return None
        builtin = type_oid(text)
        if builtin is not None:
            return builtin
        spelling = text.strip()
        array = spelling.endswith("[]")
        try:
            parts = split_name(spelling.removesuffix("[]").rstrip())
        except DatabaseError:
            return None
        if len(parts) > 2:
            return None
        schema, name = (None, *parts) if len(parts) == 1 else parts
        defined = {stored_type.stored: stored_type for stored_type in self._reader.store().types}
        for candidate in (schema,) if schema is not None else self.path():
            found = defined.get(schemas.storage_name(candidate, name))
            if found is not None:
                return found.array_oid if array else found.oid
            element = defined.get(schemas.storage_name(candidate, name[1:])) if name.startswith("_") else None
            if element is not None and not array:  # pg_type's name of its array type
                return element.array_oid
        return None

    def regtype_in(self, value: str | int | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        if (written := _written_oid(value)) is not None:
            return written
        oid = self.type_named(value)
        if oid is None:
            raise DatabaseError(UNDEFINED_OBJECT, f'type "{value}" does not exist')
        return oid

    def regtype_out(self, oid: int | None) -> str | None:
        """A type's name as regtype output shows it: a type the database defines qualified unless the
        search_path finds it by its bare name."""
        if oid is None or oid == 0:
            return INVALID_OID_TEXT if oid == 0 else None
        defined = self._defined_type(oid)
        if defined is not None:
            suffix = "[]" if oid == defined.array_oid else ""
            name = quote_identifier(defined.name)
            return (name if self._type_visible(defined) else qualified(defined.schema, defined.name)) + suffix
        shown = format_type(oid, -1)
        return str(oid) if shown == "???" else shown

    def defined_type_visible(self, oid: int) -> bool | None:
        """pg_type_is_visible of a type the database defines (or of its array type): whether its bare
        name finds it along the search_path; None when the database defines no type of that OID."""
        defined = self._defined_type(oid)
        return None if defined is None else self._type_visible(defined)

    def _defined_type(self, oid: int) -> StoredType | None:
        """The type the database defines whose OID or array type's OID is `oid`."""
        return next((stored_type for stored_type in self._reader.store().types
                     if oid in (stored_type.oid, stored_type.array_oid)), None)

    def _type_visible(self, defined: StoredType) -> bool:
        return self.type_named(quote_identifier(defined.name)) == defined.oid

    def regrole_in(self, value: str | int | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        if (written := _written_oid(value)) is not None:
            return written
        (name,) = split_name(value)
        oid = next((oid for oid, role in self.roles().items() if role == name), None)
        if oid is None:
            raise DatabaseError(UNDEFINED_OBJECT, f'role "{value}" does not exist')
        return oid

    def regrole_out(self, oid: int | None) -> str | None:
        if oid is None or oid == 0:
            return INVALID_OID_TEXT if oid == 0 else None
        return self.roles().get(oid, str(oid))


INVALID_OID_TEXT = "-"  # how PostgreSQL's reg* types print InvalidOid (0), and read it back


def _written_oid(value: str) -> int | None:
    """The OID a reg* input gives as a number (or as '-': InvalidOid); None when it names an object."""
    text = value.strip()
    if text == INVALID_OID_TEXT:
        return 0
    return int(text) if text.isdigit() else None


def regproc_in(value: str | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    if (written := _written_oid(value)) is not None:
        return written
    raise DatabaseError(FEATURE_NOT_SUPPORTED, f"regproc of a function name ({value}) is not supported: "
                                                "there is no pg_proc here")


def regproc_out(oid: int | None) -> str | None:
    return None if oid is None else INVALID_OID_TEXT if oid == 0 else str(oid)
