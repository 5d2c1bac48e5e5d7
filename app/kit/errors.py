"""Domain errors: what went wrong, in terms a client can act on.

The db layer raises these (from SQLSTATE and constraint names), the handlers raise them, and one set
of exception handlers in ``app.server`` turns them into JSON responses of one shape:
``{"status_code": int, "detail": str, "extra": ...}`` (the shape Litestar uses for its own errors).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

import msgspec


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every error response: the status, a sentence naming the problem, and optional details."""

    status_code: int
    detail: str
    extra: Any = None


class AppError(Exception):
    status_code: ClassVar[int] = 500

    def __init__(self, detail: str, *, extra: Any = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers = headers or {}


class InvalidInput(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401

    def __init__(self, detail: str = "missing or invalid bearer token", **kwargs: Any):
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')


class AccountGone(Unauthorized):
    """The token is valid, but its account has been deleted or deactivated since, or its session
    has ended (logout, logout-all, a password change elsewhere): the statement cannot tell which,
    and both mean the same to the client: sign in again."""

    def __init__(self, detail: str = "the account no longer exists or its session has ended",
                 **kwargs: Any):
        super().__init__(detail, **kwargs)


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


def not_found(what: str) -> Callable[[], NotFound]:
    """The factory of a domain's 404: ``not_found("task")()`` is NotFound("task not found")."""
    return partial(NotFound, f"{what} not found")


class Conflict(AppError):
    status_code = 409


class PreconditionFailed(AppError):
    status_code = 412


class Unprocessable(AppError):
    status_code = 422


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, detail: str, *, retry_after: int, **kwargs: Any):
        super().__init__(detail, **kwargs)
        self.headers["Retry-After"] = str(max(1, retry_after))


class Unavailable(AppError):
    status_code = 503

    def __init__(self, detail: str = "the database is unavailable, retry shortly", *,
                 retry_after: int = 1, **kwargs: Any):
        super().__init__(detail, **kwargs)
        self.headers["Retry-After"] = str(retry_after)
