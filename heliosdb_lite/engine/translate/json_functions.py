"""Calls of the functions that work on json and jsonb (`functions.json_processing`), typed as
PostgreSQL resolves them: jsonb_set, jsonb_set_lax, jsonb_insert, json(b)_strip_nulls, jsonb_pretty,
json(b)_typeof, json(b)_array_length, jsonb_extract_path(_text); the jsonb operators `-`, `#-` and
`||`; and the set-returning json(b)_each(_text), json(b)_array_elements(_text) and
json(b)_object_keys in FROM (the table-valued `helios_json_rows`), with PostgreSQL's column names
(key, value; the function's name or the alias for object_keys) and WITH ORDINALITY.

An argument converts to its parameter's type where PostgreSQL converts it implicitly (an untyped
literal always; json to jsonb never), else 42883 naming the argument types.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import json_processing as jp
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.translate.nodes import call
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope
from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.protocol.codecs import oids

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_JSONB, _JSON, _TEXT_ARRAY = PgType(t.JSONB), PgType(t.JSON), PgType(oids.TEXT_ARRAY)


def _defaults(*values: exp.Expr) -> tuple[exp.Expr, ...]:
    return values


# name: (parameter types, how many are required, result type, registered function, defaults of the
# optional ones, whether the document's type OID follows the arguments)
_SCALARS: dict[str, tuple[tuple[int, ...], int, int, str, tuple[exp.Expr, ...], bool]] = {
    "jsonb_set": ((t.JSONB, oids.TEXT_ARRAY, t.JSONB, t.BOOL), 3, t.JSONB, jp.JSONB_SET,
                  _defaults(exp.true()), False),
    "jsonb_set_lax": ((t.JSONB, oids.TEXT_ARRAY, t.JSONB, t.BOOL, t.TEXT), 3, t.JSONB, jp.JSONB_SET_LAX,
                      _defaults(exp.true(), exp.Literal.string("use_json_null")), False),
    "jsonb_insert": ((t.JSONB, oids.TEXT_ARRAY, t.JSONB, t.BOOL), 3, t.JSONB, jp.JSONB_INSERT,
                     _defaults(exp.false()), False),
    "jsonb_strip_nulls": ((t.JSONB,), 1, t.JSONB, jp.JSON_STRIP_NULLS, (), True),
    "json_strip_nulls": ((t.JSON,), 1, t.JSON, jp.JSON_STRIP_NULLS, (), True),
    "jsonb_pretty": ((t.JSONB,), 1, t.TEXT, jp.JSONB_PRETTY, (), False),
    "jsonb_typeof": ((t.JSONB,), 1, t.TEXT, jp.JSON_TYPEOF, (), False),
    "json_typeof": ((t.JSON,), 1, t.TEXT, jp.JSON_TYPEOF, (), False),
    "jsonb_array_length": ((t.JSONB,), 1, t.INT4, jp.JSON_ARRAY_LENGTH, (), False),
    "json_array_length": ((t.JSON,), 1, t.INT4, jp.JSON_ARRAY_LENGTH, (), False),
}
_EXTRACT_PATHS = {"jsonb_extract_path": False, "jsonb_extract_path_text": True}
# the set-returning functions: name -> (document type, what helios_json_rows lists)
_SET_RETURNING = {f"{prefix}_{kind}": (oid, kind) for prefix, oid in (("json", t.JSON), ("jsonb", t.JSONB))
                  for kind in (jp.EACH, jp.EACH_TEXT, jp.ELEMENTS, jp.ELEMENTS_TEXT, jp.KEYS)}
_JSONPATH_FUNCTIONS = frozenset(f"jsonb_path_{name}{zone}" for name in ("exists", "match", "query",
                                                                         "query_array", "query_first")
                                 for zone in ("", "_tz"))
_SHOWN_COLUMNS = frozenset({"key", "value", "ordinality", "document", "oid", "kind"})


def handles(name: str) -> bool:
    """Whether `name` is a function of this module (a call of it in an expression)."""
    return name in _SCALARS or name in _EXTRACT_PATHS or name in _SET_RETURNING or name in _JSONPATH_FUNCTIONS


def _no_function(name: str, typed: Sequence[Typed]) -> Exception:
    return rules.no_function(name, ", ".join(format_type(pg_type.oid, -1) for _, pg_type in typed))


def _fits(pg_type: PgType, oid: int) -> bool:
    return cast_contexts.can_coerce(pg_type, PgType(oid), cast_contexts.Context.IMPLICIT)


def function(translator: Translator, name: str, typed: list[Typed]) -> Typed:
    """A call of one of this module's functions in an expression."""
    if name in _JSONPATH_FUNCTIONS:
        raise unsupported(f"{name}() (jsonpath)")
    if name in _SET_RETURNING:
        raise unsupported(f"{name}() other than alone in a select list or in FROM")
    if name in _EXTRACT_PATHS:
        return _extract_path(translator, name, typed)
    parameters, required, result, registered, defaults, with_oid = _SCALARS[name]
    if not required <= len(typed) <= len(parameters) or not all(
            _fits(pg_type, oid) for (_, pg_type), oid in zip(typed, parameters, strict=False)):
        raise _no_function(name, typed)
    values = [translator.coerce(value, pg_type, PgType(oid))
              for (value, pg_type), oid in zip(typed, parameters, strict=False)]
    values += [default.copy() for default in defaults[len(typed) - required:]]
    if with_oid:
        values.append(exp.Literal.number(parameters[0]))
    return call(registered, *values), PgType(result)


def _extract_path(translator: Translator, name: str, typed: list[Typed]) -> Typed:
    """jsonb_extract_path(document, VARIADIC path text[]) and its _text form: `#>` and `#>>`."""
    if len(typed) < 2 or not _fits(typed[0][1], t.JSONB) \
            or not all(_fits(pg_type, t.TEXT) for _, pg_type in typed[1:]):
        raise _no_function(name, typed)
    document = translator.coerce(typed[0][0], typed[0][1], _JSONB)
    steps = [translator.coerce(value, pg_type, t.TEXT_TYPE) for value, pg_type in typed[1:]]
    as_text = _EXTRACT_PATHS[name]
    mode = int(as_text) | fn.JSON_GET_ALONG_PATH
    return call(fn.JSON_GET, document, t.JSONB, mode, *steps), t.TEXT_TYPE if as_text else _JSONB


def involves_jsonb(left_type: PgType, right_type: PgType) -> bool:
    """Whether `left - right` or `left || right` is one of jsonb's operators."""
    return t.JSONB in (left_type.oid, right_type.oid) and \
        {left_type.oid, right_type.oid} <= {t.JSONB, t.UNKNOWN} | t.STRING_TYPES | t.INTEGER_TYPES \
        | {oids.TEXT_ARRAY}


def delete(translator: Translator, left: exp.Expr, left_type: PgType, right: exp.Expr,
           right_type: PgType) -> Typed:
    """jsonb - text (a key, or string elements), jsonb - text[] (keys), jsonb - int (an index)."""
    if left_type.oid not in (t.JSONB, t.UNKNOWN):
        raise rules.no_operator(left_type.oid, "-", right_type.oid)
    document = translator.coerce(left, left_type, _JSONB)
    if right_type.is_unknown or right_type.oid in t.STRING_TYPES:
        operand, kind = translator.coerce(right, right_type, t.TEXT_TYPE), "key"
    elif right_type.oid == oids.TEXT_ARRAY:
        operand, kind = right, "keys"
    elif right_type.oid in (t.INT2, t.INT4):
        operand, kind = translator.coerce(right, right_type, t.INT4_TYPE), "index"
    else:
        raise rules.no_operator(left_type.oid, "-", right_type.oid)
    return call(jp.JSONB_DELETE, document, operand, exp.Literal.string(kind)), _JSONB


def concatenate(translator: Translator, left: exp.Expr, left_type: PgType, right: exp.Expr,
                right_type: PgType) -> Typed:
    """jsonb || jsonb (an untyped operand read as jsonb)."""
    values = [translator.coerce(value, pg_type, _JSONB) for value, pg_type in ((left, left_type),
                                                                              (right, right_type))]
    return call(jp.JSONB_CONCAT, *values), _JSONB


def delete_path(translator: Translator, node: exp.JSONBDeleteAtPath, scope: Scope) -> Typed:
    """jsonb #- text[]."""
    document, document_type = translator.expr(node.this, scope)
    path, path_type = translator.expr(node.expression, scope)
    if document_type.oid not in (t.JSONB, t.UNKNOWN) or path_type.oid not in (oids.TEXT_ARRAY, t.UNKNOWN):
        raise rules.no_operator(document_type.oid, "#-", path_type.oid)
    document = translator.coerce(document, document_type, _JSONB)
    path = translator.coerce(path, path_type, _TEXT_ARRAY)
    return call(jp.JSONB_DELETE_PATH, document, path), _JSONB


def set_returning_name(node: exp.Expr) -> str | None:
    """The name of a json set-returning function a FROM item (or a select list item) calls."""
    called = node.this if isinstance(node, exp.Table) else node
    if isinstance(called, exp.Anonymous) and called.name.lower() in _SET_RETURNING:
        return called.name.lower()
    return None


def rows(translator: Translator, node: exp.Table, scope: Scope, arguments: Scope) -> exp.Table:
    """json_each(document) & co in FROM: `helios_json_rows(document, oid, kind) AS name`, its
    relation registered in scope with PostgreSQL's columns, renamed by a column alias list."""
    name = set_returning_name(node)
    assert name is not None
    oid, kind = _SET_RETURNING[name]
    called = node.this
    typed = [translator.expr(argument, arguments) for argument in called.expressions]
    if len(typed) != 1 or not _fits(typed[0][1], oid):
        raise _no_function(name, typed)
    document = translator.coerce(typed[0][0], typed[0][1], PgType(oid))
    value_type = t.TEXT_TYPE if kind in (jp.EACH_TEXT, jp.ELEMENTS_TEXT) else PgType(oid)
    alias = node.args.get("alias")
    relation_name = alias.name if alias is not None and alias.name else name
    columns: list[tuple[str, PgType | None]]
    if kind in (jp.EACH, jp.EACH_TEXT):
        columns, stored = [("key", t.TEXT_TYPE), ("value", value_type)], ["key", "value"]
    elif kind == jp.KEYS:
        columns, stored = [(relation_name, t.TEXT_TYPE)], ["key"]
    else:
        columns, stored = [("value", value_type)], ["value"]
    if node.args.get("ordinality"):
        columns.append(("ordinality", t.INT8_TYPE))
        stored.append("ordinality")
    renames = [column.name for column in alias.columns] if alias is not None else []
    if len(renames) > len(columns):
        raise unsupported(f"a column alias list longer than {name}()'s columns")
    relation = Relation(relation_name, columns, stored=tuple(stored), shown=_SHOWN_COLUMNS)
    relation = relation.renamed(relation_name, renames or None)
    scope.add(relation)
    function = exp.Anonymous(this=jp.JSON_ROWS, expressions=[document, exp.Literal.number(oid),
                                                             exp.Literal.string(kind)])
    return exp.Table(this=function, alias=exp.TableAlias(this=exp.to_identifier(relation_name, quoted=True)))
