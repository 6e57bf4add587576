"""Results of one suite run, read from pytest's JUnit XML: each test's outcome (passed, failed, error,
skipped) and, for the failures, the first line of pytest's message; and the failures grouped by cause
(that line with its literals, numbers and object names masked), so that the most common causes of the
tests that pass on PostgreSQL and fail on HeliosDB-Lite come first. `python -m compat.report
compat-report.json` prints them as Markdown."""

from __future__ import annotations

import argparse
import ast
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUTCOMES = ("passed", "failed", "error", "skipped")
OUTCOME_RANK = {"failed": 0, "error": 1, "skipped": 2, "passed": 3}
# pytest's wording for an error in a fixture, around the exception's own line
PHASE = re.compile(r'^failed on (setup|teardown) with "(.*?)"?$')
# a quoted name that varies from test to test: with a digit, or a test's own table
VARYING_QUOTED = re.compile(r"'[^']*(\d|test|tmp|tab)[^']*'|\"[^\"]*(\d|test|tmp|tab)[^\"]*\"", re.I)
MASKS = (
    (VARYING_QUOTED, "'…'"),
    (re.compile(r"'[^']{40,}'|\"[^\"]{40,}\""), "'…'"),
    (re.compile(r"\b0x[0-9a-f]+\b"), "0x…"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "N"),
)
CAUSE_WIDTH = 140
# pg8000 raises with the ErrorResponse's fields as a dict: {'S': 'ERROR', 'C': '0A000', 'M': '...', ...}
PG8000_FIELDS = re.compile(r"^(?P<exception>[\w.]+): (?P<fields>\{'S': .*\})$")


@dataclass(frozen=True)
class Outcome:
    test: str  # the pytest node id, as file::class::name
    outcome: str
    message: str  # the first line of the failure or error message ("" if passed or skipped)


def read_junit(path: Path) -> list[Outcome]:
    """Every test of a JUnit XML file, once: a test with a failure and a teardown error (two testcases
    in the file) counts as failed."""
    results: dict[str, Outcome] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname', '').replace('.', '/')}::{case.get('name', '')}"
        kinds = {child.tag: child for child in case if child.tag in ("failure", "error", "skipped")}
        outcome, message = "passed", ""
        for tag, name in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
            if tag in kinds:
                outcome = name
                text = kinds[tag].get("message") or (kinds[tag].text or "")
                message = text.strip().splitlines()[0] if text.strip() else ""
                break
        earlier = results.get(test)
        if earlier is None or OUTCOME_RANK[outcome] < OUTCOME_RANK[earlier.outcome]:
            results[test] = Outcome(test, outcome, message)
    return list(results.values())


def counts(results: list[Outcome]) -> dict[str, int]:
    tally = Counter(result.outcome for result in results)
    return {outcome: tally[outcome] for outcome in OUTCOMES}


def cause(message: str) -> str:
    """A failure message with what varies from test to test masked, whether it was raised in the test
    or in a fixture; pg8000's dict of ErrorResponse fields as `SQLSTATE message`."""
    if phase := PHASE.match(message):
        message = phase.group(2)
    head, message = _pg8000_fields(message)
    for pattern, replacement in MASKS:
        message = pattern.sub(replacement, message)
    return (head + message)[:CAUSE_WIDTH] or "(no message)"


def _pg8000_fields(message: str) -> tuple[str, str]:
    """("SQLSTATE ", message) from pg8000's exception text, or ("", the text) from another driver's."""
    found = PG8000_FIELDS.match(message)
    if found is None:
        return "", message
    try:
        fields = ast.literal_eval(found.group("fields"))
    except (ValueError, SyntaxError):
        return "", message
    return f"{fields.get('C', '?')} ", str(fields.get("M", ""))


def regressions(heliosdb: list[Outcome], postgresql: list[Outcome]) -> list[Outcome]:
    """The tests that pass on PostgreSQL and fail (or error) on HeliosDB-Lite."""
    passed_on_reference = {result.test for result in postgresql if result.outcome == "passed"}
    return [result for result in heliosdb
            if result.outcome in ("failed", "error") and result.test in passed_on_reference]


def top_causes(failures: list[Outcome], limit: int) -> list[tuple[str, int]]:
    return Counter(cause(result.message) for result in failures).most_common(limit)


def markdown(report: dict[str, Any], limit: int) -> str:
    """The causes of each suite's regressions, most common first, as Markdown lists."""
    lines = []
    for name, suite in report["suites"].items():
        failures = [Outcome(**item) for item in suite.get("regressions", [])]
        lines.append(f"### {name}: {len(failures)} tests pass on PostgreSQL 15 and fail on HeliosDB-Lite\n")
        lines += [f"- {count}x `{text}`" for text, count in top_causes(failures, limit)]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--limit", type=int, default=25)
    args = parser.parse_args()
    print(markdown(json.loads(args.report.read_text()), args.limit))


if __name__ == "__main__":
    main()
