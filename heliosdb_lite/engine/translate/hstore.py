"""hstore's operators and functions (the extension's, PostgreSQL 15's hstore 1.8), typed as
PostgreSQL resolves them and run by `functions.hstore`, for a database where CREATE EXTENSION hstore
made the type (its OID is the database's: `is_hstore` knows it by its codec).

Operators: `->` text (fetchval) and text[] (slice_array), `?` text, `?|` and `?&` text[], `@>` and
`<@`, `||`, `-` text, text[] or hstore; `=` and `<>` compare the stored texts (the canonical output,
so equal values have equal texts) and no other comparison exists (42883, as there: hstore's btree
operators are spelled #<# ...). An unknown operand beside an hstore is an hstore where the operator
takes one (`h - '{a}'` deletes the pairs of that hstore, as PostgreSQL's operator resolution reads
it), else text, or text[] where only an array fits.

Functions (`extensions.hstore.SIGNATURES`): fetchval, slice_array, slice, exist/isexists, exists_any,
exists_all, defined/isdefined, delete, hs_concat, hs_contains, hs_contained, hstore/tconvert, akeys, avals,
hstore_to_array, hstore_to_matrix, hstore_to_json(_loose), hstore_to_jsonb(_loose). A call's unknown
arguments take the first signature that fits with text preferred (PostgreSQL's string category
rule); `hstore('literal')` is a cast to hstore, as PostgreSQL reads a type's name called on one
literal; hstore(record) of a row constructor, a FROM item's row or a composite type's value. each, skeys
and svals are table functions in FROM (`rows`; `select_list_unnest` moves them there from a select
list). populate_record, `#=` and hstore(record) of a record of unknown field names are refused (0A000).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.extensions.hstore import NAME as HSTORE
from heliosdb_lite.engine.extensions.hstore import SIGNATURES
from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import hstore as hstore_functions
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.store.user_types import extension_type
from heliosdb_lite.engine.translate import records
from heliosdb_lite.engine.translate.nodes import bool_output, call, is_unknown_literal, storage_literal
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope, add_table_function
from heliosdb_lite.engine.types import array_typing
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.engine.types.value_storage import to_storage
from heliosdb_lite.errors import DATATYPE_MISMATCH, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs import user_types as codec_types

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

TEXT_ARRAY = PgType(oids.TEXT_ARRAY)
_KINDS = {"text": t.TEXT_TYPE, "text[]": TEXT_ARRAY, "json": PgType(t.JSON), "jsonb": PgType(t.JSONB),
          "bool": t.BOOL_TYPE}
REFUSED = frozenset({"hstore_version_diag"})
# the set-returning functions, in FROM only (`rows`): their columns, of the table function's
SET_RETURNING: dict[str, tuple[str, ...]] = {"each": ("key", "value"), "skeys": ("key",), "svals": ("value",)}
_BUILT_AT_ONCE = 400  # items of one helios_array call (two arguments each: SQLite takes 1000)
_SHOWN_COLUMNS = frozenset({"key", "value", "ordinality", "hstore"})
# operator -> {right operand kind: function}, the left operand an hstore
_OPERATORS: dict[str, dict[str, str]] = {
    "->": {"text": "fetchval", "text[]": "slice_array"},
    "?": {"text": "exist"}, "?|": {"text[]": "exists_any"}, "?&": {"text[]": "exists_all"},
    "@>": {"hstore": "hs_contains"}, "<@": {"hstore": "hs_contained"}, "||": {"hstore": "hs_concat"},
    "-": {"hstore": "delete_hstore", "text": "delete", "text[]": "delete_array"},
}
_RESULTS = {"fetchval": "text", "slice_array": "text[]", "exist": "bool", "exists_any": "bool",
            "exists_all": "bool", "hs_contains": "bool", "hs_contained": "bool", "hs_concat": "hstore",
            "delete_hstore": "hstore", "delete": "hstore", "delete_array": "hstore"}


def is_hstore(pg_type: PgType) -> bool:
    """Whether a type is the database's hstore (the type CREATE EXTENSION hstore made)."""
    defined = extension_type(pg_type.oid)
    return defined is not None and defined.name == HSTORE


def involves_hstore(*types: PgType) -> bool:
    return any(is_hstore(pg_type) for pg_type in types)


def _installed(translator: Translator) -> PgType | None:
    """The hstore type of the statement's database, None when it has none."""
    oid = translator.defined_type(None, HSTORE)
    return PgType(oid) if oid is not None and is_hstore(PgType(oid)) else None


def _fits(kind: str, pg_type: PgType) -> bool:
    """Whether a value of pg_type is taken, as it is or by an implicit cast, as a `kind` parameter."""
    if kind == HSTORE:
        return is_hstore(pg_type)
    if kind == "text":
        return pg_type.oid in t.STRING_TYPES
    return array_typing.is_array(pg_type) and array_typing.element_type(pg_type).oid in t.STRING_TYPES


def _type(kind: str, hstore: PgType) -> PgType:
    return hstore if kind == HSTORE else _KINDS[kind]


def operator(translator: Translator, symbol: str, left: exp.Expr, left_type: PgType, right: exp.Expr,
             right_type: PgType) -> Typed:
    """`left symbol right` with an hstore operand (`involves_hstore`); 42883 for other operand types."""
    hstore = left_type if is_hstore(left_type) else right_type
    if left_type.is_unknown:  # beside an hstore, an hstore (every operator here takes one on the left)
        left, left_type = translator.coerce(left, left_type, hstore), hstore
    if not is_hstore(left_type) or symbol not in _OPERATORS:
        raise rules.no_operator(left_type.oid, symbol, right_type.oid)
    candidates = _OPERATORS[symbol]
    if right_type.is_unknown:  # the hstore's type if the operator takes it, else text, else text[]
        kind = next(kind for kind in (HSTORE, "text", "text[]") if kind in candidates)
    else:
        found = [kind for kind in candidates if _fits(kind, right_type)]
        if not found:
            raise rules.no_operator(left_type.oid, symbol, right_type.oid)
        kind = found[0]
    right = translator.coerce(right, right_type, _type(kind, hstore))
    name = candidates[kind]
    return call(hstore_functions.CALL, name, left, right), _type(_RESULTS[name], hstore)


def cast(value: exp.Expr, source: PgType, target: PgType) -> exp.Expr | None:
    """The extension's casts, which are function calls: hstore to json (hstore_to_json) and jsonb
    (hstore_to_jsonb), text[] to hstore (hstore(text[])); None for any other cast."""
    if is_hstore(source) and target.oid in (t.JSON, t.JSONB):
        name = "hstore_to_json" if target.oid == t.JSON else "hstore_to_jsonb"
        return call(hstore_functions.CALL, name, value)
    if is_hstore(target) and _fits("text[]", source):
        return call(hstore_functions.CALL, "hstore_from_array", value)
    return None


def comparison(operator_symbol: str, left_type: PgType, right_type: PgType) -> None:
    """42883 for an ordering comparison of hstore values (PostgreSQL has only = and <> of them)."""
    if operator_symbol not in ("=", "<>"):
        raise rules.no_operator(left_type.oid, operator_symbol, right_type.oid)


def of_fields(translator: Translator, fields: Sequence[tuple[str, exp.Expr, PgType]]) -> Typed:
    """hstore(record) of a row whose fields (name, value, type) are known (hstore_from_record): each
    field's output text under its name, a NULL field a NULL value."""
    hstore = _installed(translator)
    assert hstore is not None
    items: list[exp.Expr] = []
    for _, value, pg_type in fields:
        items += [_output_text(translator, value, pg_type), exp.Literal.number(t.TEXT)]
    keys = storage_literal(to_storage(oids.TEXT_ARRAY)([name for name, _, _ in fields]))
    chunk = 2 * _BUILT_AT_ONCE
    texts: list[exp.Expr] = [call(array_functions.BUILD, oids.TEXT_ARRAY, *items[start:start + chunk])
                             for start in range(0, len(items), chunk)] or [storage_literal("{}")]
    values = texts[0]
    for part in texts[1:]:
        values = call(array_functions.CONCATENATE, values, oids.TEXT_ARRAY, part, oids.TEXT_ARRAY,
                      oids.TEXT_ARRAY)
    return call(hstore_functions.CALL, "hstore_from_arrays", keys, values), hstore


def _of_composite(translator: Translator, value: exp.Expr, pg_type: PgType) -> Typed:
    """hstore(record) of a value of a composite type: its attributes, by name."""
    composite = codec_types.COMPOSITES[pg_type.oid]
    fields = [(name, call(fn.ROW_FIELD, value.copy(), pg_type.oid, number),
               PgType(codec_types.DOMAIN_BASES.get(oid, oid), typmod))
              for number, (name, oid, typmod) in enumerate(composite.fields)]
    return of_fields(translator, fields)


def _populate_record(translator: Translator, typed: Sequence[Typed], hstore: PgType) -> Typed:
    """populate_record(row of a composite type, hstore); 42804 when the first argument is no row, 0A000
    for a record of no declared type (or a table's row type, which is no type here)."""
    types = [pg_type for _, pg_type in typed]
    if len(typed) != 2 or not (types[1].is_unknown or is_hstore(types[1])):
        raise rules.no_function("populate_record", ", ".join(format_type(t.output_type(pg_type).oid, -1)
                                                             for pg_type in types))
    (row, row_type), (value, value_type) = typed
    if row_type.oid not in codec_types.COMPOSITES:
        if records.is_row_type(row_type):
            raise unsupported("populate_record of a record of no declared composite type")
        raise DatabaseError(DATATYPE_MISMATCH, "first argument must be a rowtype")
    value = translator.coerce(value, value_type, hstore)
    return call(hstore_functions.POPULATE, row, row_type.oid, value), PgType(row_type.oid)


def _output_text(translator: Translator, value: exp.Expr, pg_type: PgType) -> exp.Expr:
    """A value as its type's output function writes it (a bool t or f, char(n) padded)."""
    if pg_type.oid == t.BOOL:
        return bool_output(value)
    if pg_type.is_unknown or pg_type.oid in t.STRING_TYPES:
        return translator.coerce(value, pg_type, t.TEXT_TYPE) if pg_type.is_unknown else value
    return call(fn.CAST, value, pg_type.oid, t.TEXT, -1, 1)


def handles(translator: Translator, name: str) -> bool:
    """Whether a call of `name` is an hstore function's, in a database that has hstore."""
    known = name in SIGNATURES or name in REFUSED or name in SET_RETURNING or name == "populate_record"
    return known and _installed(translator) is not None


def function(translator: Translator, name: str, typed: Sequence[Typed]) -> Typed:
    """A call of an hstore function (`handles`), its arguments translated."""
    hstore = _installed(translator)
    assert hstore is not None
    if name in REFUSED:
        raise unsupported(f"hstore's function {name}()")
    if name == "populate_record":
        return _populate_record(translator, typed, hstore)
    if name in SET_RETURNING:  # where `select_list_unnest` has not moved it into FROM
        raise unsupported(f"hstore's set-returning function {name}() here")
    if name == HSTORE and len(typed) == 1 and typed[0][1].oid in codec_types.COMPOSITES:
        return _of_composite(translator, *typed[0])
    if name == HSTORE and len(typed) == 1 and records.is_row_type(typed[0][1]):
        raise unsupported("hstore(record) of a record whose field names are not known")
    if name == HSTORE and len(typed) == 1 and typed[0][1].is_unknown and is_unknown_literal(typed[0][0]):
        return translator.coerce(typed[0][0], typed[0][1], hstore, mode="explicit"), hstore
    types = [pg_type for _, pg_type in typed]
    for parameters, result, registered in SIGNATURES[name]:
        if len(parameters) == len(typed) and all(pg_type.is_unknown or _fits(kind, pg_type)
                                                 for kind, pg_type in zip(parameters, types, strict=True)):
            values = [translator.coerce(value, pg_type, _type(kind, hstore))
                      for (value, pg_type), kind in zip(typed, parameters, strict=True)]
            return call(hstore_functions.CALL, registered, *values), _type(result, hstore)
    raise rules.no_function(name, ", ".join(format_type(t.output_type(pg_type).oid, -1) for pg_type in types))


def set_returning_name(node: exp.Expr) -> str | None:
    """The name of the hstore set-returning function (each, skeys, svals) a FROM item calls."""
    called = node.this if isinstance(node, exp.Table) else node
    if isinstance(called, exp.Anonymous) and called.name.lower() in SET_RETURNING:
        return called.name.lower()
    return None


def rows(translator: Translator, node: exp.Table, scope: Scope, arguments: Scope) -> exp.Table:
    """each(h), skeys(h), svals(h) in FROM: `helios_hstore_rows(h) AS name`, its relation registered
    in scope with PostgreSQL's columns (key, value; skeys and svals one named as the function or its
    alias), renamed by a column alias list, WITH ORDINALITY adding the position."""
    name = set_returning_name(node)
    assert name is not None
    hstore = _installed(translator)
    typed = [translator.expr(argument, arguments) for argument in node.this.expressions]
    if hstore is None or len(typed) != 1 or not (typed[0][1].is_unknown or is_hstore(typed[0][1])):
        raise rules.no_function(name, ", ".join(format_type(t.output_type(pg_type).oid, -1)
                                                for _, pg_type in typed))
    value = translator.coerce(typed[0][0], typed[0][1], hstore)
    alias = node.args.get("alias")
    relation_name = alias.name if alias is not None and alias.name else name
    stored = list(SET_RETURNING[name])
    columns: list[tuple[str, PgType | None]] = [("key", t.TEXT_TYPE), ("value", t.TEXT_TYPE)] \
        if name == "each" else [(relation_name, t.TEXT_TYPE)]
    add_table_function(scope, node, name, relation_name, columns, stored, _SHOWN_COLUMNS)
    function = exp.Anonymous(this=hstore_functions.ROWS, expressions=[value])
    return exp.Table(this=function, alias=exp.TableAlias(this=exp.to_identifier(relation_name, quoted=True)))
