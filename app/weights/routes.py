"""Weigh-ins over HTTP: /weights and /weights/trend."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, creates, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, not_found
from app.kit.pages import Page
from app.nutrition.routes import From, To, checked_range
from app.weights.models import Trend, WeighIn, WeightCreate, WeightUpdate
from app.weights.repository import MAX_TREND_DAYS, WeightRepository

Weights = NamedDependency[WeightRepository]
WeightId = Annotated[int, path_id("weigh-in")]

_not_found = not_found("weigh-in")


class WeightController(UserController):
    path = "/weights"
    tags = ["weight"]

    @creates("createWeight")
    async def create_weight(self, data: JSONBody[WeightCreate], user_id: UserId,
                            weights: Weights, idempotency_key: IdempotencyKey = None
                            ) -> Response[WeighIn]:
        """Log a weigh-in (several a day are fine). Its local date is measured_at (default now)
        in the profile's time zone. The latest weigh-in (by measured_at) is the profile's
        weight, and the profile's targets follow it, in the same transaction; an older one
        changes nothing there."""
        status, weighed = await created(
            weights, idempotency_key, "createWeight", data, WeighIn, user_id=user_id,
            create=lambda repo: repo.create(user_id=user_id, data=data), missing=AccountGone,
        )
        return with_etag(weighed, status)

    @get("/", operation_id="listWeights", responses=errors(401))
    async def list_weights(self, user_id: UserId, weights: Weights, first: From = None,
                           last: To = None, limit: Limit = 20, cursor: Cursor = None
                           ) -> Page[WeighIn]:
        """The caller's weigh-ins of local dates from..to, newest first, a page at a time."""
        checked_range(first, last, longest=None)
        return await weights.list_weights(user_id=user_id, first=first, last=last,
                                          cursor=cursor, limit=limit)

    @get("/trend", operation_id="getWeightTrend", responses=errors(401))
    async def get_weight_trend(self, user_id: UserId, weights: Weights, first: From = None,
                               last: To = None) -> Trend:
        """One point per local date from..to with a weigh-in (at most 3660 days; to defaults to
        the local today, from to 364 days before to): the day's last weigh-in, the mean of the
        weigh-ins of the 7 local dates ending it, and the trend, the weight smoothed as
        T = T_prev + 0.1 x (W - T_prev) over the dates with weigh-ins from the first weigh-in
        ever. One statement."""
        checked_range(first, last, MAX_TREND_DAYS)
        return found(await weights.trend(user_id=user_id, first=first, last=last), AccountGone)

    @get("/{weight_id:int}", operation_id="getWeight", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_weight(self, weight_id: WeightId, user_id: UserId, weights: Weights
                         ) -> Response[WeighIn]:
        """One weigh-in; 404 when it does not exist or belongs to someone else."""
        return with_etag(found(await weights.get(user_id=user_id, weight_id=weight_id),
                               _not_found))

    @patch("/{weight_id:int}", operation_id="updateWeight", responses=errors(401, 404, 412),
           response_headers=ETAG_HEADER)
    async def update_weight(self, weight_id: WeightId, data: JSONBody[WeightUpdate],
                            user_id: UserId, weights: Weights, if_match: IfMatch = None
                            ) -> Response[WeighIn]:
        """Change the fields sent (null clears an optional one); the profile's weight follows
        the latest weigh-in in the same transaction. With If-Match, only at that version."""
        weighed = await conditionally(
            if_match,
            lambda versions: weights.update(user_id=user_id, weight_id=weight_id, patch=data,
                                            if_match=versions),
            lambda: weights.version(user_id=user_id, weight_id=weight_id), _not_found,
        )
        return with_etag(weighed)

    @delete("/{weight_id:int}", operation_id="deleteWeight", responses=errors(401, 404, 412))
    async def delete_weight(self, weight_id: WeightId, user_id: UserId, weights: Weights,
                            if_match: IfMatch = None) -> None:
        """Delete a weigh-in; deleting the latest gives the profile the weight of the one
        before, in the same transaction. With If-Match, only at that version."""
        await conditionally(
            if_match,
            lambda versions: weights.delete(user_id=user_id, weight_id=weight_id,
                                            if_match=versions),
            lambda: weights.version(user_id=user_id, weight_id=weight_id), _not_found,
        )
