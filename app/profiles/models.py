"""Profile Structs: what a client sends (PUT, PATCH), the row, and the profile it gets back, with
the targets computed from it (the formulas are in migrations/0010_profiles.sql)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import END, text

Gender = Literal["male", "female", "other"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very_active"]
FitnessGoal = Literal["lose", "maintain", "gain"]
Height = Annotated[float, msgspec.Meta(ge=100, le=250,
                                       description="Centimetres, 100-250; kept to 0.1 cm.")]
Weight = Annotated[float, msgspec.Meta(ge=25, le=400,
                                       description="Kilograms, 25-400; kept to 0.1 kg.")]
BirthDate = Annotated[date, msgspec.Meta(
    description="The user must be 13-120 years old on their local today.")]
DietType = Annotated[str, text(50, min_length=1, blank=False,
                               description="1-50 characters, e.g. vegetarian; trimmed.")]
Entry = Annotated[str, text(100, min_length=1, blank=False)]
Entries = Annotated[list[Entry], msgspec.Meta(
    max_length=50, description="Up to 50 entries of 1-100 characters each; trimmed.")]
TimeZone = Annotated[str, msgspec.Meta(
    min_length=1, max_length=64, pattern=rf"^[A-Za-z][A-Za-z0-9/_+-]*{END}",
    description="An IANA time zone name PostgreSQL knows, e.g. Europe/Lisbon. It decides the "
                "user's local dates: the day of each entry, and when quotas reset.")]
WaterTarget = Annotated[int, msgspec.Meta(ge=500, le=10000, description="Millilitres a day.")]
CaloriesOverride = Annotated[int, msgspec.Meta(ge=500, le=10000)]
GramsOverride = Annotated[int, msgspec.Meta(ge=0, le=1000)]


def _trimmed(entries: list[str]) -> list[str]:
    return [entry.strip() for entry in entries]


class TargetOverrides(msgspec.Struct, forbid_unknown_fields=True):
    """Targets the user sets instead of the computed ones; null (or absent): computed."""

    calories: CaloriesOverride | None = None
    protein_g: GramsOverride | None = None
    carbs_g: GramsOverride | None = None
    fat_g: GramsOverride | None = None


class ProfileWrite(msgspec.Struct, forbid_unknown_fields=True):
    """The whole profile (PUT): fields left out take their defaults."""

    birth_date: BirthDate
    gender: Gender
    height_cm: Height
    weight_kg: Weight
    activity_level: ActivityLevel
    fitness_goal: FitnessGoal
    diet_type: DietType | None = None
    allergies: Entries = msgspec.field(default_factory=list)
    health_conditions: Entries = msgspec.field(default_factory=list)
    medications: Entries = msgspec.field(default_factory=list)
    time_zone: TimeZone = "UTC"
    water_target_ml: WaterTarget = 2000
    targets: TargetOverrides | None = None

    def __post_init__(self) -> None:
        if self.diet_type is not None:
            self.diet_type = self.diet_type.strip()
        self.allergies = _trimmed(self.allergies)
        self.health_conditions = _trimmed(self.health_conditions)
        self.medications = _trimmed(self.medications)


class ProfileUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields not sent stay as they are; ``diet_type: null`` clears it; ``targets`` replaces the
    overrides whole (``null``: all computed)."""

    birth_date: BirthDate | UnsetType = UNSET
    gender: Gender | UnsetType = UNSET
    height_cm: Height | UnsetType = UNSET
    weight_kg: Weight | UnsetType = UNSET
    activity_level: ActivityLevel | UnsetType = UNSET
    fitness_goal: FitnessGoal | UnsetType = UNSET
    diet_type: DietType | None | UnsetType = UNSET
    allergies: Entries | UnsetType = UNSET
    health_conditions: Entries | UnsetType = UNSET
    medications: Entries | UnsetType = UNSET
    time_zone: TimeZone | UnsetType = UNSET
    water_target_ml: WaterTarget | UnsetType = UNSET
    targets: TargetOverrides | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.diet_type, str):
            self.diet_type = self.diet_type.strip()
        for name in ("allergies", "health_conditions", "medications"):
            entries = getattr(self, name)
            if entries is not UNSET:
                setattr(self, name, _trimmed(entries))


class Targets(msgspec.Struct):
    """What the user aims for per day: the overrides where set, else the computed values."""

    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int


class Profile(msgspec.Struct):
    birth_date: date
    age: int
    gender: Gender
    height_cm: float
    weight_kg: float
    activity_level: ActivityLevel
    fitness_goal: FitnessGoal
    diet_type: str | None
    allergies: list[str]
    health_conditions: list[str]
    medications: list[str]
    time_zone: str
    water_target_ml: int
    formula: Literal["mifflin_st_jeor"]
    bmr: int
    tdee: int
    daily_calories: int
    targets: Targets
    overrides: TargetOverrides
    targets_computed_on: date
    created_at: datetime
    updated_at: datetime
    version: int


class ProfileRow(msgspec.Struct):
    """A profile as the statements return it: the targets and overrides flattened."""

    birth_date: date
    age: int
    gender: Gender
    height_cm: float
    weight_kg: float
    activity_level: ActivityLevel
    fitness_goal: FitnessGoal
    diet_type: str | None
    allergies: list[str]
    health_conditions: list[str]
    medications: list[str]
    time_zone: str
    water_target_ml: int
    formula: Literal["mifflin_st_jeor"]
    bmr: int
    tdee: int
    daily_calories: int
    target_calories: int
    target_protein_g: int
    target_carbs_g: int
    target_fat_g: int
    calories_override: int | None
    protein_g_override: int | None
    carbs_g_override: int | None
    fat_g_override: int | None
    targets_computed_on: date
    created_at: datetime
    updated_at: datetime
    version: int

    def profile(self) -> Profile:
        return Profile(
            self.birth_date, self.age, self.gender, self.height_cm, self.weight_kg,
            self.activity_level, self.fitness_goal, self.diet_type, self.allergies,
            self.health_conditions, self.medications, self.time_zone, self.water_target_ml,
            self.formula, self.bmr, self.tdee, self.daily_calories,
            Targets(self.target_calories, self.target_protein_g, self.target_carbs_g,
                    self.target_fat_g),
            TargetOverrides(self.calories_override, self.protein_g_override,
                            self.carbs_g_override, self.fat_g_override),
            self.targets_computed_on, self.created_at, self.updated_at, self.version,
        )


class PutProfileRow(ProfileRow):
    """put_profile's row: the profile, and whether the statement created it."""

    created: bool
