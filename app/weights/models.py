"""Weigh-in Structs: what a client sends (POST, PATCH), the weigh-in it gets back, and the trend
(the formulas are in sql/weights/get_weight_trend.sql)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import Moment, Notes, in_time
from app.profiles.models import Weight

BodyFat = Annotated[float, msgspec.Meta(ge=2, le=75,
                                        description="Percent, 2-75; kept to 0.1.")]
MuscleMass = Annotated[float, msgspec.Meta(
    ge=5, le=250, description="Kilograms, 5-250 and at most weight_kg; kept to 0.1.")]


def _tidy(data: WeightCreate | WeightUpdate) -> None:
    in_time(data.measured_at, "measured_at")
    if isinstance(data.notes, str):
        data.notes = data.notes.strip()
    for name in ("weight_kg", "body_fat_percentage", "muscle_mass_kg"):
        value = getattr(data, name)
        if isinstance(value, float):
            setattr(data, name, round(value, 1))


class WeightCreate(msgspec.Struct, forbid_unknown_fields=True):
    weight_kg: Weight
    body_fat_percentage: BodyFat | None = None
    muscle_mass_kg: MuscleMass | None = None
    measured_at: Moment | None = None
    notes: Notes | None = None

    def __post_init__(self) -> None:
        _tidy(self)


class WeightUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields not sent stay; null clears an optional one; a new ``measured_at`` moves the
    weigh-in to its date in the user's current time zone."""

    weight_kg: Weight | UnsetType = UNSET
    body_fat_percentage: BodyFat | None | UnsetType = UNSET
    muscle_mass_kg: MuscleMass | None | UnsetType = UNSET
    measured_at: Moment | UnsetType = UNSET
    notes: Notes | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        _tidy(self)


class WeighIn(msgspec.Struct):
    id: int
    weight_kg: float
    body_fat_percentage: float | None
    muscle_mass_kg: float | None
    measured_at: datetime
    local_date: date
    time_zone: str
    notes: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class TrendPoint(msgspec.Struct):
    """One local date with a weigh-in: its last weigh-in, the mean of the weigh-ins of the 7
    local dates ending it, and the smoothed trend (T = T_prev + 0.1 x (W - T_prev))."""

    date: date
    weight_kg: float
    average_7d: float
    trend_kg: float


class Trend(msgspec.Struct):
    points: list[TrendPoint]


class TrendRow(msgspec.Struct):
    """get_weight_trend's row: the range's length, and a point (its date NULL when there is
    none)."""

    range_days: int
    date: date | None
    weight_kg: float | None
    average_7d: float | None
    trend_kg: float | None
