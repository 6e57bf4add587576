"""PostgreSQL v3 wire protocol as sans-IO state machines: framing, messages, codecs, auth."""
