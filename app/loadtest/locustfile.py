"""The Locust suite: simulated users of the API.

Each simulated user signs in once (registers a fresh account, or logs in as one of the users
``python -m app seed`` created) and lists its tasks: its setup, reported under names that start
with ``setup: `` (``setup: /auth/register``), so that the report keeps it apart from what is
measured. Then it repeats actions picked at random with the weights of the scenario
(see ``scenarios``). Like a real client, it refreshes its access token before it expires (when
``RENEW_AT`` of its lifetime has passed, reported as ``/auth/refresh``), so a run may last longer
than an access token. Requests are reported by route template (``/tasks/{id}``), never one entry per
id. ``python -m app loadtest`` runs this file with its settings in the environment:

- ``PGAPI_LOADTEST_WEIGHTS``: JSON object, action -> weight (default: the ``mixed`` scenario)
- ``PGAPI_LOADTEST_SEEDED``: ``prefix:count`` to log in as seeded users instead of registering;
  the simulated users of one process take accounts 1, 2, 3, ... in turn, so give each process
  (each distributed worker) a prefix of its own and at least as many accounts as its users
- ``PGAPI_LOADTEST_PASSWORD``: the seeded users' password
- ``PGAPI_LOADTEST_WAIT``: at most this many seconds between two actions of a user (default 0)
- ``PGAPI_LOADTEST_REPORT``: a CSV prefix: record what the report needs there (see ``recorder``)

It also runs under plain ``locust -f app/loadtest/locustfile.py`` (e.g. distributed, with
``--master`` and ``--worker``).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from locust import FastHttpUser, between, events
from locust.env import Environment

from app.cli.seeded import DEFAULT_PASSWORD, seeded_email
from app.loadtest import recorder
from app.loadtest.report import SETUP
from app.loadtest.scenarios import SCENARIOS

WEIGHTS: dict[str, int] = json.loads(os.environ.get("PGAPI_LOADTEST_WEIGHTS") or "null") or dict(
    SCENARIOS["mixed"]
)
SEEDED = os.environ.get("PGAPI_LOADTEST_SEEDED", "")
PASSWORD = os.environ.get("PGAPI_LOADTEST_PASSWORD") or DEFAULT_PASSWORD
WAIT = float(os.environ.get("PGAPI_LOADTEST_WAIT") or 0)
REPORT = os.environ.get("PGAPI_LOADTEST_REPORT", "")
_SEEDED_ACCOUNTS = itertools.count()
RENEW_AT = 0.9

RECIPE: dict[str, Any] = {
    "ingredients": [{"name": "Leek", "quantity": 2}, {"name": "Potato", "quantity": 400,
                                                      "unit": "g"}],
    "instructions": ["Chop", "Simmer for 20 minutes", "Blend"],
}
WORDS = ["soup", "stew", "salad", "curry", "pie", "bread"]
TAGS = ["vegan", "quick", "winter", "spicy", "family", "budget"]
INGREDIENTS = [item["name"] for item in RECIPE["ingredients"]]
FOODS = [
    {"name": "Oatmeal", "grams": 80, "calories": 303, "protein_g": 10.5, "carbs_g": 54.2,
     "fat_g": 5.3, "fiber_g": 8.1},
    {"name": "Banana", "grams": 120, "calories": 107, "protein_g": 1.3, "carbs_g": 27.4,
     "fat_g": 0.4, "fiber_g": 3.1},
    {"name": "Greek yogurt", "grams": 150, "calories": 146, "protein_g": 15, "carbs_g": 5.4,
     "fat_g": 7.5},
    {"name": "Chicken breast", "grams": 150, "calories": 248, "protein_g": 46.5, "carbs_g": 0,
     "fat_g": 5.4},
]
MEALS = ["breakfast", "lunch", "dinner", "snack"]
KINDS = ["vision_analyses", "recipe_generations", "coach_messages"]
ZONES = ["Europe/Lisbon", "America/New_York", "Asia/Tokyo", "Pacific/Auckland", "UTC"]
ACTIVITY_TYPES = ["walking", "running", "cycling", "swimming", "strength_training", "yoga",
                  "other"]
INTENSITIES = ["low", "moderate", "high"]
AMOUNT_GOALS = [("steps", "daily", 8000), ("active_minutes", "weekly", 150),
                ("water_min_ml", "daily", 2000), ("protein_min_g", "daily", 100),
                ("calories_max", "daily", 2200), ("meals_logged", "weekly", 21)]


@events.init.add_listener  # type: ignore[untyped-decorator]  # Locust's events are untyped
def _record(environment: Environment, **_kwargs: object) -> None:
    if REPORT:
        recorder.install(environment, REPORT)


def _action(name: str) -> Callable[[ApiUser], None]:
    """A Locust task that runs the user's method ``name``."""

    def run(user: ApiUser) -> None:
        getattr(user, name)()

    run.__name__ = name
    return run


class ApiUser(FastHttpUser):
    """One person using the API: their own account, their own tasks, recipes and chats."""

    wait_time = between(0, WAIT)
    headers: dict[str, str]
    refresh_token: str
    renew_at: float

    def on_start(self) -> None:
        self.task_ids: list[int] = []
        self.recipe_ids: list[int] = []
        self.conversation_ids: list[int] = []
        self.batch_ids: list[int] = []
        self.notification_ids: list[int] = []
        self.food_log_ids: list[int] = []
        self.activity_ids: list[int] = []
        self.goal_ids: list[int] = []
        self.profiled = False
        if SEEDED:
            # Each simulated user of this process takes the next seeded account: two simulated
            # users sharing one would delete each other's tasks and count the 404s as errors.
            prefix, _, count = SEEDED.rpartition(":")
            email = seeded_email(prefix, next(_SEEDED_ACCOUNTS) % int(count) + 1)
            self._sign_in("/auth/login", {"email": email, "password": PASSWORD}, SETUP)
        else:
            self._sign_in("/auth/register", {
                "email": f"load-{uuid.uuid4().hex}@load.example", "name": "Load test",
                "password": PASSWORD}, SETUP)
        self.browse_tasks(name=SETUP + "/tasks")

    def _sign_in(self, path: str, body: dict[str, str], prefix: str = "") -> None:
        """Keep the tokens a sign-in or a refresh answers, and when to renew them; when refused,
        no token: the user carries on, and its requests fail (and are counted) instead of the
        user stopping."""
        self.headers, self.refresh_token, self.renew_at = {}, "", float("inf")
        with self.rest("POST", path, json=body, name=prefix + path) as response:
            if response.status_code < 300 and response.js:
                self.headers = {"Authorization": f"Bearer {response.js['access_token']}"}
                self.refresh_token = str(response.js["refresh_token"])
                self.renew_at = time.monotonic() + RENEW_AT * response.js["expires_in"]

    def _authorized(self) -> dict[str, str]:
        """The Authorization header, the access token renewed first when it expires soon."""
        if time.monotonic() >= self.renew_at:
            self._sign_in("/auth/refresh", {"refresh_token": self.refresh_token})
        return self.headers

    def _json(self, method: str, path: str, name: str, body: object = None,
              headers: dict[str, str] | None = None) -> Any:
        """The response's JSON on success, else None (the failure is reported by Locust)."""
        with self.rest(method, path, json=body, name=name,
                       headers={**self._authorized(), **(headers or {})}) as response:
            return response.js if response.status_code < 300 else None

    def _status(self, method: str, path: str, name: str, body: object = None) -> int:
        with self.client.request(method, path, json=body, name=name,
                                 headers=self._authorized(),
                                 catch_response=True) as response:
            status: int = response.status_code
            return status

    # Tasks.

    def browse_tasks(self, name: str = "/tasks") -> None:
        params = "limit=20"
        for _ in range(3):
            page = self._json("GET", f"/tasks?{params}", name)
            if page is None:
                return
            known = set(self.task_ids)
            self.task_ids += [t["id"] for t in page["items"] if t["id"] not in known]
            if page["next_cursor"] is None or random.random() < 0.5:
                return
            params = f"limit=20&cursor={page['next_cursor']}"

    def _some_task(self) -> int | None:
        if not self.task_ids:
            self.create_task()
        return random.choice(self.task_ids) if self.task_ids else None

    def open_task(self) -> None:
        if (task_id := self._some_task()) is not None:
            self._json("GET", f"/tasks/{task_id}", "/tasks/{id}")

    def task_stats(self) -> None:
        self._json("GET", "/tasks/stats", "/tasks/stats")

    def create_task(self) -> None:
        task = self._json("POST", "/tasks", "/tasks",
                          {"title": f"Task {random.randint(1, 10**6)}", "description": "load"})
        if task is not None:
            self.task_ids.append(task["id"])

    def complete_task(self) -> None:
        if (task_id := self._some_task()) is not None:
            self._json("PATCH", f"/tasks/{task_id}", "/tasks/{id}", {"completed": True})

    def edit_task(self) -> None:
        if (task_id := self._some_task()) is None:
            return
        with self.rest("GET", f"/tasks/{task_id}", name="/tasks/{id}",
                       headers=self._authorized()) as response:
            etag = response.headers.get("etag") if response.status_code == 200 else None
        if isinstance(etag, str) and etag:
            self._json("PATCH", f"/tasks/{task_id}", "/tasks/{id}",
                       {"title": f"Edited {random.randint(1, 10**6)}", "description": None},
                       headers={"If-Match": etag})

    def delete_task(self) -> None:
        if (task_id := self._some_task()) is not None:
            if self._status("DELETE", f"/tasks/{task_id}", "/tasks/{id}") == 204:
                self.task_ids.remove(task_id)

    # Recipes.

    def create_recipe(self) -> None:
        recipe = self._json("POST", "/recipes", "/recipes", {
            "name": f"{random.choice(WORDS).title()} {random.randint(1, 1000)}",
            "recipe_json": RECIPE, "prep_time": random.randint(5, 30),
            "cook_time": random.randint(0, 90), "calories_per_serving": random.randint(50, 900),
        })
        if recipe is not None:
            self.recipe_ids.append(recipe["id"])

    def search_recipes(self) -> None:
        self._json("GET", f"/recipes?q={random.choice(WORDS)}&sort=calories&limit=20", "/recipes")

    def search_by_tag(self) -> None:
        self._json("GET", f"/recipes?tag={random.choice(TAGS)}&limit=20", "/recipes")

    def search_by_ingredient(self) -> None:
        self._json("GET", f"/recipes?ingredient={random.choice(INGREDIENTS)}&sort=total_time"
                   "&limit=20", "/recipes")

    def browse_favorites(self) -> None:
        self._json("GET", "/recipes?favorite=true&limit=20", "/recipes")

    def browse_tags(self) -> None:
        self._json("GET", "/tags", "/tags")

    def _some_recipe(self) -> int | None:
        if not self.recipe_ids:
            self.create_recipe()
        return random.choice(self.recipe_ids) if self.recipe_ids else None

    def open_recipe(self) -> None:
        if (recipe_id := self._some_recipe()) is not None:
            self._json("GET", f"/recipes/{recipe_id}", "/recipes/{id}")

    def tag_recipe(self) -> None:
        if (recipe_id := self._some_recipe()) is not None:
            self._json("PUT", f"/recipes/{recipe_id}/tags", "/recipes/{id}/tags",
                       random.sample(TAGS, random.randint(1, 3)))

    def favorite_recipe(self) -> None:
        """Mark a recipe as a favorite, or now and then unmark one."""
        if (recipe_id := self._some_recipe()) is not None:
            method = "PUT" if random.random() < 0.7 else "DELETE"
            self._status(method, f"/recipes/{recipe_id}/favorite", "/recipes/{id}/favorite")

    def record_history(self) -> None:
        if (recipe_id := self._some_recipe()) is not None:
            self._json("POST", f"/recipes/{recipe_id}/history", "/recipes/{id}/history",
                       {"ingredients_used": random.sample(INGREDIENTS, len(INGREDIENTS)),
                        "preferences_applied": {"servings": random.randint(1, 6)}})

    def read_history(self) -> None:
        if (recipe_id := self._some_recipe()) is not None:
            self._json("GET", f"/recipes/{recipe_id}/history?limit=20", "/recipes/{id}/history")

    # Chat.

    def browse_conversations(self) -> None:
        page = self._json("GET", "/conversations?limit=20", "/conversations")
        if page is not None:
            known = set(self.conversation_ids)
            self.conversation_ids += [c["id"] for c in page["items"] if c["id"] not in known]

    def start_conversation(self) -> None:
        conversation = self._json("POST", "/conversations", "/conversations",
                                  {"title": "Load test chat"})
        if conversation is not None:
            self.conversation_ids.append(conversation["id"])

    def _some_conversation(self) -> int | None:
        if not self.conversation_ids:
            self.start_conversation()
        return random.choice(self.conversation_ids) if self.conversation_ids else None

    def send_message(self) -> None:
        if (conversation_id := self._some_conversation()) is not None:
            self._json("POST", f"/conversations/{conversation_id}/messages",
                       "/conversations/{id}/messages",
                       {"role": random.choice(["user", "assistant"]), "content": "Hello " * 20})

    def read_messages(self) -> None:
        if (conversation_id := self._some_conversation()) is not None:
            self._json("GET", f"/conversations/{conversation_id}/messages?limit=50",
                       "/conversations/{id}/messages")

    # Essay batches.

    def submit_batch(self) -> None:
        essays = [{"content_id": uuid.uuid4().hex, "language": "en", "text": "An essay. " * 30}
                  for _ in range(20)]
        batch = self._json("POST", "/batches", "/batches", {"name": "load", "essays": essays})
        if batch is not None:
            self.batch_ids.append(batch["id"])

    def _some_batch(self) -> int | None:
        if not self.batch_ids:
            self.submit_batch()
        return random.choice(self.batch_ids) if self.batch_ids else None

    def process_essays(self) -> None:
        if (batch_id := self._some_batch()) is None:
            return
        claimed = self._json("POST", f"/batches/{batch_id}/claim", "/batches/{id}/claim",
                             {"limit": 2})
        if not claimed or not claimed["items"]:
            self.batch_ids.remove(batch_id)
            return
        for essay in claimed["items"]:
            status = "completed" if random.random() < 0.9 else "failed"
            self._json("PATCH", f"/essays/{essay['id']}", "/essays/{id}", {"status": status})

    def check_batch(self) -> None:
        if (batch_id := self._some_batch()) is not None:
            self._json("GET", f"/batches/{batch_id}", "/batches/{id}")

    def browse_batches(self) -> None:
        self._json("GET", "/batches?limit=20", "/batches")

    def read_batch_essays(self) -> None:
        """A page of a batch's essays: all of them, or those a worker has finished."""
        if (batch_id := self._some_batch()) is not None:
            status = random.choice(["", "&status=completed"])
            self._json("GET", f"/batches/{batch_id}/essays?limit=20{status}",
                       "/batches/{id}/essays")

    # Notifications (the service creates them: seeded users have some, see ``seed
    # --notifications-per-user``; a new account has none until something happens to it).

    def browse_notifications(self) -> None:
        unread = random.choice(["", "&unread=true"])
        page = self._json("GET", f"/notifications?limit=20{unread}", "/notifications")
        if page is not None:
            known = set(self.notification_ids)
            self.notification_ids += [n["id"] for n in page["items"] if n["id"] not in known]

    def _some_notification(self) -> int | None:
        if not self.notification_ids:
            self.browse_notifications()
        return random.choice(self.notification_ids) if self.notification_ids else None

    def read_notification(self) -> None:
        if (notification_id := self._some_notification()) is not None:
            self._json("PATCH", f"/notifications/{notification_id}", "/notifications/{id}",
                       {"is_read": True})

    def read_all_notifications(self) -> None:
        body = {"before": max(self.notification_ids)} if self.notification_ids else None
        self._json("POST", "/notifications/read-all", "/notifications/read-all", body)

    def delete_notification(self) -> None:
        if (notification_id := self._some_notification()) is not None:
            if self._status("DELETE", f"/notifications/{notification_id}",
                            "/notifications/{id}") == 204:
                self.notification_ids.remove(notification_id)

    # The food diary.

    def set_profile(self) -> None:
        """Write the whole profile, or now and then change the weight of the one written."""
        if self.profiled and random.random() < 0.3:
            with self.rest("GET", "/profile", name="/profile", headers=self.headers) as response:
                etag = response.headers.get("etag") if response.status_code == 200 else None
            if isinstance(etag, str) and etag:
                self._json("PATCH", "/profile", "/profile",
                           {"weight_kg": random.randint(55, 95)}, headers={"If-Match": etag})
            return
        born = date(random.randint(1950, 2005), random.randint(1, 12), random.randint(1, 28))
        profile = self._json("PUT", "/profile", "/profile", {
            "birth_date": born.isoformat(), "gender": random.choice(["male", "female", "other"]),
            "height_cm": random.randint(150, 195), "weight_kg": random.randint(50, 110),
            "activity_level": random.choice(["sedentary", "light", "moderate", "active"]),
            "fitness_goal": random.choice(["lose", "maintain", "gain"]),
            "time_zone": random.choice(ZONES)})
        self.profiled = self.profiled or profile is not None

    def log_meal(self) -> None:
        eaten = datetime.now(timezone.utc) - timedelta(minutes=random.randint(0, 600))
        log = self._json("POST", "/food-logs", "/food-logs", {
            "meal_type": random.choice(MEALS), "eaten_at": eaten.isoformat(),
            "items": random.sample(FOODS, 3)})
        if log is not None:
            self.food_log_ids.append(log["id"])

    def _pages(self, path: str, ids: list[int]) -> None:
        """Up to three pages of a list, following next_cursor (now and then stopping early),
        adding the ids seen to ``ids``."""
        params = "limit=20"
        for _ in range(3):
            page = self._json("GET", f"{path}?{params}", path)
            if page is None:
                return
            known = set(ids)
            ids += [item["id"] for item in page["items"] if item["id"] not in known]
            if page["next_cursor"] is None or random.random() < 0.5:
                return
            params = f"limit=20&cursor={page['next_cursor']}"

    def browse_food_logs(self) -> None:
        self._pages("/food-logs", self.food_log_ids)

    def _some_food_log(self) -> int | None:
        if not self.food_log_ids:
            self.log_meal()
        return random.choice(self.food_log_ids) if self.food_log_ids else None

    def open_food_log(self) -> None:
        if (log_id := self._some_food_log()) is not None:
            self._json("GET", f"/food-logs/{log_id}", "/food-logs/{id}")

    def edit_food_log(self) -> None:
        if (log_id := self._some_food_log()) is None:
            return
        with self.rest("GET", f"/food-logs/{log_id}", name="/food-logs/{id}",
                       headers=self.headers) as response:
            etag = response.headers.get("etag") if response.status_code == 200 else None
        if isinstance(etag, str) and etag:
            self._json("PATCH", f"/food-logs/{log_id}", "/food-logs/{id}",
                       {"items": random.sample(FOODS, 2)}, headers={"If-Match": etag})

    def delete_food_log(self) -> None:
        if (log_id := self._some_food_log()) is not None:
            if self._status("DELETE", f"/food-logs/{log_id}", "/food-logs/{id}") == 204:
                self.food_log_ids.remove(log_id)

    def drink_water(self) -> None:
        self._json("POST", "/water", "/water", {"ml": random.choice([150, 250, 330, 500])})

    def view_days(self) -> None:
        days = random.choice([7, 30])
        today = datetime.now(timezone.utc).date()
        self._json("GET", f"/nutrition/days?from={today - timedelta(days=days - 1)}"
                   f"&to={today}", "/nutrition/days")

    def view_day(self) -> None:
        when = datetime.now(timezone.utc).date() - timedelta(days=random.randint(0, 6))
        self._json("GET", f"/nutrition/days/{when}", "/nutrition/days/{date}")

    def reserve_quota(self) -> None:
        """Reserve a unit before a (pretend) model call; once the day's quota is used the 429 is
        the answer expected, not a failure. Now and then the call fails and the unit goes back."""
        kind = random.choice(KINDS)
        with self.client.request("POST", f"/usage/{kind}/reserve", name="/usage/{kind}/reserve",
                                 headers=self.headers, catch_response=True) as response:
            reserved = response.status_code == 200
            if response.status_code == 429:
                response.success()
        if reserved and random.random() < 0.2:
            self._json("POST", f"/usage/{kind}/release", "/usage/{kind}/release")

    def check_usage(self) -> None:
        self._json("GET", "/usage", "/usage")

    # Activity, weight and goals.

    def log_activity(self) -> None:
        started = datetime.now(timezone.utc) - timedelta(minutes=random.randint(30, 600))
        body: dict[str, Any] = {"activity_type": random.choice(ACTIVITY_TYPES),
                                "intensity": random.choice(INTENSITIES),
                                "duration_min": random.randint(10, 90),
                                "started_at": started.isoformat(),
                                "steps": random.randint(0, 12000)}
        if random.random() < 0.2:
            body["calories_burned"] = random.randint(50, 900)
        activity = self._json("POST", "/activities", "/activities", body)
        if activity is not None:
            self.activity_ids.append(activity["id"])

    def browse_activities(self) -> None:
        self._pages("/activities", self.activity_ids)

    def _some_activity(self) -> int | None:
        if not self.activity_ids:
            self.log_activity()
        return random.choice(self.activity_ids) if self.activity_ids else None

    def edit_activity(self) -> None:
        if (activity_id := self._some_activity()) is None:
            return
        with self.rest("GET", f"/activities/{activity_id}", name="/activities/{id}",
                       headers=self.headers) as response:
            etag = response.headers.get("etag") if response.status_code == 200 else None
        if isinstance(etag, str) and etag:
            self._json("PATCH", f"/activities/{activity_id}", "/activities/{id}",
                       {"duration_min": random.randint(10, 90)}, headers={"If-Match": etag})

    def delete_activity(self) -> None:
        if (activity_id := self._some_activity()) is not None:
            if self._status("DELETE", f"/activities/{activity_id}", "/activities/{id}") == 204:
                self.activity_ids.remove(activity_id)

    def weigh_in(self) -> None:
        measured = datetime.now(timezone.utc) - timedelta(minutes=random.randint(0, 600))
        self._json("POST", "/weights", "/weights", {
            "weight_kg": round(random.uniform(55, 110), 1), "measured_at": measured.isoformat()})

    def browse_weights(self) -> None:
        self._json("GET", "/weights?limit=20", "/weights")

    def view_weight_trend(self) -> None:
        days = random.choice([30, 365])
        today = datetime.now(timezone.utc).date()
        self._json("GET", f"/weights/trend?from={today - timedelta(days=days - 1)}&to={today}",
                   "/weights/trend")

    def set_goal(self) -> None:
        """A weight goal (once the user has a weight), or a daily or weekly amount."""
        if random.random() < 0.3:
            self.weigh_in()
            body: dict[str, Any] = {"goal_type": "weight_kg", "period": "once",
                                    "target_value": round(random.uniform(50, 120), 1)}
        else:
            kind, period, target = random.choice(AMOUNT_GOALS)
            body = {"goal_type": kind, "period": period, "target_value": target}
        goal = self._json("POST", "/goals", "/goals", body)
        if goal is not None:
            self.goal_ids.append(goal["id"])

    def view_goals(self) -> None:
        query = random.choice(["", "&active=true"])
        page = self._json("GET", f"/goals?limit=20{query}", "/goals")
        if page is not None:
            known = set(self.goal_ids)
            self.goal_ids += [g["id"] for g in page["items"] if g["id"] not in known]

    def open_goal(self) -> None:
        if not self.goal_ids:
            self.set_goal()
        if self.goal_ids:
            self._json("GET", f"/goals/{random.choice(self.goal_ids)}", "/goals/{id}")

    def view_today(self) -> None:
        self._json("GET", "/today", "/today")

    def view_streaks(self) -> None:
        self._json("GET", "/streaks", "/streaks")

    def view_stats(self) -> None:
        self._json("GET", "/stats", "/stats")

    def view_achievements(self) -> None:
        self._json("GET", "/achievements", "/achievements")

    tasks = {_action(name): weight for name, weight in WEIGHTS.items()}  # type: ignore[assignment]
