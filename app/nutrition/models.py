"""Food diary Structs: food logs and their items, water, and the days they add up to."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

import msgspec
from msgspec import UNSET, UnsetType

from app.activity.models import Activity
from app.http.validation import Moment, check_document, in_time, invalid, json_document, text
from app.kit.limits import MAX_BIGINT

MAX_ITEMS = 100
MAX_DOCUMENT_BYTES = 65536

MealType = Literal["breakfast", "lunch", "dinner", "snack"]
Source = Literal["manual", "photo", "barcode", "recipe"]
Kcal = Annotated[float, msgspec.Meta(ge=0, le=20000, description="kcal, 0-20000; kept to 0.01.")]
Grams = Annotated[float, msgspec.Meta(ge=0, le=5000, description="Grams, 0-5000; kept to 0.01.")]
Portion = Annotated[float, msgspec.Meta(ge=0, le=10000,
                                        description="Grams eaten, 0-10000; kept to 0.01.")]
Items = Annotated[list["FoodItem"], msgspec.Meta(
    min_length=1, max_length=MAX_ITEMS, description=f"1-{MAX_ITEMS} items.")]
RecipeRef = Annotated[int, msgspec.Meta(ge=1, le=MAX_BIGINT,
                                        description="One of the caller's recipes.")]
Url = Annotated[str, text(2048, min_length=1)]
Score = Annotated[float, msgspec.Meta(ge=0, le=1)]
Document = Annotated[Any, json_document(
    "Any JSON object or array (as a vision model gave it, or the user's corrections); at most "
    "64 KiB as compact JSON.")]
Ml = Annotated[int, msgspec.Meta(ge=1, le=5000, description="Millilitres, 1-5000.")]


def _cents(value: float) -> float:
    return round(value, 2)


def _check_documents(data: FoodLogCreate | FoodLogUpdate) -> None:
    for name in ("detected_items", "user_corrections"):
        document = getattr(data, name)
        if document is None or document is UNSET:
            continue
        if not isinstance(document, (dict, list)):
            raise invalid((name,), "must be a JSON object or array")
        check_document(document, name, MAX_DOCUMENT_BYTES)


class FoodItem(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One food of a meal; numbers are kept to 0.01 (rounded)."""

    name: Annotated[str, text(200, min_length=1, blank=False,
                              description="1-200 characters; trimmed.")]
    grams: Portion | None = None
    calories: Kcal
    protein_g: Grams
    carbs_g: Grams
    fat_g: Grams
    fiber_g: Grams | None = None

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        self.calories, self.protein_g = _cents(self.calories), _cents(self.protein_g)
        self.carbs_g, self.fat_g = _cents(self.carbs_g), _cents(self.fat_g)
        if self.grams is not None:
            self.grams = _cents(self.grams)
        if self.fiber_g is not None:
            self.fiber_g = _cents(self.fiber_g)


class FoodLog(msgspec.Struct):
    id: int
    meal_type: MealType
    eaten_at: datetime
    local_date: date
    time_zone: str
    source: Source
    recipe_id: int | None
    image_url: str | None
    confidence_score: float | None
    detected_items: Document | None
    user_corrections: Document | None
    items: list[FoodItem]
    total_calories: float
    total_protein: float
    total_carbs: float
    total_fat: float
    total_fiber: float
    created_at: datetime
    updated_at: datetime
    version: int


class FoodLogCreate(msgspec.Struct, forbid_unknown_fields=True):
    meal_type: MealType
    items: Items
    eaten_at: Moment | None = None
    source: Source = "manual"
    recipe_id: RecipeRef | None = None
    image_url: Url | None = None
    confidence_score: Score | None = None
    detected_items: Document | None = None
    user_corrections: Document | None = None

    def __post_init__(self) -> None:
        in_time(self.eaten_at, "eaten_at")
        _check_documents(self)


class FoodLogUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields not sent stay; null clears an optional one; ``items`` replaces them all (and the
    totals); a new ``eaten_at`` moves the log to its date in the user's current time zone."""

    meal_type: MealType | UnsetType = UNSET
    items: Items | UnsetType = UNSET
    eaten_at: Moment | UnsetType = UNSET
    source: Source | UnsetType = UNSET
    recipe_id: RecipeRef | None | UnsetType = UNSET
    image_url: Url | None | UnsetType = UNSET
    confidence_score: Score | None | UnsetType = UNSET
    detected_items: Document | None | UnsetType = UNSET
    user_corrections: Document | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        in_time(self.eaten_at, "eaten_at")
        _check_documents(self)


class WaterCreate(msgspec.Struct, forbid_unknown_fields=True):
    ml: Ml
    drunk_at: Moment | None = None

    def __post_init__(self) -> None:
        in_time(self.drunk_at, "drunk_at")


class WaterEntry(msgspec.Struct):
    id: int
    ml: int
    drunk_at: datetime
    local_date: date
    time_zone: str
    created_at: datetime


class WaterLogged(msgspec.Struct):
    """A new water entry, and its day's total with it."""

    id: int
    ml: int
    drunk_at: datetime
    local_date: date
    time_zone: str
    created_at: datetime
    day_total_ml: int


class Meals(msgspec.Struct):
    """kcal per meal."""

    breakfast: float
    lunch: float
    dinner: float
    snack: float


class DayTargets(msgspec.Struct):
    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int
    water_ml: int


class Day(msgspec.Struct):
    """A local date's totals: what was eaten and drunk, what its activities burned, its
    targets, and the calories left: the target less what was eaten plus what was burned."""

    date: date
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fiber_g: float
    water_ml: int
    food_logs: int
    water_entries: int
    meals: Meals
    calories_burned: int
    active_minutes: int
    steps: int
    activities: int
    targets: DayTargets | None
    remaining_calories: float | None


class Summary(msgspec.Struct):
    """Over the days of the range with at least one food log (days_logged); null without any."""

    days_logged: int
    average_calories: float | None
    average_protein_g: float | None
    average_carbs_g: float | None
    average_fat_g: float | None


class Days(msgspec.Struct):
    days: list[Day]
    summary: Summary


class DayDetail(msgspec.Struct):
    day: Day
    food_logs: list[FoodLog]
    water: list[WaterEntry]
    activities: list[Activity]


class DayRow(msgspec.Struct):
    """A day as the statements return it: meals and targets flattened."""

    date: date
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fiber_g: float
    water_ml: int
    food_logs: int
    water_entries: int
    breakfast_calories: float
    lunch_calories: float
    dinner_calories: float
    snack_calories: float
    calories_burned: int
    active_minutes: int
    steps: int
    activities: int
    target_calories: int | None
    target_protein_g: int | None
    target_carbs_g: int | None
    target_fat_g: int | None
    target_water_ml: int | None
    remaining_calories: float | None

    def day(self) -> Day:
        targets = None
        if self.target_calories is not None:  # then the other targets are set too
            targets = DayTargets(self.target_calories, cast(int, self.target_protein_g),
                                 cast(int, self.target_carbs_g), cast(int, self.target_fat_g),
                                 cast(int, self.target_water_ml))
        return Day(self.date, self.calories, self.protein_g, self.carbs_g, self.fat_g,
                   self.fiber_g, self.water_ml, self.food_logs, self.water_entries,
                   Meals(self.breakfast_calories, self.lunch_calories, self.dinner_calories,
                         self.snack_calories),
                   self.calories_burned, self.active_minutes, self.steps, self.activities,
                   targets, self.remaining_calories)


class RangeRow(DayRow):
    """get_days' row: a day of the range (its date NULL when the range is refused), the range's
    length, and the summary (the same on every row)."""

    range_days: int
    days_logged: int
    average_calories: float | None
    average_protein_g: float | None
    average_carbs_g: float | None
    average_fat_g: float | None


class DayDetailRow(DayRow):
    """get_day's row: the day, and its food logs, water and activities as JSON arrays."""

    logs: list[Any]
    water: list[Any]
    activity_list: list[Any]
