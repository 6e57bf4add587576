"""HeliosDB-Lite: a PostgreSQL-compatible server with a durable transaction journal."""
