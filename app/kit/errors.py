"""Domain errors: what went wrong, in terms a client can act on.

The db layer raises these (from SQLSTATE and constraint names), the handlers raise them, and one set
of exception handlers (``app.http.errors``) turns them, and Litestar's own errors, into JSON
responses of one shape, ``ErrorBody``: ``{"status_code": 400, "detail": "...", "extra": {"field":
"recipe_json.ingredients[0].name", "min_length": 1, ...}}``.
"""

from __future__ import annotations

from datetime import datetime

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, ClassVar

import msgspec
from msgspec import UNSET, UnsetType

Bound = int | float


class ErrorDetails(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True, frozen=True):
    """What an error is about: where (at most one of ``field``, ``parameter`` and ``header``), and
    the rule it broke, when it broke one: the allowed values, the bounds or the pattern."""

    field: Annotated[str, msgspec.Meta(description=(
        "Where in the JSON body: a dotted path with [index] for items of arrays, as in "
        "`recipe_json.ingredients[0].name` (`[2]` for an item of a body that is an array; a key "
        'that is not a plain name is written `["a key"]`); empty for the body as a whole.'
    ))] | UnsetType = UNSET
    parameter: Annotated[str, msgspec.Meta(
        description="The query or path parameter, by name.")] | UnsetType = UNSET
    header: Annotated[str, msgspec.Meta(description="The request header, by name.")] | UnsetType = (
        UNSET)
    position: Annotated[int, msgspec.Meta(description=(
        "The byte of the body where the JSON text stops being valid."))] | UnsetType = UNSET
    allowed: Annotated[list[str | Bound | bool | None], msgspec.Meta(
        description="The values allowed.")] | UnsetType = UNSET
    minimum: Bound | UnsetType = UNSET
    maximum: Bound | UnsetType = UNSET
    exclusive_minimum: Bound | UnsetType = UNSET
    exclusive_maximum: Bound | UnsetType = UNSET
    min_length: Annotated[int, msgspec.Meta(description=(
        "At least this many characters (a string), items (an array) or bytes (a body or a "
        "document, as compact JSON)."))] | UnsetType = UNSET
    max_length: Annotated[int, msgspec.Meta(
        description="At most this many (see min_length).")] | UnsetType = UNSET
    pattern: Annotated[str, msgspec.Meta(
        description="The regular expression (ECMA-262) the value must match.")] | UnsetType = UNSET
    current_etag: Annotated[str, msgspec.Meta(
        description="412: the resource's ETag now.")] | UnsetType = UNSET
    content_ids: Annotated[list[str], msgspec.Meta(
        description="409: the content_ids you already use.")] | UnsetType = UNSET
    status: Annotated[str, msgspec.Meta(
        description="409: the essay's status now.")] | UnsetType = UNSET
    requested: Annotated[str, msgspec.Meta(
        description="409: the status asked for.")] | UnsetType = UNSET
    limit: Annotated[str | int, msgspec.Meta(
        description="429: the login limit reached; for a daily quota (/usage), its units a "
        "day.")] | UnsetType = UNSET
    kind: Annotated[str, msgspec.Meta(
        description="429, 409 of /usage: the quota's kind.")] | UnsetType = UNSET
    used: Annotated[int, msgspec.Meta(
        description="429, 409 of /usage: units used today.")] | UnsetType = UNSET
    remaining: Annotated[int, msgspec.Meta(
        description="429, 409 of /usage: units left today.")] | UnsetType = UNSET
    resets_at: Annotated[datetime, msgspec.Meta(tz=True, description=(
        "429, 409 of /usage: when the user's next local day starts."))] | UnsetType = UNSET


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every error response: the status, a sentence naming the problem, and what it is about."""

    status_code: int
    detail: str
    extra: ErrorDetails | UnsetType = UNSET


class AppError(Exception):
    status_code: ClassVar[int] = 500

    def __init__(self, detail: str, *, extra: ErrorDetails | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers = headers or {}


class InvalidInput(AppError):
    status_code = 400


class Unauthorized(AppError):
    """About the Authorization header, unless ``extra`` is given (None: about nothing named)."""

    status_code = 401

    def __init__(self, detail: str = "missing or invalid bearer token", **kwargs: Any):
        kwargs.setdefault("extra", ErrorDetails(header="Authorization"))
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
    """The factory of a domain's 404: ``not_found("task")()`` is NotFound("task not found"),
    about the path parameter ``task_id``."""
    return partial(NotFound, f"{what} not found", extra=ErrorDetails(parameter=f"{what}_id"))


class Conflict(AppError):
    status_code = 409


class PreconditionFailed(AppError):
    status_code = 412


class TooLarge(AppError):
    status_code = 413


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
