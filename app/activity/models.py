"""Activity Structs: what a client sends (POST, PATCH) and the activity it gets back, with its
calories as sent or estimated from the MET table (migrations/0040_activity.sql)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import Moment, Notes, in_time

ActivityType = Literal["walking", "running", "cycling", "swimming", "strength_training", "yoga",
                       "other"]
Intensity = Literal["low", "moderate", "high"]
CaloriesSource = Literal["estimated", "user"]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=1440, description="Minutes, 1-1440.")]
Distance = Annotated[float, msgspec.Meta(ge=0, le=1000,
                                         description="Kilometres, 0-1000; kept to 0.01.")]
Burned = Annotated[int, msgspec.Meta(
    ge=0, le=20000, description="kcal, 0-20000. Left out (or null on PATCH): estimated as MET x "
                                "weight x hours.")]
HeartRate = Annotated[int, msgspec.Meta(ge=20, le=250, description="Beats per minute, 20-250.")]
Steps = Annotated[int, msgspec.Meta(ge=0, le=200000, description="0-200000.")]


def _tidy(data: ActivityCreate | ActivityUpdate) -> None:
    in_time(data.started_at, "started_at")
    if isinstance(data.notes, str):
        data.notes = data.notes.strip()
    if isinstance(data.distance_km, float):
        data.distance_km = round(data.distance_km, 2)


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True):
    activity_type: ActivityType
    duration_min: Minutes
    intensity: Intensity
    started_at: Moment | None = None
    distance_km: Distance | None = None
    calories_burned: Burned | None = None
    heart_rate_avg: HeartRate | None = None
    steps: Steps | None = None
    notes: Notes | None = None

    def __post_init__(self) -> None:
        _tidy(self)


class ActivityUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields not sent stay; null clears an optional one; ``calories_burned: null`` estimates the
    calories again, and an estimate follows a new type, intensity or duration."""

    activity_type: ActivityType | UnsetType = UNSET
    duration_min: Minutes | UnsetType = UNSET
    intensity: Intensity | UnsetType = UNSET
    started_at: Moment | UnsetType = UNSET
    distance_km: Distance | None | UnsetType = UNSET
    calories_burned: Burned | None | UnsetType = UNSET
    heart_rate_avg: HeartRate | None | UnsetType = UNSET
    steps: Steps | None | UnsetType = UNSET
    notes: Notes | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        _tidy(self)


class Activity(msgspec.Struct):
    id: int
    activity_type: ActivityType
    intensity: Intensity
    started_at: datetime
    local_date: date
    time_zone: str
    duration_min: int
    distance_km: float | None
    calories_burned: int
    calories_source: CaloriesSource
    heart_rate_avg: int | None
    steps: int | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
    version: int
