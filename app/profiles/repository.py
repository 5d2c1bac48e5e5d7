"""Profile data access: one statement per use case; the targets are computed by the statement
that writes the profile (the profiles_compute_targets trigger), never by Python."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from app.db.queries import sql
from app.db.repository import Repository, changes
from app.kit.errors import ErrorDetails, InvalidInput
from app.profiles.models import (
    Profile,
    ProfileRow,
    ProfileUpdate,
    ProfileWrite,
    PutProfileRow,
    TargetOverrides,
)

_FIELDS = ("birth_date", "gender", "height_cm", "weight_kg", "activity_level", "fitness_goal",
           "diet_type", "allergies", "health_conditions", "medications", "time_zone",
           "water_target_ml")
_OVERRIDES = ("calories_override", "protein_g_override", "carbs_g_override", "fat_g_override")

_get = sql("profiles/get_profile", "user_id", row=ProfileRow)
_version = sql("profiles/get_profile_version", "user_id")
_put = sql("profiles/put_profile", "user_id", *_FIELDS, *_OVERRIDES, row=PutProfileRow)
_update = sql("profiles/update_profile", "user_id", *_FIELDS, "diet_type_sent", *_OVERRIDES,
              "targets_sent", "if_match", row=ProfileRow)
_delete = sql("profiles/delete_profile", "user_id", "if_match")

CONSTRAINTS = {
    name: InvalidInput(rule, extra=ErrorDetails(field=field)) for name, field, rule in [
        ("profiles_time_zone_fkey", "time_zone",
         "time_zone must be an IANA time zone name PostgreSQL knows, such as Europe/Lisbon"),
        ("profiles_age_range", "birth_date",
         "birth_date must make the user 13-120 years old on their local today"),
        ("profiles_height_range", "height_cm", "height_cm must be 100-250"),
        ("profiles_weight_range", "weight_kg", "weight_kg must be 25-400"),
        ("profiles_gender_valid", "gender", "gender must be male, female or other"),
        ("profiles_activity_level_valid", "activity_level",
         "activity_level must be sedentary, light, moderate, active or very_active"),
        ("profiles_fitness_goal_valid", "fitness_goal",
         "fitness_goal must be lose, maintain or gain"),
        ("profiles_diet_type_length", "diet_type", "diet_type must be 1-50 characters, not blank"),
        ("profiles_lists_size", "allergies",
         "allergies, health_conditions and medications hold at most 50 entries each"),
        ("profiles_water_target_range", "water_target_ml", "water_target_ml must be 500-10000"),
        ("profiles_calories_override_range", "targets.calories",
         "targets.calories must be 500-10000"),
        ("profiles_macro_overrides_range", "targets",
         "targets.protein_g, carbs_g and fat_g must be 0-1000"),
    ]
}


def _overrides(targets: TargetOverrides | None) -> dict[str, Any]:
    targets = targets or TargetOverrides()
    return {"calories_override": targets.calories, "protein_g_override": targets.protein_g,
            "carbs_g_override": targets.carbs_g, "fat_g_override": targets.fat_g}


def _whole(profile: ProfileWrite) -> dict[str, Any]:
    return {**{name: getattr(profile, name) for name in _FIELDS}, **_overrides(profile.targets)}


class ProfileRepository(Repository):
    __slots__ = ()

    async def get(self, *, user_id: int) -> Profile | None:
        row = await self.one(_get, user_id=user_id)
        return None if row is None else row.profile()

    async def version(self, *, user_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id)
        return version

    async def put(self, *, user_id: int, profile: ProfileWrite) -> tuple[bool, Profile] | None:
        """Create or replace: whether it was created, and the profile; None when the account is
        gone or deactivated."""
        row = await self.one(_put, user_id=user_id, **_whole(profile))
        return None if row is None else (row.created, row.profile())

    async def replace(self, *, user_id: int, profile: ProfileWrite, if_match: list[int] | None
                      ) -> Profile | None:
        """Replace an existing profile whole (a PUT with If-Match); None when there is none or
        (with ``if_match``) it is at another version."""
        row = await self.one(_update, user_id=user_id, **_whole(profile), diet_type_sent=True,
                             targets_sent=True, if_match=if_match)
        return None if row is None else row.profile()

    async def update(self, *, user_id: int, patch: ProfileUpdate, if_match: list[int] | None
                     ) -> Profile | None:
        """Change the fields sent; None when there is no profile or (with ``if_match``) it is at
        another version."""
        values = changes(patch, nullable=["diet_type"])
        del values["targets"]
        targets_sent = patch.targets is not UNSET
        overrides = _overrides(patch.targets if isinstance(patch.targets, TargetOverrides)
                               else None)
        row = await self.one(_update, user_id=user_id, **values, **overrides,
                             targets_sent=targets_sent, if_match=if_match)
        return None if row is None else row.profile()

    async def delete(self, *, user_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(_delete, user_id=user_id, if_match=if_match) == 1
