"""The activity, weight and goal statements use the indexes their headers name, on tables big
enough for it to matter, in the custom plan and the generic plan (as tests/nutrition/test_plans.py
does for the diary); GET /goals and GET /weights/trend are one statement each."""

from __future__ import annotations

from datetime import date, datetime, timezone

import asyncpg
import pytest

from app.goals.repository import GoalRepository
from app.kit.limits import MAX_BIGINT
from app.weights.repository import WeightRepository
from tests.helpers import connected, session_of
from tests.plans import (
    below_limit,
    custom_and_generic,
    describe,
    index_names,
    page_of_active_user,
    reads,
    seq_scans,
    traced_database,
)

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

INFINITY = datetime.max.replace(tzinfo=timezone.utc)
BUSY = 7
BIG_TABLES = {"activity_logs", "weight_logs", "goals", "daily_nutrition", "profiles", "users"}
# Every user's few entries over two years, and the busy user's many, in a random order: a user's
# rows end up spread over the table's pages, as rows that arrive over time do.
ENTRIES = ("SELECT u.id AS user_id, n, interval '240 days' AS every "
           "FROM users AS u, generate_series(1, 3) AS n "
           "UNION ALL SELECT {busy}, n, interval '{every}' FROM generate_series(1, {count}) AS n")
ACTIVITY = ("INSERT INTO activity_logs (user_id, activity_type, intensity, started_at, "
            "local_date, time_zone, duration_min, calories_burned, calories_source, steps) "
            "SELECT r.user_id, (ARRAY['walking', 'running', 'yoga', 'cycling'])[1 + r.n % 4], "
            "'moderate', e.at, e.at::date, 'UTC', 40, 300, 'estimated', 4000 "
            "FROM ({entries}) AS r, LATERAL (SELECT now() - r.n * r.every AS at) AS e "
            "ORDER BY random()")
WEIGHT = ("INSERT INTO weight_logs (user_id, weight_kg, measured_at, local_date, time_zone) "
          "SELECT r.user_id, 70 + r.n % 10, e.at, e.at::date, 'UTC' "
          "FROM ({entries}) AS r, LATERAL (SELECT now() - r.n * r.every AS at) AS e "
          "ORDER BY random()")
GOALS = ("INSERT INTO goals (user_id, goal_type, target_value, period, starts_on) "
         "SELECT {user}, t, 1000, p, current_date - {days} "
         "FROM {source}, LATERAL (SELECT (ARRAY['steps', 'calories_max', 'protein_min_g', "
         "'water_min_ml', 'active_minutes', 'meals_logged'])[1 + n % 6] AS t, "
         "(ARRAY['daily', 'weekly', 'monthly'])[1 + n % 3] AS p) AS g")


@pytest.fixture
async def seeded(database_url):
    """3000 users with a profile, 3 activities, 3 weigh-ins and 2 goals each; user 7 with two
    years of 2 activities and a weigh-in a day, their days, 9 more periodic goals since two years
    ago and a weight goal: analyzed."""
    conn = await asyncpg.connect(database_url)
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 3000) AS i")
    await conn.execute(
        "INSERT INTO profiles (user_id, birth_date, gender, height_cm, weight_kg, "
        "activity_level, fitness_goal) "
        "SELECT id, '1990-01-01', 'female', 165, 60, 'light', 'maintain' FROM users")
    await conn.execute(ACTIVITY.format(entries=ENTRIES.format(busy=BUSY, every="12 hours",
                                                              count=1460)))
    await conn.execute(WEIGHT.format(entries=ENTRIES.format(busy=BUSY, every="1 day",
                                                            count=730)))
    everyone = "users AS u, generate_series(1, {n}) AS n"
    await conn.execute(GOALS.format(user="u.id", source=everyone.format(n=2), days=30))
    await conn.execute(GOALS.format(user=BUSY, source="generate_series(1, 9) AS n", days=730))
    await conn.execute(
        "INSERT INTO goals (user_id, goal_type, target_value, period, starts_on, start_value) "
        "VALUES ($1, 'weight_kg', 60, 'once', current_date - 700, 80)", BUSY)
    await conn.execute(
        "INSERT INTO daily_nutrition (user_id, date, calories_burned, active_minutes, steps, "
        "activities) SELECT user_id, local_date, sum(calories_burned), sum(duration_min), "
        "sum(steps), count(*) FROM activity_logs GROUP BY user_id, local_date")
    await conn.execute("ANALYZE")
    try:
        yield conn
    finally:
        await conn.close()


LISTS = [
    ("activity/list_activities", "activity_logs", "activity_logs_user_local_date_idx",
     {"from_date": None, "to_date": None, "after_started_at": INFINITY}),
    ("activity/list_activities", "activity_logs", "activity_logs_user_local_date_idx",
     {"from_date": date(2025, 1, 1), "to_date": date(2025, 12, 31),
      "after_started_at": INFINITY}),
    ("activity/list_activities_by_type", "activity_logs",
     "activity_logs_user_type_local_date_idx",
     {"from_date": None, "to_date": None, "activity_type": "yoga",
      "after_started_at": INFINITY}),
    ("weights/list_weights", "weight_logs", "weight_logs_user_local_date_idx",
     {"from_date": None, "to_date": date(2025, 6, 1), "after_measured_at": INFINITY}),
]


async def test_every_list_walks_its_index_without_sorting(seeded):
    for name, table, index, filters in LISTS:
        for nodes in await custom_and_generic(seeded, name, user_id=BUSY,
                                              after_local_date=date.max, after_id=0, limit=21,
                                              **filters):
            assert page_of_active_user(nodes, index), (name, filters, describe(nodes))
            assert reads(nodes, table) == [("Index Scan", index)], (name, describe(nodes))
            assert not any(n["Node Type"] == "Sort" for n in below_limit(nodes)), (
                name, describe(nodes))


async def test_the_trend_reads_a_range_and_a_bounded_walk_of_one_index(seeded):
    for first, last in [(date(2025, 6, 1), date(2026, 5, 31)), (None, None)]:
        for nodes in await custom_and_generic(seeded, "weights/get_weight_trend",
                                              user_id=BUSY, from_date=first, to_date=last):
            assert not seq_scans(nodes, BIG_TABLES), describe(nodes)
            scans = reads(nodes, "weight_logs")
            assert {index for _, index in scans} == {"weight_logs_user_local_date_idx"}, (
                describe(nodes))
            walk = next(n for n in nodes if n["Node Type"] == "Limit"
                        and any(p.get("Node Type") == "Unique" for p in n.get("Plans", [])))
            assert walk, describe(nodes)


async def test_get_goals_reads_each_table_by_its_key(seeded):
    for values in [{"goal_id": None, "active": None}, {"goal_id": 30000, "active": None},
                   {"goal_id": None, "active": True}]:
        for nodes in await custom_and_generic(seeded, "goals/get_goals", user_id=BUSY,
                                              after_id=MAX_BIGINT, limit=21, **values):
            assert not seq_scans(nodes, BIG_TABLES), (values, describe(nodes))
            assert reads(nodes, "daily_nutrition") == [("Index Scan", "daily_nutrition_pkey")], (
                describe(nodes))
            assert {"users_pkey", "goals_pkey", "weight_logs_user_measured_idx"} <= index_names(
                nodes), describe(nodes)
            assert sum(1 for n in nodes if n.get("Index Name") == "weight_logs_user_measured_idx"
                       ) == 1, describe(nodes)


ONE_USERS = [
    ("activity/create_activity", {
        "activity_type": "running", "intensity": "high", "started_at": None, "duration_min": 30,
        "distance_km": None, "calories_burned": None, "heart_rate_avg": None, "steps": None,
        "notes": None}),
    ("activity/get_activity", {"activity_id": 9000}),
    ("activity/update_activity", {
        "activity_id": 9000, "activity_type": None, "intensity": None, "started_at": None,
        "duration_min": 50, "distance_km": None, "calories_burned": None, "heart_rate_avg": None,
        "steps": None, "notes": None, "distance_km_sent": False, "calories_burned_sent": False,
        "heart_rate_avg_sent": False, "steps_sent": False, "notes_sent": False,
        "if_match": None}),
    ("activity/delete_activity", {"activity_id": 9000, "if_match": None}),
    ("weights/create_weight", {"weight_kg": 70, "body_fat_percentage": None,
                               "muscle_mass_kg": None, "measured_at": None, "notes": None}),
    ("weights/get_weight", {"weight_id": 9000}),
    ("weights/update_weight", {
        "weight_id": 9000, "weight_kg": 71, "body_fat_percentage": None, "muscle_mass_kg": None,
        "measured_at": None, "notes": None, "body_fat_percentage_sent": False,
        "muscle_mass_kg_sent": False, "notes_sent": False, "if_match": None}),
    ("weights/delete_weight", {"weight_id": 9000, "if_match": None}),
    ("goals/create_goal", {"goal_type": "weight_kg", "target_value": 60, "period": "once",
                           "starts_on": None, "ends_on": None}),
    ("goals/update_goal", {"goal_id": 6000, "target_value": 65, "ends_on": None,
                           "ends_on_sent": False, "if_match": None}),
    ("goals/delete_goal", {"goal_id": 6000, "if_match": None}),
]


async def test_one_users_statements_read_by_their_keys(seeded):
    for name, values in ONE_USERS:
        for nodes in await custom_and_generic(seeded, name, user_id=BUSY, **values):
            assert not seq_scans(nodes, BIG_TABLES), (name, describe(nodes))
            assert "users_pkey" in index_names(nodes), (name, describe(nodes))


async def test_get_goals_and_the_trend_are_one_statement_each(seeded, database_url):
    async with connected(database_url) as conn:
        session = await session_of(conn, BUSY)
    async with traced_database(database_url) as (db, trace):
        goals = await GoalRepository(db).acting_for(session).list_goals(user_id=BUSY, active=None, cursor=None,
                                                    limit=20)
        assert len(goals.items) == 12 and len(trace.statements) == 1, trace.statements
        trace.clear()
        trend = await WeightRepository(db).acting_for(session).trend(user_id=BUSY, first=None, last=None)
        assert trend is not None and len(trend.points) >= 360
        assert len(trace.statements) == 1, trace.statements
