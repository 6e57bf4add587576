"""Calls of user-defined functions (CREATE FUNCTION, `store.functions`): the function chosen by name
and argument types, then its query inlined into the calling statement, typed and translated there.

A function computes one value from one SELECT (`Function.body`, PostgreSQL SQL); a call becomes

- its expression, arguments put in place of the parameters, when the body is one expression with
  no subquery and each argument is simple or used once (a VOLATILE body so runs once per row, as
  PostgreSQL calls it once per row); or
- `(SELECT CAST(body AS result) FROM (SELECT CAST(argument AS type) AS parameter, ...) AS function)`:
  each argument evaluated once, the parameters found by name (a column of the body's own FROM
  first, as in PostgreSQL) or as `function.parameter`; a body with a FROM is a scalar subquery whose
  first row is the result (none: NULL).

The result is cast to the declared type; STRICT gives NULL when an argument is NULL. The translated
call contains the functions the body calls, so what `functions.effects` says of them (may wait,
not pure) holds of the calling statement. SQLite runs a subquery that refers to nothing outside
it once per statement: such a call whose body calls a volatile function is refused (0A000).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import effects
from heliosdb_lite.engine.pg_catalog.builtins import ROUTINES
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.store.functions import Function
from heliosdb_lite.engine.translate.nodes import parameter_number
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import UNDEFINED_COLUMN, UNDEFINED_PARAMETER, UNDEFINED_TABLE, DatabaseError
from heliosdb_lite.protocol import codecs

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Handler, Translator

# what an argument may be to be copied into the body more than once: no call, no subquery
_SIMPLE = (exp.Literal, exp.Null, exp.Boolean, exp.Parameter, exp.Placeholder, exp.Column, exp.Identifier,
           exp.Cast, exp.DataType, exp.DataTypeParam, exp.Neg, exp.Paren, exp.Add, exp.Sub, exp.Mul, exp.Var)
# the engine's functions whose every call may answer differently or act (a subset of `effects`' not pure
# ones: those are also the functions whose answer depends on a session's settings)
_USER_WORDS = frozenset({"user", "current_role"})  # current_user, which sqlglot reads as columns
MAX_DEPTH = 32  # calls inlined within calls, arguments included: deeper is taken for recursion
_BUILT_IN_NAMES = frozenset(routine.name for routine in ROUTINES)
_PER_CALL = re.compile(r"\b(random|randomblob|gen_random_uuid|uuid_generate_v4|clock_timestamp|timeofday|"
                       r"nextval|setval|pg_sleep|pg_notify|set_config|pg_(?:try_)?advisory\w*)\s*\(",
                       re.IGNORECASE)


def call(translator: Translator, name: str, schema: str | None, arguments: Sequence[exp.Expr],
         scope: Scope) -> Typed | None:
    """The call of user-defined function `name` (in `schema`, else along the search path) with
    these arguments; None when no user-defined function of that name takes them (a built-in may)."""
    path = (schema,) if schema is not None else translator.search_path
    candidates = [f for f in translator.user_functions() if f.name == name and f.schema in path]
    if not candidates:
        return None
    if any(isinstance(argument, exp.Kwarg | exp.PropertyEQ) for argument in arguments):
        raise unsupported("named arguments in a call of a user-defined function")
    typed = [translator.expr(argument.copy(), scope) for argument in arguments]
    types = [pg_type for _, pg_type in typed]
    chosen = choose(candidates, types)
    shown = ", ".join(format_type(t.oid, -1) for t in types)
    if chosen is None:
        if name in _BUILT_IN_NAMES:
            return None
        raise rules.no_function(name, shown)
    if len(chosen) > 1:
        raise rules.function_not_unique(name, shown)
    return inline(translator, chosen[0], arguments, scope, typed)


def choose(candidates: Sequence[Function], types: Sequence[PgType]) -> list[Function] | None:
    """The functions that take arguments of these types best (more than one: ambiguous); None when
    none takes them."""
    fitting: list[tuple[int, Function]] = []
    for function in candidates:
        if not len(function.arguments) - function.defaults <= len(types) <= len(function.arguments):
            continue
        exact = 0
        for argument, parameter in zip(types, function.arguments, strict=False):
            if argument.oid == parameter.type_oid:
                exact += 1
            elif not argument.is_unknown and not cast_contexts.can_coerce(
                    argument, PgType(parameter.type_oid), cast_contexts.Context.IMPLICIT):
                break
        else:
            fitting.append((exact, function))
    if not fitting:
        return None
    best = max(exact for exact, _ in fitting)
    chosen = [function for exact, function in fitting if exact == best]
    unknown = [index for index, argument in enumerate(types) if argument.is_unknown]
    if len(chosen) > 1 and unknown:  # an unknown literal prefers the string category, as PostgreSQL's does
        strings = [function for function in chosen
                   if all(codecs.type_by_oid(function.arguments[index].type_oid).category == "S"
                          for index in unknown)]
        chosen = strings or chosen
    return chosen


def type_node(type_sql: str) -> exp.DataType:
    """The type written `type_sql`, as a cast's target."""
    parsed = _parsed(f"SELECT CAST(NULL AS {type_sql})")
    assert isinstance(parsed, exp.Select) and isinstance(parsed.expressions[0], exp.Cast)
    return parsed.expressions[0].to


def _parsed(sql: str) -> exp.Expr:
    """sql's tree, without the positions of its nodes (those are read in the calling statement's text)."""
    parsed = parsing.parse(sql).copy()
    for node in parsed.walk():
        node._meta = None
    return parsed


def body_query(function: Function) -> exp.Query:
    parsed = _parsed(function.body)
    assert isinstance(parsed, exp.Query)
    return parsed


def single_expression(query: exp.Query) -> exp.Expr | None:
    """The expression of a body that is `SELECT expression` and nothing more, else None."""
    if not isinstance(query, exp.Select) or len(query.expressions) != 1:
        return None
    if any(value for key, value in query.args.items() if key != "expressions"):
        return None
    only = query.expressions[0]
    return only.this if isinstance(only, exp.Alias) else only


class Translated(exp.Expression):
    """An argument translated already, standing in the body's tree for it: `this` is its number in
    `Translator.translated_arguments` (translating it again for each call around it would cost twice
    per level of nesting)."""

    arg_types = {"this": True}


def _translated(translator: Translator, node: Translated, _: Scope) -> Typed:
    value, pg_type = translator.translated_arguments[int(node.this.this)]
    return value.copy(), pg_type


def inline(translator: Translator, function: Function, arguments: Sequence[exp.Expr], scope: Scope,
           typed: Sequence[Typed] | None = None, *, result_cast: bool = True) -> Typed:
    """The call of `function` with `arguments` (as many as it takes, or fewer with defaults; `typed`:
    the arguments translated), typed (`result_cast` False: the body's value, of its own type)."""
    if len(translator.inlining) >= MAX_DEPTH:
        raise unsupported(f"calls of user-defined functions nested more than {MAX_DEPTH} deep (recursion, in "
                          f"{function.name})")
    values = list(arguments) + [parsing_expression(argument.default_sql or "NULL")
                                for argument in function.arguments[len(arguments):]]
    stand_ins: list[exp.Expr] = list(values)
    for index, argument in enumerate(typed or ()):
        translator.translated_arguments.append(argument)
        stand_ins[index] = Translated(this=exp.Literal.number(len(translator.translated_arguments) - 1))
    casts = [exp.Cast(this=value.copy(), to=type_node(argument.type_sql))
             for value, argument in zip(stand_ins, function.arguments, strict=True)]
    query = body_query(function)
    names = [argument.name or f"${number}" for number, argument in enumerate(function.arguments, start=1)]
    def result(value: exp.Expr) -> exp.Expr:
        return exp.Cast(this=value, to=type_node(function.result_sql)) if result_cast \
            else value

    expression = single_expression(query)
    counts = _references(query, function, names)
    direct = expression is not None and not any(expression.find_all(exp.Subquery, exp.Select)) and all(
        (isinstance(value, _SIMPLE) and all(isinstance(node, _SIMPLE) for node in value.walk()))
        or (count == 1 and not function.strict) for value, count in zip(values, counts, strict=True))
    # the body sees none of the calling query's names (its arguments were translated in `scope`);
    # without translated arguments (a CREATE's check) they are the caller's expressions
    body_scope = Scope() if typed is not None else scope
    translator.inlining.append(function.oid)
    translator.inlined.add(function.oid)
    try:
        if direct:
            assert expression is not None
            _only_parameters(expression, function, names)
            body = _substituted(expression, function, names, lambda index: casts[index].copy())
            return translator.expr(result(_strict(function, casts, body)), body_scope)
        alias = function.name
        body = _substituted(expression if expression is not None else _first_row(query), function, names,
                            lambda index: exp.column(names[index], table=alias, quoted=True), by_name=False)
        columns = [exp.column(name, table=alias, quoted=True) for name in names]
        select = exp.Select(expressions=[result(_strict(function, columns, body))])
        if casts:
            select = select.from_(exp.Subquery(
                this=exp.Select(expressions=[exp.alias_(cast, name, quoted=True)
                                             for cast, name in zip(casts, names, strict=True)]),
                alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True))), copy=False)
        translated, pg_type = translator.expr(exp.Subquery(this=select), body_scope)
        if result_cast and not any(value.find(exp.Column) for value in values):
            _refuse_once_per_statement(translator, function, translated, casts, scope)
        return translated, pg_type
    finally:
        translator.inlining.pop()


def _only_parameters(expression: exp.Expr, function: Function, names: Sequence[str]) -> None:
    """An expression body names only parameters (anything else would be read in the calling query,
    where PostgreSQL finds nothing): 42703, or 42P01 for a qualified name."""
    for node in expression.find_all(exp.Column):
        if _is_reference(node, function, names) is None and not isinstance(node.this, exp.Star) \
                and not (not node.table and not node.this.quoted and node.name.lower() in _USER_WORDS):
            if node.table:
                raise DatabaseError(UNDEFINED_TABLE, f'missing FROM-clause entry for table "{node.table}"')
            raise DatabaseError(UNDEFINED_COLUMN, f'column "{node.name}" does not exist')


def parsing_expression(sql: str) -> exp.Expr:
    parsed = _parsed(f"SELECT {sql}")
    assert isinstance(parsed, exp.Select)
    return parsed.expressions[0]


def _refuse_once_per_statement(translator: Translator, function: Function, translated: exp.Expr,
                               casts: Sequence[exp.Expr], scope: Scope) -> None:
    """0A000 for a call SQLite would evaluate once per statement (a subquery that refers to no
    column of the calling query) though an argument calls a volatile function, or the body does
    and the function is VOLATILE: PostgreSQL evaluates those once per row."""
    arguments = [render(translator.expr(cast.copy(), scope)[0], keep=False) for cast in casts]
    if any(_calls_volatile(argument) for argument in arguments):
        what = "an argument that calls a volatile function"
    elif function.volatility == "v" and _calls_volatile(render(translated.copy(), keep=False)):
        what = "a body that calls a volatile function"
    else:
        return
    raise unsupported(f"a call of function {function.name}() that refers to no column of the calling query "
                      f"with {what} (it would run once per statement, not once per row)")


HANDLERS: dict[type[exp.Expr], Handler] = {Translated: _translated}


def _calls_volatile(sqlite_sql: str) -> bool:
    return effects.calls_waiting(sqlite_sql) or bool(_PER_CALL.search(sqlite_sql))


def _first_row(query: exp.Query) -> exp.Expr:
    """A body with a FROM as a scalar subquery: its first row's value (PostgreSQL's SQL function
    returns the first row of its final query)."""
    if isinstance(query, exp.Select) and query.args.get("limit") is None:
        return exp.Subquery(this=query.limit(1, copy=False))
    return exp.Subquery(this=exp.select("*").from_(exp.Subquery(this=query, alias=exp.TableAlias(
        this=exp.to_identifier("helios_function_body")))).limit(1))


def _strict(function: Function, arguments: Sequence[exp.Expr], body: exp.Expr) -> exp.Expr:
    """The body; of a STRICT function, NULL when an argument is NULL."""
    if not function.strict or not arguments:
        return body
    any_null = exp.or_(*(exp.Is(this=argument.copy(), expression=exp.Null())
                         for argument in arguments))
    return exp.Case(ifs=[exp.If(this=any_null, true=exp.Null())], default=body)


def _is_reference(node: exp.Expr, function: Function, names: Sequence[str], *, by_name: bool = True
                  ) -> int | None:
    """The index of the parameter `node` refers to by number or (`by_name`) by name, else None."""
    number = parameter_number(node)
    if number is not None:
        if number > len(names):
            raise DatabaseError(UNDEFINED_PARAMETER, f"there is no parameter ${number}")
        return number - 1
    if by_name and isinstance(node, exp.Column) and not node.args.get("db"):
        table = node.args.get("table")
        if (table is None or table.name == function.name) and node.name in names \
                and not node.name.startswith("$"):
            return names.index(node.name)
    return None


def _references(query: exp.Query, function: Function, names: Sequence[str]) -> list[int]:
    counts = [0] * len(names)
    for node in query.walk():
        index = _is_reference(node, function, names)
        if index is not None:
            counts[index] += 1
    return counts


def _substituted(body: exp.Expr, function: Function, names: Sequence[str],
                 replacement: Callable[[int], exp.Expr], *, by_name: bool = True) -> exp.Expr:
    """The body with each reference to a parameter (by number; `by_name`: by name too) replaced."""
    def replace(node: exp.Expr) -> exp.Expr:
        index = _is_reference(node, function, names, by_name=by_name)
        return node if index is None else replacement(index)
    return body.transform(replace, copy=True)
