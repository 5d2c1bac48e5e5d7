"""Weigh-in data access: one statement per use case. The profile's weight follows the latest
weigh-in by a trigger, in the transaction of each write (migrations/0041_weights.sql); the trend
is one statement (sql/weights/get_weight_trend.sql)."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from app.db.queries import sql
from app.db.repository import Repository, changes
from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.limits import INFINITY
from app.kit.pages import Keyset, Page
from app.nutrition.repository import range_error
from app.weights.models import Trend, TrendPoint, TrendRow, WeighIn, WeightCreate, WeightUpdate

MAX_TREND_DAYS = 3660

_NULLABLE = ("body_fat_percentage", "muscle_mass_kg", "notes")
_FIELDS = ("weight_kg", "measured_at", *_NULLABLE)

_create = sql("weights/create_weight", "user_id", *_FIELDS, row=WeighIn)
_get = sql("weights/get_weight", "user_id", "weight_id", row=WeighIn)
_version = sql("weights/get_weight_version", "user_id", "weight_id")
_update = sql("weights/update_weight", "user_id", "weight_id", *_FIELDS,
              *(f"{name}_sent" for name in _NULLABLE), "if_match", row=WeighIn)
_delete = sql("weights/delete_weight", "user_id", "weight_id", "if_match")
_list = sql("weights/list_weights", "user_id", "after_local_date", "after_measured_at",
            "after_id", "from_date", "to_date", "limit", row=WeighIn)
_trend = sql("weights/get_weight_trend", "user_id", "from_date", "to_date", row=TrendRow)

CONSTRAINTS = {
    name: InvalidInput(rule, extra=ErrorDetails(field=field)) for name, field, rule in [
        ("weight_logs_weight_range", "weight_kg", "weight_kg must be 25-400"),
        ("weight_logs_body_fat_range", "body_fat_percentage",
         "body_fat_percentage must be 2-75"),
        ("weight_logs_muscle_mass_range", "muscle_mass_kg",
         "muscle_mass_kg must be 5-250 and at most weight_kg"),
        ("weight_logs_notes_length", "notes", "notes must be 1-1000 characters, not blank"),
    ]
}

# Newest first: (local_date, measured_at, id) descending, as its index.
_WEIGHTS: Keyset[WeighIn, tuple[date, datetime, int]] = Keyset(
    "weights", tuple[date, datetime, int], (date.max, INFINITY, 0),
    ("after_local_date", "after_measured_at", "after_id"),
    lambda w: (w.local_date, w.measured_at, w.id))


class WeightRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, data: WeightCreate) -> WeighIn | None:
        """None when the account is gone or deactivated."""
        return await self.one(_create, user_id=user_id,
                              **{name: getattr(data, name) for name in _FIELDS})

    async def get(self, *, user_id: int, weight_id: int) -> WeighIn | None:
        return await self.one(_get, user_id=user_id, weight_id=weight_id)

    async def version(self, *, user_id: int, weight_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id, weight_id=weight_id)
        return version

    async def update(self, *, user_id: int, weight_id: int, patch: WeightUpdate,
                     if_match: list[int] | None) -> WeighIn | None:
        """None when the weigh-in is missing or (with ``if_match``) at another version."""
        return await self.one(_update, user_id=user_id, weight_id=weight_id, if_match=if_match,
                              **changes(patch, nullable=_NULLABLE))

    async def delete(self, *, user_id: int, weight_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(_delete, user_id=user_id, weight_id=weight_id,
                                  if_match=if_match) == 1

    async def list_weights(self, *, user_id: int, first: date | None, last: date | None,
                           cursor: str | None, limit: int) -> Page[WeighIn]:
        """A page of weigh-ins of local dates first..last, newest first; AccountGone when the
        account is gone or deactivated."""
        return await self.page(_list, _WEIGHTS, cursor=cursor, limit=limit, scope=(first, last),
                               user_id=user_id, from_date=first, to_date=last)

    async def trend(self, *, user_id: int, first: date | None, last: date | None
                    ) -> Trend | None:
        """The trend of local dates first..last (defaults: see get_weight_trend.sql); None when
        the account is gone or deactivated; InvalidInput for a range that is not 1-3660 days."""
        rows = await self.all(_trend, user_id=user_id, from_date=first, to_date=last)
        if not rows:
            return None
        if (error := range_error(rows[0].range_days, MAX_TREND_DAYS)) is not None:
            raise error
        return Trend([TrendPoint(r.date, cast(float, r.weight_kg), cast(float, r.average_7d),
                                 cast(float, r.trend_kg))
                      for r in rows if r.date is not None])
