"""The profile through HTTP: create or replace, read, change, delete; the targets computed from it
(Mifflin-St Jeor, activity factors, goal adjustments, macro split, overrides); validation; the age
on the user's local today; If-Match; isolation between users."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.helpers import Account
from tests.nutrition.helpers import PROFILE, local_today, put_profile

FACTORS = {"sedentary": "1.2", "light": "1.375", "moderate": "1.55", "active": "1.725",
           "very_active": "1.9"}
GENDER = {"male": 5, "female": -161, "other": -78}
GOAL = {"lose": -500, "maintain": 0, "gain": 300}


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _years(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def expected_targets(profile: dict[str, Any], today: date) -> dict[str, Any]:
    """The issue's formulas, written again in Python with exact decimals."""
    age = _years(date.fromisoformat(profile["birth_date"]), today)
    bmr = (10 * Decimal(str(profile["weight_kg"])) + Decimal("6.25") * Decimal(str(
        profile["height_cm"])) - 5 * age + GENDER[profile["gender"]])
    tdee = _round(bmr * Decimal(FACTORS[profile["activity_level"]]))
    daily = max(1200, tdee + GOAL[profile["fitness_goal"]])
    overrides = profile.get("targets") or {}
    calories = overrides.get("calories") or daily
    return {
        "age": age, "bmr": _round(bmr), "tdee": tdee, "daily_calories": daily,
        "targets": {
            "calories": calories,
            "protein_g": overrides.get("protein_g", _round(calories * Decimal("0.3") / 4)),
            "carbs_g": overrides.get("carbs_g", _round(calories * Decimal("0.4") / 4)),
            "fat_g": overrides.get("fat_g", _round(calories * Decimal("0.3") / 9)),
        },
    }


def _computed(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in ("age", "bmr", "tdee", "daily_calories", "targets")}


async def test_put_creates_the_profile_with_its_targets(client, alice: Account):
    response = await client.put("/profile", json={**PROFILE, "allergies": [" peanuts "]},
                                headers=alice.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["ETag"] == '"1"'
    assert body["formula"] == "mifflin_st_jeor"
    assert _computed(body) == expected_targets(PROFILE, local_today("UTC"))
    assert body["overrides"] == {"calories": None, "protein_g": None, "carbs_g": None,
                                 "fat_g": None}
    assert body["allergies"] == ["peanuts"]
    assert (body["time_zone"], body["water_target_ml"], body["diet_type"]) == ("UTC", 2000, None)
    assert body["targets_computed_on"] == local_today("UTC").isoformat()
    fetched = await client.get("/profile", headers=alice.headers)
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["ETag"] == '"1"'


def test_the_example_of_the_formulas():
    """A 36-year-old man, 70 kg, 175 cm, moderately active: 1618.75 kcal, 2509.0625 kcal."""
    got = expected_targets({**PROFILE, "birth_date": "1990-05-01"}, date(2026, 12, 1))
    assert got == {"age": 36, "bmr": 1619, "tdee": 2509, "daily_calories": 2509,
                   "targets": {"calories": 2509, "protein_g": 188, "carbs_g": 251, "fat_g": 84}}


@pytest.mark.parametrize("fields", [
    {"gender": "female", "activity_level": "sedentary", "fitness_goal": "lose"},
    {"gender": "other", "activity_level": "light", "fitness_goal": "gain"},
    {"gender": "male", "activity_level": "active", "fitness_goal": "lose", "weight_kg": 92.4},
    {"gender": "female", "activity_level": "very_active", "fitness_goal": "maintain",
     "height_cm": 158.5, "weight_kg": 51.3, "birth_date": "2005-02-10"},
    {"gender": "other", "activity_level": "moderate", "fitness_goal": "gain",
     "birth_date": "1950-12-31", "height_cm": 190, "weight_kg": 120},
])
async def test_every_gender_activity_and_goal_follows_the_formulas(client, alice: Account, fields):
    body = await put_profile(client, alice, **fields)
    assert _computed(body) == expected_targets({**PROFILE, **fields}, local_today("UTC"))


async def test_daily_calories_never_go_below_1200(client, alice: Account):
    small = {"gender": "female", "height_cm": 150, "weight_kg": 40, "birth_date": "1950-01-01",
             "activity_level": "sedentary", "fitness_goal": "lose"}
    body = await put_profile(client, alice, **small)
    assert body["tdee"] - 500 < 1200
    assert body["daily_calories"] == 1200 == body["targets"]["calories"]
    assert body["targets"]["protein_g"] == 90 and body["targets"]["fat_g"] == 40


async def test_overrides_replace_the_computed_values(client, alice: Account):
    body = await put_profile(client, alice, targets={"calories": 1800})
    assert body["targets"] == {"calories": 1800, "protein_g": 135, "carbs_g": 180, "fat_g": 60}
    assert body["daily_calories"] == expected_targets(PROFILE, local_today("UTC"))["daily_calories"]
    assert body["overrides"]["calories"] == 1800
    body = await put_profile(client, alice, targets={"protein_g": 200, "fat_g": 0})
    computed = expected_targets(PROFILE, local_today("UTC"))["targets"]
    assert body["targets"] == {**computed, "protein_g": 200, "fat_g": 0}


async def test_put_again_replaces_the_whole_profile(client, alice: Account):
    await put_profile(client, alice, diet_type="vegan", allergies=["soy"], water_target_ml=3000,
                      targets={"calories": 2000})
    response = await client.put("/profile", json=PROFILE, headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["ETag"] == '"2"' and body["version"] == 2
    assert (body["diet_type"], body["allergies"], body["water_target_ml"]) == (None, [], 2000)
    assert body["overrides"]["calories"] is None
    assert body["created_at"] != body["updated_at"]


async def test_patch_changes_the_fields_sent_and_recomputes_the_targets(client, alice: Account):
    created = await put_profile(client, alice, diet_type="vegetarian", medications=["statin"],
                                targets={"carbs_g": 300})
    response = await client.patch("/profile", json={"weight_kg": 80.5, "fitness_goal": "lose"},
                                  headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    changed = {**PROFILE, "weight_kg": 80.5, "fitness_goal": "lose", "targets": {"carbs_g": 300}}
    assert _computed(body) == expected_targets(changed, local_today("UTC"))
    assert body["targets"]["calories"] < created["targets"]["calories"]
    assert (body["diet_type"], body["medications"]) == ("vegetarian", ["statin"])
    assert body["version"] == 2 and response.headers["ETag"] == '"2"'
    cleared = await client.patch("/profile", json={"diet_type": None, "targets": None},
                                 headers=alice.headers)
    assert cleared.status_code == 200
    assert cleared.json()["diet_type"] is None
    assert cleared.json()["overrides"]["carbs_g"] is None


async def test_patch_and_delete_without_a_profile_are_404(client, alice: Account):
    for response in (await client.patch("/profile", json={"weight_kg": 70}, headers=alice.headers),
                     await client.delete("/profile", headers=alice.headers),
                     await client.get("/profile", headers=alice.headers)):
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == "profile not found"


async def test_if_match_guards_patch_put_and_delete(client, alice: Account):
    await put_profile(client, alice)
    await client.patch("/profile", json={"weight_kg": 71}, headers=alice.headers)
    stale = {**alice.headers, "If-Match": '"1"'}
    for response in (await client.patch("/profile", json={"weight_kg": 72}, headers=stale),
                     await client.put("/profile", json=PROFILE, headers=stale),
                     await client.delete("/profile", headers=stale)):
        assert response.status_code == 412, response.text
        assert response.headers["ETag"] == '"2"'
    current = {**alice.headers, "If-Match": '"2"'}
    replaced = await client.put("/profile", json=PROFILE, headers=current)
    assert replaced.status_code == 200 and replaced.json()["weight_kg"] == 70
    deleted = await client.delete("/profile", headers={**alice.headers, "If-Match": '"3"'})
    assert deleted.status_code == 204


async def test_put_with_if_match_does_not_create_a_profile(client, alice: Account):
    for tag in ('"1"', "*"):
        response = await client.put("/profile", json=PROFILE,
                                    headers={**alice.headers, "If-Match": tag})
        assert response.status_code == 412, response.text
        assert response.json()["extra"] == {"header": "If-Match"}
    assert (await client.get("/profile", headers=alice.headers)).status_code == 404


async def test_the_age_is_counted_on_the_users_local_today(client, alice: Account):
    """Kiritimati (UTC+14) is always at least a day ahead of Pago Pago (UTC-11): a birthday that
    is today in Kiritimati is still to come in Pago Pago."""
    today = local_today("Pacific/Kiritimati")
    if (today.month, today.day) == (2, 29):
        pytest.skip("no birthday 30 years ago on this day")
    birth = today.replace(year=today.year - 30).isoformat()
    ahead = await put_profile(client, alice, birth_date=birth, time_zone="Pacific/Kiritimati")
    assert ahead["age"] == 30
    assert ahead["targets_computed_on"] == today.isoformat()
    behind = await client.patch("/profile", json={"time_zone": "Pacific/Pago_Pago"},
                                headers=alice.headers)
    assert behind.json()["age"] == 29
    assert behind.json()["bmr"] == ahead["bmr"] + 5  # one year younger: 5 kcal more


@pytest.mark.parametrize(("field", "value"), [
    ("height_cm", 99.9), ("height_cm", 251), ("weight_kg", 24), ("weight_kg", 401),
    ("gender", "unknown"), ("activity_level", "lazy"), ("fitness_goal", "bulk"),
    ("diet_type", " "), ("diet_type", "x" * 51), ("allergies", ["x"] * 51), ("allergies", [""]),
    ("medications", ["x" * 101]), ("water_target_ml", 499), ("water_target_ml", 10001),
    ("time_zone", "Europe/Lisbon\n"), ("time_zone", "not a zone"), ("birth_date", "1990-02-30"),
    ("targets", {"calories": 499}), ("targets", {"protein_g": 1001}), ("targets", {"fiber": 3}),
])
async def test_bad_fields_are_400_naming_the_field(client, alice: Account, field, value):
    response = await client.put("/profile", json={**PROFILE, field: value}, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert field in response.text
    assert (await client.get("/profile", headers=alice.headers)).status_code == 404


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Foo+3", "europe/lisbon", "EST5"])
async def test_a_zone_postgresql_does_not_know_is_400(client, alice: Account, zone):
    response = await client.put("/profile", json={**PROFILE, "time_zone": zone},
                                headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == {"field": "time_zone"}
    await put_profile(client, alice)
    patched = await client.patch("/profile", json={"time_zone": zone}, headers=alice.headers)
    assert patched.status_code == 400 and patched.json()["extra"] == {"field": "time_zone"}


@pytest.mark.parametrize("birth", ["0001-01-01", "9999-12-31"])
async def test_a_birth_date_at_the_ends_of_the_calendar_is_400(client, alice: Account, birth):
    response = await client.put("/profile", json={**PROFILE, "birth_date": birth},
                                headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == {"field": "birth_date"}


@pytest.mark.parametrize("years", [12, 121, -1])
async def test_an_age_outside_13_to_120_is_400_naming_birth_date(client, alice: Account, years):
    today = local_today("UTC")
    birth = date(today.year - years, 1, 1) if years >= 0 else date(today.year + 1, 1, 1)
    if years == 12:
        birth = date(today.year - 12, today.month, 1)
    response = await client.put("/profile", json={**PROFILE, "birth_date": birth.isoformat()},
                                headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == {"field": "birth_date"}


async def test_unknown_fields_are_400(client, alice: Account):
    response = await client.put("/profile", json={**PROFILE, "age": 30}, headers=alice.headers)
    assert response.status_code == 400
    assert "age" in response.text


async def test_each_user_has_their_own_profile(client, alice: Account, bob: Account):
    await put_profile(client, alice, weight_kg=60)
    assert (await client.get("/profile", headers=bob.headers)).status_code == 404
    await put_profile(client, bob, weight_kg=90)
    assert (await client.get("/profile", headers=alice.headers)).json()["weight_kg"] == 60
    await client.delete("/profile", headers=bob.headers)
    assert (await client.get("/profile", headers=alice.headers)).status_code == 200


async def test_a_deleted_account_cannot_put_or_read_a_profile(client, alice: Account):
    await put_profile(client, alice)
    await client.delete("/users/me", headers=alice.headers)
    put = await client.put("/profile", json=PROFILE, headers=alice.headers)
    assert put.status_code == 401
    assert put.json()["detail"] == "the account no longer exists or its session has ended"
    assert (await client.get("/profile", headers=alice.headers)).status_code == 404
    assert (await client.patch("/profile", json={}, headers=alice.headers)).status_code == 404
