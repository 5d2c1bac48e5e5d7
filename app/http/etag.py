"""Strong ETags from row versions, and If-Match preconditions (RFC 9110, section 13.1.1).

Every updatable row has a ``version`` that the ``touch_row`` trigger bumps on each UPDATE that
changes the row (a conversation's, ``touch_conversation``, on a change of its title); its ETag is
the version in quotes. PATCH and DELETE pass If-Match down to SQL as a list of versions, so the
check and the write are one statement and two racing writers cannot both win.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol, TypeVar

from litestar import Response, post
from litestar.datastructures import ResponseHeader
from litestar.handlers import HTTPRouteHandler
from litestar.params import HeaderParameter

from app.http.openapi import errors
from app.kit.errors import AppError, ErrorDetails, PreconditionFailed
from app.kit.limits import MAX_BIGINT

T = TypeVar("T")
W = TypeVar("W")

# RFC 9110: `*`, or a comma-separated list of entity tags, strong ("3") or weak (W/"3"), in which
# empty elements are allowed and ignored. Whitespace is spaces and tabs, spelled out, so that
# Python's regexes and JSON Schema's (ECMA-262) read the pattern alike.
_TAG = r'(?:W/)?"[^"]*"'
_OWS = r"[ \t]*"
IF_MATCH_PATTERN = rf"^{_OWS}(?:\*|(?:,{_OWS})*{_TAG}(?:{_OWS},(?:{_OWS}{_TAG})?)*){_OWS}$"

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        max_length=1024,
        pattern=IF_MATCH_PATTERN,
        description='Only change the resource if its ETag is one of these (`"3"`, `"3", "4"`) '
        "or `*`.",
    ),
]

_ENTITY_TAG = re.compile(r'(W/)?"([^"]*)"')


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_versions(header: str | None) -> list[int] | None:
    """None when there is no precondition (no header, or ``*`` for an existing resource);
    otherwise the versions that satisfy it. Weak tags never match (strong comparison). The header
    has been checked against IF_MATCH_PATTERN."""
    if header is None or header.strip(" \t") == "*":
        return None
    return [
        int(tag) for weak, tag in _ENTITY_TAG.findall(header)
        if not weak and tag.isascii() and tag.isdigit() and int(tag) <= MAX_BIGINT
    ]


def stale(current_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        "the resource has changed since you read it (If-Match does not match its ETag)",
        extra=ErrorDetails(header="If-Match", current_etag=etag(current_version)),
        headers={"ETag": etag(current_version)},
    )


async def missing_or_stale(
    versions: list[int] | None,
    current_version: Callable[[], Awaitable[int | None]],
    not_found: AppError,
) -> AppError:
    """After a conditional write touched nothing: 412 with the current ETag when the resource
    exists at another version, else the resource's not-found error."""
    if versions is not None:
        current = await current_version()
        if current is not None:
            return stale(current)
    return not_found


async def conditionally(
    if_match: str | None,
    write: Callable[[list[int] | None], Awaitable[W | None]],
    current_version: Callable[[], Awaitable[int | None]],
    not_found: Callable[[], AppError],
) -> W:
    """Run a conditional write (an UPDATE or DELETE that checks the versions in its WHERE, so the
    check and the write are one statement) with the If-Match header's versions. What it returns,
    when it wrote; when it touched nothing (None or False): 412 with the current ETag if the
    resource exists at another version, else ``not_found()``."""
    versions = if_match_versions(if_match)
    written = await write(versions)
    if written is None or written is False:
        raise await missing_or_stale(versions, current_version, not_found())
    return written


class Versioned(Protocol):
    """A resource with a version (every updatable row)."""

    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)


def with_etag(resource: V, status_code: int = 200) -> Response[V]:
    """The resource, with its version as the ETag."""
    return Response(resource, status_code=status_code, headers={"ETag": etag(resource.version)})


def found(resource: T | None, not_found: Callable[[], AppError]) -> T:
    """The resource, or ``not_found()`` raised when there is none."""
    if resource is None:
        raise not_found()
    return resource


ETAG_HEADER = [
    ResponseHeader(name="ETag", documentation_only=True,
                   description="The resource's version as a strong ETag, for If-Match.")
]


def creates(operation_id: str, path: str = "/") -> HTTPRouteHandler:
    """The route of a create that answers 201 with the new resource and its ETag and takes an
    Idempotency-Key (409 while a request with it runs, 422 when it was used with another
    body)."""
    return post(path, operation_id=operation_id, responses=errors(401, 409, 422),
                response_headers=ETAG_HEADER)
