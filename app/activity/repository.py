"""Activity data access: every write is one statement that also moves its day's row in
daily_nutrition (burned calories, active minutes, steps), and estimates the calories from the MET
table when the client sends none (see sql/activity/create_activity.sql)."""

from __future__ import annotations

from datetime import date, datetime

from app.activity.models import Activity, ActivityCreate, ActivityUpdate
from app.db.queries import sql
from app.db.repository import Repository, changes
from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.limits import INFINITY
from app.kit.pages import Keyset, Page

_NULLABLE = ("distance_km", "calories_burned", "heart_rate_avg", "steps", "notes")
_FIELDS = ("activity_type", "intensity", "started_at", "duration_min", *_NULLABLE)

_create = sql("activity/create_activity", "user_id", *_FIELDS, row=Activity)
_get = sql("activity/get_activity", "user_id", "activity_id", row=Activity)
_version = sql("activity/get_activity_version", "user_id", "activity_id")
_update = sql("activity/update_activity", "user_id", "activity_id", *_FIELDS,
              *(f"{name}_sent" for name in _NULLABLE), "if_match", row=Activity)
_delete = sql("activity/delete_activity", "user_id", "activity_id", "if_match")
_list = sql("activity/list_activities", "user_id", "after_local_date", "after_started_at",
            "after_id", "from_date", "to_date", "limit", row=Activity)
_list_by_type = sql("activity/list_activities_by_type", "user_id", "activity_type",
                    "after_local_date", "after_started_at", "after_id", "from_date", "to_date",
                    "limit", row=Activity)

CONSTRAINTS = {
    name: InvalidInput(rule, extra=ErrorDetails(field=field)) for name, field, rule in [
        ("activity_logs_type_fkey", "activity_type",
         "activity_type and intensity must be a pair the MET table knows"),
        ("activity_logs_duration_range", "duration_min", "duration_min must be 1-1440"),
        ("activity_logs_distance_range", "distance_km", "distance_km must be 0-1000"),
        ("activity_logs_calories_range", "calories_burned", "calories_burned must be 0-20000"),
        ("activity_logs_heart_rate_range", "heart_rate_avg", "heart_rate_avg must be 20-250"),
        ("activity_logs_steps_range", "steps", "steps must be 0-200000"),
        ("activity_logs_notes_length", "notes", "notes must be 1-1000 characters, not blank"),
    ]
}

# Newest first: (local_date, started_at, id) descending, as its indexes; date.max is 'infinity'.
_ACTIVITIES: Keyset[Activity, tuple[date, datetime, int]] = Keyset(
    "activities", tuple[date, datetime, int], (date.max, INFINITY, 0),
    ("after_local_date", "after_started_at", "after_id"),
    lambda a: (a.local_date, a.started_at, a.id))


class ActivityRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, data: ActivityCreate) -> Activity | None:
        """None when the account is gone or deactivated."""
        return await self.one(_create, user_id=user_id,
                              **{name: getattr(data, name) for name in _FIELDS})

    async def get(self, *, user_id: int, activity_id: int) -> Activity | None:
        return await self.one(_get, user_id=user_id, activity_id=activity_id)

    async def version(self, *, user_id: int, activity_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id,
                                               activity_id=activity_id)
        return version

    async def update(self, *, user_id: int, activity_id: int, patch: ActivityUpdate,
                     if_match: list[int] | None) -> Activity | None:
        """None when the activity is missing or (with ``if_match``) at another version."""
        return await self.one(_update, user_id=user_id, activity_id=activity_id,
                              if_match=if_match, **changes(patch, nullable=_NULLABLE))

    async def delete(self, *, user_id: int, activity_id: int, if_match: list[int] | None
                     ) -> bool:
        return await self.one(_delete, user_id=user_id, activity_id=activity_id,
                              if_match=if_match) is not None

    async def list_activities(self, *, user_id: int, first: date | None, last: date | None,
                   activity_type: str | None, cursor: str | None, limit: int
                   ) -> Page[Activity]:
        """A page of activities of local dates first..last, newest first; AccountGone when the
        account is gone or deactivated."""
        if activity_type is None:
            return await self.page(_list, _ACTIVITIES, cursor=cursor, limit=limit,
                                   scope=(first, last), user_id=user_id, from_date=first,
                                   to_date=last)
        return await self.page(_list_by_type, _ACTIVITIES, cursor=cursor, limit=limit,
                               scope=(first, last, activity_type), user_id=user_id,
                               activity_type=activity_type, from_date=first, to_date=last)
