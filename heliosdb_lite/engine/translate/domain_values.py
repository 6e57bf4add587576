"""Domains in statements (`store/domains.py`): a type name that denotes a domain is its base type
(`base_type`, what `Translator.resolve_type` gives), and a value cast to a domain, or stored in a
column of one, is checked against the domain's constraints and those of the domains it was made
over (`checked`, `column_check`): a call of `helios_domain_value` with each CHECK condition
translated with VALUE standing for the value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.sql.quoting import quote_name
from heliosdb_lite.engine.store import domains
from heliosdb_lite.engine.store.domains import CHECK_FUNCTION, Domain
from heliosdb_lite.engine.store.user_types import shown_name
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import user_types as codec_types

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_VALUE_RELATION = "helios_domain"  # the relation whose one column, value, a condition reads


def base_type(translator: Translator, resolved: t.ResolvedType) -> t.ResolvedType:
    """The type a resolved type name stands for: a domain's base type (an array of a domain's: the
    array of its base type), any other type itself."""
    oid = resolved.pg_type.oid
    if not codec_types.is_user_type(oid):
        return resolved
    defined = translator.domains()
    if oid in defined:
        return defined[oid].base
    of_array = next((domain for domain in defined.values() if domain.array_oid == oid), None)
    if of_array is None:
        return resolved
    base = of_array.base
    array_oid = codecs.type_by_oid(base.pg_type.oid).array_oid
    return t.ResolvedType(t.PgType(array_oid, base.pg_type.typmod), f"_{base.name}", base.modifiers)


def domain_named(translator: Translator, data_type: exp.DataType) -> Domain | None:
    """The domain a type name denotes, None for any other type (an array of a domain included)."""
    if data_type.this != exp.DType.USERDEFINED:
        return None
    oid = t.resolve_datatype(data_type, translator.defined_type).pg_type.oid
    return translator.domains().get(oid)


def condition(translator: Translator, text: str, base: t.PgType) -> exp.Expr:
    """A domain's CHECK condition (as written, with VALUE) translated, VALUE a column `value` of
    `_VALUE_RELATION`."""
    source = f"SELECT {text}"
    parsed = parsing.parse(source)
    assert isinstance(parsed, exp.Select)
    node = parsed.expressions[0].copy()
    scope = Scope(relations=[Relation(_VALUE_RELATION, [("value", base)])])
    statement, translator.text = translator.text, source  # handlers read names as written there
    try:
        return translator.condition(node, scope, "CHECK")
    finally:
        translator.text = statement


def _arguments(translator: Translator, domain: Domain, value: exp.Expr) -> list[exp.Expr]:
    chain = domains.chain(translator.domains(), domain)
    arguments: list[exp.Expr] = [value, exp.Literal.string(shown_name(domain.stored)),
                                 exp.Literal.number(int(any(d.not_null for d in chain)))]
    for defined in reversed(chain):  # the base domain's constraints first
        for name, text in defined.checks:
            checked = condition(translator, text, domain.base.pg_type)
            for column in list(checked.find_all(exp.Column)):  # VALUE, the one column in scope
                if column.table in ("", _VALUE_RELATION):
                    column.replace(value.copy())
            arguments += [exp.Literal.string(name), checked]
    return arguments


def checked(translator: Translator, value: exp.Expr, domain: Domain) -> exp.Expr:
    """The value (of the domain's base type) checked against the domain's constraints."""
    return exp.Anonymous(this=CHECK_FUNCTION, expressions=_arguments(translator, domain, value))


def column_check(translator: Translator, column: str, domain: Domain) -> str:
    """The CHECK constraint of a column of the domain (SQLite SQL)."""
    reference = exp.column(column, quoted=True)
    call = render(checked(translator, reference, domain))
    return f"CHECK ({call} IS {quote_name(column)})"


def default(translator: Translator, domain: Domain) -> exp.Expr | None:
    """The DEFAULT of the domain or of the nearest domain it was made over that has one (parsed)."""
    for defined in domains.chain(translator.domains(), domain):
        if defined.default_sql is not None:
            parsed = parsing.parse(f"SELECT {defined.default_sql}")
            assert isinstance(parsed, exp.Select)
            return parsed.expressions[0].copy()
    return None
