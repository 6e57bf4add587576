"""`make compat-deps`: download the pinned sdists of compat/sdists.txt once (pip, hashes required) into
.compat-cache/sdists and unpack each one's test directory and LICENSE into .compat-cache/<name>-<version>,
where compat/run.py runs them offline. Only the tests are unpacked, not the driver's sources, so the
installed (compiled) driver is the one the tests import."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

from compat.suites import CACHE_DIR, COMPAT_DIR, SUITES

SDISTS_DIR = CACHE_DIR / "sdists"
TEST_DIRS = ("test/", "tests/")


def download() -> None:
    """pip download of every pinned sdist not in the cache yet; pip checks each file's sha256."""
    SDISTS_DIR.mkdir(parents=True, exist_ok=True)
    wanted = [suite.sdist for suite in SUITES.values() if suite.sdist]
    if all((SDISTS_DIR / name).exists() for name in wanted):
        return
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    "--require-hashes", "-r", str(COMPAT_DIR / "sdists.txt"), "-d", str(SDISTS_DIR)],
                   check=True)


def unpack(sdist: Path, target: Path) -> None:
    """The sdist's test directories and LICENSE, without its top folder, into `target`."""
    with tarfile.open(sdist) as archive:
        members = []
        for member in archive.getmembers():
            _, _, inner = member.name.partition("/")
            if inner.startswith(TEST_DIRS) or inner == "LICENSE":
                member.name = inner
                members.append(member)
        archive.extractall(target, members=members, filter="data")


def main() -> None:
    download()
    for suite in SUITES.values():
        if suite.sdist and not suite.root.exists():
            unpack(SDISTS_DIR / suite.sdist, suite.root)
            print(f"{suite.name} {suite.tests_version}: tests in {suite.root}")


if __name__ == "__main__":
    main()
