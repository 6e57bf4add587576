"""The drivers' own test suites (psycopg 3, pg8000, asyncpg) run against HeliosDB-Lite and against a
throwaway PostgreSQL 15, side by side: `make compat-deps` once (compat/deps.py), then `make compat`
(compat/run.py). What each suite runs and how it is pointed at a server is in compat/suites.py; the
results are read from pytest's JUnit XML by compat/report.py. docs/compatibility.md has the numbers."""
