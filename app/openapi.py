"""OpenAPI pieces shared by the domains' routes: the error responses each route can give."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec

from app.errors import ErrorBody

_DESCRIPTIONS = {
    400: "Bad input: malformed JSON, a wrong type, a missing or unknown field, a value out of range",
    401: "Missing, malformed, expired or revoked bearer token",
    404: "Not found, or not the caller's",
    409: "Conflicts with an existing record",
    412: "The If-Match precondition failed",
    413: "The request body is too large",
    422: "The idempotency key was used with a different request",
    429: "Too many attempts; retry after the Retry-After header",
    503: "The database is unavailable or busy; retry after the Retry-After header",
}


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """Response specs for the given error statuses (400, 413 and 503 are always possible)."""
    wanted = sorted({400, 413, 503, *codes})
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_DESCRIPTIONS[code])
        for code in wanted
    }
