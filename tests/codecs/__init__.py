"""Tests of the PostgreSQL data type codecs (heliosdb_lite.protocol.codecs)."""
