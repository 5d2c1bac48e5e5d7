"""The engagement reads use the indexes their headers name, on tables big enough for it to
matter, for the user asking (a custom plan) and the average user (the generic plan a pooled
connection settles on): no sequential scan of a user-owned table."""

from __future__ import annotations

import json

import asyncpg
import pytest

from app.config import USAGE_KINDS, load_settings
from app.engagement.models import STREAK_KINDS
from tests.plans import custom_and_generic, describe, reads

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

BUSY = 7
LIMITS = json.dumps(load_settings({}, serving=False).usage_limits)
ITEMS = ('[{"name": "Oats", "grams": 80, "calories": 300, "protein_g": 10, "carbs_g": 54, '
         '"fat_g": 5, "fiber_g": 8}]')
USER_TABLES = {"users", "profiles", "food_logs", "daily_nutrition", "streaks", "streak_days",
               "user_stats", "xp_events", "user_achievements", "notifications",
               "usage_counters"}


@pytest.fixture
async def seeded(database_url):
    """3000 users with a profile, five days of a meal each (so their XP, streaks and first_meal,
    by the triggers), their days, three days of quota counters, and 3000 notifications of user
    7's, a tenth of them unread: analyzed."""
    conn = await asyncpg.connect(database_url)
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 3000) AS i")
    await conn.execute(
        "INSERT INTO profiles (user_id, birth_date, gender, height_cm, weight_kg, "
        "activity_level, fitness_goal, time_zone) "
        "SELECT id, '1990-01-01', 'female', 165, 60, 'light', 'maintain', 'Europe/Lisbon' "
        "FROM users")
    await conn.execute(
        "INSERT INTO food_logs (user_id, meal_type, eaten_at, local_date, time_zone, items, "
        "total_calories, total_protein, total_carbs, total_fat, total_fiber) "
        "SELECT u.id, 'lunch', now() - n * interval '1 day', "
        "(now() - n * interval '1 day')::date, 'Europe/Lisbon', $1::jsonb, 300, 10, 54, 5, 8 "
        "FROM users AS u, generate_series(0, 4) AS n", ITEMS)
    await conn.execute(
        "INSERT INTO daily_nutrition (user_id, date, calories, food_logs) "
        "SELECT user_id, local_date, sum(total_calories), count(*) FROM food_logs "
        "GROUP BY user_id, local_date")
    await conn.execute(
        "INSERT INTO usage_counters (user_id, local_date, kind, used) "
        "SELECT u.id, current_date - n, k, 1 FROM users AS u, generate_series(0, 2) AS n, "
        "unnest($1::text[]) AS k", list(USAGE_KINDS))
    await conn.execute(
        "INSERT INTO notifications (user_id, kind, title, is_read) "
        "SELECT $1, 'streak_milestone', 'Day ' || n, n % 10 <> 0 "
        "FROM generate_series(1, 3000) AS n", BUSY)
    await conn.execute("VACUUM ANALYZE notifications")  # its visibility map, for index-only
    await conn.execute("ANALYZE")
    try:
        yield conn
    finally:
        await conn.close()


STATEMENTS = [
    ("engagement/get_streaks", {"streak_kinds": list(STREAK_KINDS)},
     {"streaks": "streaks_pkey"}),
    ("engagement/get_stats", {}, {"user_stats": "user_stats_pkey", "users": "users_pkey"}),
    ("engagement/list_achievements", {},
     {"user_achievements": "user_achievements_pkey", "user_stats": "user_stats_pkey"}),
    ("engagement/get_today", {"streak_kinds": list(STREAK_KINDS),
                              "usage_kinds": list(USAGE_KINDS), "limits": LIMITS},
     {"daily_nutrition": "daily_nutrition_pkey", "streaks": "streaks_pkey",
      "user_stats": "user_stats_pkey", "usage_counters": "usage_counters_pkey",
      "profiles": "profiles_pkey", "users": "users_pkey"}),
]


@pytest.mark.parametrize(("name", "values", "indexes"), STATEMENTS,
                         ids=[s[0] for s in STATEMENTS])
async def test_each_read_probes_the_users_rows_by_their_keys(seeded, name, values, indexes):
    for nodes in await custom_and_generic(seeded, name, user_id=BUSY, **values):
        assert not any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") in USER_TABLES
                       for n in nodes), describe(nodes)
        for table, index in indexes.items():
            assert {i for _, i in reads(nodes, table)} == {index}, (table, describe(nodes))


async def test_todays_unread_count_is_an_index_only_scan(seeded):
    for nodes in await custom_and_generic(seeded, "engagement/get_today", user_id=BUSY,
                              streak_kinds=list(STREAK_KINDS), usage_kinds=list(USAGE_KINDS),
                              limits=LIMITS):
        assert reads(nodes, "notifications") == [
            ("Index Only Scan", "notifications_user_read_idx")], describe(nodes)
