"""GET /today: the home screen from one statement, equal to what the separate routes answer."""

from __future__ import annotations

from tests.engagement.helpers import got
from tests.helpers import Account
from tests.nutrition.helpers import ITEM, drink, local_today, log_food, put_profile

ZONE = "America/Sao_Paulo"


async def test_today_holds_what_the_separate_routes_answer(client, alice: Account, bob: Account):
    profile = await put_profile(client, alice, time_zone=ZONE, water_target_ml=1000)
    await log_food(client, alice, meal_type="breakfast")
    await log_food(client, alice, meal_type="dinner", items=[ITEM, ITEM])
    await drink(client, alice, 600)
    await drink(client, alice, 400)
    reserved = await client.post("/usage/coach_messages/reserve", headers=alice.headers)
    assert reserved.status_code == 200, reserved.text
    await log_food(client, bob)

    today = await got(client, alice, "/today")
    day = await got(client, alice, f"/nutrition/days/{local_today(ZONE).isoformat()}")
    stats = await got(client, alice, "/stats")
    assert today["date"] == local_today(ZONE).isoformat() and today["time_zone"] == ZONE
    assert today["day"] == day["day"]
    assert day["day"]["targets"]["water_ml"] == 1000
    assert day["day"]["targets"]["calories"] == profile["targets"]["calories"]
    assert day["day"]["calories"] == 3 * ITEM["calories"]
    assert day["day"]["meals"]["dinner"] == 2 * ITEM["calories"]
    assert (day["day"]["food_logs"], day["day"]["water_ml"]) == (2, 1000)
    assert today["calories_burned"] == 0
    assert today["remaining_calories"] == day["day"]["remaining_calories"]
    assert today["streaks"] == (await got(client, alice, "/streaks"))["streaks"]
    assert {s["kind"]: s["current_count"] for s in today["streaks"]} == {
        "food_logging": 1, "activity": 0, "water_goal": 1}
    assert today["stats"] == {"xp": stats["xp"], "level": stats["level"],
                              "xp_to_next_level": stats["xp_to_next_level"]}
    unread = (await got(client, alice, "/notifications"))["unread_count"]
    assert today["unread_notifications"] == unread == 1  # first_meal
    assert today["usage"] == (await got(client, alice, "/usage"))["counters"]
    coach = next(c for c in today["usage"] if c["kind"] == "coach_messages")
    assert coach["used"] == 1


async def test_today_without_a_profile_or_entries(client, alice: Account):
    today = await got(client, alice, "/today")
    assert today["time_zone"] == "UTC" and today["date"] == local_today("UTC").isoformat()
    assert today["day"]["targets"] is None and today["remaining_calories"] is None
    assert (today["day"]["calories"], today["day"]["food_logs"]) == (0, 0)
    assert today["stats"] == {"xp": 0, "level": 1, "xp_to_next_level": 100}
    assert today["unread_notifications"] == 0
    assert all(c["used"] == 0 for c in today["usage"])
