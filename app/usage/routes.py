"""Daily quotas over HTTP: /usage, and reserving and releasing a unit of a kind."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Annotated

from litestar import Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import PathParameter

from app.http.auth import UserController, UserId
from app.http.etag import found
from app.http.openapi import errors
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, Conflict, ErrorDetails, TooManyRequests
from app.usage.models import Counter, Kind, Metered, Usage
from app.usage.repository import UsageRepository

Quotas = NamedDependency[UsageRepository]
KindPath = Annotated[Kind, PathParameter(description="What is metered.")]

_RETRY_AFTER = [ResponseHeader(
    name="Retry-After", documentation_only=True,
    description="With 429: seconds until the user's next local midnight, when the quota resets.")]


def _details(counter: Counter) -> ErrorDetails:
    """The counter, in an error's ``extra``."""
    return ErrorDetails(kind=counter.kind, used=counter.used, limit=counter.limit,
                        remaining=counter.remaining, resets_at=counter.resets_at)


def _used_up(counter: Counter) -> TooManyRequests:
    wait = math.ceil((counter.resets_at - datetime.now(timezone.utc)).total_seconds())
    return TooManyRequests(
        f"no {counter.kind} left today ({counter.used} of {counter.limit} used); the quota "
        f"resets at {counter.resets_at.isoformat()}", retry_after=wait, extra=_details(counter))


async def _reserve(quotas: UsageRepository, user_id: int, kind: Kind) -> Counter | None:
    result = await quotas.reserve(user_id=user_id, kind=kind)
    if result is None:
        return None
    reserved, counter = result
    if not reserved:
        raise _used_up(counter)
    return counter


async def _release(quotas: UsageRepository, user_id: int, kind: Kind) -> Counter | None:
    result = await quotas.release(user_id=user_id, kind=kind)
    if result is None:
        return None
    released, counter = result
    if not released:
        raise Conflict(f"no {kind} reserved today to release", extra=_details(counter))
    return counter


class UsageController(UserController):
    path = "/usage"
    tags = ["usage"]

    @get("/", operation_id="getUsage", responses=errors(401))
    async def get_usage(self, user_id: UserId, quotas: Quotas) -> Usage:
        """Today's counter of every kind (the user's local today), with the limits of the
        user's subscription tier."""
        return found(await quotas.usage(user_id=user_id), AccountGone)

    @post("/{kind:str}/reserve", operation_id="reserveUsage", status_code=200,
          responses=errors(401, 409, 422, 429), response_headers=_RETRY_AFTER)
    async def reserve(self, kind: KindPath, user_id: UserId, quotas: Quotas,
                      idempotency_key: IdempotencyKey = None) -> Response[Counter]:
        """Reserve one unit of ``kind`` for today before doing what it meters: 200 with the
        counter; 429 with Retry-After (and the counter in ``extra``) when none is left. The check
        and the increment are one statement. With an Idempotency-Key a retry reserves once."""
        status, counter = await created(
            quotas, idempotency_key, f"reserveUsage:{kind}", Metered(kind), Counter,
            user_id=user_id, create=lambda repo: _reserve(repo, user_id, kind),
            missing=AccountGone, status_code=200,
        )
        return Response(counter, status_code=status)

    @post("/{kind:str}/release", operation_id="releaseUsage", status_code=200,
          responses=errors(401, 409, 422))
    async def release(self, kind: KindPath, user_id: UserId, quotas: Quotas,
                      idempotency_key: IdempotencyKey = None) -> Response[Counter]:
        """Give back one unit of ``kind`` reserved today, when what it paid for failed; 409 when
        none is reserved today (a counter never goes below zero). With an Idempotency-Key a
        retry releases once."""
        status, counter = await created(
            quotas, idempotency_key, f"releaseUsage:{kind}", Metered(kind), Counter,
            user_id=user_id, create=lambda repo: _release(repo, user_id, kind),
            missing=AccountGone, status_code=200,
        )
        return Response(counter, status_code=status)
