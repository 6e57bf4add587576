"""The package's imports: every module imports in a fresh interpreter, no module imports another
that (directly or through others) imports it back, and the engine's packages import only those
below them (docs/architecture.md).

The cycle check reads the source with `ast`, so it also sees the imports written inside functions
(an import moved into a function to dodge a cycle is still a cycle); imports under
`if TYPE_CHECKING:` are left out, as they never run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import heliosdb_lite

PACKAGE = Path(heliosdb_lite.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    names = [part.id if isinstance(part, ast.Name) else part.attr for part in ast.walk(node.test)
             if isinstance(part, ast.Name | ast.Attribute)]
    return "TYPE_CHECKING" in names


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of a module, at any depth, except those under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
            continue
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def _imported(module: str, statement: ast.Import | ast.ImportFrom) -> set[str]:
    """The package's modules an import statement of `module` loads: `from package import name`
    names the submodule when there is one, else the package (whose __init__ defines the name)."""
    if isinstance(statement, ast.Import):
        return {alias.name for alias in statement.names if alias.name in MODULES}
    base = statement.module or ""
    if statement.level:
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        anchor = package[:len(package) - statement.level + 1]
        base = ".".join(anchor + ([statement.module] if statement.module else []))
    if base not in MODULES:
        return set()
    targets = set()
    for alias in statement.names:
        submodule = f"{base}.{alias.name}"
        targets.add(submodule if submodule in MODULES else base)
    return targets


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (not itself)."""
    graph = {}
    for module, path in MODULES.items():
        targets: set[str] = set()
        for statement in _imports(ast.parse(path.read_text(), str(path))):
            targets |= _imported(module, statement)
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle_through_three_modules() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_imports_inside_functions_and_not_type_checking_ones() -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from heliosdb_lite import cli\n"
              "def f():\n    from heliosdb_lite.engine import interface\n")
    statements = _imports(ast.parse(source))
    assert {name for statement in statements for name in _imported("heliosdb_lite.errors", statement)} \
        == {"heliosdb_lite.engine.interface"}


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 100 and graph["heliosdb_lite.server.app"]  # the graph is the package's
    found = cycles(graph)
    lines = []
    for component in found:
        lines.append(" <-> ".join(component))
        lines += [f"  {module} imports {sorted(graph[module] & set(component))}" for module in component]
    assert not found, "import cycles:\n" + "\n".join(lines)


# the engine's packages, lowest first: each imports only from those before it; "engine" is the
# session layer, the modules of heliosdb_lite/engine/ itself
ENGINE_LAYERS = ("types", "sql", "store", "functions", "extensions", "pg_catalog", "translate", "ddl",
                 "engine")


def _engine_layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] != ["heliosdb_lite", "engine"]:
        return None
    return parts[2] if len(parts) > 2 and parts[2] in ENGINE_LAYERS else "engine"


def test_engine_packages_import_only_those_below_them() -> None:
    assert [_engine_layer(name) for name in ("heliosdb_lite.engine.store", "heliosdb_lite.engine.ddl.alter",
                                             "heliosdb_lite.engine.session", "heliosdb_lite.errors")] \
        == ["store", "ddl", "engine", None]
    assert {_engine_layer(module) for module in MODULES} - {None} == set(ENGINE_LAYERS)
    upward = []
    for module, imported in import_graph().items():
        layer = _engine_layer(module)
        for target in imported:
            target_layer = _engine_layer(target)
            if layer is not None and target_layer is not None and \
                    ENGINE_LAYERS.index(target_layer) > ENGINE_LAYERS.index(layer):
                upward.append(f"{module} ({layer}) imports {target} ({target_layer})")
    assert not upward, "\n".join(sorted(upward))


def test_every_module_imports_in_a_fresh_interpreter_in_sorted_order() -> None:
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", script, *sorted(MODULES)], capture_output=True, text=True,
                          timeout=120, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr


# the package's layers, lowest first (docs/architecture.md, "The direction of imports"): a module
# imports from its own package and from lower layers; only the packages of the node (one server
# process: the server, replication, failover and the probes) also import each other
PACKAGE_LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "fault_points", "config"),
    ("data_lock", "protocol", "journal", "transparent_replay"),
    ("engine",),
    ("replay",),
    ("server", "replication", "failover", "probes"),
    ("proxy", "api"),
    ("cli",),
)
NODE = PACKAGE_LAYERS[4]


def _package(module: str) -> str | None:
    """The package (or top-level module) of heliosdb_lite a module belongs to; None for the
    package's own __init__, whose API is imported on first use."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _layer(package: str) -> int:
    return next(index for index, layer in enumerate(PACKAGE_LAYERS) if package in layer)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """The imports of the graph that break the layering, as sentences."""
    found = []
    for module, imported in graph.items():
        package = _package(module)
        for target in imported:
            target_package = _package(target)
            if package is None or target_package is None or target_package == package:
                continue
            if _layer(target_package) > _layer(package) or (
                    _layer(target_package) == _layer(package) and package not in NODE):
                found.append(f"{module} ({package}) imports {target} ({target_package})")
    return sorted(found)


def test_the_layer_check_refuses_an_import_upward_or_sideways() -> None:
    graph = {"heliosdb_lite.journal.journal": {"heliosdb_lite.errors", "heliosdb_lite.engine.session"},
             "heliosdb_lite.protocol.auth": {"heliosdb_lite.journal.format"},
             "heliosdb_lite.server.app": {"heliosdb_lite.replication.node", "heliosdb_lite.replay.commit"}}
    assert upward_imports(graph) == [
        "heliosdb_lite.journal.journal (journal) imports heliosdb_lite.engine.session (engine)",
        "heliosdb_lite.protocol.auth (protocol) imports heliosdb_lite.journal.format (journal)"]


def test_lower_layers_import_no_higher_one() -> None:
    packages = {_package(module) for module in MODULES} - {None}
    assert packages == {package for layer in PACKAGE_LAYERS for package in layer}, \
        "every package of heliosdb_lite has its place in PACKAGE_LAYERS"
    found = upward_imports(import_graph())
    assert not found, "\n".join(found)


def _third_party(package: str) -> dict[str, set[str]]:
    """Module -> the top-level names of what it imports from outside heliosdb_lite."""
    found: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        if _package(module) != package:
            continue
        names = set()
        for statement in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(statement, ast.Import):
                names |= {alias.name.split(".")[0] for alias in statement.names}
            elif not statement.level and statement.module:
                names.add(statement.module.split(".")[0])
        found[module] = names - {"heliosdb_lite", "__future__"}
    return found


def test_protocol_and_journal_know_nothing_of_sql_and_the_engine_nothing_of_sockets() -> None:
    assert "sqlglot" in _third_party("engine")["heliosdb_lite.engine.sql.parsing"]
    sql = {"sqlglot", "apsw", "sqlite3"}
    network = {"asyncio", "socket", "ssl", "selectors", "uvloop"}
    for package, forbidden in (("protocol", sql | network), ("journal", sql), ("engine", network)):
        offending = {module: sorted(names & forbidden) for module, names in _third_party(package).items()
                     if names & forbidden}
        assert not offending, f"{package}: {offending}"
