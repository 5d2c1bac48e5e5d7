"""The diary's, days' and quotas' statements use the indexes their headers name, on tables big
enough for it to matter, as EXPLAIN shows them for the user asking (a custom plan) and for the
average user (the generic plan a pooled connection settles on)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import asyncpg
import pytest

from app.config import USAGE_KINDS, load_settings
from tests.plans import (
    below_limit,
    custom_and_generic,
    describe,
    index_names,
    page_of_active_user,
    reads,
)

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

INFINITY = datetime.max.replace(tzinfo=timezone.utc)
BUSY = 7
LIMITS = json.dumps(load_settings({}, serving=False).usage_limits)
ITEMS = ('[{"name": "Oats", "grams": 80, "calories": 300, "protein_g": 10, "carbs_g": 54, '
         '"fat_g": 5, "fiber_g": 8}]')
BIG_TABLES = {"food_logs", "water_logs", "daily_nutrition", "usage_counters", "profiles",
              "users"}
LOG = ("INSERT INTO food_logs (user_id, meal_type, eaten_at, local_date, time_zone, items, "
       "total_calories, total_protein, total_carbs, total_fat, total_fiber) "
       "SELECT {user}, (ARRAY['breakfast', 'lunch', 'dinner', 'snack'])[1 + n % 4], e.at, "
       "(e.at AT TIME ZONE 'Europe/Lisbon')::date, 'Europe/Lisbon', $1::jsonb, 300, 10, 54, 5, "
       "8 FROM {source}, LATERAL (SELECT now() - n * interval '{every}' AS at) AS e")
WATER = ("INSERT INTO water_logs (user_id, ml, drunk_at, local_date, time_zone) "
         "SELECT {user}, 250, e.at, (e.at AT TIME ZONE 'Europe/Lisbon')::date, 'Europe/Lisbon' "
         "FROM {source}, LATERAL (SELECT now() - n * interval '{every}' AS at) AS e")


@pytest.fixture
async def seeded(database_url):
    """3000 users with a profile, 5 logs, 2 glasses of water and their days; user 7 with two years
    of 5 logs and 4 glasses a day (3650 logs), their days and a year of quota counters: analyzed."""
    conn = await asyncpg.connect(database_url)
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 3000) AS i")
    await conn.execute(
        "INSERT INTO profiles (user_id, birth_date, gender, height_cm, weight_kg, "
        "activity_level, fitness_goal, time_zone) "
        "SELECT id, '1990-01-01', 'female', 165, 60, 'light', 'maintain', 'Europe/Lisbon' "
        "FROM users")
    everyone = "users AS u, generate_series(1, {n}) AS n"
    await conn.execute(LOG.format(user="u.id", source=everyone.format(n=5), every="1 day"), ITEMS)
    await conn.execute(LOG.format(user=BUSY, source="generate_series(1, 3650) AS n",
                                  every="4 hours 48 minutes"), ITEMS)
    await conn.execute(WATER.format(user="u.id", source=everyone.format(n=2), every="1 day"))
    await conn.execute(WATER.format(user=BUSY, source="generate_series(1, 2920) AS n",
                                    every="6 hours"))
    await conn.execute(
        "INSERT INTO daily_nutrition (user_id, date, calories, food_logs) "
        "SELECT user_id, local_date, sum(total_calories), count(*) FROM food_logs "
        "GROUP BY user_id, local_date")
    await conn.execute(
        "INSERT INTO usage_counters (user_id, local_date, kind, used) "
        "SELECT u.id, current_date - n, k, 1 FROM users AS u, generate_series(0, 2) AS n, "
        "unnest($1::text[]) AS k", list(USAGE_KINDS))
    await conn.execute(
        "INSERT INTO usage_counters (user_id, local_date, kind, used) "
        "SELECT $2, current_date - n, k, 2 FROM generate_series(3, 365) AS n, "
        "unnest($1::text[]) AS k", list(USAGE_KINDS), BUSY)
    await conn.execute("ANALYZE")
    try:
        yield conn
    finally:
        await conn.close()


def _no_seq_scan_of_a_big_table(nodes: list[dict]) -> bool:
    return not any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG_TABLES
                   for n in nodes)


LISTS = [
    ("list_food_logs", "food_logs", "food_logs_user_local_date_idx",
     {"from_date": None, "to_date": None, "after_eaten_at": INFINITY}),
    ("list_food_logs", "food_logs", "food_logs_user_local_date_idx",
     {"from_date": date(2025, 6, 1), "to_date": date(2025, 6, 30), "after_eaten_at": INFINITY}),
    ("list_food_logs", "food_logs", "food_logs_user_local_date_idx",
     {"from_date": None, "to_date": date(2025, 1, 31), "after_eaten_at": INFINITY}),
    ("list_food_logs_by_meal", "food_logs", "food_logs_user_meal_local_date_idx",
     {"from_date": None, "to_date": date(2025, 1, 31), "meal_type": "lunch",
      "after_eaten_at": INFINITY}),
    ("list_food_logs_by_meal", "food_logs", "food_logs_user_meal_local_date_idx",
     {"from_date": None, "to_date": None, "meal_type": "snack", "after_eaten_at": INFINITY}),
    ("list_water", "water_logs", "water_logs_user_local_date_idx",
     {"from_date": None, "to_date": date(2025, 6, 1), "after_drunk_at": INFINITY}),
]


async def test_every_list_walks_its_index_without_sorting(seeded):
    for name, table, index, filters in LISTS:
        for nodes in await custom_and_generic(seeded, f"nutrition/{name}", user_id=BUSY,
                                  after_local_date=date.max, after_id=0, limit=21, **filters):
            assert page_of_active_user(nodes, index), (name, filters, describe(nodes))
            assert reads(nodes, table) == [("Index Scan", index)], (name, describe(nodes))
            assert not any(n["Node Type"] == "Sort" for n in below_limit(nodes)), (
                name, describe(nodes))


async def test_a_range_and_a_cursor_bound_the_walk_of_the_index(seeded):
    """The from/to dates and the keyset position are index conditions (not filters), also in the
    generic plan: a page of an old month does not read the newer years first."""
    for nodes in await custom_and_generic(seeded, "nutrition/list_food_logs", user_id=BUSY,
                              after_local_date=date(2025, 1, 20), after_eaten_at=INFINITY,
                              after_id=0, limit=21, from_date=date(2025, 1, 1),
                              to_date=date(2025, 1, 31)):
        scan = next(n for n in nodes if n.get("Relation Name") == "food_logs")
        condition = scan["Index Cond"]
        assert "local_date >=" in condition and "local_date <=" in condition, scan
        assert "ROW(local_date, eaten_at, id) <" in condition, scan
        assert "Filter" not in scan, scan


async def test_get_days_reads_its_range_of_days_in_one_index_scan(seeded):
    for first, last in [(date(2025, 6, 1), date(2025, 6, 30)),
                        (date(2024, 12, 1), date(2025, 11, 30)), (None, None)]:
        for nodes in await custom_and_generic(seeded, "nutrition/get_days", user_id=BUSY, from_date=first,
                                  to_date=last):
            assert reads(nodes, "daily_nutrition") == [("Index Scan", "daily_nutrition_pkey")], (
                describe(nodes))
            assert reads(nodes, "users") == [("Index Scan", "users_pkey")], describe(nodes)
            assert reads(nodes, "profiles") == [("Index Scan", "profiles_pkey")], describe(nodes)
            scan = next(n for n in nodes if n.get("Relation Name") == "daily_nutrition")
            assert "date >=" in scan["Index Cond"] and "date <=" in scan["Index Cond"], scan
            assert not any(n.get("Relation Name") in ("food_logs", "water_logs") for n in nodes)


async def test_get_day_reads_one_date_by_the_local_date_indexes(seeded):
    for nodes in await custom_and_generic(seeded, "nutrition/get_day", user_id=BUSY, date=date(2025, 6, 1)):
        assert {"daily_nutrition_pkey", "food_logs_user_local_date_idx",
                "water_logs_user_local_date_idx", "users_pkey"} <= index_names(nodes), (
            describe(nodes))
        assert _no_seq_scan_of_a_big_table(nodes), describe(nodes)
        assert not any(n["Node Type"] == "Sort" for n in nodes), describe(nodes)


ONE_USERS = [
    ("nutrition/get_food_log", {"food_log_id": 20000}),
    ("nutrition/get_food_log_version", {"food_log_id": 20000}),
    ("nutrition/update_food_log", {
        "food_log_id": 20000, "meal_type": "lunch", "eaten_at": None, "source": None,
        "recipe_id": None, "image_url": None, "confidence_score": None, "detected_items": None,
        "user_corrections": None, "recipe_id_sent": False, "image_url_sent": False,
        "confidence_score_sent": False, "detected_items_sent": False,
        "user_corrections_sent": False, "items": None, "if_match": None}),
    ("nutrition/delete_food_log", {"food_log_id": 20000, "if_match": None}),
    ("nutrition/create_food_log", {
        "meal_type": "lunch", "eaten_at": None, "source": "manual", "recipe_id": None,
        "image_url": None, "confidence_score": None, "detected_items": None,
        "user_corrections": None, "items": ITEMS}),
    ("nutrition/create_water", {"ml": 250, "drunk_at": None}),
    ("nutrition/delete_water", {"water_id": 9000}),
    ("profiles/get_profile", {}),
    ("usage/get_usage", {"kinds": list(USAGE_KINDS), "limits": LIMITS}),
    ("usage/reserve_usage", {"kind": "coach_messages", "limits": LIMITS}),
    ("usage/release_usage", {"kind": "coach_messages", "limits": LIMITS}),
]


async def test_one_users_statements_read_by_their_keys(seeded):
    for name, values in ONE_USERS:
        for nodes in await custom_and_generic(seeded, name, user_id=BUSY, **values):
            assert _no_seq_scan_of_a_big_table(nodes), (name, describe(nodes))
            assert "users_pkey" in index_names(nodes), (name, describe(nodes))
            if name.startswith("usage/"):
                assert "usage_counters_pkey" in index_names(nodes), (name, describe(nodes))
