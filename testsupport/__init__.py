"""Real processes for the tests and the benchmarks: a HeliosDB-Lite server, its replay proxy, a
throwaway PostgreSQL 15 and an etcd, each on free loopback ports.

Both tests/ and bench/ import it (run from the repository root: `pytest`, `python -m bench...`).
Pytest's fixtures built on it are in tests/ (tests/conftest.py, tests/plugins/).
"""
