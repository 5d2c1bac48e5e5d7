"""Streaks, XP, levels and achievements through the HTTP API on a real PostgreSQL: what each
write earns in its own transaction, what a delete takes back, backdated days, isolation and
gone accounts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from tests.engagement.helpers import cook, got, notifications, recipe, streaks, unlocked
from tests.helpers import Account, deactivate
from tests.nutrition.helpers import drink, local_today, log_food, put_profile

ZONE = "Europe/Lisbon"


def _days_ago(days: int, zone: str = ZONE, hour: int = 12) -> str:
    """Noon (local) of a local date ``days`` before today in ``zone``."""
    day = local_today(zone) - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone)).isoformat()


async def test_a_new_user_has_nothing_yet(client, alice: Account):
    assert await got(client, alice, "/stats") == {
        "xp": 0, "level": 1, "xp_to_next_level": 100, "total_meals_logged": 0,
        "total_activities_logged": 0, "total_recipes_generated": 0, "total_weigh_ins": 0}
    body = await got(client, alice, "/streaks")
    assert body["streaks"] == [
        {"kind": kind, "current_count": 0, "longest_count": 0, "last_activity_date": None}
        for kind in ("food_logging", "activity", "water_goal")]
    achievements = (await got(client, alice, "/achievements"))["achievements"]
    codes = [a["code"] for a in achievements]
    assert {"first_meal", "meals_100", "streak_food_7", "streak_food_30", "first_activity",
            "activities_50", "first_weigh_in", "weight_goal_reached",
            "water_goal_7"} <= set(codes)
    assert all(a["unlocked_at"] is None for a in achievements)
    meals = next(a for a in achievements if a["code"] == "meals_100")
    assert (meals["progress"], meals["target"]) == (0, 100)
    goal = next(a for a in achievements if a["code"] == "weight_goal_reached")
    assert (goal["progress"], goal["target"]) == (None, None)


async def test_a_first_meal_pays_its_xp_and_unlocks_first_meal_once(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE)
    await log_food(client, alice)
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_meals_logged"]) == (10 + 20, 1)
    assert list(await unlocked(client, alice)) == ["first_meal"]
    await log_food(client, alice)
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_meals_logged"]) == (10 + 20 + 10, 2)
    told = [n for n in await notifications(client, alice) if n["kind"] == "achievement_unlocked"]
    assert [n["data"] for n in told] == [{"achievement": "first_meal", "xp": 20}]
    current = await streaks(client, alice)
    assert current["food_logging"] == {"kind": "food_logging", "current_count": 1,
                                       "longest_count": 1,
                                       "last_activity_date": local_today(ZONE).isoformat()}


async def test_deleting_an_entry_takes_its_xp_and_its_day_back(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE)
    log = await log_food(client, alice)
    await log_food(client, alice, eaten_at=_days_ago(1))
    assert (await streaks(client, alice))["food_logging"]["current_count"] == 2
    deleted = await client.delete(f"/food-logs/{log['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    stats = await got(client, alice, "/stats")
    # the achievement stays unlocked with its XP; the meal's 10 XP is taken back
    assert (stats["xp"], stats["total_meals_logged"]) == (10 + 20, 1)
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["longest_count"]) == (1, 1)
    assert food["last_activity_date"] == (local_today(ZONE) - timedelta(days=1)).isoformat()


async def test_a_day_with_another_entry_stays_when_one_is_deleted(client, alice: Account):
    first = await log_food(client, alice)
    await log_food(client, alice)
    assert (await client.delete(f"/food-logs/{first['id']}", headers=alice.headers)
            ).status_code == 204
    assert (await streaks(client, alice))["food_logging"]["current_count"] == 1


async def test_backdated_meals_join_the_days_around_them(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE)
    await log_food(client, alice)
    await log_food(client, alice, eaten_at=_days_ago(2))
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["longest_count"]) == (1, 1)
    await log_food(client, alice, eaten_at=_days_ago(1))  # yesterday's dinner, logged today
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["longest_count"]) == (3, 3)


async def test_a_streak_reads_zero_once_its_last_day_is_before_yesterday(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE)
    await log_food(client, alice, eaten_at=_days_ago(3))
    await log_food(client, alice, eaten_at=_days_ago(2))
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["longest_count"]) == (0, 2)
    await log_food(client, alice, eaten_at=_days_ago(1))
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["longest_count"]) == (3, 3)


async def test_moving_a_meal_to_another_day_moves_its_streak_day(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE)
    log = await log_food(client, alice, eaten_at=_days_ago(5))
    await log_food(client, alice)
    moved = await client.patch(f"/food-logs/{log['id']}", json={"eaten_at": _days_ago(1)},
                               headers=alice.headers)
    assert moved.status_code == 200, moved.text
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["longest_count"]) == (2, 2)
    assert (await got(client, alice, "/stats"))["xp"] == 10 + 10 + 20


async def test_a_week_of_logging_notifies_its_milestone_and_unlocks_once(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE)
    logs = [await log_food(client, alice, eaten_at=_days_ago(days)) for days in range(7)]
    assert (await streaks(client, alice))["food_logging"]["current_count"] == 7
    assert "streak_food_7" in await unlocked(client, alice)
    # the week's last day out and in again: the same run, no second milestone nor unlock
    assert (await client.delete(f"/food-logs/{logs[0]['id']}", headers=alice.headers)
            ).status_code == 204
    await log_food(client, alice)
    told = await notifications(client, alice)
    milestones = [n for n in told if n["kind"] == "streak_milestone"]
    assert [n["data"]["days"] for n in milestones] == [7]
    assert milestones[0]["data"]["streak"] == "food_logging"
    assert [n["data"]["achievement"] for n in told if n["kind"] == "achievement_unlocked"
            ].count("streak_food_7") == 1
    stats = await got(client, alice, "/stats")
    assert stats["xp"] == 7 * 10 + 20 + 70


async def test_water_reaching_the_target_makes_a_water_goal_day(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE, water_target_ml=1500)
    first = await drink(client, alice, 1000)
    assert (await streaks(client, alice))["water_goal"]["current_count"] == 0
    await drink(client, alice, 500)
    water = (await streaks(client, alice))["water_goal"]
    assert (water["current_count"], water["last_activity_date"]) == (
        1, local_today(ZONE).isoformat())
    assert (await client.delete(f"/water/{first['id']}", headers=alice.headers)
            ).status_code == 204
    assert (await streaks(client, alice))["water_goal"]["current_count"] == 0
    assert (await got(client, alice, "/stats"))["xp"] == 0  # water pays no XP


async def test_without_a_profile_water_has_no_goal(client, alice: Account):
    await drink(client, alice, 5000)
    assert (await streaks(client, alice))["water_goal"]["longest_count"] == 0


async def test_a_week_of_water_unlocks_water_goal_7(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE, water_target_ml=500)
    for days in range(7):
        await drink(client, alice, 500, drunk_at=_days_ago(days))
    assert "water_goal_7" in await unlocked(client, alice)
    achievements = (await got(client, alice, "/achievements"))["achievements"]
    water = next(a for a in achievements if a["code"] == "water_goal_7")
    assert (water["progress"], water["target"]) == (7, 7)


async def test_a_recipe_history_entry_pays_5_xp_and_a_deleted_recipe_takes_it_back(
        client, alice: Account):
    recipe_id = await recipe(client, alice)
    await cook(client, alice, recipe_id)
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_recipes_generated"]) == (5 + 20, 1)
    assert list(await unlocked(client, alice)) == ["first_recipe"]
    deleted = await client.delete(f"/recipes/{recipe_id}", headers=alice.headers)
    assert deleted.status_code == 204
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_recipes_generated"]) == (20, 0)


async def test_a_retried_create_with_its_idempotency_key_pays_once(client, alice: Account):
    keyed = {**alice.headers, "Idempotency-Key": "meal-1"}
    body = {"meal_type": "lunch", "items": [{"name": "Soup", "calories": 100, "protein_g": 1,
                                             "carbs_g": 1, "fat_g": 1}]}
    first = await client.post("/food-logs", json=body, headers=keyed)
    again = await client.post("/food-logs", json=body, headers=keyed)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_meals_logged"]) == (30, 1)


@pytest.mark.parametrize(("xp", "level", "to_next"), [
    (0, 1, 100), (99, 1, 1), (100, 2, 200), (299, 2, 1), (300, 3, 300), (600, 4, 400),
    (4500, 10, 1000), (5499, 10, 1), (10**12, 141421, 2033100)])
async def test_levels_follow_100_l_l_minus_1_over_2(database_url, xp, level, to_next):
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow("SELECT xp_level($1) AS level, "
                                  "xp_for_level(xp_level($1) + 1) - $1 AS to_next", xp)
    finally:
        await conn.close()
    assert (row["level"], row["to_next"]) == (level, to_next)
    assert 100 * level * (level - 1) // 2 <= xp < 100 * (level + 1) * level // 2


async def test_the_stats_climb_levels_with_xp(client, alice: Account):
    for _ in range(8):
        await log_food(client, alice)
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["level"], stats["xp_to_next_level"]) == (100, 2, 200)


async def test_another_users_entries_are_not_yours(client, alice: Account, bob: Account):
    await log_food(client, alice)
    recipe_id = await recipe(client, alice)
    await cook(client, alice, recipe_id)
    assert (await got(client, bob, "/stats"))["xp"] == 0
    assert (await streaks(client, bob))["food_logging"]["longest_count"] == 0
    assert await unlocked(client, bob) == {}


@pytest.mark.parametrize("gone", ["deleted", "deactivated"])
async def test_a_gone_accounts_token_is_401_everywhere(client, alice: Account, database_url,
                                                       gone):
    await log_food(client, alice)
    if gone == "deleted":
        assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    else:
        await deactivate(database_url, alice.user_id)
    for path in ("/streaks", "/stats", "/achievements", "/today"):
        response = await client.get(path, headers=alice.headers)
        assert response.status_code == 401, (path, response.text)


async def test_delete_me_removes_every_engagement_row_of_the_user_only(
        client, alice: Account, bob: Account, database_url):
    tables = ("streak_days", "streaks", "streak_milestones", "xp_events", "user_stats",
              "user_achievements")
    for who in (alice, bob):
        await put_profile(client, who, time_zone=ZONE, water_target_ml=500)
        for days in range(7):
            await log_food(client, who, eaten_at=_days_ago(days))
        await drink(client, who, 500)
    conn = await asyncpg.connect(database_url)
    try:
        async def counts(user_id: int) -> dict[str, int]:
            return {t: await conn.fetchval(f"SELECT count(*) FROM {t} WHERE user_id = $1",
                                           user_id) for t in tables}
        assert all((await counts(alice.user_id)).values())
        bobs = await counts(bob.user_id)
        assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
        assert await counts(alice.user_id) == dict.fromkeys(tables, 0)
        assert await counts(bob.user_id) == bobs
    finally:
        await conn.close()


async def test_the_moments_of_a_day_come_from_now_in_the_users_zone(client, alice: Account):
    """A meal at 23:30 in Kiritimati (UTC+14) is on the local date, whatever the UTC date."""
    zone = "Pacific/Kiritimati"
    await put_profile(client, alice, time_zone=zone)
    day = local_today(zone) - timedelta(days=1)
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=ZoneInfo(zone))
    await log_food(client, alice, eaten_at=late.astimezone(timezone.utc).isoformat())
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["last_activity_date"]) == (1, day.isoformat())
