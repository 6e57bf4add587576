"""Network face: asyncio listener, one Session per connection, TLS, metrics endpoint."""
