"""Credentials for test servers: users added with the real `heliosdb-lite user add` command, and
self-signed TLS certificates made with the `openssl` command-line tool (tests skip without it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND_TIMEOUT = 30.0


def add_user(users_file: Path, name: str, password: str, method: str = "scram-sha-256") -> None:
    """`heliosdb-lite user add NAME --password-stdin --users-file PATH --method METHOD`."""
    done = subprocess.run(
        [sys.executable, "-m", "heliosdb_lite.cli", "user", "add", name, "--password-stdin",
         "--users-file", str(users_file), "--method", method],
        input=password + "\n", capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    assert done.returncode == 0, f"user add failed ({done.returncode}): {done.stderr}"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for CN and IP SAN 127.0.0.1, valid for one day."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command-line tool is not installed; cannot make a test certificate")
    certificate, key = directory / "server.crt", directory / "server.key"
    done = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(certificate), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    assert done.returncode == 0, f"openssl failed ({done.returncode}): {done.stderr}"
    key.chmod(0o600)
    return certificate, key
