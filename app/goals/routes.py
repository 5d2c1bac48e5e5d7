"""Goals over HTTP: /goals."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.goals.models import Goal, GoalCreate, GoalUpdate
from app.goals.repository import GoalRepository
from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, creates, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, not_found
from app.kit.pages import Page

Goals = NamedDependency[GoalRepository]
GoalId = Annotated[int, path_id("goal")]
ActiveFilter = Annotated[bool | None, QueryParameter(
    description="true: only goals not completed and not ended; false: only the others.")]

_not_found = not_found("goal")


class GoalController(UserController):
    path = "/goals"
    tags = ["goals"]

    @creates("createGoal")
    async def create_goal(self, data: JSONBody[GoalCreate], user_id: UserId, goals: Goals,
                          idempotency_key: IdempotencyKey = None) -> Response[Goal]:
        """Set a goal from starts_on (default the local today). A weight_kg goal (period once)
        starts from the current weight (the latest weigh-in, else the profile's) and completes
        the first time a weigh-in reaches it; other goals are amounts per local day, week (from
        Monday) or month."""
        status, goal = await created(
            goals, idempotency_key, "createGoal", data, Goal, user_id=user_id,
            create=lambda repo: repo.create(user_id=user_id, data=data), missing=AccountGone,
        )
        return with_etag(goal, status)

    @get("/", operation_id="listGoals", responses=errors(401))
    async def list_goals(self, user_id: UserId, goals: Goals, active: ActiveFilter = None,
                         limit: Limit = 20, cursor: Cursor = None) -> Page[Goal]:
        """The caller's goals, newest first, each with its current value, progress and periods
        computed now from the entries, in one statement; a page at a time."""
        return await goals.list_goals(user_id=user_id, active=active, cursor=cursor,
                                      limit=limit)

    @get("/{goal_id:int}", operation_id="getGoal", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_goal(self, goal_id: GoalId, user_id: UserId, goals: Goals) -> Response[Goal]:
        """One goal with its progress; 404 when it does not exist or belongs to someone else."""
        return with_etag(found(await goals.get(user_id=user_id, goal_id=goal_id), _not_found))

    @patch("/{goal_id:int}", operation_id="updateGoal", responses=errors(401, 404, 412),
           response_headers=ETAG_HEADER)
    async def update_goal(self, goal_id: GoalId, data: JSONBody[GoalUpdate], user_id: UserId,
                          goals: Goals, if_match: IfMatch = None) -> Response[Goal]:
        """Change the target or the end date; a weight goal the latest weigh-in now reaches
        completes. With If-Match, only at that version (else 412)."""
        goal = await conditionally(
            if_match,
            lambda versions: goals.update(user_id=user_id, goal_id=goal_id, patch=data,
                                          if_match=versions),
            lambda: goals.version(user_id=user_id, goal_id=goal_id), _not_found,
        )
        return with_etag(goal)

    @delete("/{goal_id:int}", operation_id="deleteGoal", responses=errors(401, 404, 412))
    async def delete_goal(self, goal_id: GoalId, user_id: UserId, goals: Goals,
                          if_match: IfMatch = None) -> None:
        """Delete a goal; with If-Match, only at that version."""
        await conditionally(
            if_match,
            lambda versions: goals.delete(user_id=user_id, goal_id=goal_id, if_match=versions),
            lambda: goals.version(user_id=user_id, goal_id=goal_id), _not_found,
        )
