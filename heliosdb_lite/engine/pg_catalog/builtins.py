"""PostgreSQL's built-in functions, aggregates, window functions and operators that the engine
implements, as the rows of pg_proc, pg_aggregate and pg_operator (psql's `\\df sum` and `\\do +`,
sqlsmith's catalog) and the catalog functions over them (pg_get_function_result,
pg_get_function_arguments, pg_function_is_visible, pg_operator_is_visible); pg_proc also lists the
functions the database defines (CREATE FUNCTION, `store.functions`), after the built-in ones.

One table of signatures, below, is the source of all of them: per section, lines
`name [name ...]: argument types -> result [flags]; ...` (types by typname, `_x` is x's array, `-`
the missing left operand of a prefix operator; flags: `s` stable, `v` volatile (else immutable),
`?` not strict). Each signature is one PostgreSQL 15 has, and the engine gives it the same result
type (tests/server/test_builtin_catalog.py calls every one on a running server and checks the
type). Signatures the engine does not answer as PostgreSQL does are left out, so a client that
picks functions from pg_proc (sqlsmith) calls only what works. OIDs are numbered from
`FIRST_ROUTINE_OID` and `FIRST_OPERATOR_OID` in table order: below the first user OID (16384), as
PostgreSQL's own are, and stable as long as the table is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from heliosdb_lite.engine.store.functions import Function
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.type_names import format_type, relation_columns
from heliosdb_lite.protocol import codecs

FIRST_ROUTINE_OID = 8000
FIRST_OPERATOR_OID = 12000
INTERNAL_LANGUAGE = 12  # pg_language's `internal`
LANGUAGES = {"sql": 14, "plpgsql": 13563}  # pg_language's OIDs of the languages CREATE FUNCTION takes
Defined = Callable[[], tuple[Function, ...]]  # the functions the database defines, as of now

FUNCTIONS = """
abs: float4 -> float4; float8 -> float8; int8 -> int8; int4 -> int4; int2 -> int2; numeric -> numeric
age: timestamptz timestamptz -> interval; timestamptz -> interval s; timestamp timestamp -> interval;
    timestamp -> interval s
ascii: text -> int4
atan cbrt cos degrees radians sin tan: float8 -> float8
atan2 pow power: float8 float8 -> float8
bit_count: bytea -> int8
btrim ltrim rtrim: text text -> text; text -> text; bytea bytea -> bytea
ceil ceiling floor sign: numeric -> numeric; float8 -> float8
char_length character_length: bpchar -> int4; text -> int4
chr: int4 -> text
col_description: oid int4 -> text s
current_database current_schema: -> name s
decode: text text -> bytea
div: numeric numeric -> numeric
encode: bytea text -> text
exp ln log log10 sqrt: float8 -> float8; numeric -> numeric
format: text -> text s ?
format_type: oid int4 -> text s ?
get_bit: bytea int8 -> int4
get_byte: bytea int4 -> int4
initcap lower quote_ident quote_literal reverse unistr upper: text -> text
json_build_array json_build_object: -> json s ?
json_object: _text -> json; _text _text -> json
jsonb_build_array jsonb_build_object: -> jsonb s ?
jsonb_object: _text -> jsonb; _text _text -> jsonb
left repeat right: text int4 -> text
length: text -> int4; bpchar -> int4; bytea -> int4
lpad rpad: text int4 text -> text; text int4 -> text
md5: text -> text; bytea -> text
mod: int2 int2 -> int2; int4 int4 -> int4; int8 int8 -> int8; numeric numeric -> numeric
obj_description: oid name -> text s; oid -> text s
octet_length: bytea -> int4; text -> int4; bpchar -> int4
pi: -> float8
quote_nullable: text -> text ?
regexp_like starts_with: text text -> bool
regexp_replace: text text text -> text; text text text text -> text
replace translate: text text text -> text
round trunc: float8 -> float8; numeric int4 -> numeric; numeric -> numeric
set_bit: bytea int8 int4 -> bytea
set_byte: bytea int4 int4 -> bytea
sha224 sha256 sha384 sha512: bytea -> bytea
shobj_description: oid name -> text s
split_part: text text int4 -> text
string_to_array: text text text -> _text ?; text text -> _text ?
strpos: text text -> int4
substr substring: text int4 int4 -> text; text int4 -> text; bytea int4 int4 -> bytea; bytea int4 -> bytea
to_char: timestamptz text -> text s; timestamp text -> text s
to_timestamp: float8 -> timestamptz
"""
AGGREGATES = """
avg: int8 -> numeric ?; int4 -> numeric ?; int2 -> numeric ?; numeric -> numeric ?; float4 -> float8 ?;
    float8 -> float8 ?; interval -> interval ?
bool_and bool_or: bool -> bool ?
count: -> int8 ?
max min: int8 -> int8 ?; int4 -> int4 ?; int2 -> int2 ?; oid -> oid ?; float4 -> float4 ?;
    float8 -> float8 ?; date -> date ?; time -> time ?; timetz -> timetz ?; timestamp -> timestamp ?;
    timestamptz -> timestamptz ?; interval -> interval ?; text -> text ?; numeric -> numeric ?;
    bpchar -> bpchar ?
string_agg: text text -> text ?
sum: int8 -> numeric ?; int4 -> int8 ?; int2 -> int8 ?; float4 -> float4 ?; float8 -> float8 ?;
    numeric -> numeric ?
"""
WINDOW_FUNCTIONS = """
cume_dist percent_rank: -> float8 ?
dense_rank rank row_number: -> int8 ?
"""
OPERATORS = """
!~ !~* !~~ !~~* ~ ~* ~~ ~~*: name text -> bool; text text -> bool; bpchar text -> bool
#>: json _text -> json; jsonb _text -> jsonb
#>>: json _text -> text; jsonb _text -> text
%: int8 int8 -> int8; int2 int2 -> int2; int4 int4 -> int4; numeric numeric -> numeric
*: int8 int8 -> int8; int8 int2 -> int8; int8 int4 -> int8; int2 int8 -> int8; int2 int2 -> int2;
    int2 int4 -> int4; int4 int8 -> int8; int4 int2 -> int4; int4 int4 -> int4; float4 float4 -> float4;
    float4 float8 -> float8; float8 float4 -> float8; float8 float8 -> float8; float8 interval -> interval;
    interval float8 -> interval; numeric numeric -> numeric
+: - int8 -> int8; - int2 -> int2; - int4 -> int4; - float4 -> float4; - float8 -> float8;
    - numeric -> numeric; int8 int8 -> int8; int8 int2 -> int8; int8 int4 -> int8; int2 int8 -> int8;
    int2 int2 -> int2; int2 int4 -> int4; int4 int8 -> int8; int4 int2 -> int4; int4 int4 -> int4;
    int4 date -> date; float4 float4 -> float4; float4 float8 -> float8; float8 float4 -> float8;
    float8 float8 -> float8; date int4 -> date; date time -> timestamp; date interval -> timestamp;
    time interval -> time; timestamp interval -> timestamp; timestamptz interval -> timestamptz;
    interval date -> timestamp; interval time -> time; interval timestamp -> timestamp;
    interval timestamptz -> timestamptz; interval interval -> interval; numeric numeric -> numeric;
    timetz interval -> timetz; interval timetz -> timetz; date timetz -> timestamptz;
    timetz date -> timestamptz
-: - int8 -> int8; - int2 -> int2; - int4 -> int4; - float4 -> float4; - float8 -> float8;
    - interval -> interval; - numeric -> numeric; int8 int8 -> int8; int8 int2 -> int8; int8 int4 -> int8;
    int2 int8 -> int8; int2 int2 -> int2; int2 int4 -> int4; int4 int8 -> int8; int4 int2 -> int4;
    int4 int4 -> int4; float4 float4 -> float4; float4 float8 -> float8; float8 float4 -> float8;
    float8 float8 -> float8; date int4 -> date; date date -> int4; date interval -> timestamp;
    time time -> interval; time interval -> time; timestamp timestamp -> interval;
    timestamp interval -> timestamp; timestamptz timestamptz -> interval;
    timestamptz interval -> timestamptz; interval interval -> interval; numeric numeric -> numeric;
    timetz interval -> timetz
->: json int4 -> json; json text -> json; jsonb int4 -> jsonb; jsonb text -> jsonb
->>: json int4 -> text; json text -> text; jsonb int4 -> text; jsonb text -> text
/: int8 int8 -> int8; int8 int2 -> int8; int8 int4 -> int8; int2 int8 -> int8; int2 int2 -> int2;
    int2 int4 -> int4; int4 int8 -> int8; int4 int2 -> int4; int4 int4 -> int4; float4 float4 -> float4;
    float4 float8 -> float8; float8 float4 -> float8; float8 float8 -> float8; interval float8 -> interval;
    numeric numeric -> numeric
< <= <> = > >=: bool bool -> bool; bytea bytea -> bool; name name -> bool; name text -> bool;
    int8 int8 -> bool; int8 int2 -> bool; int8 int4 -> bool; int2 int8 -> bool; int2 int2 -> bool;
    int2 int4 -> bool; int4 int8 -> bool; int4 int2 -> bool; int4 int4 -> bool; text name -> bool;
    text text -> bool; oid oid -> bool; float4 float4 -> bool; float4 float8 -> bool; float8 float4 -> bool;
    float8 float8 -> bool; bpchar bpchar -> bool; date date -> bool; date timestamp -> bool;
    date timestamptz -> bool; time time -> bool; timestamp date -> bool; timestamp timestamp -> bool;
    timestamp timestamptz -> bool; timestamptz date -> bool; timestamptz timestamp -> bool;
    timestamptz timestamptz -> bool; interval interval -> bool; numeric numeric -> bool; uuid uuid -> bool;
    jsonb jsonb -> bool; timetz timetz -> bool
^: float8 float8 -> float8
^@: text text -> bool
|/ ||/: - float8 -> float8
||: text text -> text
"""


@dataclass(frozen=True, slots=True)
class Routine:
    """A pg_proc row: kind `f` function, `a` aggregate, `w` window function."""

    oid: int
    name: str
    kind: str
    arguments: tuple[int, ...]
    result: int
    volatility: str
    strict: bool


@dataclass(frozen=True, slots=True)
class Operator:
    """A pg_operator row; left 0 for a prefix operator."""

    oid: int
    name: str
    left: int
    right: int
    result: int


def _type(name: str) -> int:
    if name.startswith("_"):
        return codecs.type_by_name(name[1:]).array_oid
    return codecs.type_by_name(name).oid


def _signatures(section: str) -> Iterator[tuple[str, list[str], str, list[str]]]:
    """(name, argument type names, result type name, flags) for each signature of a section."""
    lines: list[str] = []
    for line in section.strip().splitlines():  # a line that starts with blanks continues the one before
        if line.startswith(" "):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    for line in lines:
        names, _, signatures = line.partition(": ")
        for signature in signatures.split(";"):
            arguments, _, result = signature.partition("->")
            result_type, *flags = result.split()
            for name in names.split():
                yield name, arguments.split(), result_type, flags


def _routines() -> tuple[Routine, ...]:
    rows: list[Routine] = []
    for kind, section in (("f", FUNCTIONS), ("a", AGGREGATES), ("w", WINDOW_FUNCTIONS)):
        for name, arguments, result, flags in _signatures(section):
            volatility = "s" if "s" in flags else "v" if "v" in flags else "i"
            rows.append(Routine(FIRST_ROUTINE_OID + len(rows), name, kind, tuple(_type(a) for a in arguments),
                                _type(result), volatility, "?" not in flags))
    return tuple(rows)


def _operators() -> tuple[Operator, ...]:
    rows: list[Operator] = []
    for name, (left, right), result, _ in _signatures(OPERATORS):
        left_type = 0 if left == "-" else _type(left)
        rows.append(Operator(FIRST_OPERATOR_OID + len(rows), name, left_type, _type(right), _type(result)))
    return tuple(rows)


RELATIONS = {
    "pg_proc": relation_columns(
        "oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4 prorows:float4 "
        "provariadic:oid prokind:char prosecdef:bool proleakproof:bool proisstrict:bool proretset:bool "
        "provolatile:char proparallel:char pronargs:int2 pronargdefaults:int2 prorettype:oid "
        "proargtypes:oid[] proallargtypes:oid[] proargmodes:text proargnames:text prosrc:text "
        "proconfig:text proacl:text"),
    "pg_aggregate": relation_columns("aggfnoid:oid aggkind:char aggnumdirectargs:int2"),
    "pg_operator": relation_columns(
        "oid:oid oprname:name oprnamespace:oid oprowner:oid oprkind:char oprcanmerge:bool oprcanhash:bool "
        "oprleft:oid oprright:oid oprresult:oid oprcom:oid oprnegate:oid oprcode:oid oprrest:oid "
        "oprjoin:oid"),
}
ROUTINES = _routines()
OPERATORS_ROWS = _operators()
_BY_OID = {routine.oid: routine for routine in ROUTINES}
_OPERATOR_OIDS = frozenset(operator.oid for operator in OPERATORS_ROWS)


def routine(oid: int | None) -> Routine | None:
    return _BY_OID.get(oid) if oid is not None else None


def _array(oids: tuple[int, ...]) -> str:
    return "{" + ",".join(str(oid) for oid in oids) + "}"


def row_sources(namespace: int, owner: int, defined: Defined,
                namespace_of: Callable[[str], int]) -> dict[str, Callable[[], Iterator[tuple[Any, ...]]]]:
    """pg_proc, pg_aggregate and pg_operator, their objects in `namespace` (pg_catalog's), owned by
    `owner` (the bootstrap superuser); then the `defined` functions, in their schemas' namespaces."""

    def procedures() -> Iterator[tuple[Any, ...]]:
        for r in ROUTINES:
            yield (r.oid, r.name, namespace, owner, INTERNAL_LANGUAGE, 1.0, 0.0, 0, r.kind, 0, 0,
                   int(r.strict), 0, r.volatility, "s", len(r.arguments), 0, r.result, _array(r.arguments),
                   None, None, None, r.name, None, None)
        for f in defined():
            names = [a.name or "" for a in f.arguments]
            yield (f.oid, f.name, namespace_of(f.schema), owner, LANGUAGES[f.language], 100.0, 0.0, 0, "f", 0,
                   0, int(f.strict), 0, f.volatility, "u", len(f.arguments), f.defaults, f.result_oid,
                   _array(f.argument_oids), None, None,
                   "{" + ",".join(names) + "}" if any(names) else None, f.source, None, None)

    def aggregates() -> Iterator[tuple[Any, ...]]:
        for r in ROUTINES:
            if r.kind == "a":
                yield r.oid, "n", 0

    def operators() -> Iterator[tuple[Any, ...]]:
        for o in OPERATORS_ROWS:
            yield (o.oid, o.name, namespace, owner, "l" if o.left == 0 else "b", 0, 0, o.left, o.right,
                   o.result, 0, 0, 0, 0, 0)

    return {"pg_proc": procedures, "pg_aggregate": aggregates, "pg_operator": operators}


def _arguments(oid: int | None, defined: Defined) -> str | None:
    found = routine(oid)
    if found is not None:
        return ", ".join(format_type(a, -1) or "" for a in found.arguments)
    user = _defined(oid, defined)
    if user is None:
        return None
    return ", ".join(" ".join(part for part in (a.name, format_type(a.type_oid, -1),
                                                 f"DEFAULT {a.default_sql}" if a.default_sql else None)
                              if part)
                     for a in user.arguments)


def _result(oid: int | None, defined: Defined) -> str | None:
    found = routine(oid)
    if found is not None:
        return format_type(found.result, -1)
    user = _defined(oid, defined)
    return None if user is None else format_type(user.result_oid, -1)


def _defined(oid: int | None, defined: Defined) -> Function | None:
    return next((f for f in defined() if f.oid == oid), None) if oid is not None else None


FUNCTION_TYPES = {"pg_get_function_result": t.TEXT_TYPE, "pg_get_function_arguments": t.TEXT_TYPE,
                  "pg_get_function_identity_arguments": t.TEXT_TYPE, "pg_function_is_visible": t.BOOL_TYPE,
                  "pg_operator_is_visible": t.BOOL_TYPE, "pg_get_function_sqlbody": t.TEXT_TYPE}


def functions(defined: Defined, on_path: Callable[[], tuple[str, ...]]) -> dict[str, Callable[..., Any]]:
    """The catalog functions over these rows, by name (`on_path`: the schemas of the search path,
    where a defined function is visible)."""

    def visible(oid: int | None) -> int | None:
        if oid is None:
            return None
        user = _defined(oid, defined)
        return int(routine(oid) is not None or (user is not None and user.schema in on_path()))

    return {
        "pg_get_function_result": lambda oid: _result(oid, defined),
        "pg_get_function_arguments": lambda oid: _arguments(oid, defined),
        "pg_get_function_identity_arguments": lambda oid: _arguments(oid, defined),
        # a SQL-standard body (RETURN expr) deparsed; the engine keeps every body as prosrc instead
        "pg_get_function_sqlbody": lambda oid: None,
        "pg_function_is_visible": visible,
        "pg_operator_is_visible": lambda oid: None if oid is None else int(oid in _OPERATOR_OIDS),
    }
