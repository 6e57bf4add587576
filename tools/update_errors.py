"""Regenerates the SQLSTATE table of heliosdb_lite/errors.py from PostgreSQL 15's errcodes.txt.

    python -m tools.update_errors [--check] [ERRCODES_TXT]

ERRCODES_TXT is PostgreSQL's src/backend/utils/errcodes.txt (REL_15_STABLE); the postgresql-15
package installs it as /usr/share/postgresql/15/errcodes.txt, the default. Each code is named by its
condition name upper-cased (the spec name PL/pgSQL and the documentation's table use, e.g.
UNIQUE_VIOLATION); a condition name two codes share (a warning and an error of one name) and a code
without one take the C macro's name without ERRCODE_ (WARNING_STRING_DATA_RIGHT_TRUNCATION,
UNDEFINED_DATABASE). --check changes nothing and exits 1 if the table is not what the file gives.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tools.generated import ROOT, report, write_region

DEFAULT_SOURCE = Path("/usr/share/postgresql/15/errcodes.txt")
TARGET = ROOT / "heliosdb_lite" / "errors.py"
_CODE_LINE = re.compile(
    r"^(?P<sqlstate>[0-9A-Z]{5})\s+[EWS]\s+ERRCODE_(?P<macro>\w+)(?:\s+(?P<spec>\w+))?\s*$")
_SECTION = re.compile(r"^Section:\s+(?P<title>.+?)\s*$")


@dataclass(frozen=True)
class Code:
    sqlstate: str
    macro: str
    spec: str | None


def parse(text: str) -> list[tuple[str, list[Code]]]:
    """The sections of errcodes.txt in order, each with its codes."""
    sections: list[tuple[str, list[Code]]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        section = _SECTION.match(line)
        if section:
            sections.append((section["title"], []))
            continue
        code = _CODE_LINE.match(line)
        if code is None or not sections:
            raise SystemExit(f"errcodes.txt: unexpected line {line!r}")
        sections[-1][1].append(Code(code["sqlstate"], code["macro"], code["spec"]))
    return sections


def render(sections: list[tuple[str, list[Code]]]) -> str:
    """The Python lines of the table: one comment per class, one constant per code."""
    shared = Counter(code.spec for _, codes in sections for code in codes if code.spec)
    lines: list[str] = []
    names: set[str] = set()
    for title, codes in sections:
        lines.append(f"\n# {title}\n")
        for code in codes:
            name = code.spec.upper() if code.spec and shared[code.spec] == 1 else code.macro
            if name in names:
                raise SystemExit(f"errcodes.txt: two codes would be named {name}")
            names.add(name)
            lines.append(f'{name} = "{code.sqlstate}"\n')
    return "".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="errcodes.txt")
    parser.add_argument("--check", action="store_true", help="exit 1 if errors.py is not current")
    args = parser.parse_args()
    body = render(parse(args.source.read_text()))
    return report(TARGET, write_region(TARGET, body, check=args.check), check=args.check)


if __name__ == "__main__":
    raise SystemExit(main())
