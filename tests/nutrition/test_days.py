"""Daily nutrition through HTTP: one element per date with empty days as zeros, the meals, the
summary over logged days, the targets a day took with its first entry, the range rules, and one
day with its entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import Account
from tests.nutrition.helpers import ITEM, day, drink, local_today, log_food, put_profile

JULY = "from=2026-07-01&to=2026-07-03"


async def _days(client, who: Account, query: str) -> dict:
    response = await client.get(f"/nutrition/days?{query}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _noon(when: str) -> str:
    return f"{when}T12:00:00Z"


async def test_every_date_of_the_range_is_there_with_empty_days_as_zeros(client, alice: Account):
    await log_food(client, alice, eaten_at=_noon("2026-07-02"), meal_type="breakfast")
    await log_food(client, alice, eaten_at=_noon("2026-07-02"), meal_type="dinner",
                   items=[{**ITEM, "calories": 100}])
    await drink(client, alice, 300, drunk_at=_noon("2026-07-02"))
    await drink(client, alice, 200, drunk_at=_noon("2026-07-03"))
    body = await _days(client, alice, JULY)
    assert [d["date"] for d in body["days"]] == ["2026-07-01", "2026-07-02", "2026-07-03"]
    empty, logged, watered = body["days"]
    assert empty == {
        "date": "2026-07-01", "calories": 0.0, "protein_g": 0.0, "carbs_g": 0.0, "fat_g": 0.0,
        "fiber_g": 0.0, "water_ml": 0, "food_logs": 0, "water_entries": 0,
        "meals": {"breakfast": 0.0, "lunch": 0.0, "dinner": 0.0, "snack": 0.0},
        "calories_burned": 0, "active_minutes": 0, "steps": 0, "activities": 0,
        "targets": None, "remaining_calories": None,
    }
    assert (logged["calories"], logged["protein_g"], logged["fiber_g"]) == (350.5, 24.5, 16.0)
    assert logged["meals"] == {"breakfast": 250.5, "lunch": 0.0, "dinner": 100.0, "snack": 0.0}
    assert (logged["food_logs"], logged["water_ml"], logged["water_entries"]) == (2, 300, 1)
    assert (watered["water_ml"], watered["food_logs"]) == (200, 0)
    assert body["summary"] == {"days_logged": 1, "average_calories": 350.5,
                               "average_protein_g": 24.5, "average_carbs_g": 60.0,
                               "average_fat_g": 13.0}


async def test_averages_are_over_the_days_with_food_logs(client, alice: Account):
    for when, calories in [("2026-07-01", 1000), ("2026-07-03", 1500.25), ("2026-07-03", 0.5)]:
        await log_food(client, alice, eaten_at=_noon(when), items=[{**ITEM, "calories": calories}])
    body = await _days(client, alice, "from=2026-06-25&to=2026-07-05")
    assert len(body["days"]) == 11
    assert body["summary"]["days_logged"] == 2
    assert body["summary"]["average_calories"] == 1250.38  # (1000 + 1500.75) / 2, rounded
    nothing = await _days(client, alice, "from=2026-05-01&to=2026-05-02")
    assert nothing["summary"] == {"days_logged": 0, "average_calories": None,
                                  "average_protein_g": None, "average_carbs_g": None,
                                  "average_fat_g": None}


async def test_a_day_keeps_the_targets_of_its_first_entry(client, alice: Account):
    first = await put_profile(client, alice, water_target_ml=2500)
    await log_food(client, alice, eaten_at=_noon("2026-07-01"))
    changed = await client.patch("/profile", json={"weight_kg": 95, "water_target_ml": 3000},
                                 headers=alice.headers)
    later = changed.json()
    assert later["targets"] != first["targets"]
    await log_food(client, alice, eaten_at=_noon("2026-07-01"))
    await drink(client, alice, drunk_at=_noon("2026-07-02"))
    started, watered, empty = (await _days(client, alice, JULY))["days"]
    assert started["targets"] == {**first["targets"], "water_ml": 2500}
    assert started["remaining_calories"] == first["targets"]["calories"] - 501.0
    assert watered["targets"] == {**later["targets"], "water_ml": 3000}
    assert empty["targets"] == {**later["targets"], "water_ml": 3000}


async def test_a_day_whose_entries_are_all_deleted_takes_the_targets_again(
        client, alice: Account):
    first = await put_profile(client, alice)
    log = await log_food(client, alice, eaten_at=_noon("2026-07-01"))
    water = await drink(client, alice, drunk_at=_noon("2026-07-01"))
    later = (await client.patch("/profile", json={"fitness_goal": "gain"},
                                headers=alice.headers)).json()
    await client.delete(f"/food-logs/{log['id']}", headers=alice.headers)
    assert (await day(client, alice, "2026-07-01"))["day"]["targets"]["calories"] == (
        first["targets"]["calories"])
    await client.delete(f"/water/{water['id']}", headers=alice.headers)
    emptied = (await day(client, alice, "2026-07-01"))["day"]
    assert (emptied["food_logs"], emptied["water_entries"], emptied["calories"]) == (0, 0, 0.0)
    assert emptied["targets"]["calories"] == later["targets"]["calories"]
    await log_food(client, alice, eaten_at=_noon("2026-07-01"))
    assert (await day(client, alice, "2026-07-01"))["day"]["targets"]["calories"] == (
        later["targets"]["calories"])


async def test_edits_and_deletes_move_the_days(client, alice: Account):
    log = await log_food(client, alice, eaten_at=_noon("2026-07-01"), meal_type="lunch")
    moved = await client.patch(f"/food-logs/{log['id']}", json={
        "eaten_at": _noon("2026-07-03"), "meal_type": "snack",
        "items": [{**ITEM, "calories": 80}]}, headers=alice.headers)
    assert moved.status_code == 200
    left, _, arrived = (await _days(client, alice, JULY))["days"]
    assert (left["calories"], left["food_logs"], left["meals"]["lunch"]) == (0.0, 0, 0.0)
    assert (arrived["calories"], arrived["food_logs"], arrived["meals"]["snack"]) == (80.0, 1,
                                                                                      80.0)
    await client.patch(f"/food-logs/{log['id']}", json={"meal_type": "breakfast"},
                       headers=alice.headers)
    arrived = (await _days(client, alice, JULY))["days"][2]
    assert arrived["meals"] == {"breakfast": 80.0, "lunch": 0.0, "dinner": 0.0, "snack": 0.0}
    await client.delete(f"/food-logs/{log['id']}", headers=alice.headers)
    arrived = (await _days(client, alice, JULY))["days"][2]
    assert (arrived["calories"], arrived["food_logs"]) == (0.0, 0)


async def test_without_dates_the_range_is_the_week_to_the_users_local_today(
        client, alice: Account):
    await put_profile(client, alice, time_zone="Pacific/Kiritimati")
    today = local_today("Pacific/Kiritimati")
    body = await _days(client, alice, "")
    assert [d["date"] for d in body["days"]] == [
        (today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    ending = await _days(client, alice, "to=2026-07-10")
    assert [d["date"] for d in ending["days"]][0] == "2026-07-04"
    since = await _days(client, alice, f"from={(today - timedelta(days=2)).isoformat()}")
    assert [d["date"] for d in since["days"]][-1] == today.isoformat()
    assert len(since["days"]) == 3


@pytest.mark.parametrize("query", [
    "from=2026-07-02&to=2026-07-01", "from=2026-01-01&to=2027-01-02", "from=2026-07-01x",
    "to=2026-02-30", "from=0001-01-01&to=0001-01-05", "to=9999-12-31", "from=1899-12-31",
])
async def test_a_bad_range_is_400(client, alice: Account, query):
    response = await client.get(f"/nutrition/days?{query}", headers=alice.headers)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("path", ["/nutrition/days/0001-01-01", "/nutrition/days/9999-12-31",
                                  "/food-logs?from=0001-01-01", "/water?to=9999-12-31"])
async def test_a_date_outside_the_years_of_a_diary_is_400(client, alice: Account, path):
    response = await client.get(path, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert "must be from 1900-01-01 to 2999-12-31" in response.json()["detail"]


async def test_a_range_is_1_to_366_days(client, alice: Account):
    assert len((await _days(client, alice, "from=2024-01-01&to=2024-12-31"))["days"]) == 366
    single = await _days(client, alice, "from=2024-02-29&to=2024-02-29")
    assert [d["date"] for d in single["days"]] == ["2024-02-29"]
    too_long = await client.get("/nutrition/days?from=2024-01-01&to=2025-01-01",
                                headers=alice.headers)
    assert too_long.status_code == 400
    assert too_long.json()["detail"] == "a range holds at most 366 days"


async def test_a_range_refused_after_the_default_to_is_400(client, alice: Account):
    today = local_today("UTC")
    for since in (today + timedelta(days=3), today - timedelta(days=400)):
        response = await client.get(f"/nutrition/days?from={since.isoformat()}",
                                    headers=alice.headers)
        assert response.status_code == 400, response.text
        assert response.json()["extra"] == {"parameter": "from"}


async def test_one_day_comes_with_its_logs_and_water(client, alice: Account, bob: Account):
    await put_profile(client, alice, time_zone="America/Los_Angeles")
    late = await log_food(client, alice, eaten_at="2026-07-02T05:00:00Z", meal_type="dinner")
    early = await log_food(client, alice, eaten_at="2026-07-01T15:00:00Z", meal_type="breakfast")
    water = await drink(client, alice, 400, drunk_at="2026-07-01T18:00:00Z")
    await log_food(client, alice, eaten_at="2026-07-02T08:00:00Z")
    await log_food(client, bob, eaten_at="2026-07-01T15:00:00Z")
    body = await day(client, alice, "2026-07-01")
    assert [log["id"] for log in body["food_logs"]] == [early["id"], late["id"]]
    assert body["food_logs"][0] == early
    assert body["water"] == [{k: v for k, v in water.items() if k != "day_total_ml"}]
    assert (body["day"]["food_logs"], body["day"]["calories"], body["day"]["water_ml"]) == (
        2, 501.0, 400)
    assert body["day"]["date"] == "2026-07-01"
    empty = await day(client, bob, "2026-06-30")
    assert (empty["food_logs"], empty["water"], empty["day"]["calories"]) == ([], [], 0.0)
    assert (await client.get("/nutrition/days/2026-13-01",
                             headers=alice.headers)).status_code == 400


async def test_a_deleted_account_has_no_days(client, alice: Account):
    await log_food(client, alice)
    await client.delete("/users/me", headers=alice.headers)
    for path in ("/nutrition/days", f"/nutrition/days/{date.today().isoformat()}"):
        response = await client.get(path, headers=alice.headers)
        assert response.status_code == 401, (path, response.text)
