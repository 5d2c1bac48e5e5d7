"""Activities and weigh-ins earn what engagement_sources says, in their own write's transaction
(migration 0051): XP, totals, the activity streak, their achievements; a delete takes the XP and
the day back; a weight goal that a weigh-in completes unlocks weight_goal_reached once."""

from __future__ import annotations

from tests.engagement.helpers import got, notifications, streaks, unlocked
from tests.helpers import Account
from tests.nutrition.helpers import put_profile

RUN = {"activity_type": "running", "duration_min": 30, "intensity": "moderate"}


async def test_an_activity_pays_counts_and_joins_the_activity_streak_until_deleted(client,
                                                                                 alice: Account):
    created = await client.post("/activities", json=RUN, headers=alice.headers)
    assert created.status_code == 201, created.text
    stats = await got(client, alice, "/stats")
    # 15 XP for the activity, 20 for first_activity, which it unlocks.
    assert (stats["xp"], stats["total_activities_logged"]) == (35, 1)
    assert "first_activity" in await unlocked(client, alice)
    assert (await streaks(client, alice))["activity"]["current_count"] == 1

    deleted = await client.delete(f"/activities/{created.json()['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_activities_logged"]) == (20, 0)  # the achievement stays
    assert (await streaks(client, alice))["activity"]["current_count"] == 0


async def test_a_weigh_in_pays_and_counts_once(client, alice: Account):
    created = await client.post("/weights", json={"weight_kg": 70.5}, headers=alice.headers)
    assert created.status_code == 201, created.text
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_weigh_ins"]) == (5 + 20, 1)
    assert "first_weigh_in" in await unlocked(client, alice)


async def test_the_weigh_in_that_reaches_a_weight_goal_unlocks_weight_goal_reached_once(
    client, alice: Account
):
    await put_profile(client, alice, weight_kg=80)
    goal = await client.post("/goals", json={"goal_type": "weight_kg", "target_value": 75,
                                             "period": "once"}, headers=alice.headers)
    assert goal.status_code == 201, goal.text
    assert "weight_goal_reached" not in await unlocked(client, alice)
    for kg in (74.5, 74.0):
        response = await client.post("/weights", json={"weight_kg": kg}, headers=alice.headers)
        assert response.status_code == 201, response.text
    reached = await got(client, alice, f"/goals/{goal.json()['id']}")
    assert reached["is_completed"] is True
    assert "weight_goal_reached" in await unlocked(client, alice)
    unlocks = [n["data"] for n in await notifications(client, alice)
              if n["kind"] == "achievement_unlocked"]
    assert sum(1 for data in unlocks if data.get("achievement") == "weight_goal_reached") == 1
