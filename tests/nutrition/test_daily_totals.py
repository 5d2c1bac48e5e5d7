"""Every day's row equals a fresh aggregate over its entries, after every step of random sequences
of writes (a Hypothesis state machine): two users create, edit (items, meal, eaten_at) and delete
food logs, add and delete water, and change their time zone and targets, over a few days around
a DST change in zones from UTC-8 to UTC+14. After each step, daily_nutrition (and what GET
/nutrition/days answers) equals the sums and counts of food_logs and water_logs per user and
local date, and each day with entries holds the targets the user had when it got its first one.

The real app on a real PostgreSQL, through Litestar's synchronous test client (the state machine
is synchronous); each example registers two new users. Derandomized, bounded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
)
from hypothesis.stateful import run_state_machine_as_test
from litestar.testing import TestClient

from app.server import create_app
from tests.helpers import PASSWORD
from tests.nutrition.helpers import PROFILE

pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=25,
    stateful_step_count=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
USERS = ("a", "b")
ZONES = ("UTC", "Pacific/Auckland", "America/Los_Angeles", "America/New_York",
         "Asia/Kathmandu", "Pacific/Kiritimati")
# New York falls back on 2026-11-01: the window holds a 25-hour day.
START = datetime(2026, 10, 30, tzinfo=timezone.utc)
MINUTES = 4 * 24 * 60
FIRST_DAY, LAST_DAY = "2026-10-29", "2026-11-04"

moments = st.integers(0, MINUTES).map(lambda m: (START + timedelta(minutes=m)).isoformat())
meals = st.sampled_from(["breakfast", "lunch", "dinner", "snack"])
hundredths = st.integers(0, 150_000).map(lambda n: n / 100)
items = st.lists(st.fixed_dictionaries(
    {"name": st.just("food"), "calories": hundredths, "protein_g": hundredths,
     "carbs_g": hundredths, "fat_g": hundredths},
    optional={"fiber_g": hundredths, "grams": hundredths}), min_size=1, max_size=4)

FRESH = """
WITH food AS (
    SELECT user_id, local_date AS date, sum(total_calories) AS calories,
           sum(total_protein) AS protein_g, sum(total_carbs) AS carbs_g, sum(total_fat) AS fat_g,
           sum(total_fiber) AS fiber_g,
           coalesce(sum(total_calories) FILTER (WHERE meal_type = 'breakfast'), 0) AS breakfast,
           coalesce(sum(total_calories) FILTER (WHERE meal_type = 'lunch'), 0) AS lunch,
           coalesce(sum(total_calories) FILTER (WHERE meal_type = 'dinner'), 0) AS dinner,
           coalesce(sum(total_calories) FILTER (WHERE meal_type = 'snack'), 0) AS snack,
           count(*) AS food_logs
    FROM food_logs GROUP BY user_id, local_date
),
water AS (
    SELECT user_id, local_date AS date, sum(ml) AS water_ml, count(*) AS water_entries
    FROM water_logs GROUP BY user_id, local_date
),
fresh AS (
    SELECT coalesce(f.user_id, w.user_id) AS user_id, coalesce(f.date, w.date) AS date,
           coalesce(f.calories, 0) AS calories, coalesce(f.protein_g, 0) AS protein_g,
           coalesce(f.carbs_g, 0) AS carbs_g, coalesce(f.fat_g, 0) AS fat_g,
           coalesce(f.fiber_g, 0) AS fiber_g, coalesce(f.breakfast, 0) AS breakfast,
           coalesce(f.lunch, 0) AS lunch, coalesce(f.dinner, 0) AS dinner,
           coalesce(f.snack, 0) AS snack, coalesce(f.food_logs, 0) AS food_logs,
           coalesce(w.water_ml, 0) AS water_ml, coalesce(w.water_entries, 0) AS water_entries
    FROM food AS f
    FULL JOIN water AS w ON w.user_id = f.user_id AND w.date = f.date
)
SELECT coalesce(d.user_id, x.user_id) AS user_id, coalesce(d.date, x.date) AS date,
       ROW(d.calories, d.protein_g, d.carbs_g, d.fat_g, d.fiber_g, d.breakfast_calories,
           d.lunch_calories, d.dinner_calories, d.snack_calories, d.food_logs, d.water_ml,
           d.water_entries)::text AS stored,
       ROW(x.calories, x.protein_g, x.carbs_g, x.fat_g, x.fiber_g, x.breakfast, x.lunch,
           x.dinner, x.snack, x.food_logs, x.water_ml, x.water_entries)::text AS fresh
FROM daily_nutrition AS d
FULL JOIN fresh AS x ON x.user_id = d.user_id AND x.date = d.date
WHERE (d.user_id IS NULL AND (x.food_logs > 0 OR x.water_entries > 0))
   OR (d.user_id IS NOT NULL AND ROW(d.calories, d.protein_g, d.carbs_g, d.fat_g, d.fiber_g,
           d.breakfast_calories, d.lunch_calories, d.dinner_calories, d.snack_calories,
           d.food_logs, d.water_ml, d.water_entries)
       IS DISTINCT FROM ROW(coalesce(x.calories, 0), coalesce(x.protein_g, 0),
           coalesce(x.carbs_g, 0), coalesce(x.fat_g, 0), coalesce(x.fiber_g, 0),
           coalesce(x.breakfast, 0), coalesce(x.lunch, 0), coalesce(x.dinner, 0),
           coalesce(x.snack, 0), coalesce(x.food_logs, 0), coalesce(x.water_ml, 0),
           coalesce(x.water_entries, 0)))
"""

SNAPSHOTS = """
SELECT d.user_id, d.date, d.targets::text
FROM daily_nutrition AS d
WHERE d.food_logs + d.water_entries > 0
"""

AGGREGATE = """
SELECT local_date AS date, sum(total_calories) AS calories, count(*) AS food_logs
FROM food_logs WHERE user_id = %s GROUP BY local_date
"""


class DiaryAgainstAggregate(RuleBasedStateMachine):
    """``api`` (a TestClient), ``db`` (the owner's connection) and ``emails`` are set by the
    test."""

    api: TestClient
    db: psycopg.Connection
    emails: Iterator[int]

    logs = Bundle("logs")
    waters = Bundle("waters")

    def __init__(self) -> None:
        super().__init__()
        self.headers: dict[str, dict[str, str]] = {}
        self.ids: dict[str, int] = {}
        self.owner: dict[int, str] = {}
        self.log_dates: dict[int, str] = {}
        self.water_dates: dict[int, str] = {}
        self.targets: dict[str, str | None] = {}
        self.entries: dict[tuple[str, str], int] = {}
        self.snapshot: dict[tuple[str, str], str | None] = {}

    @initialize()
    def register(self) -> None:
        for user in USERS:
            response = self.api.post("/auth/register", json={
                "email": f"{user}{next(self.emails)}@example.com", "name": user,
                "password": PASSWORD})
            assert response.status_code == 201, response.text
            body = response.json()
            self.headers[user] = {"Authorization": f"Bearer {body['access_token']}"}
            self.ids[user] = body["user"]["id"]
            self.targets[user] = None

    # -- the model of the targets each day took ------------------------------------------

    def _added(self, user: str, date: str) -> None:
        key = (user, date)
        if self.entries.get(key, 0) == 0:
            self.snapshot[key] = self.targets[user]
        self.entries[key] = self.entries.get(key, 0) + 1

    def _removed(self, user: str, date: str) -> None:
        self.entries[(user, date)] -= 1

    # -- rules ---------------------------------------------------------------------------

    @rule(user=st.sampled_from(USERS), zone=st.sampled_from(ZONES),
          weight=st.integers(50, 120), water=st.sampled_from([1500, 2000, 3000]))
    def set_profile(self, user: str, zone: str, weight: int, water: int) -> None:
        response = self.api.put("/profile", json={**PROFILE, "time_zone": zone,
                                                  "weight_kg": weight, "water_target_ml": water},
                                headers=self.headers[user])
        assert response.status_code in (200, 201), response.text
        t = response.json()["targets"]
        self.targets[user] = (f"({t['calories']},{t['protein_g']},{t['carbs_g']},{t['fat_g']},"
                              f"{water})")

    @rule(target=logs, user=st.sampled_from(USERS), eaten_at=moments, meal=meals, food=items)
    def create_log(self, user: str, eaten_at: str, meal: str, food: list[dict[str, Any]]) -> int:
        response = self.api.post("/food-logs", json={"meal_type": meal, "items": food,
                                                     "eaten_at": eaten_at},
                                 headers=self.headers[user])
        assert response.status_code == 201, response.text
        log = response.json()
        assert Decimal(str(log["total_calories"])) == sum(Decimal(str(i["calories"]))
                                                          for i in food)
        self.owner[log["id"]] = user
        self.log_dates[log["id"]] = log["local_date"]
        self._added(user, log["local_date"])
        return log["id"]

    @rule(log_id=logs, eaten_at=st.none() | moments, meal=st.none() | meals,
          food=st.none() | items)
    def edit_log(self, log_id: int, eaten_at: str | None, meal: str | None,
                 food: list[dict[str, Any]] | None) -> None:
        user = self.owner[log_id]
        body = {key: value for key, value in
                (("eaten_at", eaten_at), ("meal_type", meal), ("items", food)) if value is not None}
        response = self.api.patch(f"/food-logs/{log_id}", json=body, headers=self.headers[user])
        if log_id not in self.log_dates:
            assert response.status_code == 404, response.text
            return
        assert response.status_code == 200, response.text
        moved = response.json()["local_date"]
        if moved != self.log_dates[log_id]:
            self._removed(user, self.log_dates[log_id])
            self._added(user, moved)
            self.log_dates[log_id] = moved

    @rule(log_id=consumes(logs))
    def delete_log(self, log_id: int) -> None:
        user = self.owner[log_id]
        response = self.api.delete(f"/food-logs/{log_id}", headers=self.headers[user])
        assert response.status_code == 204, response.text
        self._removed(user, self.log_dates.pop(log_id))

    @rule(target=waters, user=st.sampled_from(USERS), drunk_at=moments,
          ml=st.integers(1, 5000))
    def drink(self, user: str, drunk_at: str, ml: int) -> int:
        response = self.api.post("/water", json={"ml": ml, "drunk_at": drunk_at},
                                 headers=self.headers[user])
        assert response.status_code == 201, response.text
        water = response.json()
        self.owner[water["id"] + 10**9] = user
        self.water_dates[water["id"]] = water["local_date"]
        self._added(user, water["local_date"])
        return int(water["id"])

    @rule(water_id=consumes(waters))
    def delete_water(self, water_id: int) -> None:
        user = self.owner[water_id + 10**9]
        response = self.api.delete(f"/water/{water_id}", headers=self.headers[user])
        assert response.status_code == 204, response.text
        self._removed(user, self.water_dates.pop(water_id))

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def every_day_equals_a_fresh_aggregate_of_its_entries(self) -> None:
        wrong = self.db.execute(FRESH).fetchall()
        assert not wrong, wrong

    @invariant()
    def every_started_day_holds_the_targets_of_its_first_entry(self) -> None:
        names = {uid: user for user, uid in self.ids.items()}
        stored = {(names[r[0]], r[1].isoformat()): r[2] for r in self.db.execute(SNAPSHOTS)
                  if r[0] in names}
        expected = {key: self.snapshot[key] for key, count in self.entries.items() if count}
        assert stored == expected

    @invariant()
    def the_days_the_api_answers_are_the_aggregate(self) -> None:
        for user in self.headers:
            response = self.api.get(f"/nutrition/days?from={FIRST_DAY}&to={LAST_DAY}",
                                    headers=self.headers[user])
            assert response.status_code == 200, response.text
            days = {d["date"]: (d["calories"], d["food_logs"]) for d in response.json()["days"]}
            for date, calories, count in self.db.execute(AGGREGATE, (self.ids[user],)):
                assert days[date.isoformat()] == (float(calories), count)
            assert sum(count for _, count in days.values()) == sum(
                1 for log_id, when in self.log_dates.items() if self.owner[log_id] == user)


@pytest.fixture
def api(settings) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings)) as client:
        yield client


def test_every_day_equals_a_fresh_aggregate_after_random_writes(api: TestClient, database_url):
    class Machine(DiaryAgainstAggregate):
        pass

    Machine.api = api
    Machine.emails = itertools.count(1)
    with psycopg.connect(database_url, autocommit=True) as db:
        Machine.db = db
        run_state_machine_as_test(Machine, settings=SETTINGS)
