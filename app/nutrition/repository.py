"""Food diary data access: every write of a food log or a water entry is one statement that also
moves its day's row in daily_nutrition (see sql/nutrition/create_food_log.sql); every read is one
statement."""

from __future__ import annotations

from datetime import date, datetime
import msgspec

from app.activity.models import Activity
from app.db.queries import sql
from app.db.repository import Repository, changes
from app.kit.errors import ErrorDetails, InvalidInput, NotFound
from app.kit.limits import INFINITY
from app.kit.pages import Keyset, Page
from app.nutrition.models import (
    DayDetail,
    DayDetailRow,
    Days,
    FoodItem,
    FoodLog,
    FoodLogCreate,
    FoodLogUpdate,
    RangeRow,
    Summary,
    WaterEntry,
    WaterLogged,
)

MAX_RANGE_DAYS = 366

_NULLABLE = ("recipe_id", "image_url", "confidence_score", "detected_items", "user_corrections")

_create = sql("nutrition/create_food_log", "user_id", "meal_type", "eaten_at", "source",
              "recipe_id", "image_url", "confidence_score", "detected_items", "user_corrections",
              "items", row=FoodLog)
_get = sql("nutrition/get_food_log", "user_id", "food_log_id", row=FoodLog)
_version = sql("nutrition/get_food_log_version", "user_id", "food_log_id")
_update = sql("nutrition/update_food_log", "user_id", "food_log_id", "meal_type", "eaten_at",
              "source", *_NULLABLE, *(f"{name}_sent" for name in _NULLABLE), "items", "if_match",
              row=FoodLog)
_delete = sql("nutrition/delete_food_log", "user_id", "food_log_id", "if_match", row=FoodLog)
_list = sql("nutrition/list_food_logs", "user_id", "after_local_date", "after_eaten_at",
            "after_id", "from_date", "to_date", "limit", row=FoodLog)
_list_by_meal = sql("nutrition/list_food_logs_by_meal", "user_id", "meal_type",
                    "after_local_date", "after_eaten_at", "after_id", "from_date", "to_date",
                    "limit", row=FoodLog)
_create_water = sql("nutrition/create_water", "user_id", "ml", "drunk_at", row=WaterLogged)
_delete_water = sql("nutrition/delete_water", "user_id", "water_id", row=WaterLogged)
_list_water = sql("nutrition/list_water", "user_id", "after_local_date", "after_drunk_at",
                  "after_id", "from_date", "to_date", "limit", row=WaterEntry)
_days = sql("nutrition/get_days", "user_id", "from_date", "to_date", row=RangeRow)
_day = sql("nutrition/get_day", "user_id", "date", row=DayDetailRow)

CONSTRAINTS = {
    "food_logs_recipe_fkey": NotFound("recipe not found", extra=ErrorDetails(field="recipe_id")),
    **{name: InvalidInput(rule, extra=ErrorDetails(field=field)) for name, field, rule in [
        ("food_logs_items_count", "items", "items must be a list of 1-100 foods"),
        ("food_logs_items_shape", "items",
         "each item needs name, calories, protein_g, carbs_g and fat_g"),
        ("food_logs_items_not_negative", "items", "an item's numbers must not be negative"),
        ("food_logs_documents_size", "detected_items",
         "detected_items and user_corrections must be at most 64 KiB each"),
        ("water_logs_ml_range", "ml", "ml must be 1-5000"),
    ]},
}

# Newest first: (local_date, eaten_at, id) and (local_date, drunk_at, id) descending, as their
# indexes; date.max is 'infinity' to asyncpg.
_FOOD_LOGS: Keyset[FoodLog, tuple[date, datetime, int]] = Keyset(
    "food-logs", tuple[date, datetime, int], (date.max, INFINITY, 0),
    ("after_local_date", "after_eaten_at", "after_id"), lambda f: (f.local_date, f.eaten_at, f.id))
_WATER: Keyset[WaterEntry, tuple[date, datetime, int]] = Keyset(
    "water", tuple[date, datetime, int], (date.max, INFINITY, 0),
    ("after_local_date", "after_drunk_at", "after_id"), lambda w: (w.local_date, w.drunk_at, w.id))


def range_error(days: int, longest: int | None = MAX_RANGE_DAYS) -> InvalidInput | None:
    """Why a range of ``days`` dates (to - from + 1) is refused, or None."""
    if days < 1:
        return InvalidInput("from must not be after to", extra=ErrorDetails(parameter="from"))
    if longest is not None and days > longest:
        return InvalidInput(f"a range holds at most {longest} days",
                            extra=ErrorDetails(parameter="from"))
    return None


def _typed(log: FoodLog | None) -> FoodLog | None:
    """The log with its items (jsonb, decoded as plain lists and dicts) as FoodItems."""
    if log is not None:
        log.items = msgspec.convert(log.items, list[FoodItem])
    return log


class DiaryRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, data: FoodLogCreate) -> FoodLog | None:
        """None when the account is gone or deactivated."""
        return _typed(await self.one(
            _create, user_id=user_id, meal_type=data.meal_type, eaten_at=data.eaten_at,
            source=data.source, recipe_id=data.recipe_id, image_url=data.image_url,
            confidence_score=data.confidence_score, detected_items=data.detected_items,
            user_corrections=data.user_corrections, items=data.items))

    async def get(self, *, user_id: int, food_log_id: int) -> FoodLog | None:
        return _typed(await self.one(_get, user_id=user_id, food_log_id=food_log_id))

    async def version(self, *, user_id: int, food_log_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id,
                                               food_log_id=food_log_id)
        return version

    async def update(self, *, user_id: int, food_log_id: int, patch: FoodLogUpdate,
                     if_match: list[int] | None) -> FoodLog | None:
        """None when the log is missing or (with ``if_match``) at another version."""
        return _typed(await self.one(_update, user_id=user_id, food_log_id=food_log_id,
                                     if_match=if_match, **changes(patch, nullable=_NULLABLE)))

    async def delete(self, *, user_id: int, food_log_id: int, if_match: list[int] | None
                     ) -> bool:
        return await self.one(_delete, user_id=user_id, food_log_id=food_log_id,
                              if_match=if_match) is not None

    async def list_food_logs(self, *, user_id: int, first: date | None, last: date | None,
                             meal_type: str | None, cursor: str | None, limit: int
                             ) -> Page[FoodLog]:
        """A page of logs of local dates first..last, newest eaten first; AccountGone when the
        account is gone or deactivated."""
        if meal_type is None:
            page = await self.page(_list, _FOOD_LOGS, cursor=cursor, limit=limit,
                                   scope=(first, last), user_id=user_id, from_date=first,
                                   to_date=last)
        else:
            page = await self.page(_list_by_meal, _FOOD_LOGS, cursor=cursor, limit=limit,
                                   scope=(first, last, meal_type), user_id=user_id,
                                   meal_type=meal_type, from_date=first, to_date=last)
        for log in page.items:
            _typed(log)
        return page

    async def create_water(self, *, user_id: int, ml: int, drunk_at: datetime | None
                           ) -> WaterLogged | None:
        return await self.one(_create_water, user_id=user_id, ml=ml, drunk_at=drunk_at)

    async def delete_water(self, *, user_id: int, water_id: int) -> bool:
        return await self.one(_delete_water, user_id=user_id, water_id=water_id) is not None

    async def list_water(self, *, user_id: int, first: date | None, last: date | None,
                         cursor: str | None, limit: int) -> Page[WaterEntry]:
        return await self.page(_list_water, _WATER, cursor=cursor, limit=limit,
                               scope=(first, last), user_id=user_id,
                               from_date=first, to_date=last)

    async def days(self, *, user_id: int, first: date | None, last: date | None
                   ) -> Days | None:
        """The days first..last (defaults: see get_days.sql) with their summary; None when the
        account is gone or deactivated; InvalidInput for a range that is not 1-366 days."""
        rows = await self.all(_days, user_id=user_id, from_date=first, to_date=last)
        if not rows:
            return None
        top = rows[0]
        if (error := range_error(top.range_days)) is not None:
            raise error
        summary = Summary(top.days_logged, top.average_calories, top.average_protein_g,
                          top.average_carbs_g, top.average_fat_g)
        return Days([row.day() for row in rows], summary)

    async def day(self, *, user_id: int, day: date) -> DayDetail | None:
        row = await self.one(_day, user_id=user_id, date=day)
        if row is None:
            return None
        return DayDetail(row.day(), msgspec.convert(row.logs, list[FoodLog]),
                         msgspec.convert(row.water, list[WaterEntry]),
                         msgspec.convert(row.activity_list, list[Activity]))
