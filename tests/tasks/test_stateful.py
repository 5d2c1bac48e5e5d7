"""The tasks API against an in-memory model, step by step (a Hypothesis state machine): two users
create, read, change, delete, list (with the completed filter, page by page) and count their tasks,
and try the other's task ids. After every step each user's whole listing, walked through its
cursors, equals the model in order (newest first: created_at, then id, descending), and the stats
equal the model's counts; no user ever sees, changes or deletes the other's tasks.

The real app on a real PostgreSQL, through Litestar's synchronous test client (the state machine
is synchronous). Each example registers two new users, so examples start from empty models
without resetting the database. Derandomized, bounded in examples and steps.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from litestar.testing import TestClient

from app.server import create_app
from tests.helpers import PASSWORD

pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=75,
    stateful_step_count=50,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
USERS = ("a", "b")
PAGE = 3  # the invariants' page size: a listing of a dozen tasks takes a few pages

_text = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
titles = st.text(_text, min_size=1, max_size=30).filter(str.strip)
descriptions = st.none() | st.text(_text, max_size=60)


class TasksAgainstModel(RuleBasedStateMachine):
    """``api`` (a TestClient) is set by the test; ``emails`` numbers the accounts it registers."""

    api: TestClient
    emails: Iterator[int]

    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.headers: dict[str, dict[str, str]] = {}
        self.model: dict[str, dict[int, dict[str, Any]]] = {user: {} for user in USERS}
        self.owner: dict[int, str] = {}

    @initialize(target=tasks, first=st.lists(st.tuples(st.sampled_from(USERS), titles,
                                                       descriptions), max_size=12))
    def register_and_create(self, first: list[tuple[str, str, str | None]]) -> MultipleResults:
        """Two new accounts, and some tasks to start with (so that lists have several pages)."""
        for user in USERS:
            response = self.api.post("/auth/register", json={
                "email": f"{user}{next(self.emails)}@example.com", "name": user,
                "password": PASSWORD})
            assert response.status_code == 201, response.text
            self.headers[user] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return multiple(*(self.create(user, title, description)
                          for user, title, description in first))

    # -- rules ------------------------------------------------------------------------------

    @rule(target=tasks, user=st.sampled_from(USERS), title=titles, description=descriptions)
    def create(self, user: str, title: str, description: str | None) -> int:
        body: dict[str, Any] = {"title": title}
        if description is not None:
            body["description"] = description
        response = self.api.post("/tasks", json=body, headers=self.headers[user])
        assert response.status_code == 201, response.text
        task = response.json()
        assert task["title"] == title.strip()
        assert task["description"] == description
        assert task["completed"] is False and task["version"] == 1
        assert response.headers["ETag"] == '"1"'
        self.model[user][task["id"]] = task
        self.owner[task["id"]] = user
        return task["id"]

    @rule(task_id=tasks)
    def get(self, task_id: int) -> None:
        user = self.owner[task_id]
        response = self.api.get(f"/tasks/{task_id}", headers=self.headers[user])
        expected = self.model[user].get(task_id)
        if expected is None:
            assert response.status_code == 404, response.text
        else:
            assert response.status_code == 200, response.text
            assert response.json() == expected

    @rule(task_id=tasks, title=st.none() | titles, description=st.none() | descriptions,
          clear_description=st.booleans(), completed=st.none() | st.booleans())
    def patch(self, task_id: int, title: str | None, description: str | None,
              clear_description: bool, completed: bool | None) -> None:
        user = self.owner[task_id]
        body: dict[str, Any] = {}
        if title is not None:
            body["title"] = title
        if clear_description:
            body["description"] = None
        elif description is not None:
            body["description"] = description
        if completed is not None:
            body["completed"] = completed
        response = self.api.patch(f"/tasks/{task_id}", json=body, headers=self.headers[user])
        current = self.model[user].get(task_id)
        if current is None:
            assert response.status_code == 404, response.text
            return
        assert response.status_code == 200, response.text
        task = response.json()
        expected = dict(current)
        if title is not None:
            expected["title"] = title.strip()
        if "description" in body:
            expected["description"] = body["description"]
        if completed is not None:
            expected["completed"] = completed
        if expected != current:  # a write that changes nothing keeps the version and updated_at
            expected.update(version=current["version"] + 1, updated_at=task["updated_at"])
        assert task == expected
        assert _instant(task["updated_at"]) >= _instant(current["updated_at"])
        self.model[user][task_id] = task

    @rule(task_id=tasks)
    def delete(self, task_id: int) -> None:
        user = self.owner[task_id]
        response = self.api.delete(f"/tasks/{task_id}", headers=self.headers[user])
        if self.model[user].pop(task_id, None) is None:
            assert response.status_code == 404, response.text
        else:
            assert response.status_code == 204, response.text

    @rule(task_id=tasks, title=titles)
    def the_other_user_cannot_touch_it(self, task_id: int, title: str) -> None:
        """Read, change or delete: the other user's task is not found, and stays as it was (the
        invariants compare its owner's listing with the model)."""
        other = next(u for u in USERS if u != self.owner[task_id])
        headers = self.headers[other]
        assert self.api.get(f"/tasks/{task_id}", headers=headers).status_code == 404
        assert self.api.patch(f"/tasks/{task_id}", json={"title": title},
                              headers=headers).status_code == 404
        assert self.api.delete(f"/tasks/{task_id}", headers=headers).status_code == 404

    @rule(user=st.sampled_from(USERS), completed=st.none() | st.booleans(),
          limit=st.integers(1, 6))
    def list_filtered(self, user: str, completed: bool | None, limit: int) -> None:
        assert self._listing(user, completed, limit) == self._expected(user, completed)

    @rule(user=st.sampled_from(USERS))
    def stats(self, user: str) -> None:
        assert self._stats(user) == self._expected_stats(user)

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def listings_equal_the_model(self) -> None:
        for user in self.headers:
            assert self._listing(user, None, PAGE) == self._expected(user, None)

    @invariant()
    def stats_equal_the_model(self) -> None:
        for user in self.headers:
            assert self._stats(user) == self._expected_stats(user)

    # -- helpers ----------------------------------------------------------------------------

    def _listing(self, user: str, completed: bool | None, limit: int) -> list[dict[str, Any]]:
        """Every page of the user's list, following next_cursor until it is null."""
        params: dict[str, Any] = {"limit": limit}
        if completed is not None:
            params["completed"] = str(completed).lower()
        items: list[dict[str, Any]] = []
        for _ in range(len(self.model[user]) + 2):
            response = self.api.get("/tasks", params=params, headers=self.headers[user])
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["items"]) <= limit
            items.extend(page["items"])
            if page["next_cursor"] is None:
                return items
            assert len(page["items"]) == limit
            params["cursor"] = page["next_cursor"]
        raise AssertionError(f"{user}'s list has more pages than tasks")

    def _expected(self, user: str, completed: bool | None) -> list[dict[str, Any]]:
        tasks = [t for t in self.model[user].values()
                 if completed is None or t["completed"] is completed]
        return sorted(tasks, key=lambda t: (_instant(t["created_at"]), t["id"]), reverse=True)

    def _stats(self, user: str) -> dict[str, int]:
        response = self.api.get("/tasks/stats", headers=self.headers[user])
        assert response.status_code == 200, response.text
        return response.json()

    def _expected_stats(self, user: str) -> dict[str, int]:
        done = sum(t["completed"] for t in self.model[user].values())
        total = len(self.model[user])
        return {"total": total, "completed": done, "pending": total - done}


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.fixture
def api(settings, database_url) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings, database_url)) as client:
        yield client


def test_the_tasks_api_behaves_like_its_model_for_two_users(api: TestClient) -> None:
    class Machine(TasksAgainstModel):
        pass

    Machine.api = api
    Machine.emails = itertools.count(1)
    run_state_machine_as_test(Machine, settings=SETTINGS)
