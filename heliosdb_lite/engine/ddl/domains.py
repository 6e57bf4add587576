"""CREATE DOMAIN and DROP DOMAIN, read from the statement's tokens and rendered as writes to the
store's type tables (`store.domains`, `store.user_types`), with PostgreSQL's errors:

    CREATE DOMAIN name [AS] data_type [DEFAULT expr] [[CONSTRAINT name] {NOT NULL | NULL | CHECK (expr)}] ...
    DROP DOMAIN [IF EXISTS] name [, ...] [CASCADE | RESTRICT]

An unnamed CHECK is named as PostgreSQL names it (`<domain>_check`, then `..._check1`). The base
type may be a domain (its constraints apply too) or an array. DROP refuses with 2BP01 while a
domain or a table column uses the domain (the columns found by their CHECK, which names the
domain); CASCADE, which would drop them, is refused with 0A000, as are COLLATE and ALTER DOMAIN.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.ddl.object_names import NO_OP, schema_version_bump
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.sql.statement_words import Words, syntax_error
from heliosdb_lite.engine.store import domains, schemas, user_types
from heliosdb_lite.engine.store.domains import CHECK_FUNCTION, DOMAIN_KIND, DOMAINS_TABLE, Domain
from heliosdb_lite.engine.store.table_info import object_kind
from heliosdb_lite.engine.store.user_types import TYPES_TABLE
from heliosdb_lite.engine.translate import domain_values
from heliosdb_lite.engine.translate.result import Translation, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.errors import (
    DEPENDENT_OBJECTS_STILL_EXIST,
    DUPLICATE_OBJECT,
    SUCCESSFUL_COMPLETION,
    SYNTAX_ERROR,
    UNDEFINED_OBJECT,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_CONSTRAINT_WORDS = frozenset({"default", "constraint", "not", "null", "check", "collate"})


def is_domain_statement(sql: str) -> bool:
    return parsing.first_words(sql, 2) in (["create", "domain"], ["drop", "domain"])


def translate(translator: Translator, sql: str) -> Translation:
    """The SQLite statements and notices of a CREATE or DROP DOMAIN statement."""
    tokens = parsing.tokenize(sql)
    tokens = tokens[:-1] if tokens and tokens[-1].token_type == TokenType.SEMICOLON else tokens
    if tokens[0].text.lower() == "create":
        statements, command = _create(translator, sql, tokens), "CREATE DOMAIN"
    else:
        statements, command = _drop(translator, tokens), "DROP DOMAIN"
    rendered = [*statements, *schema_version_bump(TYPES_TABLE, "name")] if statements else [NO_OP]
    return Translation("; ".join(rendered), command, None, (), schema_change=True,
                       notices=tuple(translator.notices))


def _keyword(token: Token) -> str | None:
    if token.token_type in (TokenType.STRING, TokenType.IDENTIFIER):
        return None
    word = token.text.lower()
    return word if word in _CONSTRAINT_WORDS else None


def _until_constraint(sql: str, tokens: tuple[Token, ...], start: int) -> tuple[str, int]:
    """The text from token `start` to the next constraint keyword outside parentheses, and where
    that keyword is."""
    depth, index = 0, start
    while index < len(tokens):
        token = tokens[index]
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and _keyword(token) is not None:
            break
        index += 1
    if index == start:
        raise syntax_error(tokens[index].text if index < len(tokens) else None)
    return sql[tokens[start].start:tokens[index - 1].end + 1], index


def _parenthesised(sql: str, tokens: tuple[Token, ...], start: int) -> tuple[str, int]:
    """The text inside the parentheses opening at token `start`, and the index after them."""
    if start >= len(tokens) or tokens[start].token_type != TokenType.L_PAREN:
        raise syntax_error(tokens[start].text if start < len(tokens) else None)
    depth = 0
    for index in range(start, len(tokens)):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tokens[index].token_type, 0)
        if depth == 0:
            if index == start + 1:
                raise syntax_error(")")
            return sql[tokens[start + 1].start:tokens[index - 1].end + 1], index + 1
    raise syntax_error(None)


def _create(translator: Translator, sql: str, tokens: tuple[Token, ...]) -> list[str]:
    words = Words(tokens)
    words.index = 2
    table = _type_name(words)
    words.accept("as")
    type_text, index = _until_constraint(sql, tokens, words.index)
    parsed = parsing.parse(f"SELECT CAST(NULL AS {type_text})")
    assert isinstance(parsed, exp.Select) and isinstance(parsed.expressions[0], exp.Cast)
    data_type = parsed.expressions[0].to.copy()
    base = translator.resolve_type(data_type)
    parent = domain_values.domain_named(translator, data_type)
    stored = translator.new_object(table)
    name = schemas.split(stored)[1]
    not_null, default = False, None
    checks: list[tuple[str, str]] = []
    constraint_name: str | None = None
    while index < len(tokens):
        word = _keyword(tokens[index])
        if word == "constraint":
            constraint_name = tokens[index + 1].text if index + 1 < len(tokens) else None
            if constraint_name is None:
                raise syntax_error(None)
            index += 2
            continue
        if word == "default":
            if default is not None:
                raise DatabaseError(SYNTAX_ERROR, "multiple default expressions")
            default, index = _until_constraint(sql, tokens, index + 1)
        elif word == "not" and index + 1 < len(tokens) and tokens[index + 1].text.lower() == "null":
            not_null, index = True, index + 2
        elif word == "null":
            index += 1
        elif word == "check":
            condition, index = _parenthesised(sql, tokens, index + 1)
            checks.append((constraint_name or _check_name(name, checks), condition))
        elif word == "collate":
            raise unsupported("CREATE DOMAIN ... COLLATE")
        else:
            raise syntax_error(tokens[index].text)
        constraint_name = None
    connection = translator.catalog.connection
    if user_types.find(connection, stored) is not None \
            or object_kind(connection, stored) in ("table", "view"):
        raise DatabaseError(DUPLICATE_OBJECT, f'type "{name}" already exists')
    for _, condition in checks:  # PostgreSQL's errors for a bad condition, now
        domain_values.condition(translator, condition, base.pg_type)
    if default is not None:
        parsed_default = parsing.parse(f"SELECT {default}")
        assert isinstance(parsed_default, exp.Select)
        value, value_type = translator.expr(parsed_default.expressions[0].copy(), Scope())
        translator.assign(value, value_type, base.pg_type)
    oid, array_oid = user_types.new_oids(connection, 2)
    domain = Domain(oid, stored, array_oid, base, parent.oid if parent is not None else 0, not_null, default,
                    tuple(checks))
    return [*user_types.CREATE_TABLES,
            f"INSERT INTO {TYPES_TABLE} (oid, name, array_oid, kind) VALUES ({oid}, "
            f"{string_literal(stored)}, {array_oid}, {string_literal(DOMAIN_KIND)})",
            *domains.inserted(domain)]


def _check_name(domain: str, checks: list[tuple[str, str]]) -> str:
    taken = {name for name, _ in checks}
    base, number = f"{domain}_check", 0
    name = base
    while name in taken:
        number += 1
        name = f"{base}{number}"
    return name


def _type_name(words: Words) -> exp.Table:
    parts = [words.name()]
    while words.accept("."):
        parts.append(words.name())
    if len(parts) > 2:
        raise unsupported(f"type name {'.'.join(parts)}")
    schema = exp.to_identifier(parts[0]) if len(parts) == 2 else None
    return exp.Table(this=exp.to_identifier(parts[-1]), db=schema)


def _drop(translator: Translator, tokens: tuple[Token, ...]) -> list[str]:
    words = Words(tokens)
    words.index = 2
    if_exists, tables, cascade = words.drop_list(lambda: _type_name(words))
    connection = translator.catalog.connection
    defined = translator.domains()
    statements: list[str] = []
    for table in tables:
        schema = table.args["db"].name if table.args.get("db") is not None else None
        stored = schemas.resolve(table.name, schema, translator.search_path,
                                 lambda candidate: user_types.find(connection, candidate) is not None)
        found = user_types.find(connection, stored)
        if found is None and _builtin_type(table):
            raise DatabaseError(WRONG_OBJECT_TYPE, f'"{table.name}" is not a domain')
        if found is None:
            if if_exists:
                translator.notices.append(DatabaseError(SUCCESSFUL_COMPLETION,
                                                        f'type "{table.name}" does not exist, skipping',
                                                        severity="NOTICE"))
                continue
            raise DatabaseError(UNDEFINED_OBJECT, f'type "{table.name}" does not exist')
        if found.kind != DOMAIN_KIND:
            raise DatabaseError(WRONG_OBJECT_TYPE, f'"{table.name}" is not a domain')
        dependents = _dependents(translator, defined[found.oid], [name.name for name in tables])
        if dependents:
            if cascade:
                raise unsupported("DROP DOMAIN ... CASCADE of a domain in use")
            raise DatabaseError(DEPENDENT_OBJECTS_STILL_EXIST,
                                f"cannot drop type {found.shown} because other objects depend on it",
                                detail="\n".join(dependents),
                                hint="Use DROP ... CASCADE to drop the dependent objects too.")
        statements += [f"DELETE FROM {DOMAINS_TABLE} WHERE oid = {found.oid}",
                       f"DELETE FROM {TYPES_TABLE} WHERE oid = {found.oid}"]
    return statements


def _builtin_type(table: exp.Table) -> bool:
    try:
        codecs.type_by_name(table.name)
    except DatabaseError:
        return False
    return table.args.get("db") is None or table.args["db"].name == "pg_catalog"


def _dependents(translator: Translator, domain: Domain, dropped: list[str]) -> list[str]:
    """What uses the domain, as PostgreSQL's DETAIL lists it: domains made over it (but those the
    statement drops too), composite types with an attribute of it, tables with a column of it (their
    CHECK calls the check function with the domain's name)."""
    shown = user_types.shown_name(domain.stored)
    found = [f"type {user_types.shown_name(other.stored)} depends on type {shown}"
             for other in translator.domains().values()
             if other.parent == domain.oid and other.name not in dropped]
    found += [f"column {name} of composite type {composite.shown} depends on type {shown}"
              for composite in user_types.stored_types(translator.catalog.connection)
              if composite.kind == user_types.COMPOSITE_KIND
              for name, oid, _ in composite.attributes if oid == domain.oid]
    call = re.compile(rf"{CHECK_FUNCTION}\([^,]*, {re.escape(string_literal(shown))}[,)]", re.IGNORECASE)
    tables = translator.catalog.connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    found += [f"table {schemas.split(name)[1]} depends on type {shown}"
              for name, sql in tables if sql and call.search(sql)]
    return found
