"""The hooks issue 12's writes will call (README: Engagement hooks), called here as their
statements will: an activity and a weigh-in paying and taking back their XP once each, the
activity streak on their local dates, first_activity and first_weigh_in, and
weight_goal_reached unlocked by name, once."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from tests.engagement.helpers import got, notifications, streaks, unlocked
from tests.helpers import Account
from tests.nutrition.helpers import local_today

CHANGED = "SELECT engagement_entry_changed($1, $2, $3, $4, $5)"


async def test_activities_and_weigh_ins_pay_once_and_take_it_back(client, alice: Account,
                                                                   database_url):
    today = local_today("UTC")
    conn = await asyncpg.connect(database_url)
    try:
        for source_id, days in ((1, 1), (2, 0), (2, 0)):  # a retried call pays nothing
            await conn.execute(CHANGED, alice.user_id, "activity", source_id,
                               today - timedelta(days=days), 1)
        await conn.execute(CHANGED, alice.user_id, "weigh_in", 1, None, 1)
        stats = await got(client, alice, "/stats")
        assert (stats["xp"], stats["total_activities_logged"], stats["total_weigh_ins"]) == (
            2 * 15 + 20 + 5 + 20, 2, 1)
        assert set(await unlocked(client, alice)) == {"first_activity", "first_weigh_in"}
        activity = (await streaks(client, alice))["activity"]
        assert (activity["current_count"], activity["longest_count"]) == (2, 2)

        await conn.execute(CHANGED, alice.user_id, "activity", 2, today, -1)
        await conn.execute(CHANGED, alice.user_id, "weigh_in", 1, None, -1)
        await conn.execute(CHANGED, alice.user_id, "weigh_in", 1, None, -1)  # once only
    finally:
        await conn.close()
    stats = await got(client, alice, "/stats")
    assert (stats["xp"], stats["total_activities_logged"], stats["total_weigh_ins"]) == (
        15 + 20 + 20, 1, 0)
    activity = (await streaks(client, alice))["activity"]
    assert (activity["current_count"], activity["longest_count"]) == (1, 1)


async def test_weight_goal_reached_unlocks_once_by_name(client, alice: Account, bob: Account,
                                                        database_url):
    conn = await asyncpg.connect(database_url)
    try:
        for _ in range(2):
            await conn.execute("SELECT achievement_unlock($1, 'weight_goal_reached')",
                               alice.user_id)
        await conn.execute("SELECT achievement_unlock(0, 'weight_goal_reached')")  # no user
    finally:
        await conn.close()
    assert list(await unlocked(client, alice)) == ["weight_goal_reached"]
    assert (await got(client, alice, "/stats"))["xp"] == 250
    told = [n["data"] for n in await notifications(client, alice)]
    assert told == [{"achievement": "weight_goal_reached", "xp": 250}]
    assert await unlocked(client, bob) == {}
