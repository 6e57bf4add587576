"""No SQLSTATE is spelled as a literal in the package: every code is named from heliosdb_lite/errors.py,
whose generated table (and the codes of our own that follow it) is the one place codes are written.

The scan reads each module with `ast` and looks at string constants that have a SQLSTATE's shape
(five digits or capitals) and a class some code in errors.py has, where a code goes: an argument
of a call (an error constructor, `fatal`, a translation table's helper), a side of a comparison
(`error.sqlstate == ...`, `code in (...)`), a returned value, an assigned value (a constant declared
again), a dictionary's key or value. A class written alone (`sqlstate.startswith("08")`,
`code[:2] == "08"`) counts too. Words such as "FATAL", "BEGIN" or "SSSSS" have no such class and
are left alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import heliosdb_lite
from heliosdb_lite import errors

PACKAGE = Path(heliosdb_lite.__file__).parent
ALLOWED = PACKAGE / "errors.py"

CODES = frozenset(value for name, value in vars(errors).items()
                  if name.isupper() and isinstance(value, str) and len(value) == 5)
CLASSES = frozenset(code[:2] for code in CODES)

_CODE_CONTEXTS = (ast.Call, ast.Compare, ast.Return, ast.Assign, ast.AnnAssign, ast.Dict)


def _is_code(value: object) -> bool:
    return (isinstance(value, str) and len(value) == 5 and value[:2] in CLASSES
            and all(c.isdigit() or "A" <= c <= "Z" for c in value))


def _is_class(value: object) -> bool:
    return isinstance(value, str) and value in CLASSES


def _literal_codes(node: ast.AST) -> list[tuple[int, str]]:
    """(line, code) for the SQLSTATE-shaped constants of an expression, through tuples, lists, sets
    and conditionals."""
    return [(part.lineno, part.value) for part in ast.walk(node)
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and _is_code(part.value)]


def _code_slots(node: ast.AST) -> list[ast.AST]:
    """The parts of a statement or expression where a SQLSTATE would be passed, compared, returned
    or declared."""
    if isinstance(node, ast.Call):
        return [*node.args, *(keyword.value for keyword in node.keywords)]
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.Return | ast.Assign | ast.AnnAssign):
        return [node.value] if node.value is not None else []
    if isinstance(node, ast.Dict):
        return [*(key for key in node.keys if key is not None), *node.values]
    return []


def _class_literals(node: ast.AST) -> list[tuple[int, str]]:
    """(line, class) for a class compared alone: `x.startswith("08")` or `x[:2] == "08"`."""
    candidates: list[ast.expr] = []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith":
        candidates = node.args
    elif isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        if any(isinstance(side, ast.Subscript) and isinstance(side.slice, ast.Slice) for side in sides):
            candidates = sides
    return [(part.lineno, part.value) for part in candidates
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and _is_class(part.value)]


def literal_sqlstates(source: str) -> list[tuple[int, str]]:
    """(line, code) for each SQLSTATE written as a literal in the module source."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, _CODE_CONTEXTS):
            for slot in _code_slots(node):
                found.update(_literal_codes(slot))
        found.update(_class_literals(node))
    return sorted(found)


def test_no_literal_sqlstate_in_the_package() -> None:
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}: {code!r}"
                 for path in sorted(PACKAGE.rglob("*.py")) if path != ALLOWED
                 for line, code in literal_sqlstates(path.read_text())]
    assert not offenders, "name these SQLSTATEs from heliosdb_lite/errors.py:\n" + "\n".join(offenders)


def test_errors_py_is_where_the_codes_are() -> None:
    found = {code for _, code in literal_sqlstates(ALLOWED.read_text())}
    assert {"42883", "25P02", "HZ001", "40P02"} <= found


@pytest.mark.parametrize("source", [
    'raise DatabaseError("42883", "function f() does not exist")',
    'raise DatabaseError(sqlstate="0A000", message="no")',
    'error = fatal("57P01", "terminating connection")',
    'if error.sqlstate == "40001":\n    retry()',
    'if code in ("08006", "57P01"):\n    reconnect()',
    'def code():\n    return "22012"',
    'MY_CODE = "42P01"',
    'TABLE = {"SQLITE_CONSTRAINT": "23505"}',
    'ERRORS = [(pattern, _simple("22014", "argument of ntile must be greater than zero"))]',
    'broken = error.sqlstate.startswith("08")',
    'broken = code[:2] == "08"',
    'raise DatabaseError("HZ001" if replaying else "XX000", "lost")',
])
def test_a_literal_code_is_found(source: str) -> None:
    assert literal_sqlstates(source), source


@pytest.mark.parametrize("source", [
    'raise DatabaseError(UNDEFINED_FUNCTION, "x", severity="FATAL")',
    'transactions.begin("BEGIN")',
    'if kind in ("TABLE", "INDEX", "VIEW"):\n    pass',
    'join.set("kind", "CROSS")',
    'FIELDS = {"SSSSS": seconds, "HH12": hours}',
    'NAME = "helios_row_count"',
    '"""A docstring that mentions 42883 and "22012" in passing."""',
    'print("12345")',
])
def test_other_strings_are_not(source: str) -> None:
    assert not literal_sqlstates(source), source
