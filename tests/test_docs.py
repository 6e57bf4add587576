"""The documentation stays true to the tree: every file and every `file.py:Name` that
docs/architecture.md and docs/design.md name exists (a name defined at the top of that file, or a
method or attribute of a class defined there), and every relative link of README.md and docs/*.md
points to a file of the repository (none outside it).

A path is the package's (`server/session.py`) unless it starts with a folder of the repository's
root (`tests/...`); a bare file name (`session.py`) is in the first folder named on its line
if the line is a table row (the package table: `engine/` ... `session.py`), else in the package."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "heliosdb_lite"
MAPS = ("docs/architecture.md", "docs/design.md")
# top-level folders whose paths are written from the repository root; any other path is the package's
ROOT_FOLDERS = ("tests/", "testsupport/", "bench/", "tools/", "docs/", "docker/", "k8s/", "heliosdb_lite/")
REFERENCE = re.compile(r"`([\w*]+(?:/[\w*.]+)*(?:\.py|/))(?::([\w.]+))?`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _path(written: str, folder: str = "") -> Path:
    if "/" not in written:
        written = folder + written
    return ROOT / written if written.startswith(ROOT_FOLDERS) else PACKAGE / written


def _defined(tree: ast.Module, qualified: str) -> bool:
    """Whether `qualified` (Name, or Class.member) is defined in a module: a def, class, assignment
    or import at its top level, then a def or assignment in that class's body."""
    body: list[ast.stmt] = tree.body
    for part in qualified.split("."):
        found: ast.stmt | None = None
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == part:
                found = node
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(target, ast.Name) and target.id == part for target in targets):
                    found = node
            elif isinstance(node, ast.ImportFrom) and any((alias.asname or alias.name) == part
                                                          for alias in node.names):
                found = node
        if found is None:
            return False
        body = found.body if isinstance(found, ast.ClassDef) else []
    return True


def references(text: str) -> list[tuple[str, str | None, str]]:
    """(path as written, name or None, the first folder named on its line)."""
    found = []
    for line in text.splitlines():
        matches = [(match.group(1), match.group(2)) for match in REFERENCE.finditer(line)]
        folders = [written for written, _ in matches if written.endswith("/")] if line.startswith("|") else []
        folder = folders[0] if folders else ""
        found += [(written, name, folder) for written, name in matches]
    return found


def _missing(text: str) -> list[str]:
    missing = []
    for written, name, folder in references(text):
        path = _path(written, folder)
        matches = sorted(path.parent.glob(path.name)) if "*" in written else [path]
        if not matches or not all(match.exists() for match in matches):
            missing.append(f"{written}: no such file")
        elif name is not None and not _defined(ast.parse(path.read_text()), name):
            missing.append(f"{written}:{name}: not defined there")
    return missing


def test_the_checker_finds_files_and_names() -> None:
    text = ("`journal/journal.py:Journal.append` `server/app.py:serve` `tests/test_docs.py` "
            "`engine/translate/__init__.py:HANDLERS` `api/remote*.py` `protocol/codecs/` "
            "`journal/journal.py:Journal.no_such_method` `server/no_such_file.py` `cli.py:no_such_name`\n"
            "| `server/` | `session.py:Session.run` `app.py:no_such_name` |")
    assert len(references(text)) == 12
    assert _missing(text) == ["journal/journal.py:Journal.no_such_method: not defined there",
                              "server/no_such_file.py: no such file",
                              "cli.py:no_such_name: not defined there",
                              "app.py:no_such_name: not defined there"]


@pytest.mark.parametrize("document", MAPS)
def test_every_file_and_name_a_map_mentions_exists(document: str) -> None:
    text = (ROOT / document).read_text()
    assert len(references(text)) > 20, "the map names files"
    assert _missing(text) == []


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", _documents(), ids=lambda path: path.name)
def test_relative_links_point_into_the_repository(document: Path) -> None:
    broken = []
    for target in LINK.findall(document.read_text()):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        linked = (document.parent / target.split("#")[0]).resolve()
        if not linked.is_relative_to(ROOT) or not linked.exists():
            broken.append(target)
    assert broken == []
