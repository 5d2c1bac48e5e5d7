"""Strong ETags from row versions, and If-Match preconditions (RFC 9110, section 13.1.1).

Every updatable row has a ``version`` that the ``touch_row`` trigger bumps on each UPDATE; its ETag
is the version in quotes. PATCH and DELETE pass If-Match down to SQL as a list of versions, so the
check and the write are one statement and two racing writers cannot both win.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from litestar import Response
from litestar.datastructures import ResponseHeader
from litestar.params import HeaderParameter

from app.errors import AppError, InvalidInput, PreconditionFailed

T = TypeVar("T")

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        max_length=1024,
        description="Only change the resource if its ETag is one of these (or `*`).",
    ),
]

_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')
_MAX_VERSION = 2**63 - 1


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_versions(header: str | None) -> list[int] | None:
    """None when there is no precondition (no header, or ``*`` for an existing resource);
    otherwise the versions that satisfy it. Weak tags never match (strong comparison)."""
    if header is None or header.strip() == "*":
        return None
    versions: list[int] = []
    pos = 0
    while pos < len(header):
        match = _ENTITY_TAG.match(header, pos)
        if match is None or match.end() == pos:
            raise InvalidInput('If-Match must be * or a list of quoted ETags like "3"',
                               extra={"header": "If-Match"})
        weak, tag = match.groups()
        if not weak and tag.isascii() and tag.isdigit() and int(tag) <= _MAX_VERSION:
            versions.append(int(tag))
        pos = match.end()
    return versions


def stale(current_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        "the resource has changed since you read it (If-Match does not match its ETag)",
        extra={"current_etag": etag(current_version)},
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


def with_etag(resource: T, version: int, status_code: int = 200) -> Response[T]:
    return Response(resource, status_code=status_code, headers={"ETag": etag(version)})


ETAG_HEADER = [
    ResponseHeader(name="ETag", documentation_only=True,
                   description="The resource's version as a strong ETag, for If-Match.")
]
