"""CREATE FUNCTION and DROP FUNCTION, read from the statement's tokens and rendered as writes to
`_helios_functions` (`store.functions`), with PostgreSQL's errors:

    CREATE [OR REPLACE] FUNCTION name ([[IN] [argname] argtype [{DEFAULT | =} expr] [, ...]])
        RETURNS type { LANGUAGE {sql | plpgsql} | IMMUTABLE | STABLE | VOLATILE | STRICT
                       | RETURNS NULL ON NULL INPUT | CALLED ON NULL INPUT | [NOT] LEAKPROOF
                       | SECURITY INVOKER | PARALLEL {SAFE | RESTRICTED | UNSAFE} | COST n | ROWS n
                       | AS 'body' } ... [RETURN expr]
    DROP FUNCTION [IF EXISTS] name[([[argmode] [argname] argtype [, ...]])] [, ...] [CASCADE | RESTRICT]

A LANGUAGE sql body is one SELECT of one column (checked now, as PostgreSQL checks it: its names
and its type, which must be assignable to the result type); a plpgsql body is `BEGIN RETURN
expression; END`, or DECLARE, assignments and IF/ELSIF/ELSE around RETURNs (`sql.do_blocks`, compiled
to one expression by `translate.plpgsql_bodies`); `RETURN expr` is the SQL-standard body. What
the engine cannot run is refused with 0A000 naming it: RETURNS SETOF / TABLE / trigger / void,
OUT, INOUT and VARIADIC parameters, other languages, SECURITY DEFINER, SET, WINDOW, BEGIN ATOMIC,
and bodies of several statements or of another statement than SELECT; PL/pgSQL beyond its subset
(`sql.do_blocks.parse_function_body`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import apsw
import apsw.ext
from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.ddl.object_names import NO_OP, schema_version_bump
from heliosdb_lite.engine.sql import do_blocks, parsing
from heliosdb_lite.engine.sql.dialect import HeliosPostgres, render
from heliosdb_lite.engine.sql.statement_words import Words, syntax_error
from heliosdb_lite.engine.store import functions as stored_functions
from heliosdb_lite.engine.store.functions import FUNCTIONS_TABLE, Argument, Function
from heliosdb_lite.engine.store.sqlite_errors import database_error
from heliosdb_lite.engine.translate import plpgsql_bodies, user_functions
from heliosdb_lite.engine.translate.result import Translation, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    AMBIGUOUS_FUNCTION,
    DUPLICATE_FUNCTION,
    INVALID_FUNCTION_DEFINITION,
    SUCCESSFUL_COMPLETION,
    UNDEFINED_FUNCTION,
    UNDEFINED_OBJECT,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_BODY_TOKENS = (TokenType.STRING, TokenType.HEREDOC_STRING)
_OPTION_WORDS = frozenset({"language", "immutable", "stable", "volatile", "strict", "called", "returns", "as",
                           "security", "external", "leakproof", "not", "parallel", "cost", "rows", "set",
                           "window", "support", "transform", "begin", "return"})
_KEYWORD_TYPES = {exp.DataType.Type.INT: "int4", exp.DataType.Type.SMALLINT: "int2",
                  exp.DataType.Type.BIGINT: "int8", exp.DataType.Type.FLOAT: "float4",
                  exp.DataType.Type.DOUBLE: "float8", exp.DataType.Type.DECIMAL: "numeric",
                  exp.DataType.Type.BOOLEAN: "bool", exp.DataType.Type.VARCHAR: "varchar",
                  exp.DataType.Type.CHAR: "bpchar", exp.DataType.Type.TIMESTAMP: "timestamp",
                  exp.DataType.Type.TIMESTAMPTZ: "timestamptz", exp.DataType.Type.INTERVAL: "interval"}
_VOLATILITY = {"immutable": "i", "stable": "s", "volatile": "v"}
_REFUSED_RESULTS = {"setof": "RETURNS SETOF", "table": "RETURNS TABLE", "trigger": "RETURNS trigger",
                    "event_trigger": "RETURNS event_trigger", "void": "RETURNS void",
                    "record": "RETURNS record"}


def is_function_statement(sql: str) -> bool:
    words = parsing.first_words(sql, 4)
    return words[:2] in (["create", "function"], ["drop", "function"]) or words == ["create", "or", "replace",
                                                                                     "function"]


def translate(translator: Translator, sql: str) -> Translation:
    """The SQLite statements and notices of a CREATE or DROP FUNCTION statement."""
    tokens = parsing.tokenize(sql)
    tokens = tokens[:-1] if tokens and tokens[-1].token_type == TokenType.SEMICOLON else tokens
    if tokens[0].text.lower() == "create":
        statements, command = _create(translator, sql, tokens), "CREATE FUNCTION"
    else:
        statements, command = _drop(translator, sql, tokens), "DROP FUNCTION"
    rendered = [*statements, *schema_version_bump(FUNCTIONS_TABLE, "name")] if statements else [NO_OP]
    return Translation("; ".join(rendered), command, None, (), schema_change=True,
                       notices=tuple(translator.notices))


def _text(sql: str, tokens: tuple[Token, ...]) -> str:
    return sql[tokens[0].start:tokens[-1].end + 1]


def _function_name(words: Words) -> exp.Table:
    parts = [words.name()]
    while words.accept("."):
        parts.append(words.name())
    if len(parts) > 2:
        raise unsupported(f"function name {'.'.join(parts)}")
    schema = exp.to_identifier(parts[0]) if len(parts) == 2 else None
    return exp.Table(this=exp.to_identifier(parts[-1]), db=schema)


def _argument_list(words: Words) -> list[tuple[Token, ...]]:
    """The tokens of each argument between the parentheses that come next."""
    if words.token() is None or words.token().token_type != TokenType.L_PAREN:  # type: ignore[union-attr]
        raise syntax_error(words.peek())
    words.index += 1
    arguments: list[tuple[Token, ...]] = []
    current: list[Token] = []
    depth = 0
    while True:
        token = words.token()
        if token is None:
            raise syntax_error(None)
        words.index += 1
        if depth == 0 and token.token_type in (TokenType.COMMA, TokenType.R_PAREN):
            if current or token.token_type == TokenType.COMMA or arguments:
                if not current:
                    raise syntax_error(token.text)
                arguments.append(tuple(current))
            current = []
            if token.token_type == TokenType.R_PAREN:
                return arguments
            continue
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1, TokenType.L_BRACKET: 1,
                  TokenType.R_BRACKET: -1}.get(token.token_type, 0)
        current.append(token)


def _argument(translator: Translator, sql: str, tokens: tuple[Token, ...]) -> Argument:
    """One argument: [IN] [name] type [{DEFAULT | =} expression]."""
    mode = tokens[0].text.lower() if tokens[0].token_type not in _BODY_TOKENS else ""
    if mode in ("out", "inout", "variadic") and len(tokens) > 1:
        raise unsupported(f"{mode.upper()} parameters")
    if mode == "in" and len(tokens) > 1:
        tokens = tokens[1:]
    default = None
    for index, token in enumerate(tokens):
        if token.token_type == TokenType.EQ or (token.token_type == TokenType.DEFAULT
                                                or token.text.lower() == "default"):
            if index + 1 >= len(tokens):
                raise syntax_error(None)
            default = _text(sql, tokens[index + 1:])
            tokens = tokens[:index]
            break
    if not tokens:
        raise syntax_error("default")
    name = None
    try:
        type_sql, oid = _type(translator, _text(sql, tokens))
    except DatabaseError:
        if len(tokens) < 2:
            raise
        first = tokens[0]
        name = first.text if first.token_type == TokenType.IDENTIFIER else first.text.lower()
        type_sql, oid = _type(translator, _text(sql, tokens[1:]))
    if default is not None:
        value, value_type = translator.expr(user_functions.parsing_expression(default), Scope())
        translator.assign(value, value_type, PgType(oid))
    return Argument(name, type_sql, oid, default)


def _type(translator: Translator, text: str) -> tuple[str, int]:
    """A type as written (its text, for casts) and its OID."""
    if text.lower() in _REFUSED_RESULTS:
        raise unsupported(f"functions with an argument or result of type {text.lower()}")
    data_type = user_functions.type_node(text)
    return data_type.sql(dialect="postgres"), translator.resolve_type(data_type).pg_type.oid


def _create(translator: Translator, sql: str, tokens: tuple[Token, ...]) -> list[str]:
    words = Words(tokens)
    words.index = 1
    replace = words.accept("or", "replace")
    words.expect("function")
    name = _function_name(words)
    arguments = [_argument(translator, sql, argument) for argument in _argument_list(words)]
    _check_arguments(arguments)
    words.expect("returns")
    result_tokens = _until_option(words)
    first = result_tokens[0]
    if first.text.lower() in _REFUSED_RESULTS and first.token_type != TokenType.IDENTIFIER:
        raise unsupported(f"functions {_REFUSED_RESULTS[first.text.lower()]}")
    result_sql, result_oid = _type(translator, _text(sql, result_tokens))
    language, volatility, strict, source, body = _options(words, sql)
    if language is None and body is None:
        raise DatabaseError(INVALID_FUNCTION_DEFINITION, "no language specified")
    if source is None:
        raise DatabaseError(INVALID_FUNCTION_DEFINITION, "no function body specified")
    if language == "plpgsql":
        defined = frozenset({name.name, *(f.name for f in translator.user_functions())})
        expression = plpgsql_bodies.compiled(do_blocks.parse_function_body(source),
                                             [(a.name, a.type_sql) for a in arguments], result_sql, defined)
        body = f"SELECT {expression.sql(dialect=HeliosPostgres)}"
    elif body is None:
        body = _sql_body(source, result_oid)
    stored = translator.new_object(name)
    oid = stored_functions.new_oid(translator.catalog.connection)
    function = Function(oid, stored, tuple(arguments), result_sql, result_oid, language or "sql", volatility,
                        strict, source, body)
    if language != "plpgsql":
        _check_body(translator, function)
    statements: list[str] = []
    same = [f for f in translator.user_functions()
            if f.stored == stored and f.argument_oids == function.argument_oids]
    if same:
        existing = same[0]
        shown = existing.signature
        if not replace:
            raise DatabaseError(DUPLICATE_FUNCTION,
                                f'function "{existing.name}" already exists with same argument types')
        if existing.result_oid != result_oid:
            raise DatabaseError(INVALID_FUNCTION_DEFINITION, "cannot change return type of existing function",
                                hint=f"Use DROP FUNCTION {shown} first.")
        statements.append(stored_functions.deleted(existing))
        function = Function(existing.oid, *(getattr(function, f) for f in Function.__slots__[1:]))
    return [*statements, *stored_functions.inserted(function)]


def _check_arguments(arguments: list[Argument]) -> None:
    names = [argument.name for argument in arguments if argument.name]
    for index, argument_name in enumerate(names):
        if argument_name in names[:index]:
            raise DatabaseError(INVALID_FUNCTION_DEFINITION,
                                f'parameter name "{argument_name}" used more than once')
    defaults = [argument.default_sql is not None for argument in arguments]
    if True in defaults and not all(defaults[defaults.index(True):]):
        raise DatabaseError(INVALID_FUNCTION_DEFINITION,
                            "input parameters after one with a default value must also have defaults")


def _until_option(words: Words) -> tuple[Token, ...]:
    start = words.index
    depth = 0
    while words.token() is not None:
        token = words.token()
        assert token is not None
        if depth == 0 and token.token_type not in (*_BODY_TOKENS, TokenType.IDENTIFIER) \
                and token.text.lower() in _OPTION_WORDS and words.index > start:
            break
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        words.index += 1
    if words.index == start:
        raise syntax_error(words.peek())
    return words.tokens[start:words.index]


def _options(words: Words, sql: str) -> tuple[str | None, str, bool, str | None, str | None]:
    """(language, volatility, strict, the body as written, the query of a RETURN body)."""
    language: str | None = None
    volatility, strict = "v", False
    source: str | None = None
    body: str | None = None
    while not words.at_end():
        if words.accept("language"):
            language, _, rest = words.name().lower().partition(" ")  # sqlglot reads `sql security` as one
            if rest == "security" and words.next_word() != "invoker":
                raise unsupported("CREATE FUNCTION ... SECURITY DEFINER")
            if language in ("c", "internal"):
                raise unsupported(f"functions in language {language}")
            if language not in ("sql", "plpgsql"):
                raise DatabaseError(UNDEFINED_OBJECT, f'language "{language}" does not exist')
        elif words.peek() in _VOLATILITY:
            volatility = _VOLATILITY[words.next_word()]
        elif words.accept("strict") or words.accept("returns", "null", "on", "null", "input"):
            strict = True
        elif words.accept("called", "on", "null", "input"):
            strict = False
        elif words.accept("leakproof") or words.accept("not", "leakproof") \
                or words.accept("security", "invoker") or words.accept("external", "security", "invoker"):
            continue
        elif words.accept("parallel"):
            if words.next_word() not in ("safe", "restricted", "unsafe"):
                raise syntax_error(words.tokens[words.index - 1].text)
        elif words.peek() in ("cost", "rows"):
            words.index += 2
        elif words.accept("as"):
            token = words.token()
            if token is None or token.token_type not in _BODY_TOKENS:
                raise syntax_error(words.peek())
            source = token.text
            words.index += 1
            if words.accept(","):
                raise unsupported("functions defined by an object file and a link symbol")
        elif words.accept("return"):
            if words.at_end():
                raise syntax_error(None)
            body = f"SELECT {_text(sql, words.tokens[words.index:])}"
            source = ""
            words.index = len(words.tokens)
        elif words.peek() in ("security", "external", "set", "window", "support", "transform", "begin"):
            option = _text(sql, words.tokens[words.index:words.index + 2]).upper()
            raise unsupported(f"CREATE FUNCTION ... {option}")
        else:
            raise syntax_error(words.peek())
    if body is not None and language not in (None, "sql"):
        raise DatabaseError(INVALID_FUNCTION_DEFINITION,
                            "inline SQL function body only valid for language SQL")
    return language, volatility, strict, source, body


def _sql_body(source: str, result_oid: int) -> str:
    """A LANGUAGE sql body: one SELECT (a trailing semicolon allowed)."""
    tokens = parsing.tokenize(source)
    while tokens and tokens[-1].token_type == TokenType.SEMICOLON:
        tokens = tokens[:-1]
    if not tokens:
        shown = format_type(result_oid, -1)
        raise DatabaseError(INVALID_FUNCTION_DEFINITION,
                            f"return type mismatch in function declared to return {shown}",
                            detail="Function's final statement must be SELECT or INSERT/UPDATE/DELETE "
                                   "RETURNING.")
    if any(token.token_type == TokenType.SEMICOLON for token in tokens):
        raise unsupported("SQL functions of more than one statement")
    text = _text(source, tokens)
    tree = parsing.parse(text)
    if not isinstance(tree, exp.Select | exp.SetOperation):
        first_word = parsing.first_words(text, 1)[0].upper()
        raise unsupported(f"SQL functions whose body is not a SELECT ({first_word})")
    return text


def _check_body(translator: Translator, function: Function) -> None:
    """PostgreSQL's checks of a SQL function's body at CREATE: its names resolve and its one column's
    type is assignable to the result type."""
    query = user_functions.body_query(function)
    shown = format_type(function.result_oid, -1)
    if (isinstance(query, exp.Select) and len(query.expressions) != 1) \
            or any(isinstance(item, exp.Star) for item in query.selects):
        raise DatabaseError(INVALID_FUNCTION_DEFINITION,
                            f"return type mismatch in function declared to return {shown}",
                            detail="Final statement must return exactly one column.")
    typed_nulls = [exp.Cast(this=exp.Null(), to=user_functions.type_node(argument.type_sql))
                   for argument in function.arguments]
    value, body_type = user_functions.inline(translator, function, typed_nulls, Scope(), result_cast=False)
    try:  # the names SQLite resolves (a column the body's FROM lacks: 42703), as SQLite prepares it
        apsw.ext.query_info(translator.catalog.connection, f"SELECT {render(value, keep=False)}",
                            actions=False)
    except apsw.Error as error:
        raise database_error(error) from None
    if body_type.is_unknown or body_type.oid == function.result_oid:
        return
    if not cast_contexts.can_coerce(body_type, PgType(function.result_oid), cast_contexts.Context.ASSIGNMENT):
        raise DatabaseError(INVALID_FUNCTION_DEFINITION,
                            f"return type mismatch in function declared to return {shown}",
                            detail=f"Actual return type is {format_type(body_type.oid, -1)}.")


def _drop(translator: Translator, sql: str, tokens: tuple[Token, ...]) -> list[str]:
    words = Words(tokens)
    words.index = 2

    def item() -> tuple[exp.Table, list[Argument] | None]:
        name = _function_name(words)
        if words.token() is None or words.token().token_type != TokenType.L_PAREN:  # type: ignore[union-attr]
            return name, None
        return name, [_drop_argument(translator, sql, argument) for argument in _argument_list(words)]

    if_exists, items, cascade = words.drop_list(item)
    del cascade  # nothing depends on a function here
    statements: list[str] = []
    defined = translator.user_functions()
    for name, arguments in items:
        schema = name.args["db"].name if name.args.get("db") is not None else None
        path = (schema,) if schema is not None else translator.search_path
        found = [f for f in defined if f.name == name.name and f.schema in path]
        shown_types = None if arguments is None else ", ".join(format_type(a.type_oid, -1) for a in arguments)
        written = None if arguments is None else ", ".join(_as_written(a.type_sql) for a in arguments)
        if arguments is not None:
            oids = tuple(argument.type_oid for argument in arguments)
            found = [f for f in found if f.argument_oids == oids][:1]
        elif len(found) > 1:
            raise DatabaseError(AMBIGUOUS_FUNCTION, f'function name "{name.name}" is not unique',
                                hint="Specify the argument list to select the function unambiguously.")
        if not found:
            qualified = f"{schema}.{name.name}" if schema is not None else name.name
            if if_exists:
                translator.notices.append(DatabaseError(
                    SUCCESSFUL_COMPLETION,
                    f"function {qualified}({written or ''}) does not exist, skipping",
                    severity="NOTICE"))
                continue
            if arguments is None:
                raise DatabaseError(UNDEFINED_FUNCTION, f'could not find a function named "{qualified}"')
            raise DatabaseError(UNDEFINED_FUNCTION, f"function {qualified}({shown_types}) does not exist")
        statements.append(stored_functions.deleted(found[0]))
    return statements


def _as_written(type_sql: str) -> str:
    """A type of a DROP's argument list as PostgreSQL's notice shows it: the SQL keyword types
    by their pg_catalog names (`int` is `pg_catalog.int4`), the others as written."""
    data_type = user_functions.type_node(type_sql)
    if data_type.this in _KEYWORD_TYPES and not data_type.expressions:
        return f"pg_catalog.{_KEYWORD_TYPES[data_type.this]}"
    return type_sql.lower()


def _drop_argument(translator: Translator, sql: str, tokens: tuple[Token, ...]) -> Argument:
    if tokens[0].text.lower() in ("out",) and len(tokens) > 1:
        raise unsupported("OUT parameters")
    return _argument(translator, sql, tokens)

