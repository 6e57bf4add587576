"""Suspending a child process (SIGSTOP) and knowing it is suspended: the signal is delivered
asynchronously, and a request a process reads before its stop completes is still served."""

from __future__ import annotations

import os
import signal
import subprocess


def suspend(process: subprocess.Popen[str]) -> None:
    """SIGSTOP a child and return once every one of its threads has stopped (waitpid WUNTRACED)."""
    process.send_signal(signal.SIGSTOP)
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        raise RuntimeError(f"process {process.pid} ended instead of stopping (wait status {status})")
