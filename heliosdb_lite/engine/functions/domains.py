"""`helios_domain_value(value, domain, not_null, [constraint, condition] ...)`: a value of a domain
checked against the domain's constraints (`store/domains.py`), as PostgreSQL's domain_check_input:
23502 `domain d does not allow null values` for NULL where the domain is NOT NULL, 23514 `value for
domain d violates check constraint "c"` for the first condition that is false (NULL passes, as a
CHECK's). Returns the value, so a cast to the domain is this call around the cast to its base type,
and a column of the domain has `CHECK (helios_domain_value(column, ...) IS column)`."""

from __future__ import annotations

from typing import Any

from heliosdb_lite.engine.store.domains import CHECK_FUNCTION
from heliosdb_lite.errors import CHECK_VIOLATION, NOT_NULL_VIOLATION, DatabaseError


def domain_value(value: Any, domain: str, not_null: int, *checks: Any) -> Any:
    if value is None and not_null:
        raise DatabaseError(NOT_NULL_VIOLATION, f"domain {domain} does not allow null values")
    for name, satisfied in zip(checks[::2], checks[1::2], strict=True):
        if satisfied is not None and not satisfied:
            raise DatabaseError(CHECK_VIOLATION,
                                f'value for domain {domain} violates check constraint "{name}"')
    return value


FUNCTIONS = {CHECK_FUNCTION: domain_value}
