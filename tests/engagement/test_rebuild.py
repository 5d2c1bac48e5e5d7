"""engagement_rebuild (the migration's backfill of earlier entries, and a bulk seed's count)
counts from the entries exactly what the triggers kept, write by write."""

from __future__ import annotations

import asyncpg

from tests.engagement.helpers import cook, recipe
from tests.engagement.test_routes import ZONE, _days_ago
from tests.helpers import Account
from tests.nutrition.helpers import drink, log_food, put_profile

KEPT = {
    "streaks": "SELECT kind, current_count, longest_count, last_activity_date FROM streaks "
               "WHERE user_id = $1 ORDER BY kind",
    "streak_days": "SELECT kind, date, entries FROM streak_days WHERE user_id = $1 "
                   "ORDER BY kind, date",
    "xp_events": "SELECT source_kind, source_id, xp FROM xp_events WHERE user_id = $1 "
                 "ORDER BY source_kind, source_id",
    "user_stats": "SELECT xp, total_meals_logged, total_activities_logged, "
                  "total_recipes_generated, total_weigh_ins FROM user_stats WHERE user_id = $1",
    "user_achievements": "SELECT achievement_id, unlocked_at FROM user_achievements "
                         "WHERE user_id = $1 ORDER BY achievement_id",
    "notifications": "SELECT count(*) FROM notifications WHERE user_id = $1",
}


async def _kept(conn: asyncpg.Connection, user_id: int) -> dict[str, list]:
    return {name: [tuple(r) for r in await conn.fetch(query, user_id)]
            for name, query in KEPT.items()}


async def test_a_rebuild_counts_what_the_triggers_kept(client, alice: Account, bob: Account,
                                                       database_url):
    await put_profile(client, alice, time_zone=ZONE, water_target_ml=500)
    logs = [await log_food(client, alice, eaten_at=_days_ago(days)) for days in
            (0, 1, 2, 3, 4, 5, 6, 6, 9, 12, 13)]
    for days in (0, 1, 3):
        await drink(client, alice, 500, drunk_at=_days_ago(days))
    await cook(client, alice, await recipe(client, alice))
    for log in (logs[3], logs[7]):
        assert (await client.delete(f"/food-logs/{log['id']}", headers=alice.headers)
                ).status_code == 204
    await log_food(client, bob)
    conn = await asyncpg.connect(database_url)
    try:
        before = {who.user_id: await _kept(conn, who.user_id) for who in (alice, bob)}
        assert before[alice.user_id]["user_achievements"]
        await conn.execute("SELECT engagement_rebuild($1::bigint[])", [alice.user_id])
        after = {who.user_id: await _kept(conn, who.user_id) for who in (alice, bob)}
    finally:
        await conn.close()
    assert after == before
