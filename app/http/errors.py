"""One set of exception handlers: domain errors, Litestar's own and driver errors into JSON
responses of one shape (``ErrorBody``); nothing a client sends becomes a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from app.db.errors import ErrorTranslator
from app.http.etag import IF_MATCH_PATTERN
from app.http.validation import KEY_PATTERN, NO_NUL, NOT_BLANK
from app.kit.errors import AppError, ErrorBody

log = logging.getLogger("app")

Handler = Callable[[Request[Any, Any, Any], Any], Response[ErrorBody]]


def _error(status: int, detail: str, extra: object = None,
           headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    return Response(ErrorBody(status, detail, extra), status_code=status, headers=headers)


def _app_error(_: Request[Any, Any, Any], exc: AppError) -> Response[ErrorBody]:
    return _error(exc.status_code, exc.detail, exc.extra, exc.headers)


# msgspec names a failed pattern by its regex; say what the rule means instead.
_PATTERN_MESSAGES = {
    f"matching regex {NOT_BLANK!r}": "must not be blank or contain NUL characters",
    f"matching regex {NO_NUL!r}": "must not contain NUL characters",
    f"matching regex {KEY_PATTERN!r}": "must be printable ASCII characters",
    f"matching regex {IF_MATCH_PATTERN!r}": 'must be * or a list of quoted ETags like "3"',
}


def _readable(extra: object) -> object:
    if isinstance(extra, list):
        for item in extra:
            message = item.get("message") if isinstance(item, dict) else None
            if isinstance(message, str) and "matching regex" in message:
                meaning = next((m for needle, m in _PATTERN_MESSAGES.items() if needle in message),
                               "has the wrong format (its schema gives the pattern)")
                item["message"] = f"`{item.get('key')}` {meaning}"
    return extra


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    return _error(exc.status_code, exc.detail, _readable(exc.extra) or None, exc.headers)


def exception_handlers(errors: ErrorTranslator) -> dict[type[Exception], Handler]:
    """The app's handlers; ``errors`` knows every module's constraints, for driver errors raised
    outside a repository."""

    def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
        if isinstance(exc, RecursionError):  # msgspec decoding a hostile body into an untyped field
            return _error(400, "the JSON body is nested too deeply", {"source": "body"})
        known = errors.translate(exc)
        if known is not None:
            return _app_error(request, known)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "internal server error")

    return {AppError: _app_error, HTTPException: _http_error, Exception: unexpected}
