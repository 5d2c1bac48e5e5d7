"""Every load-test action, run once against the service on a real PostgreSQL: it makes its
requests without a failure, and reports them by route template; the user's setup is named as
setup, and nothing else is."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import asyncpg
import pytest

from app.loadtest.report import SETUP
from app.loadtest.scenarios import ACTIONS
from app.server import create_app
from tests.helpers import served

ROOT = Path(__file__).resolve().parents[2]

# The route each action is there to exercise, as Locust reports it.
ROUTES = {
    "browse_tasks": ("GET", "/tasks"),
    "open_task": ("GET", "/tasks/{id}"),
    "task_stats": ("GET", "/tasks/stats"),
    "create_task": ("POST", "/tasks"),
    "complete_task": ("PATCH", "/tasks/{id}"),
    "edit_task": ("PATCH", "/tasks/{id}"),
    "delete_task": ("DELETE", "/tasks/{id}"),
    "create_recipe": ("POST", "/recipes"),
    "search_recipes": ("GET", "/recipes"),
    "search_by_tag": ("GET", "/recipes"),
    "search_by_ingredient": ("GET", "/recipes"),
    "browse_favorites": ("GET", "/recipes"),
    "browse_tags": ("GET", "/tags"),
    "open_recipe": ("GET", "/recipes/{id}"),
    "tag_recipe": ("PUT", "/recipes/{id}/tags"),
    "favorite_recipe": ({"PUT", "DELETE"}, "/recipes/{id}/favorite"),
    "record_history": ("POST", "/recipes/{id}/history"),
    "read_history": ("GET", "/recipes/{id}/history"),
    "browse_conversations": ("GET", "/conversations"),
    "start_conversation": ("POST", "/conversations"),
    "send_message": ("POST", "/conversations/{id}/messages"),
    "read_messages": ("GET", "/conversations/{id}/messages"),
    "submit_batch": ("POST", "/batches"),
    "process_essays": ("POST", "/batches/{id}/claim"),
    "check_batch": ("GET", "/batches/{id}"),
    "browse_batches": ("GET", "/batches"),
    "read_batch_essays": ("GET", "/batches/{id}/essays"),
    "browse_notifications": ("GET", "/notifications"),
    "read_notification": ("PATCH", "/notifications/{id}"),
    "read_all_notifications": ("POST", "/notifications/read-all"),
    "delete_notification": ("DELETE", "/notifications/{id}"),
    "set_profile": ("PUT", "/profile"),
    "log_meal": ("POST", "/food-logs"),
    "browse_food_logs": ("GET", "/food-logs"),
    "open_food_log": ("GET", "/food-logs/{id}"),
    "edit_food_log": ("PATCH", "/food-logs/{id}"),
    "delete_food_log": ("DELETE", "/food-logs/{id}"),
    "drink_water": ("POST", "/water"),
    "view_days": ("GET", "/nutrition/days"),
    "view_day": ("GET", "/nutrition/days/{date}"),
    "reserve_quota": ("POST", "/usage/{kind}/reserve"),
    "check_usage": ("GET", "/usage"),
    "log_activity": ("POST", "/activities"),
    "browse_activities": ("GET", "/activities"),
    "edit_activity": ("PATCH", "/activities/{id}"),
    "delete_activity": ("DELETE", "/activities/{id}"),
    "weigh_in": ("POST", "/weights"),
    "browse_weights": ("GET", "/weights"),
    "view_weight_trend": ("GET", "/weights/trend"),
    "set_goal": ("POST", "/goals"),
    "view_goals": ("GET", "/goals"),
    "open_goal": ("GET", "/goals/{id}"),
    "view_today": ("GET", "/today"),
    "view_streaks": ("GET", "/streaks"),
    "view_stats": ("GET", "/stats"),
    "view_achievements": ("GET", "/achievements"),
}


def test_every_action_is_listed_with_its_route():
    assert set(ROUTES) == set(ACTIONS)


async def _notify_every_new_user(database_url: str) -> None:
    """A trigger standing in for what creates notifications (achievements, streaks, quotas, a
    subscription): every new account gets a few, so the notification actions have some."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("""
            CREATE FUNCTION notify_new_user() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO notifications (user_id, kind, title)
                SELECT NEW.id, 'streak_milestone', 'Day ' || n FROM generate_series(1, 5) AS n;
                RETURN NULL;
            END $$;
            CREATE TRIGGER notify_new_user AFTER INSERT ON users
                FOR EACH ROW EXECUTE FUNCTION notify_new_user();
        """)
    finally:
        await conn.close()


@pytest.mark.own_database
async def test_every_action_makes_its_requests_named_by_route_template(settings, database_url):
    await _notify_every_new_user(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGAPI_LOADTEST_")}
    async with served(create_app(settings)) as http:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.loadtest.run_actions", str(http.base_url), cwd=ROOT,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    report = json.loads(out)
    assert list(report) == ["on_start", *ACTIONS, "after_expiry"]
    assert [name for _, name, _, _ in report.pop("after_expiry")] == [
        "/auth/refresh", "/tasks", "/auth/refresh", "/tasks"]  # each with the renewed token
    for action, requests in report.items():
        assert requests, f"{action} made no request"
        for method, name, status, error in requests:
            assert error is None and status < 400, (action, method, name, status, error)
            assert not re.search(r"/\d|\?", name), (action, name)
    assert {name for _, name, _, _ in report["on_start"]} == {SETUP + "/auth/register",
                                                             SETUP + "/tasks"}
    for action in ACTIONS:
        assert not any(name.startswith(SETUP) for _, name, _, _ in report[action]), action
    for action, (methods, route) in ROUTES.items():
        made = {(method, name) for method, name, _, _ in report[action]}
        methods = methods if isinstance(methods, set) else {methods}
        assert any(m in methods and name == route for m, name in made), (action, made)
