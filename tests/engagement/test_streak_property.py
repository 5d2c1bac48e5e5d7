"""Streaks and stats equal an independent computation from the entries, after every step of
random sequences of writes (a Hypothesis state machine): two users create, move (eaten_at) and
delete food logs, add and delete water, and change their time zone and water target, at moments
around New York's fall-back DST change and in the last few days (so that "today" matters), in
zones from UTC-8 to UTC+14.

After each step, for each user: the food_logging streak (its latest run, longest run and last day)
equals runs computed in Python from the set of the food logs' local dates; the water_goal streak
from the days whose water (summed from water_logs) reached the day's target; GET /streaks reads the
latest run as current only while its last day is the user's local today or yesterday; and XP and
totals equal the ledger of the entries (10 a meal, plus the achievements unlocked)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, rule
from hypothesis.stateful import run_state_machine_as_test
from litestar.testing import TestClient

from app.server import create_app
from tests.engagement.test_time_zones import _runs
from tests.helpers import PASSWORD
from tests.nutrition.helpers import ITEM, PROFILE

pytestmark = pytest.mark.slow

SETTINGS = settings(max_examples=15, stateful_step_count=30, derandomize=True, database=None,
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])
USERS = ("a", "b")
ZONES = ("UTC", "Pacific/Auckland", "America/Los_Angeles", "America/New_York",
         "Asia/Kathmandu", "Pacific/Kiritimati")
DST = datetime(2026, 10, 30, tzinfo=timezone.utc)  # New York falls back on 2026-11-01
RECENT = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=4)
moments = st.one_of(
    st.integers(0, 4 * 24 * 60).map(lambda m: (DST + timedelta(minutes=m)).isoformat()),
    st.integers(0, 4 * 24 * 60).map(lambda m: (RECENT + timedelta(minutes=m)).isoformat()))

FOOD_DATES = "SELECT DISTINCT local_date FROM food_logs WHERE user_id = %s"
WATER_DAYS = """
SELECT w.local_date FROM water_logs AS w
JOIN daily_nutrition AS d ON d.user_id = w.user_id AND d.date = w.local_date
WHERE w.user_id = %s
GROUP BY w.local_date, (d.targets).water_ml
HAVING sum(w.ml) >= (d.targets).water_ml
"""
STORED = ("SELECT kind, current_count, longest_count, last_activity_date FROM streaks "
          "WHERE user_id = %s")
LEDGER = """
SELECT (SELECT count(*) FROM food_logs WHERE user_id = %(u)s),
       (SELECT coalesce(sum(a.xp), 0) FROM user_achievements AS ua
        JOIN achievements AS a ON a.id = ua.achievement_id WHERE ua.user_id = %(u)s)
"""


class StreaksAgainstEntries(RuleBasedStateMachine):
    api: TestClient
    db: psycopg.Connection
    emails: Iterator[int]

    logs = Bundle("logs")
    waters = Bundle("waters")

    def __init__(self) -> None:
        super().__init__()
        self.headers: dict[str, dict[str, str]] = {}
        self.ids: dict[str, int] = {}
        self.zone: dict[str, str] = {}
        self.owner: dict[tuple[str, int], str] = {}

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
            self.zone[user] = "UTC"

    @rule(user=st.sampled_from(USERS), zone=st.sampled_from(ZONES),
          water=st.sampled_from([500, 1000, 2000]))
    def set_profile(self, user: str, zone: str, water: int) -> None:
        response = self.api.put("/profile", json={**PROFILE, "time_zone": zone,
                                                  "water_target_ml": water},
                                headers=self.headers[user])
        assert response.status_code in (200, 201), response.text
        self.zone[user] = zone

    @rule(target=logs, user=st.sampled_from(USERS), eaten_at=moments)
    def create_log(self, user: str, eaten_at: str) -> int:
        response = self.api.post("/food-logs", json={"meal_type": "lunch", "items": [ITEM],
                                                     "eaten_at": eaten_at},
                                 headers=self.headers[user])
        assert response.status_code == 201, response.text
        log_id = int(response.json()["id"])
        self.owner[("log", log_id)] = user
        return log_id

    @rule(log_id=logs, eaten_at=moments)
    def move_log(self, log_id: int, eaten_at: str) -> None:
        response = self.api.patch(f"/food-logs/{log_id}", json={"eaten_at": eaten_at},
                                  headers=self.headers[self.owner[("log", log_id)]])
        assert response.status_code in (200, 404), response.text

    @rule(log_id=consumes(logs))
    def delete_log(self, log_id: int) -> None:
        response = self.api.delete(f"/food-logs/{log_id}",
                                   headers=self.headers[self.owner[("log", log_id)]])
        assert response.status_code == 204, response.text

    @rule(target=waters, user=st.sampled_from(USERS), drunk_at=moments,
          ml=st.sampled_from([250, 500, 1000]))
    def drink(self, user: str, drunk_at: str, ml: int) -> int:
        response = self.api.post("/water", json={"ml": ml, "drunk_at": drunk_at},
                                 headers=self.headers[user])
        assert response.status_code == 201, response.text
        water_id = int(response.json()["id"])
        self.owner[("water", water_id)] = user
        return water_id

    @rule(water_id=consumes(waters))
    def delete_water(self, water_id: int) -> None:
        response = self.api.delete(f"/water/{water_id}",
                                   headers=self.headers[self.owner[("water", water_id)]])
        assert response.status_code == 204, response.text

    def _expected(self, user: str) -> dict[str, tuple[date | None, int, int]]:
        uid = self.ids[user]
        food = {r[0] for r in self.db.execute(FOOD_DATES, (uid,))}
        water = {r[0] for r in self.db.execute(WATER_DAYS, (uid,))}
        return {"food_logging": _runs(food), "water_goal": _runs(water)}

    @invariant()
    def streaks_equal_runs_of_the_entries_dates(self) -> None:
        for user in self.headers:
            expected = self._expected(user)
            stored = {r[0]: (r[3], r[1], r[2])
                      for r in self.db.execute(STORED, (self.ids[user],))}
            for kind, (last, run, longest) in expected.items():
                assert stored.get(kind, (None, 0, 0)) == (last, run if last else 0, longest), kind
            response = self.api.get("/streaks", headers=self.headers[user])
            assert response.status_code == 200, response.text
            read = {s["kind"]: s for s in response.json()["streaks"]}
            today = datetime.now(ZoneInfo(self.zone[user])).date()
            for kind, (last, run, longest) in expected.items():
                current = run if last is not None and last >= today - timedelta(days=1) else 0
                assert (read[kind]["current_count"], read[kind]["longest_count"]) == (
                    current, longest), kind

    @invariant()
    def xp_and_totals_equal_the_ledger_of_the_entries(self) -> None:
        for user in self.headers:
            meals, unlocked_xp = self.db.execute(LEDGER, {"u": self.ids[user]}).fetchone()
            response = self.api.get("/stats", headers=self.headers[user])
            stats = response.json()
            assert (stats["total_meals_logged"], stats["xp"]) == (meals,
                                                                  10 * meals + unlocked_xp)


@pytest.fixture
def api(settings) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings)) as client:
        yield client


def test_streaks_equal_an_independent_computation_after_random_writes(api: TestClient,
                                                                      database_url):
    class Machine(StreaksAgainstEntries):
        pass

    Machine.api = api
    Machine.emails = itertools.count(1)
    with psycopg.connect(database_url, autocommit=True) as db:
        Machine.db = db
        run_state_machine_as_test(Machine, settings=SETTINGS)
