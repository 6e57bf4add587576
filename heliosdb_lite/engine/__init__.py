"""SQL engine seam: what the server calls to run statements."""
