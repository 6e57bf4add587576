"""Calls of the functions that work on json and jsonb (`functions.json_processing`), typed as
PostgreSQL resolves them: jsonb_set, jsonb_set_lax, jsonb_insert, json(b)_strip_nulls, jsonb_pretty,
json(b)_typeof, json(b)_array_length, jsonb_extract_path(_text); the jsonb operators `-`, `#-` and
`||` and jsonb subscripts; the set-returning json(b)_each(_text), json(b)_array_elements(_text) and
json(b)_object_keys in FROM (the table-valued `helios_json_rows`), with PostgreSQL's column names
(key, value; the function's name or the alias for object_keys) and WITH ORDINALITY; and
json(b)_to_record(set) with a column definition list and json(b)_populate_record(set) of
NULL::composite in FROM (the table-valued `helios_json_records`). jsonpath is refused (0A000).

An argument converts to its parameter's type where PostgreSQL converts it implicitly (an untyped
literal always; json to jsonb never), else 42883 naming the argument types.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import json_processing as jp
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.translate.nodes import call
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Relation, Scope, add_table_function
from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import DATATYPE_MISMATCH, FEATURE_NOT_SUPPORTED, SYNTAX_ERROR, DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids, user_types

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_JSONB, _TEXT_ARRAY = PgType(t.JSONB), PgType(oids.TEXT_ARRAY)


# name: (parameter types, how many are required, result type, registered function, defaults of the
# optional ones, whether the document's type OID follows the arguments)
_SCALARS: dict[str, tuple[tuple[int, ...], int, int, str, tuple[exp.Expr, ...], bool]] = {
    "jsonb_set": ((t.JSONB, oids.TEXT_ARRAY, t.JSONB, t.BOOL), 3, t.JSONB, jp.JSONB_SET,
                  (exp.true(),), False),
    "jsonb_set_lax": ((t.JSONB, oids.TEXT_ARRAY, t.JSONB, t.BOOL, t.TEXT), 3, t.JSONB, jp.JSONB_SET_LAX,
                      (exp.true(), exp.Literal.string("use_json_null")), False),
    "jsonb_insert": ((t.JSONB, oids.TEXT_ARRAY, t.JSONB, t.BOOL), 3, t.JSONB, jp.JSONB_INSERT,
                     (exp.false(),), False),
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
_TO_RECORD = frozenset(f"{prefix}_to_{kind}" for prefix in ("json", "jsonb")
                       for kind in ("record", "recordset"))
_POPULATE = frozenset(f"{prefix}_populate_{kind}" for prefix in ("json", "jsonb")
                      for kind in ("record", "recordset"))
_JSONPATH_FUNCTIONS = frozenset(f"jsonb_path_{name}{zone}" for name in ("exists", "match", "query",
                                                                         "query_array", "query_first")
                                 for zone in ("", "_tz"))
_SHOWN_COLUMNS = frozenset({"key", "value", "ordinality", "document", "oid", "kind"})


def handles(name: str) -> bool:
    """Whether `name` is a function of this module (a call of it in an expression)."""
    return name == jp.JSONB_SUBSCRIPT_ASSIGN or any(
        name in names for names in (_SCALARS, _EXTRACT_PATHS, _SET_RETURNING, _JSONPATH_FUNCTIONS, _TO_RECORD,
                                    _POPULATE))


def _no_function(name: str, typed: Sequence[Typed]) -> Exception:
    return rules.no_function(name, ", ".join(format_type(pg_type.oid, -1) for _, pg_type in typed))


def _fits(pg_type: PgType, oid: int) -> bool:
    return cast_contexts.can_coerce(pg_type, PgType(oid), cast_contexts.Context.IMPLICIT)


def function(translator: Translator, name: str, typed: list[Typed]) -> Typed:
    """A call of one of this module's functions in an expression."""
    if name in _JSONPATH_FUNCTIONS:
        raise unsupported(f"{name}() (jsonpath)")
    if name in _SET_RETURNING:
        raise unsupported(f"{name}() here (in FROM, or in a select list without aggregates, GROUP BY or "
                          "another set-returning function)")
    if name in _TO_RECORD:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"could not determine row type for result of {name}")
    if name in _POPULATE:
        raise unsupported(f"{name}() other than in FROM")
    if name in _EXTRACT_PATHS:
        return _extract_path(translator, name, typed)
    if name == jp.JSONB_SUBSCRIPT_ASSIGN:
        return _subscript_assignment(translator, typed)
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


def subscript(translator: Translator, node: exp.Bracket, document: exp.Expr, document_type: PgType,
              scope: Scope) -> Typed:
    """jsonb[key] / jsonb[index] (`#>` of a one-step path: an integer is also an object's key as
    text, a text also an array's index); json has no subscripts (42804), nor jsonb slices."""
    if document_type.oid == t.JSON:
        raise DatabaseError(DATATYPE_MISMATCH,
                            "cannot subscript type json because it does not support subscripting")
    if len(node.expressions) != 1 or isinstance(node.expressions[0], exp.Slice):
        raise DatabaseError(DATATYPE_MISMATCH, "jsonb subscript does not support slices")
    written = node.expressions[0]
    number = _written_index(written)
    if number is not None:
        step: exp.Expr = exp.Literal.string(str(number))
    else:
        value, value_type = translator.expr(written, scope)
        if not (value_type.is_unknown or value_type.oid in t.STRING_TYPES | {t.INT2, t.INT4}):
            raise DatabaseError(DATATYPE_MISMATCH,
                                f"subscript type {format_type(value_type.oid, -1)} is not supported")
        step = translator.coerce(value, value_type, t.TEXT_TYPE)
    return call(fn.JSON_GET, document, t.JSONB, fn.JSON_GET_ALONG_PATH, step), _JSONB


def subscript_assignments(items: list[exp.Expr], types: dict[str, PgType | None]) -> list[exp.Expr]:
    """UPDATE's `doc[s1][s2] = value` items as `doc = helios_jsonb_subscript_assign(doc, 'doc', value,
    s1, s2)`, those of one column folded into one assignment in their order (PostgreSQL applies
    them all); a subscript of a column of another type: json 42804, an array 0A000."""
    folded: dict[str, exp.EQ] = {}
    result: list[exp.Expr] = []
    for item in items:
        if not isinstance(item, exp.EQ) or not isinstance(item.this, exp.Bracket):
            result.append(item)
            continue
        steps: list[exp.Expr] = []
        target: exp.Expr = item.this
        while isinstance(target, exp.Bracket):
            if len(target.expressions) != 1 or isinstance(target.expressions[0], exp.Slice):
                raise DatabaseError(DATATYPE_MISMATCH, "jsonb subscript does not support slices")
            number = _written_index(target.expressions[0])
            steps.insert(0, exp.Literal.number(number) if number is not None else target.expressions[0])
            target = target.this
        if not isinstance(target, exp.Column):
            raise unsupported(f"assignment {item.sql('postgres')}")
        pg_type = types.get(target.name.lower())
        if pg_type is not None and pg_type.oid == t.JSON:
            raise DatabaseError(DATATYPE_MISMATCH,
                                "cannot subscript type json because it does not support subscripting")
        if pg_type is None or pg_type.oid != t.JSONB:
            raise unsupported("UPDATE ... SET column[subscript] of an array")
        key = target.name.lower()
        earlier = folded.get(key)
        document = earlier.expression if earlier is not None else exp.column(target.name)
        assigned = exp.Anonymous(this=jp.JSONB_SUBSCRIPT_ASSIGN, expressions=[
            document, exp.Literal.string(target.name), item.expression, *steps])
        if earlier is not None:
            earlier.set("expression", assigned)
        else:
            folded[key] = exp.EQ(this=exp.column(target.name), expression=assigned)
            result.append(folded[key])
    return result


def _subscript_assignment(translator: Translator, typed: list[Typed]) -> Typed:
    """`helios_jsonb_subscript_assign(doc, 'doc', value, subscripts...)` as subscript_assignments
    writes it: the value a jsonb (an untyped one read as jsonb), the subscripts texts or integers."""
    (document, _), (column, _), (value, value_type), *steps = typed
    if not (value_type.is_unknown or value_type.oid == t.JSONB):
        raise DatabaseError(DATATYPE_MISMATCH, f'subscripted assignment to "{column.name}" requires type '
                            f"jsonb but expression is of type {format_type(value_type.oid, -1)}")
    texts = []
    for step, step_type in steps:
        if not (step_type.is_unknown or step_type.oid in t.STRING_TYPES | {t.INT2, t.INT4}):
            raise DatabaseError(DATATYPE_MISMATCH,
                                f"subscript type {format_type(step_type.oid, -1)} is not supported")
        texts.append(translator.coerce(step, step_type, t.TEXT_TYPE))
    first_is_index = int(steps[0][1].oid in t.INTEGER_TYPES)
    return call(jp.JSONB_SUBSCRIPT_ASSIGN, document, translator.coerce(value, value_type, _JSONB),
                exp.Literal.number(first_is_index), *texts), _JSONB


def _written_index(written: exp.Expr) -> int | None:
    """The integer a constant subscript was written as: sqlglot makes it 0-based (a new literal,
    without the position of the written one) where it does not know the subscripted type is jsonb."""
    negative = isinstance(written, exp.Neg)
    literal = written.this if negative else written
    if not isinstance(literal, exp.Literal) or literal.is_string:
        return None
    number = -int(literal.this) if negative else int(literal.this)
    made_zero_based = not (literal._meta and "start" in literal.meta)
    return number + 1 if made_zero_based else number


def set_returning_name(node: exp.Expr, *, from_item: bool = False) -> str | None:
    """The name of a json set-returning function a select list item calls, or a FROM item
    (from_item: json(b)_to_record(set) too)."""
    called = node.this if isinstance(node, exp.Table) else node
    name = called.name.lower() if isinstance(called, exp.Anonymous) else ""
    in_from_only = name in _TO_RECORD or name in _POPULATE
    return name if name in _SET_RETURNING or (from_item and in_from_only) else None


def rows(translator: Translator, node: exp.Table, scope: Scope, arguments: Scope) -> exp.Table:
    """json_each(document) & co in FROM: `helios_json_rows(document, oid, kind) AS name`, its
    relation registered in scope with PostgreSQL's columns, renamed by a column alias list."""
    name = set_returning_name(node, from_item=True)
    assert name is not None
    if name in _TO_RECORD:
        return _records(translator, node, name, scope, arguments)
    if name in _POPULATE:
        return _populated(translator, node, name, scope, arguments)
    oid, kind = _SET_RETURNING[name]
    document = _document(translator, name, node.this.expressions, oid, arguments)
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
    add_table_function(scope, node, name, relation_name, columns, stored, _SHOWN_COLUMNS)
    function = exp.Anonymous(this=jp.JSON_ROWS, expressions=[document, exp.Literal.number(oid),
                                                             exp.Literal.string(kind)])
    return exp.Table(this=function, alias=exp.TableAlias(this=exp.to_identifier(relation_name, quoted=True)))


def _document(translator: Translator, name: str, called: Sequence[exp.Expr], oid: int,
              arguments: Scope) -> exp.Expr:
    """The one (document) argument of a json(b) function in FROM, as a json(b) value."""
    typed = [translator.expr(argument, arguments) for argument in called]
    if len(typed) != 1 or not _fits(typed[0][1], oid):
        raise _no_function(name, typed)
    return translator.coerce(typed[0][0], typed[0][1], PgType(oid))


def _records(translator: Translator, node: exp.Table, name: str, scope: Scope, arguments: Scope) -> exp.Table:
    """json(b)_to_record(document) AS x(a int, b text, ...) and _to_recordset: the columns of the
    definition list."""
    alias = node.args.get("alias")
    definitions = alias.columns if alias is not None else []
    if not definitions or not all(isinstance(column, exp.ColumnDef) and column.args.get("kind") is not None
                                  for column in definitions):
        raise DatabaseError(SYNTAX_ERROR,
                            'a column definition list is required for functions returning "record"')
    if node.args.get("ordinality"):
        raise DatabaseError(SYNTAX_ERROR, "WITH ORDINALITY cannot be used with a column definition list",
                            hint="Put the column definition list inside ROWS FROM().")
    columns = [(column.name, translator.resolve_type(column.args["kind"]).pg_type) for column in definitions]
    document = _document(translator, name, node.this.expressions, _document_type(name), arguments)
    return _record_rows(name, node, scope, columns, document, [])


def _populated(translator: Translator, node: exp.Table, name: str, scope: Scope,
               arguments: Scope) -> exp.Table:
    """json(b)_populate_record(NULL::composite, document) and _recordset: the composite's
    attributes as columns (renamed by the alias's column list)."""
    called = node.this
    if len(called.expressions) != 2:
        raise _no_function(name, [translator.expr(argument, arguments) for argument in called.expressions])
    base_type = translator.expr(called.expressions[0], arguments)[1]
    composite = user_types.COMPOSITES.get(base_type.oid)
    if composite is None:
        raise DatabaseError(DATATYPE_MISMATCH, f"first argument of {name} must be a row type")
    if not isinstance(called.expressions[0].unnest(), exp.Cast) or \
            not isinstance(called.expressions[0].unnest().this, exp.Null):
        raise unsupported(f"{name}() of a base record other than NULL")
    if node.args.get("ordinality"):
        raise unsupported(f"{name}() WITH ORDINALITY")
    columns = [(field, PgType(field_oid, typmod)) for field, field_oid, typmod in composite.fields]
    document = _document(translator, name, called.expressions[1:], _document_type(name), arguments)
    alias = node.args.get("alias")
    renames = [column.name for column in alias.columns] if alias is not None else []
    return _record_rows(name, node, scope, columns, document, renames)


def _document_type(name: str) -> int:
    return t.JSONB if name.startswith("jsonb") else t.JSON


def _record_rows(name: str, node: exp.Table, scope: Scope, columns: list[tuple[str, PgType]],
                 document: exp.Expr, renames: list[str]) -> exp.Table:
    """`helios_json_records(document, oid, name, columns) AS name`, its first columns the relation's."""
    if len(columns) > len(jp.RECORD_COLUMNS):
        raise unsupported(f"{name}() with more than {len(jp.RECORD_COLUMNS)} columns")
    if any({pg_type.oid, codecs.type_by_oid(pg_type.oid).elem_oid} & set(user_types.COMPOSITES)
           for _, pg_type in columns):
        raise unsupported(f"a column of a composite type in {name}()")
    if len(renames) > len(columns):
        raise unsupported(f"a column alias list longer than {name}()'s columns")
    alias = node.args.get("alias")
    relation_name = (alias.name if alias is not None else "") or name
    relation = Relation(relation_name, [(column, pg_type) for column, pg_type in columns],
                        stored=jp.RECORD_COLUMNS[:len(columns)],
                        shown=frozenset({*jp.RECORD_COLUMNS, "document", "oid", "function", "columns"}))
    scope.add(relation.renamed(relation_name, renames or None))
    listed = json.dumps([[column, pg_type.oid, pg_type.typmod] for column, pg_type in columns])
    function = exp.Anonymous(this=jp.JSON_RECORDS, expressions=[
        document, exp.Literal.number(_document_type(name)), exp.Literal.string(name),
        exp.Literal.string(listed)])
    return exp.Table(this=function, alias=exp.TableAlias(this=exp.to_identifier(relation_name, quoted=True)))
