"""The diary's and the profile's tables refuse what the API refuses, even from code that skips the
API's validation (Struct constructors do not validate: this is what a bug in Python could pass
on), and such a refusal is a 400 naming the field, with the app's messages for its constraints."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from app.db.errors import ErrorTranslator
from app.db.repository import Context
from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.pages import Cursors
from app.modules import MODULES
from app.nutrition.models import FoodItem, FoodLogCreate
from app.nutrition.repository import DiaryRepository
from app.profiles.models import ProfileWrite
from app.profiles.repository import ProfileRepository
from tests.helpers import session_of


@pytest.fixture
def context() -> Context:
    """The app's error translator: every module's constraint messages."""
    errors = ErrorTranslator({k: v for m in MODULES for k, v in m.constraints.items()})
    return Context(None, errors, Cursors(secrets.token_urlsafe(32)))


@pytest.fixture
async def user_id(owner_conn) -> int:
    return await owner_conn.fetchval("INSERT INTO users (email, name, password_hash) "
                                     "VALUES ('eater@example.com', 'Eater', 'x') RETURNING id")


@pytest.fixture
async def session_id(owner_conn, user_id) -> int:
    return await session_of(owner_conn, user_id)


def _food(**fields) -> FoodItem:
    return FoodItem(**{"name": "Rice", "calories": 200.0, "protein_g": 4.0, "carbs_g": 44.0,
                       "fat_g": 0.5, **fields})


def _profile(**fields) -> ProfileWrite:
    return ProfileWrite(**{"birth_date": date(1990, 5, 1), "gender": "male", "height_cm": 175.0,
                           "weight_kg": 70.0, "activity_level": "moderate",
                           "fitness_goal": "maintain", **fields})


async def test_a_log_that_skipped_validation_is_a_400_and_writes_nothing(owner_conn, context,
                                                                        user_id, session_id):
    diary = DiaryRepository(owner_conn, context, session_id)
    with pytest.raises(InvalidInput) as refused:
        await diary.create(user_id=user_id, data=FoodLogCreate(
            meal_type="lunch", items=[_food(), _food(calories=-1.0)]))
    assert refused.value.extra == ErrorDetails(field="items")
    # No items: the totals' NOT NULL refuses the row before food_logs_items_count can.
    with pytest.raises(InvalidInput):
        await diary.create(user_id=user_id, data=FoodLogCreate(meal_type="lunch", items=[]))
    assert await owner_conn.fetchval("SELECT count(*) FROM food_logs") == 0
    assert await owner_conn.fetchval("SELECT count(*) FROM daily_nutrition") == 0


async def test_a_rule_without_a_message_is_still_a_400_naming_no_constraint(owner_conn, context,
                                                                           user_id, session_id):
    with pytest.raises(InvalidInput) as refused:
        await DiaryRepository(owner_conn, context, session_id).create(
            user_id=user_id, data=FoodLogCreate(meal_type="brunch", items=[_food()]))
    assert refused.value.extra is None  # constraint names are the schema's, never the API's


async def test_water_that_skipped_validation_is_a_400_naming_ml(owner_conn, context, user_id,
                                                                session_id):
    with pytest.raises(InvalidInput) as refused:
        await DiaryRepository(owner_conn, context, session_id).create_water(user_id=user_id, ml=0,
                                                                drunk_at=None)
    assert refused.value.extra == ErrorDetails(field="ml")
    assert await owner_conn.fetchval("SELECT count(*) FROM water_logs") == 0


@pytest.mark.parametrize(("fields", "field"), [
    ({"height_cm": 50.0}, "height_cm"),
    ({"weight_kg": 500.0}, "weight_kg"),
    ({"gender": "robot"}, "gender"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"birth_date": date(2020, 1, 1)}, "birth_date"),
    ({"water_target_ml": 10}, "water_target_ml"),
], ids=lambda v: v if isinstance(v, str) else None)
async def test_a_profile_that_skipped_validation_is_a_400_naming_the_field(
    owner_conn, context, user_id, session_id, fields, field
):
    profiles = ProfileRepository(owner_conn, context, session_id)
    with pytest.raises(InvalidInput) as refused:
        await profiles.put(user_id=user_id, profile=_profile(**fields))
    assert refused.value.extra == ErrorDetails(field=field)
    assert await owner_conn.fetchval("SELECT count(*) FROM profiles") == 0
