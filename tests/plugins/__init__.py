"""Pytest plugins of the suite: fixtures every directory may use, loaded by tests/conftest.py's
`pytest_plugins` (a test module names the fixture; it imports nothing)."""
