"""Expressions that are neither operators nor calls: literals, parameters, column references, casts,
CASE, intervals, ARRAY[...] and ARRAY(subquery), subscripts, COLLATE and the JSON field operators,
each typed; and the constructs refused (0A000) rather than answered wrongly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.functions.jsons import path_steps as json_path_steps
from heliosdb_lite.engine.sql.escape_strings import escape_string_values
from heliosdb_lite.engine.translate import (
    domain_values,
    hstore,
    json_functions,
    qualified_columns,
    query_checks,
    records,
)
from heliosdb_lite.engine.translate.nodes import (
    call,
    collated,
    explicitly_collated,
    parameter_number,
    storage_literal,
    undeclared,
)
from heliosdb_lite.engine.translate.queries import SCALAR_ROWS, SCALAR_VALUE, over_rows
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import array_typing, cast_contexts, casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.errors import (
    SYNTAX_ERROR,
    UNDEFINED_COLUMN,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Handler, Translator

_TEXT_ARRAY_TYPE = array_typing.array_type(t.TEXT_TYPE)


def _literal(translator: Translator, node: exp.Literal, _: Scope) -> Typed:
    pg_type = rules.literal_type(node)
    if pg_type.oid == t.NUMERIC:
        return translator.constant(node.this, pg_type, explicit=False), pg_type
    return node, pg_type


def _string(translator: Translator, node: exp.Expr, _: Scope) -> Typed:
    return exp.Literal.string(node.this), t.UNKNOWN_TYPE


def _escape_string(translator: Translator, node: exp.ByteString, _: Scope) -> Typed:
    """E'...': PostgreSQL's value, where sqlglot's C-style decoding differs (escape_strings)."""
    value = escape_string_values(translator.text).get(node.this, node.this)
    return exp.Literal.string(value), t.UNKNOWN_TYPE


def _unsupported_literal(translator: Translator, node: exp.Expr, _: Scope) -> Typed:
    raise unsupported(f"literal {node.sql('postgres')}")


def _unsupported_operator(translator: Translator, node: exp.Expr, _: Scope) -> Typed:
    raise unsupported(node.sql("postgres"))


def _subscript(translator: Translator, node: exp.Bracket, scope: Scope) -> Typed:
    """array[i] (sqlglot has made a constant index 0-based, and left others as written)."""
    array, array_type = translator.expr(node.this, scope)
    if array_type.oid in (t.JSON, t.JSONB):
        return json_functions.subscript(translator, node, array, array_type, scope)
    info = codecs.type_by_oid(array_type.oid)
    if not info.is_array or len(node.expressions) != 1 or isinstance(node.expressions[0], exp.Slice):
        raise unsupported(f"subscript {node.sql('postgres')}")
    written = node.expressions[0]
    index, index_type = translator.expr(written, scope)
    index = translator.coerce(index, index_type, t.INT4_TYPE)
    if isinstance(written, exp.Literal):
        index = exp.Literal.number(int(written.this) + 1)
    return call(fn.SUBSCRIPT, array, array_type.oid, index), PgType(info.elem_oid)


def _collate(translator: Translator, node: exp.Collate, scope: Scope) -> Typed:
    """COLLATE "C" (and POSIX, default): byte order, which is how SQLite compares text."""
    value, pg_type = translator.expr(node.this, scope)
    if node.expression.name.lower() not in ("c", "posix", "default", "ucs_basic"):
        raise unsupported(f'collation "{node.expression.name}"')
    return exp.Collate(this=value, expression=exp.Var(this="BINARY")), pg_type


def _boolean(translator: Translator, node: exp.Boolean, _: Scope) -> Typed:
    return exp.Literal.number(1 if node.this else 0), t.BOOL_TYPE


def _null(translator: Translator, node: exp.Null, _: Scope) -> Typed:
    return node, t.UNKNOWN_TYPE


def _parameter(translator: Translator, node: exp.Parameter, _: Scope) -> Typed:
    number = parameter_number(node)
    if number is None:
        raise unsupported(f"parameter {node.sql('postgres')}")
    translator.param_count = max(translator.param_count, number)
    return node, translator.params.get(number, t.UNKNOWN_TYPE)


# `user` and `current_role` are current_user (sqlglot reads them as columns)
_CURRENT_USER_WORDS = frozenset({"user", "current_role"})


def _column(translator: Translator, node: exp.Column, scope: Scope) -> Typed:
    qualified_columns.unqualified(translator, node, scope)
    if isinstance(node.this, exp.Star):
        return node, t.UNKNOWN_TYPE
    if not node.table and not node.this.quoted and node.name.lower() in _CURRENT_USER_WORDS:
        return call("current_user"), PgType(t.NAME)  # reserved words, never a column's name
    table = node.table or None
    relation = scope.resolve(node.name, table)
    whole = scope.relation(node.name) if relation is None and table is None else None
    if whole is None and relation is None and table is None and scope.hides_output(node.name):
        raise DatabaseError(UNDEFINED_COLUMN, f'column "{node.name}" does not exist')
    if whole is not None and whole.of_one_value:
        return _column(translator, exp.column(whole.columns[0][0], table=whole.name, quoted=True), scope)
    if whole is not None and whole.known and whole.columns:  # `SELECT t FROM t`: the row, as a record
        fields = [exp.column(name, table=whole.name, quoted=True) for name, _ in whole.columns]
        return records.row(translator, exp.Tuple(expressions=fields), scope)
    found, pg_type = relation.find(node.name) if relation is not None else (False, None)
    if found and relation is not None:
        query_checks.check_outer_column(node, relation, scope)
    if relation is not None and relation.stored:  # a table function's: its column under SQLite's name
        if not found:
            raise DatabaseError(UNDEFINED_COLUMN, f"column {relation.name}.{node.name} does not exist")
        node.set("this", exp.to_identifier(relation.stored_name(node.name), quoted=True))
        node.set("table", exp.to_identifier(relation.name, quoted=True))
    elif not table and scope.shows(node.name, relation):
        if relation is None and node.name.lower() in scope.outputs:  # GROUP BY an output column
            raise unsupported(f'GROUP BY output column "{node.name}" beside unnest or generate_series')
        if relation is None:
            raise DatabaseError(UNDEFINED_COLUMN, f'column "{node.name}" does not exist')
        node.set("table", exp.to_identifier(relation.name, quoted=True))
    return node, pg_type if pg_type is not None else t.UNKNOWN_TYPE


def _paren(translator: Translator, node: exp.Paren, scope: Scope) -> Typed:
    inner, pg_type = translator.expr(node.this, scope)
    node.set("this", inner)
    return node, pg_type


def _alias(translator: Translator, node: exp.Alias, scope: Scope) -> Typed:
    inner, pg_type = translator.expr(node.this, scope)
    node.set("this", inner)
    return node, pg_type


def _cast(translator: Translator, node: exp.Cast, scope: Scope) -> Typed:
    target = translator.resolve_type(node.to)
    if isinstance(node.this, exp.Array) and not node.this.expressions \
            and array_typing.is_array(target.pg_type):  # ARRAY[]::integer[]
        return translator.constant("{}", target.pg_type, explicit=True), target.pg_type
    inner, source = translator.expr(node.this, scope)
    by_function = hstore.cast(inner, source, target.pg_type)
    if by_function is not None:
        return by_function, target.pg_type
    if not cast_contexts.can_coerce(source, target.pg_type, cast_contexts.Context.EXPLICIT):
        raise casts.cannot_cast(source.oid, target.pg_type.oid)
    converted = translator.coerce(inner, source, target.pg_type, mode="explicit")
    if target.pg_type != source:  # a column cast to another type is not a column of its own
        converted = undeclared(converted, target.pg_type)
    domain = domain_values.domain_named(translator, node.to)
    if domain is not None:  # a cast to a domain checks its constraints
        converted = domain_values.checked(translator, converted, domain)
        number = parameter_number(node.this)
        if number is not None:  # `$1::d`: the parameter is described as of the domain, as in PostgreSQL
            translator.params[number] = PgType(domain.oid)
    return converted, target.pg_type


def _case(translator: Translator, node: exp.Case, scope: Scope) -> Typed:
    subject = node.args.get("this")
    subject_typed = translator.expr(subject, scope) if subject is not None else None
    if subject_typed is not None and subject_typed[1].oid in t.WITHOUT_EQUALITY:  # CASE x WHEN: x = ...
        raise rules.no_operator(subject_typed[1].oid, "=", subject_typed[1].oid)
    results: list[Typed] = []
    for branch in node.args.get("ifs") or []:
        condition = branch.this
        if subject_typed is not None:
            value, value_type = translator.expr(condition, scope)
            branch.set("this", translator.coerce(value, value_type, subject_typed[1]))
        else:
            branch.set("this", translator.condition(condition, scope, "CASE/WHEN"))
        results.append(translator.expr(branch.args["true"], scope))
    default = node.args.get("default")
    if default is not None:
        results.append(translator.expr(default, scope))
    branch_types = [pg_type for _, pg_type in results]  # PostgreSQL puts the ELSE first
    result_type = rules.common_type(branch_types[-1:] + branch_types[:-1] if default is not None
                                    else branch_types, "CASE")
    coerced = [translator.coerce(value, pg_type, result_type) for value, pg_type in results]
    for branch, value in zip(node.args.get("ifs") or [], coerced, strict=False):
        branch.set("true", value)
    if default is not None:
        node.set("default", coerced[-1])
    if subject_typed is not None:  # SQLite compares a simple CASE's values with its subject's collation
        node.set("this", collated(*subject_typed))
    return explicitly_collated(node, result_type), result_type


def _interval(translator: Translator, node: exp.Interval, _: Scope) -> Typed:
    value = node.this
    if not (isinstance(value, exp.Literal)):
        raise unsupported(f"interval {node.sql('postgres')}")
    unit = node.args.get("unit")
    if isinstance(unit, exp.IntervalSpan):
        raise unsupported(f"interval qualifier in {node.sql('postgres')}")
    text = f"{value.this} {unit.name}" if unit is not None else value.this
    return translator.constant(text, PgType(t.INTERVAL), explicit=True), PgType(t.INTERVAL)


_BUILT_AT_ONCE = 400  # items of one helios_array call: two arguments each, SQLite takes 1000


def _array(translator: Translator, node: exp.Array, scope: Scope) -> Typed:
    """ARRAY[...] (sub-arrays make it multidimensional): a constant when its items are;
    ARRAY(subquery): `_array_of_rows`."""
    if len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Query):
        return _array_of_rows(translator, node.expressions[0], scope)
    items = [translator.expr(item, scope) for item in node.expressions]
    array_type = array_typing.constructor_type([pg_type for _, pg_type in items])
    nested = any(array_typing.is_array(pg_type) for _, pg_type in items)
    item_target = array_type if nested else array_typing.element_type(array_type)
    typed = [(item, pg_type.oid) if array_typing.is_array(pg_type)
             else (translator.coerce(item, pg_type, item_target), item_target.oid) for item, pg_type in items]
    if all(isinstance(item, exp.Literal | exp.Null | exp.HexString) for item, _ in typed):
        constants = [(None if isinstance(item, exp.Null) else bytes.fromhex(item.this)
                      if isinstance(item, exp.HexString) else item.this, oid) for item, oid in typed]
        return storage_literal(array_functions.build(array_type.oid, constants, translator.tz)), array_type
    chunks = [typed[start:start + _BUILT_AT_ONCE] for start in range(0, len(typed), _BUILT_AT_ONCE)] or [[]]
    built = [call(array_functions.BUILD, array_type.oid,
                  *(argument for item, oid in chunk for argument in (item, exp.Literal.number(oid))))
             for chunk in chunks]
    array = built[0]
    for part in built[1:]:  # more items than a SQLite call takes: the parts concatenated
        array = call(array_functions.CONCATENATE, array, array_type.oid, part, array_type.oid, array_type.oid)
    return array, array_type


def _array_of_rows(translator: Translator, query: exp.Query, scope: Scope) -> Typed:
    """ARRAY(subquery): the array of its rows' values in their order, `{}` when it has none:
    `(WITH s(value) AS (query) SELECT coalesce(helios_array_agg(value, oid), '{}') FROM s)`."""
    translated, outputs = translator.query(query, scope)
    if len(outputs) != 1:
        raise DatabaseError(SYNTAX_ERROR, "subquery must return only one column")
    element = outputs[0].type if outputs[0].type is not None else t.UNKNOWN_TYPE
    if element.is_unknown:
        element = t.TEXT_TYPE
    if array_typing.is_array(element):
        raise unsupported("ARRAY(subquery) of arrays")
    array_type = rules.function_type("array_agg", [element])
    empty = storage_literal(array_functions.build(array_type.oid, [], translator.tz))
    values = call(fn.ARRAY_AGG, exp.column(SCALAR_VALUE), element.oid)
    array = exp.select(call("coalesce", values, empty)).from_(SCALAR_ROWS)
    return exp.Subquery(this=over_rows(translated, array)), array_type


def _json(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    """-> ->> (a key or index) and #> #>> (a text[] path) on json/jsonb."""
    document, document_type = translator.expr(node.this, scope)
    if hstore.is_hstore(document_type):
        return _hstore_fetch(translator, node, document, document_type, scope)
    if document_type.oid not in (t.JSON, t.JSONB):  # json_extract_path(unknown, ...) takes a json
        called = rules.function_name(node, translator.text) or ""
        target = PgType(t.JSON if called.startswith("json_") else t.JSONB)
        document, document_type = translator.coerce(document, document_type, target), target
    path = node.expression
    as_text = isinstance(node, exp.JSONExtractScalar | exp.JSONBExtractScalar)
    result = t.TEXT_TYPE if as_text else document_type
    if isinstance(node, exp.JSONBExtract | exp.JSONBExtractScalar):
        operator = "#>>" if as_text else "#>"
        path_array = _json_path(translator, path, document_type, operator, scope)
        return call(fn.JSON_GET_PATH, document, document_type.oid, int(as_text), path_array), result
    if isinstance(path, exp.JSONPath):
        steps = [_json_step(part) for part in path.expressions if not isinstance(part, exp.JSONPathRoot)]
    else:
        step, step_type = translator.expr(path, scope)
        if not step_type.is_unknown and step_type.oid not in t.STRING_TYPES | t.INTEGER_TYPES - {t.INT8}:
            raise rules.no_operator(document_type.oid, "->>" if as_text else "->", step_type.oid)
        index = step_type.oid in t.INTEGER_TYPES  # an index of an array only, a text a key only
        steps = [translator.coerce(step, step_type, t.INT4_TYPE if index else t.TEXT_TYPE)]
    # json_extract_path(json, VARIADIC text[]) is #>: a text step also indexes an array
    along_path = not node.args.get("only_json_types")
    mode = int(as_text) | (fn.JSON_GET_ALONG_PATH if along_path else 0)
    return call(fn.JSON_GET, document, document_type.oid, mode, *steps), result


def _hstore_fetch(translator: Translator, node: exp.Expr, document: exp.Expr, document_type: PgType,
                  scope: Scope) -> Typed:
    """`hstore -> key` and `hstore -> keys`; hstore has no ->>, #> or #>> (42883)."""
    path = node.expression
    key: exp.Expr
    if isinstance(path, exp.JSONPath) and len(path.expressions) == 2 \
            and isinstance(path.expressions[1], exp.JSONPathKey):
        key, key_type = exp.Literal.string(path.expressions[1].this), t.UNKNOWN_TYPE  # h -> 'literal'
    elif isinstance(path, exp.JSONPath):
        key, key_type = exp.Literal.number(path.expressions[-1].this), t.INT4_TYPE
    else:
        key, key_type = translator.expr(path, scope)
    symbols: dict[type[exp.Expr], str] = {exp.JSONExtract: "->", exp.JSONExtractScalar: "->>",
                                          exp.JSONBExtract: "#>"}
    symbol = symbols.get(type(node), "#>>")
    return hstore.operator(translator, symbol, document, document_type, key, key_type)


_KEY_OPERATORS = {exp.JSONBContainsTopKey: "?", exp.JSONBContainsAnyTopKeys: "?|",
                  exp.JSONBContainsAllTopKeys: "?&"}


def _jsonb_keys(translator: Translator, node: exp.Binary, scope: Scope) -> Typed:
    """jsonb ? text, jsonb ?| text[], jsonb ?& text[]: whether the key (any, all of the keys) is at
    the top level; 42883 for other operand types, json among them, as PostgreSQL has no such operator."""
    operator = _KEY_OPERATORS[type(node)]
    document, document_type = translator.expr(node.this, scope)
    keys, keys_type = translator.expr(node.expression, scope)
    if hstore.is_hstore(document_type):
        return hstore.operator(translator, operator, document, document_type, keys, keys_type)
    wanted = t.TEXT_TYPE if operator == "?" else PgType(oids.TEXT_ARRAY)
    keys_fit = keys_type.is_unknown or (keys_type.oid in t.STRING_TYPES if operator == "?"
                                        else keys_type.oid == oids.TEXT_ARRAY)
    if document_type.oid not in (t.JSONB, t.UNKNOWN) or not keys_fit:
        raise rules.no_operator(document_type.oid, operator, keys_type.oid)
    document = translator.coerce(document, document_type, PgType(t.JSONB))
    keys = translator.coerce(keys, keys_type, wanted)
    return call(fn.JSONB_HAS_KEYS, document, keys, exp.Literal.string(operator)), t.BOOL_TYPE


def _json_path(translator: Translator, path: exp.Expr, document_type: PgType, operator: str,
               scope: Scope) -> exp.Expr:
    """The text[] operand of #> / #>>: a literal (checked now), a parameter, or any array of a
    string type; 42883 for anything else, as PostgreSQL has no other operator."""
    if isinstance(path, exp.Literal) and path.is_string:
        json_path_steps(path.this)  # 22P02 now for a malformed array literal
        return path
    value, pg_type = translator.expr(path, scope)
    if pg_type.is_unknown or (array_typing.is_array(pg_type)
                              and array_typing.element_type(pg_type).oid in t.STRING_TYPES):
        return translator.coerce(value, pg_type, _TEXT_ARRAY_TYPE)
    raise rules.no_operator(document_type.oid, operator, pg_type.oid)


def _json_step(part: exp.Expr) -> exp.Expr:
    if isinstance(part, exp.JSONPathKey):
        return exp.Literal.string(part.this)
    if isinstance(part, exp.JSONPathSubscript):
        return exp.Literal.number(part.this)
    raise unsupported(f"JSON path step {part.sql('postgres')}")


HANDLERS: dict[type[exp.Expr], Handler] = {
    exp.Literal: _literal,
    exp.ByteString: _escape_string,
    exp.RawString: _string,
    **dict.fromkeys((exp.UnicodeString, exp.BitString, exp.HexString), _unsupported_literal),
    exp.Boolean: _boolean,
    exp.Null: _null,
    exp.Parameter: _parameter,
    exp.Column: _column,
    exp.Paren: _paren,
    exp.Alias: _alias,
    exp.Cast: _cast,
    exp.TryCast: _cast,
    exp.Case: _case,
    exp.Interval: _interval,
    exp.Array: _array,
    exp.Bracket: _subscript,
    exp.Collate: _collate,
    **dict.fromkeys((exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar),
                    _json),
    **dict.fromkeys((exp.JSONBContainsTopKey, exp.JSONBContainsAnyTopKeys, exp.JSONBContainsAllTopKeys),
                    _jsonb_keys),
    exp.JSONBDeleteAtPath: json_functions.delete_path,
    **dict.fromkeys((exp.JSONBContains, exp.SimilarTo, exp.Explode,
                     exp.ExplodingGenerateSeries, exp.JSONBPathExists), _unsupported_operator),
}
