"""Tests of the maintenance scripts in tools/ and of the tables they generate."""
