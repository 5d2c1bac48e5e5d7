"""Activities over HTTP: /activities."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.activity.models import Activity, ActivityCreate, ActivityType, ActivityUpdate
from app.activity.repository import ActivityRepository
from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, creates, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, not_found
from app.kit.pages import Page
from app.nutrition.routes import From, To, checked_range

Activities = NamedDependency[ActivityRepository]
ActivityId = Annotated[int, path_id("activity")]
TypeFilter = Annotated[ActivityType | None, QueryParameter(
    description="Only activities of this type.")]

_not_found = not_found("activity")


class ActivityController(UserController):
    path = "/activities"
    tags = ["activity"]

    @creates("createActivity")
    async def create_activity(self, data: JSONBody[ActivityCreate], user_id: UserId,
                              activities: Activities, idempotency_key: IdempotencyKey = None
                              ) -> Response[Activity]:
        """Log an activity; without calories_burned they are estimated as MET x weight x hours
        (the MET of its type and intensity, the profile's weight, 70 kg without one). Its local
        date is started_at (default now) in the profile's time zone; its day's burned calories,
        active minutes and steps move in the same statement."""
        status, activity = await created(
            activities, idempotency_key, "createActivity", data, Activity, user_id=user_id,
            create=lambda repo: repo.create(user_id=user_id, data=data), missing=AccountGone,
        )
        return with_etag(activity, status)

    @get("/", operation_id="listActivities", responses=errors(401))
    async def list_activities(self, user_id: UserId, activities: Activities, first: From = None,
                              last: To = None, activity_type: TypeFilter = None,
                              limit: Limit = 20, cursor: Cursor = None) -> Page[Activity]:
        """The caller's activities of local dates from..to, newest first, a page at a time
        (keyset pagination); a cursor only continues the list (and filters) it came from."""
        checked_range(first, last, longest=None)
        return await activities.list_activities(user_id=user_id, first=first, last=last,
                                     activity_type=activity_type, cursor=cursor, limit=limit)

    @get("/{activity_id:int}", operation_id="getActivity", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_activity(self, activity_id: ActivityId, user_id: UserId,
                           activities: Activities) -> Response[Activity]:
        """One activity; 404 when it does not exist or belongs to someone else."""
        return with_etag(found(await activities.get(user_id=user_id, activity_id=activity_id),
                               _not_found))

    @patch("/{activity_id:int}", operation_id="updateActivity",
           responses=errors(401, 404, 412), response_headers=ETAG_HEADER)
    async def update_activity(self, activity_id: ActivityId, data: JSONBody[ActivityUpdate],
                              user_id: UserId, activities: Activities, if_match: IfMatch = None
                              ) -> Response[Activity]:
        """Change the fields sent (null clears an optional one; calories_burned null estimates
        them again, and an estimate follows a new type, intensity or duration); its days move in
        the same statement. With If-Match, only at that version (else 412)."""
        activity = await conditionally(
            if_match,
            lambda versions: activities.update(user_id=user_id, activity_id=activity_id,
                                               patch=data, if_match=versions),
            lambda: activities.version(user_id=user_id, activity_id=activity_id), _not_found,
        )
        return with_etag(activity)

    @delete("/{activity_id:int}", operation_id="deleteActivity",
            responses=errors(401, 404, 412))
    async def delete_activity(self, activity_id: ActivityId, user_id: UserId,
                              activities: Activities, if_match: IfMatch = None) -> None:
        """Delete an activity, and take it off its day; with If-Match, only at that version."""
        await conditionally(
            if_match,
            lambda versions: activities.delete(user_id=user_id, activity_id=activity_id,
                                               if_match=versions),
            lambda: activities.version(user_id=user_id, activity_id=activity_id), _not_found,
        )
