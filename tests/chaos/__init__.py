"""Crash-safety tests: GTID outcomes, fencing, and SIGKILL chaos runs against the real server."""
