"""The food diary over HTTP: /food-logs, /water and /nutrition/days."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, creates, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, ErrorDetails, InvalidInput, not_found
from app.kit.pages import Page
from app.nutrition.models import (
    DayDetail,
    Days,
    FoodLog,
    FoodLogCreate,
    FoodLogUpdate,
    MealType,
    WaterCreate,
    WaterEntry,
    WaterLogged,
)
from app.nutrition.repository import MAX_RANGE_DAYS, DiaryRepository, range_error

Diary = NamedDependency[DiaryRepository]
FoodLogId = Annotated[int, path_id("food log")]
WaterId = Annotated[int, path_id("water entry")]
DayPath = Annotated[date, PathParameter(description="A local date of the user.")]
From = Annotated[date | None, QueryParameter(
    name="from", description="The first local date, inclusive.")]
To = Annotated[date | None, QueryParameter(
    name="to", description="The last local date, inclusive.")]
MealFilter = Annotated[MealType | None, QueryParameter(description="Only logs of this meal.")]

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)

_not_found = not_found("food log")
_water_not_found = not_found("water entry")


def known_date(day: date | None, parameter: str) -> None:
    """A date of the years a diary holds (date.min and date.max would reach PostgreSQL as
    -infinity and infinity)."""
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(f"{parameter} must be from {EARLIEST_DAY} to {LATEST_DAY}",
                           extra=ErrorDetails(parameter=parameter))


def checked_range(first: date | None, last: date | None, longest: int | None = MAX_RANGE_DAYS
                  ) -> None:
    """A range given whole is checked before any connection is taken."""
    known_date(first, "from")
    known_date(last, "to")
    if first is not None and last is not None:
        error = range_error((last - first).days + 1, longest)
        if error is not None:
            raise error


class FoodLogController(UserController):
    path = "/food-logs"
    tags = ["nutrition"]

    @post("/", operation_id="createFoodLog", responses=errors(401, 404, 409, 422),
          response_headers=ETAG_HEADER)
    async def create_food_log(self, data: JSONBody[FoodLogCreate], user_id: UserId,
                              diary: Diary, idempotency_key: IdempotencyKey = None
                              ) -> Response[FoodLog]:
        """Log a meal with its items; its totals and its day move in the same statement. Its
        local date is eaten_at (default now) in the profile's time zone, fixed from then on. A
        recipe_id must be one of the caller's recipes (else 404)."""
        status, log = await created(
            diary, idempotency_key, "createFoodLog", data, FoodLog, user_id=user_id,
            create=lambda repo: repo.create(user_id=user_id, data=data), missing=AccountGone,
        )
        return with_etag(log, status)

    @get("/", operation_id="listFoodLogs", responses=errors(401))
    async def list_food_logs(self, user_id: UserId, diary: Diary, first: From = None,
                             last: To = None, meal_type: MealFilter = None, limit: Limit = 20,
                             cursor: Cursor = None) -> Page[FoodLog]:
        """The caller's food logs of local dates from..to, newest eaten first, a page at a
        time (keyset pagination); a cursor only continues the list (and filters) it came from."""
        checked_range(first, last, longest=None)
        return await diary.list_food_logs(user_id=user_id, first=first, last=last,
                                          meal_type=meal_type, cursor=cursor, limit=limit)

    @get("/{food_log_id:int}", operation_id="getFoodLog", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_food_log(self, food_log_id: FoodLogId, user_id: UserId, diary: Diary
                           ) -> Response[FoodLog]:
        """One food log; 404 when it does not exist or belongs to someone else."""
        return with_etag(found(await diary.get(user_id=user_id, food_log_id=food_log_id),
                               _not_found))

    @patch("/{food_log_id:int}", operation_id="updateFoodLog",
           responses=errors(401, 404, 412), response_headers=ETAG_HEADER)
    async def update_food_log(self, food_log_id: FoodLogId, data: JSONBody[FoodLogUpdate],
                              user_id: UserId, diary: Diary, if_match: IfMatch = None
                              ) -> Response[FoodLog]:
        """Change the fields sent (null clears an optional one; items are replaced whole, with
        the totals); a new eaten_at moves the log to its date in the current time zone. Its days
        move in the same statement. With If-Match, only at that version (else 412)."""
        log = await conditionally(
            if_match,
            lambda versions: diary.update(user_id=user_id, food_log_id=food_log_id, patch=data,
                                          if_match=versions),
            lambda: diary.version(user_id=user_id, food_log_id=food_log_id), _not_found,
        )
        return with_etag(log)

    @delete("/{food_log_id:int}", operation_id="deleteFoodLog", responses=errors(401, 404, 412))
    async def delete_food_log(self, food_log_id: FoodLogId, user_id: UserId, diary: Diary,
                              if_match: IfMatch = None) -> None:
        """Delete a food log, and take it off its day; with If-Match, only at that version."""
        await conditionally(
            if_match,
            lambda versions: diary.delete(user_id=user_id, food_log_id=food_log_id,
                                          if_match=versions),
            lambda: diary.version(user_id=user_id, food_log_id=food_log_id), _not_found,
        )


class WaterController(UserController):
    path = "/water"
    tags = ["nutrition"]

    @creates("createWater")
    async def create_water(self, data: JSONBody[WaterCreate], user_id: UserId, diary: Diary,
                           idempotency_key: IdempotencyKey = None) -> Response[WaterLogged]:
        """Log water drunk (default now); the answer has the day's new total."""
        status, logged = await created(
            diary, idempotency_key, "createWater", data, WaterLogged, user_id=user_id,
            create=lambda repo: repo.create_water(user_id=user_id, ml=data.ml,
                                                  drunk_at=data.drunk_at),
            missing=AccountGone,
        )
        return Response(logged, status_code=status)

    @get("/", operation_id="listWater", responses=errors(401))
    async def list_water(self, user_id: UserId, diary: Diary, first: From = None,
                         last: To = None, limit: Limit = 20, cursor: Cursor = None
                         ) -> Page[WaterEntry]:
        """The caller's water entries of local dates from..to, newest first, a page at a time."""
        checked_range(first, last, longest=None)
        return await diary.list_water(user_id=user_id, first=first, last=last, cursor=cursor,
                                      limit=limit)

    @delete("/{water_id:int}", operation_id="deleteWater", responses=errors(401, 404))
    async def delete_water(self, water_id: WaterId, user_id: UserId, diary: Diary) -> None:
        """Delete a water entry, and take it off its day."""
        if not await diary.delete_water(user_id=user_id, water_id=water_id):
            raise _water_not_found()


class DaysController(UserController):
    path = "/nutrition/days"
    tags = ["nutrition"]

    @get("/", operation_id="getDays", responses=errors(401))
    async def get_days(self, user_id: UserId, diary: Diary, first: From = None,
                       last: To = None) -> Days:
        """One element per local date from..to (inclusive, at most 366 days; to defaults to the
        local today, from to six days before to), empty days with zeros, and averages over the
        days with food logs. One statement."""
        checked_range(first, last)
        return found(await diary.days(user_id=user_id, first=first, last=last), AccountGone)

    @get("/{day:str}", operation_id="getDay", responses=errors(401))
    async def get_day(self, day: DayPath, user_id: UserId, diary: Diary) -> DayDetail:
        """One local date as in /nutrition/days, with its food logs, water entries and
        activities."""
        known_date(day, "day")
        return found(await diary.day(user_id=user_id, day=day), AccountGone)
