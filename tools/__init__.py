"""Maintenance scripts that regenerate tables kept in the package (run them as `python -m tools.NAME`)."""
