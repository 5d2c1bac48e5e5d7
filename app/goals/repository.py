"""Goal data access: a goal's progress is computed by the statement that reads it, from the
entries' per-day rows and the weigh-ins (sql/goals/get_goals.sql), never stored; a weight goal's
completion is stored by the write that reaches it (migrations/0042_goals.sql)."""

from __future__ import annotations

from app.db.queries import sql
from app.db.repository import Repository, changes
from app.goals.models import Goal, GoalCreate, GoalUpdate
from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.limits import MAX_BIGINT
from app.kit.pages import Keyset, Page

_create = sql("goals/create_goal", "user_id", "goal_type", "target_value", "period", "starts_on",
              "ends_on")
_goals = sql("goals/get_goals", "user_id", "goal_id", "active", "after_id", "limit", row=Goal)
_version = sql("goals/get_goal_version", "user_id", "goal_id")
_update = sql("goals/update_goal", "user_id", "goal_id", "target_value", "ends_on",
              "ends_on_sent", "if_match")
_delete = sql("goals/delete_goal", "user_id", "goal_id", "if_match")

CONSTRAINTS = {
    name: InvalidInput(rule, extra=ErrorDetails(field=field)) for name, field, rule in [
        ("goals_goal_type_valid", "goal_type", "goal_type must be weight_kg, calories_max, "
         "protein_min_g, water_min_ml, active_minutes, steps or meals_logged"),
        ("goals_period_valid", "period", "period must be daily, weekly, monthly or once"),
        ("goals_period_fits_type", "period",
         "period must be once for a weight_kg goal, and daily, weekly or monthly for any other"),
        ("goals_target_range", "target_value", "target_value must be 25-400 for weight_kg, "
         "500-10000 for calories_max, else 1-10000000"),
        ("goals_weight_start", "goal_type",
         "a weight_kg goal needs a current weight: log one (POST /weights) or set the profile"),
        ("goals_weight_moves", "target_value",
         "target_value must differ from the current weight"),
        ("goals_dates_ordered", "ends_on", "ends_on must not be before starts_on"),
    ]
}

# Newest first, by id (goals_pkey backwards).
_GOALS: Keyset[Goal, tuple[int]] = Keyset("goals", tuple[int], (MAX_BIGINT,), ("after_id",),
                                          lambda g: (g.id,))


class GoalRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, data: GoalCreate) -> Goal | None:
        """Two statements: the insert, then the read that computes the progress. None when the
        account is gone or deactivated."""
        goal_id = await self.value(_create, user_id=user_id, goal_type=data.goal_type,
                                   target_value=data.target_value, period=data.period,
                                   starts_on=data.starts_on, ends_on=data.ends_on)
        return None if goal_id is None else await self.get(user_id=user_id, goal_id=goal_id)

    async def get(self, *, user_id: int, goal_id: int) -> Goal | None:
        goal = await self.one(_goals, user_id=user_id, goal_id=goal_id, active=None,
                              after_id=MAX_BIGINT, limit=1)
        return None if goal is None or goal.id is None else goal

    async def version(self, *, user_id: int, goal_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id, goal_id=goal_id)
        return version

    async def update(self, *, user_id: int, goal_id: int, patch: GoalUpdate,
                     if_match: list[int] | None) -> Goal | None:
        """None when the goal is missing or (with ``if_match``) at another version."""
        changed = await self.value(_update, user_id=user_id, goal_id=goal_id, if_match=if_match,
                                   **changes(patch, nullable=["ends_on"]))
        return None if changed is None else await self.get(user_id=user_id, goal_id=goal_id)

    async def delete(self, *, user_id: int, goal_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(_delete, user_id=user_id, goal_id=goal_id,
                                  if_match=if_match) == 1

    async def list_goals(self, *, user_id: int, active: bool | None, cursor: str | None,
                         limit: int) -> Page[Goal]:
        """A page of goals, newest first, each with its progress: one statement. AccountGone
        when the account is gone or deactivated."""
        return await self.page(_goals, _GOALS, cursor=cursor, limit=limit, scope=(active,),
                               user_id=user_id, goal_id=None, active=active)
