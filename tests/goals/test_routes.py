"""Goals through HTTP: a weight goal's direction, progress and completion (set by the weigh-in
that reaches it, kept when later ones move away, by a PATCH the latest weigh-in already meets,
never by one before the goal's dates); periodic goals' current value, progress and periods met
over local days, weeks from Monday (at a week boundary far from UTC) and months; the active
filter, keyset pages, If-Match, Idempotency-Key, bad input, and one user's goals not being
another's."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import Account
from tests.nutrition.helpers import (
    ITEM,
    delete_and_deactivate,
    drink,
    every_page,
    local_today,
    log_activity,
    log_food,
    put_profile,
    weigh,
)

FAR = "Pacific/Kiritimati"  # UTC+14: its local Monday starts on Sunday at 10:00 UTC


async def _goal(client, who: Account, **body) -> dict:
    response = await client.post("/goals", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _get(client, who: Account, goal: dict) -> dict:
    response = await client.get(f"/goals/{goal['id']}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _at(day: date, hour: int, minute: int, zone: str) -> str:
    """An instant of a local date and time of ``zone``, as the API takes it."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(
        timezone.utc).isoformat()


def _ago(hours: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).isoformat()


async def test_a_weight_goal_goes_from_the_current_weight_and_completes_once(
        client, alice: Account):
    await put_profile(client, alice, weight_kg=90)
    await weigh(client, alice, 88, measured_at=_ago(30))
    goal = await _goal(client, alice, goal_type="weight_kg", target_value=80, period="once")
    assert (goal["start_value"], goal["direction"], goal["current_value"], goal["progress"]) == (
        88.0, "down", 88.0, 0.0)
    assert (goal["is_completed"], goal["completed_at"], goal["periods_met"]) == (False, None, None)
    assert goal["period_start"] is None and goal["starts_on"] == local_today("UTC").isoformat()
    await weigh(client, alice, 84, measured_at=_ago(3))
    assert (await _get(client, alice, goal))["progress"] == 0.5
    reached = await weigh(client, alice, 79.5, measured_at=_ago(2))
    done = await _get(client, alice, goal)
    assert done["is_completed"] and done["completed_at"] == reached["measured_at"]
    await weigh(client, alice, 85, measured_at=_ago(1))
    later = await _get(client, alice, goal)
    assert (later["is_completed"], later["completed_at"]) == (True, reached["measured_at"])
    assert (later["current_value"], later["progress"]) == (85.0, 1.0)


async def test_a_weight_goal_up_and_one_that_only_a_backdated_weigh_in_reaches(
        client, alice: Account):
    await weigh(client, alice, 60, measured_at=_ago(2))
    up = await _goal(client, alice, goal_type="weight_kg", target_value=65, period="once")
    assert (up["start_value"], up["direction"]) == (60.0, "up")
    await weigh(client, alice, 66, measured_at=_ago(24 * 10))  # before the goal's dates
    assert not (await _get(client, alice, up))["is_completed"]
    await weigh(client, alice, 62.5, measured_at=_ago(1))
    assert (await _get(client, alice, up))["progress"] == 0.5
    await weigh(client, alice, 65, measured_at=_ago(0.5))
    assert (await _get(client, alice, up))["is_completed"]


async def test_a_patched_target_the_latest_weigh_in_meets_completes_the_goal(client,
                                                                            alice: Account):
    await weigh(client, alice, 90, measured_at=_ago(5))
    goal = await _goal(client, alice, goal_type="weight_kg", target_value=80, period="once")
    latest = await weigh(client, alice, 84, measured_at=_ago(1))
    response = await client.patch(f"/goals/{goal['id']}", json={"target_value": 85},
                                  headers=alice.headers)
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["is_completed"], patched["completed_at"], patched["target_value"]) == (
        True, latest["measured_at"], 85.0)
    again = await client.patch(f"/goals/{goal['id']}", json={"target_value": 70},
                               headers=alice.headers)
    assert again.json()["is_completed"] and again.json()["completed_at"] == latest["measured_at"]


async def test_a_weight_goal_needs_a_weight_that_is_not_its_target(client, alice: Account):
    no_weight = await client.post("/goals", json={"goal_type": "weight_kg", "target_value": 70,
                                                  "period": "once"}, headers=alice.headers)
    assert no_weight.status_code == 400 and no_weight.json()["extra"] == {"field": "goal_type"}
    await put_profile(client, alice, weight_kg=70)
    same = await client.post("/goals", json={"goal_type": "weight_kg", "target_value": 70,
                                             "period": "once"}, headers=alice.headers)
    assert same.status_code == 400 and same.json()["extra"] == {"field": "target_value"}
    from_profile = await _goal(client, alice, goal_type="weight_kg", target_value=75,
                               period="once")
    assert (from_profile["start_value"], from_profile["direction"]) == (70.0, "up")


async def test_a_weekly_goal_counts_local_weeks_from_monday_far_from_utc(client,
                                                                        alice: Account):
    await put_profile(client, alice, time_zone=FAR)
    today = local_today(FAR)
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(days=7)
    # The same UTC Sunday, either side of the local week's start: 23:30 and 00:30 local.
    await log_activity(client, alice, steps=7000, started_at=_at(monday - timedelta(days=1), 23,
                                                                  30, FAR))
    await log_activity(client, alice, steps=6000, started_at=_at(monday, 0, 30, FAR))
    await log_activity(client, alice, steps=5000, started_at=_at(last_monday + timedelta(days=1),
                                                                  9, 0, FAR))
    goal = await _goal(client, alice, goal_type="steps", target_value=10000, period="weekly",
                       starts_on=(last_monday + timedelta(days=2)).isoformat())
    assert (goal["current_value"], goal["progress"]) == (6000.0, 0.6)
    assert (goal["period_start"], goal["period_end"]) == (
        monday.isoformat(), (monday + timedelta(days=6)).isoformat())
    assert (goal["periods_met"], goal["periods_total"]) == (1, 2)  # last week: 12000
    minutes = await _goal(client, alice, goal_type="active_minutes", target_value=150,
                          period="weekly", starts_on=monday.isoformat())
    assert (minutes["current_value"], minutes["progress"]) == (45.0, 0.3)
    assert (minutes["periods_met"], minutes["periods_total"]) == (0, 1)


async def test_a_daily_calorie_limit_counts_the_days_kept_under_it(client, alice: Account):
    await put_profile(client, alice, time_zone=FAR)
    today = local_today(FAR)
    for days_ago, calories in [(2, 1500), (1, 2500), (0, 800)]:
        await log_food(client, alice, items=[{**ITEM, "calories": calories}],
                       eaten_at=_at(today - timedelta(days=days_ago), 0, 10, FAR))
    await drink(client, alice, 500, drunk_at=_at(today - timedelta(days=3), 12, 0, FAR))
    goal = await _goal(client, alice, goal_type="calories_max", target_value=2000,
                       period="daily", starts_on=(today - timedelta(days=3)).isoformat())
    assert (goal["current_value"], goal["progress"]) == (800.0, 0.4)
    assert (goal["periods_met"], goal["periods_total"]) == (2, 4)  # a day without food: not met
    assert goal["period_start"] == goal["period_end"] == today.isoformat()


async def test_daily_and_monthly_amounts(client, alice: Account):
    await put_profile(client, alice, time_zone=FAR)
    today = local_today(FAR)
    first = today.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    await drink(client, alice, 1500, drunk_at=_at(today, 0, 5, FAR))
    water = await _goal(client, alice, goal_type="water_min_ml", target_value=2000,
                        period="daily")
    assert (water["current_value"], water["progress"], water["periods_total"]) == (
        1500.0, 0.75, 1)
    await drink(client, alice, 500, drunk_at=_at(today, 0, 6, FAR))
    assert (await _get(client, alice, water))["periods_met"] == 1
    for day in (previous, previous + timedelta(days=3), first):
        await log_food(client, alice, eaten_at=_at(day, 12, 0, FAR))
    meals = await _goal(client, alice, goal_type="meals_logged", target_value=2,
                        period="monthly", starts_on=(previous + timedelta(days=5)).isoformat())
    assert (meals["periods_met"], meals["periods_total"]) == (1, 2)
    assert (meals["current_value"], meals["period_start"]) == (1.0, first.isoformat())
    protein = await _goal(client, alice, goal_type="protein_min_g", target_value=49,
                          period="monthly", starts_on=first.isoformat())
    assert protein["current_value"] == ITEM["protein_g"]
    assert protein["progress"] == round(ITEM["protein_g"] / 49, 4)


async def test_an_ended_goal_is_looked_at_on_its_last_day_and_is_not_active(client,
                                                                           alice: Account):
    today = local_today("UTC")
    await drink(client, alice, 3000, drunk_at=_at(today - timedelta(days=3), 12, 0, "UTC"))
    ended = await _goal(client, alice, goal_type="water_min_ml", target_value=2000,
                        period="daily", starts_on=(today - timedelta(days=4)).isoformat(),
                        ends_on=(today - timedelta(days=3)).isoformat())
    assert (ended["current_value"], ended["periods_met"], ended["periods_total"]) == (
        3000.0, 1, 2)
    await weigh(client, alice, 70, measured_at=_ago(2))
    done = await _goal(client, alice, goal_type="weight_kg", target_value=71, period="once")
    await weigh(client, alice, 71, measured_at=_ago(1))
    open_goal = await _goal(client, alice, goal_type="steps", target_value=8000, period="daily")
    active = (await client.get("/goals?active=true", headers=alice.headers)).json()
    inactive = (await client.get("/goals?active=false", headers=alice.headers)).json()
    everything = (await client.get("/goals", headers=alice.headers)).json()
    assert [g["id"] for g in active["items"]] == [open_goal["id"]]
    assert [g["id"] for g in inactive["items"]] == [done["id"], ended["id"]]
    assert [g["id"] for g in everything["items"]] == [open_goal["id"], done["id"], ended["id"]]
    assert everything["items"][2] == await _get(client, alice, ended)


async def test_the_list_is_newest_first_in_pages(client, alice: Account):
    made = [await _goal(client, alice, goal_type="steps", target_value=1000 * (n + 1),
                        period="daily") for n in range(5)]
    assert await every_page(client, alice, "/goals", 2) == list(reversed(made))
    first = (await client.get("/goals?limit=2", headers=alice.headers)).json()
    other = await client.get(f"/goals?active=true&limit=2&cursor={first['next_cursor']}",
                             headers=alice.headers)
    assert other.status_code == 400


async def test_if_match_guards_edits_and_deletes(client, alice: Account):
    goal = await _goal(client, alice, goal_type="steps", target_value=8000, period="daily")
    path = f"/goals/{goal['id']}"
    got = await client.get(path, headers=alice.headers)
    assert got.headers["etag"] == '"1"'
    ended = await client.patch(path, json={"ends_on": "2999-01-01"}, headers=alice.headers)
    assert ended.status_code == 200 and ended.json()["ends_on"] == "2999-01-01"
    stale = await client.patch(path, json={"target_value": 9000},
                               headers={**alice.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'
    fresh = await client.patch(path, json={"ends_on": None, "target_value": 9000},
                               headers={**alice.headers, "If-Match": '"2"'})
    assert (fresh.json()["ends_on"], fresh.json()["target_value"]) == (None, 9000.0)
    assert (await client.delete(path, headers={**alice.headers, "If-Match": '"2"'})
            ).status_code == 412
    assert (await client.delete(path, headers=alice.headers)).status_code == 204
    assert (await client.get(path, headers=alice.headers)).status_code == 404


async def test_one_users_goals_are_not_anothers(client, alice: Account, bob: Account):
    goal = await _goal(client, alice, goal_type="steps", target_value=8000, period="daily")
    await log_activity(client, bob, steps=9000)
    path = f"/goals/{goal['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.patch(path, json={"target_value": 1}, headers=bob.headers)
            ).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.get("/goals", headers=bob.headers)).json()["items"] == []
    assert (await _get(client, alice, goal))["current_value"] == 0.0


async def test_a_retried_create_with_its_idempotency_key_sets_one_goal(client, alice: Account):
    headers = {**alice.headers, "Idempotency-Key": "goal-1"}
    body = {"goal_type": "steps", "target_value": 8000, "period": "daily"}
    first = await client.post("/goals", json=body, headers=headers)
    again = await client.post("/goals", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len((await client.get("/goals", headers=alice.headers)).json()["items"]) == 1


async def test_a_deleted_or_deactivated_account_has_no_goals(client, alice: Account,
                                                            bob: Account, database_url):
    body = {"goal_type": "steps", "target_value": 8000, "period": "daily"}
    await _goal(client, alice, **body)
    goal = await _goal(client, bob, **body)
    await delete_and_deactivate(client, database_url, "goals", alice, bob)
    for who in (alice, bob):
        assert (await client.post("/goals", json=body, headers=who.headers)).status_code == 401
        assert (await client.get("/goals", headers=who.headers)).status_code == 401
    assert (await client.get(f"/goals/{goal['id']}", headers=bob.headers)).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"goal_type": "steps", "target_value": 8000, "period": "once"}, "period"),
    ({"goal_type": "weight_kg", "target_value": 70, "period": "weekly"}, "period"),
    ({"goal_type": "weight_kg", "target_value": 20, "period": "once"}, "target_value"),
    ({"goal_type": "calories_max", "target_value": 100, "period": "daily"}, "target_value"),
    ({"goal_type": "steps", "target_value": 0, "period": "daily"}, "target_value"),
    ({"goal_type": "steps", "target_value": 8000, "period": "yearly"}, "period"),
    ({"goal_type": "sleep", "target_value": 8, "period": "daily"}, "goal_type"),
    ({"goal_type": "steps", "target_value": 8000, "period": "daily",
      "starts_on": "2026-07-02", "ends_on": "2026-07-01"}, "ends_on"),
    ({"goal_type": "steps", "target_value": 8000, "period": "daily",
      "starts_on": "0001-01-01"}, "starts_on"),
    ({"goal_type": "steps", "target_value": 8000, "period": "daily", "current_value": 1},
     "current_value"),
    ({"goal_type": "steps", "period": "daily"}, "target_value"),
])
async def test_bad_goals_are_400_naming_the_field(client, alice: Account, body, field):
    response = await client.post("/goals", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert field in response.text


async def test_bad_edits_are_400_naming_the_field(client, alice: Account):
    goal = await _goal(client, alice, goal_type="calories_max", target_value=2000,
                       period="daily", starts_on="2026-07-01")
    for body, field in [({"target_value": 100}, "target_value"),
                        ({"ends_on": "2026-06-30"}, "ends_on"),
                        ({"ends_on": "3001-01-01"}, "ends_on"), ({"period": "weekly"}, "period")]:
        response = await client.patch(f"/goals/{goal['id']}", json=body, headers=alice.headers)
        assert response.status_code == 400, (body, response.text)
        assert field in response.text, (body, response.text)
