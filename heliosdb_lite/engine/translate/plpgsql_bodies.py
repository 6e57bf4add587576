"""A PL/pgSQL function body of the subset the engine runs (`sql.do_blocks.parse_function_body`:
DECLARE, RETURN, assignments, IF/ELSIF/ELSE, NULL, RAISE EXCEPTION) as the one expression it computes,
so that a call is inlined like a SQL function's (`user_functions`):

- a variable is its value: its DEFAULT (else NULL) cast to its type, then each assignment's value
  cast to it, put in place of the name in what follows (parameters are variables too);
- `IF c THEN a ELSIF d THEN b ELSE e END IF; rest` is `CASE WHEN c THEN a;rest WHEN d THEN b;rest
  ELSE e;rest END`: each branch followed by the statements after the IF;
- `RETURN expression` ends a path, its value cast to the result type (as PL/pgSQL assigns it); so
  does RAISE EXCEPTION: a call of `functions/raised_errors.py`'s function, which fails the statement
  when the path is taken. A path that reaches END without RETURN is refused (PostgreSQL fails the
  call with 2F005 when it takes it).

A variable's value is copied wherever the variable is read, so one that calls a volatile function
(or a user-defined function, VOLATILE unless declared otherwise) and is read more than once is
refused: PL/pgSQL evaluates it once. Bodies whose expression would grow past MAX_NODES, or whose
paths hold more than MAX_STEPS statements in all, are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlglot import exp

from heliosdb_lite.engine.functions.raised_errors import RAISE_FUNCTION
from heliosdb_lite.engine.pg_catalog.builtins import ROUTINES
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.do_blocks import (
    Assign,
    FunctionBody,
    If,
    Raise,
    Return,
    Statement,
    function_refused,
)
from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.errors import SYNTAX_ERROR, DatabaseError

MAX_NODES = 5000
MAX_STEPS = 2000
_VOLATILE = frozenset({routine.name for routine in ROUTINES if routine.volatility == "v"}
                      | {"random", "nextval", "setval", "clock_timestamp", "timeofday", "gen_random_uuid",
                         "uuid_generate_v4", "pg_sleep", "pg_notify", "set_config"})


def compiled(body: FunctionBody, parameters: Sequence[tuple[str | None, str]], result_sql: str,
             user_functions: frozenset[str]) -> exp.Expr:
    """The expression the body returns; `parameters` are the function's (name, type as written),
    `result_sql` its result type, `user_functions` the names of the database's functions."""
    return _Compiler(user_functions, result_sql).body(body, parameters)


class _Compiler:
    def __init__(self, user_functions: frozenset[str], result_sql: str) -> None:
        self.user_functions = user_functions
        self.result_sql = result_sql  # each RETURN's value is cast to it, as PL/pgSQL assigns it
        self.steps = 0  # statements compiled, counting each copy an IF makes of what follows it
        self.reads: dict[int, int] = {}  # a volatile value (by id) → how many times it is read
        self.volatile: dict[int, str] = {}  # its id → the variable's name

    def body(self, body: FunctionBody, parameters: Sequence[tuple[str | None, str]]) -> exp.Expr:
        variables: dict[str, str] = {name: type_sql for name, type_sql in parameters if name}
        values: dict[str, exp.Expr] = {}
        for variable in body.variables:
            value = _expression(variable.default) if variable.default is not None else exp.Null()
            values[variable.name] = self.value(variable.name, self.substituted(value, values),
                                               variable.type_sql)
            variables[variable.name] = variable.type_sql
        result = self.statements(body.statements, values, variables)
        for key, count in self.reads.items():
            if count > 1:
                raise unsupported("PL/pgSQL functions reading more than once a variable whose value calls a "
                                  f"volatile function ({self.volatile[key]})")
        if sum(1 for _ in result.walk()) > MAX_NODES:
            raise function_refused(f"a body whose expression exceeds {MAX_NODES} nodes")
        return result

    def value(self, name: str, value: exp.Expr, type_sql: str) -> exp.Expr:
        cast = _cast(value, type_sql)
        if _volatile(value, self.user_functions):
            self.volatile[id(cast)] = name
        return cast

    def statements(self, statements: Sequence[Statement], values: Mapping[str, exp.Expr],
                   variables: Mapping[str, str]) -> exp.Expr:
        self.steps += 1
        if self.steps > MAX_STEPS:  # IFs one after another copy what follows them: 2^n paths
            raise function_refused(f"more than {MAX_STEPS} statements along its paths")
        if not statements:
            raise function_refused("a path that reaches END without RETURN")
        first, rest = statements[0], statements[1:]
        if isinstance(first, Return):
            return _cast(self.substituted(_expression(first.expression), values), self.result_sql)
        if isinstance(first, Raise):  # the path ends in the error, when it is taken
            texts = (first.sqlstate, first.message, first.detail, first.hint)
            return _cast(exp.Anonymous(this=RAISE_FUNCTION, expressions=[
                exp.Null() if text is None else exp.Literal.string(text) for text in texts]), self.result_sql)
        if isinstance(first, Assign):
            if first.name not in variables:
                raise DatabaseError(SYNTAX_ERROR, f'"{first.name}" is not a known variable')
            value = self.value(first.name, self.substituted(_expression(first.expression), values),
                               variables[first.name])
            return self.statements(rest, {**values, first.name: value}, variables)
        assert isinstance(first, If)
        branches = [exp.If(this=self.substituted(_expression(condition), values),
                           true=self.statements((*branch, *rest), values, variables))
                    for condition, branch in first.branches]
        otherwise = self.statements((*first.otherwise, *rest), values, variables)
        return exp.Case(ifs=branches, default=otherwise)

    def substituted(self, tree: exp.Expr, values: Mapping[str, exp.Expr]) -> exp.Expr:
        """The tree with each variable read replaced by its value."""
        def replace(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column) and not node.table and node.name in values:
                value = values[node.name]
                if id(value) in self.volatile:
                    self.reads[id(value)] = self.reads.get(id(value), 0) + 1
                return exp.paren(value.copy(), copy=False)
            return node

        return tree.transform(replace, copy=True)


def _expression(text: str) -> exp.Expr:
    parsed = parsing.parse(f"SELECT {text}")
    if not isinstance(parsed, exp.Select) or len(parsed.expressions) != 1 or any(
            value for key, value in parsed.args.items() if key != "expressions"):
        raise function_refused(f"an expression that is not one value ({text})")
    return parsed.expressions[0].copy()


def _cast(value: exp.Expr, type_sql: str) -> exp.Expr:
    parsed = parsing.parse(f"SELECT CAST(NULL AS {type_sql})")
    assert isinstance(parsed, exp.Select) and isinstance(parsed.expressions[0], exp.Cast)
    return exp.Cast(this=value, to=parsed.expressions[0].to.copy())


def _volatile(value: exp.Expr, user_functions: frozenset[str]) -> bool:
    for node in value.walk():
        if isinstance(node, exp.Rand):
            return True
        if isinstance(node, exp.Anonymous | exp.Func) and not isinstance(node, exp.Cast):
            name = node.name.lower() if isinstance(node, exp.Anonymous) else node.sql_name().lower()
            if name in _VOLATILE or name in user_functions:
                return True
    return False
