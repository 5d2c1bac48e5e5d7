"""Every operation of the served OpenAPI document, with a valid request for each: for the tests that
walk every route (hostile bodies, gone accounts, the error shape). A new operation that takes a
body needs an entry in ``BODIES``; ``test_every_body_has_an_example`` says so."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar.testing import AsyncTestClient

from tests.helpers import PASSWORD, Account

METHODS = ("get", "put", "post", "patch", "delete")
PUBLIC = {"index", "live", "ready", "register", "login", "signInWithGoogle", "refresh", "logout",
          "receiveLemonSqueezyEvent"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    body: dict[str, Any] | None  # the body's schema, or None
    body_required: bool
    parameters: tuple[dict[str, Any], ...]

    def url(self, ids: dict[str, int]) -> str:
        """The path with its parameters filled from ``ids`` (by parameter name)."""
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), self.path)

    @property
    def creates(self) -> bool:
        return any(p["name"] == "Idempotency-Key" for p in self.parameters)


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody")
            found.append(Operation(
                method.upper(), path, operation["operationId"],
                body["content"]["application/json"]["schema"] if body else None,
                bool(body and body.get("required", False)),
                tuple(operation.get("parameters", ())),
            ))
    return found


RECIPE_DOCUMENT = {
    "ingredients": [{"name": "Leek", "quantity": 2, "unit": "pc"}],
    "instructions": ["Chop", "Boil"],
}
RECIPE = {
    "name": "Leek soup", "recipe_json": RECIPE_DOCUMENT, "description": "Green.",
    "cuisine_type": "french", "difficulty": "easy", "prep_time": 5, "cook_time": 20,
    "servings": 2, "calories_per_serving": 180.5, "protein_per_serving": 4.0,
    "carbs_per_serving": 30.0, "fat_per_serving": 2.5, "confidence_score": 0.9,
    "image_url": "https://example.com/soup.png",
}


PROFILE = {
    "birth_date": "1990-05-01", "gender": "female", "height_cm": 165.5, "weight_kg": 60.0,
    "activity_level": "light", "fitness_goal": "maintain", "time_zone": "Europe/Lisbon",
}
FOOD = {"name": "Leek soup", "grams": 300, "calories": 120.5, "protein_g": 3.0, "carbs_g": 20.0,
        "fat_g": 2.5, "fiber_g": 4.0}


def bodies(who: Account) -> dict[str, Any]:
    """A valid body for each operation that takes one, with every field it has."""
    return {
        "login": {"email": who.email, "password": PASSWORD},
        "register": {"email": "newcomer@example.com", "name": "Newcomer", "password": PASSWORD},
        "updateMe": {"name": "Renamed", "preferred_language": "pt-BR"},
        "createTask": {"title": "a task", "description": "to do"},
        "updateTask": {"title": "renamed", "description": "still to do", "completed": True},
        "createRecipe": RECIPE,
        "updateRecipe": RECIPE,
        "setRecipeTags": ["soup", "quick"],
        "createRecipeHistory": {"ingredients_used": ["leek"],
                                "preferences_applied": {"spicy": False}},
        "createConversation": {"title": "a chat"},
        "updateConversation": {"title": "renamed"},
        "createMessage": {"role": "user", "content": "hello"},
        "createBatch": {"name": "term 1", "essays": [
            {"content_id": "essay-1", "language": "en", "text": "Once.", "metadata": {"k": 1}}]},
        "claimEssays": {"limit": 1},
        "updateEssay": {"status": "processing", "metadata": {"k": 2}},
        "signInWithGoogle": {"id_token": "not.a.token"},
        "refresh": {"refresh_token": who.refresh_token or "none"},
        "logout": {"refresh_token": who.refresh_token or "none"},
        "changePassword": {"current_password": PASSWORD, "new_password": PASSWORD + "!"},
        "updateNotification": {"is_read": True},
        "readAllNotifications": {"before": 1},
        "putProfile": PROFILE,
        "updateProfile": {"weight_kg": 71.5, "activity_level": "active"},
        "createFoodLog": {"meal_type": "lunch", "items": [FOOD], "source": "manual"},
        "updateFoodLog": {"meal_type": "dinner", "items": [FOOD]},
        "createWater": {"ml": 250},
        "createActivity": {"activity_type": "running", "duration_min": 30,
                           "intensity": "moderate", "notes": "park"},
        "updateActivity": {"duration_min": 45, "notes": "longer"},
        "createWeight": {"weight_kg": 70.5, "notes": "morning"},
        "updateWeight": {"weight_kg": 70.0},
        "createGoal": {"goal_type": "water_min_ml", "target_value": 2000, "period": "daily"},
        "updateGoal": {"target_value": 2500},
    }


async def arrange(client: AsyncTestClient, who: Account) -> dict[str, Any]:
    """Two of everything for ``who`` (so that every list has a second page at ``limit=1``), and
    the ids that fill the routes' path parameters. Every
    create is also made once with ``Idempotency-Key: replay-<operationId>`` and its body from
    ``bodies``, so a later request with that key would be a replay."""
    ids: dict[str, Any] = {}
    examples = bodies(who)

    async def made(path: str, operation_id: str, name: str) -> None:
        for headers in (who.headers, {**who.headers, "Idempotency-Key": f"replay-{operation_id}"}):
            response = await client.post(path, json=examples[operation_id], headers=headers)
            assert response.status_code == 201, response.text
        ids.setdefault(name, response.json()["id"])

    await made("/tasks", "createTask", "task_id")
    await made("/recipes", "createRecipe", "recipe_id")
    await made(f"/recipes/{ids['recipe_id']}/history", "createRecipeHistory", "history_id")
    await made("/conversations", "createConversation", "conversation_id")
    await made(f"/conversations/{ids['conversation_id']}/messages", "createMessage", "message_id")
    response = await client.post("/batches", json={"essays": [
        {"content_id": "essay-0", "language": "en"}, {"content_id": "essay-00", "language": "en"}
    ]}, headers=who.headers)
    assert response.status_code == 201, response.text
    ids["batch_id"] = response.json()["id"]
    examples["createBatch"]["essays"][0]["content_id"] = "essay-replayed"
    response = await client.post("/batches", json=examples["createBatch"],
                                 headers={**who.headers, "Idempotency-Key": "replay-createBatch"})
    assert response.status_code == 201, response.text
    essays = await client.get(f"/batches/{ids['batch_id']}/essays", headers=who.headers)
    ids["essay_id"] = essays.json()["items"][0]["id"]
    tagged = await client.put(f"/recipes/{ids['recipe_id']}/tags", json=["quick", "soup"],
                              headers=who.headers)
    favorite = await client.put(f"/recipes/{ids['recipe_id']}/favorite", headers=who.headers)
    assert (tagged.status_code, favorite.status_code) == (200, 204)
    profile = await client.put("/profile", json=PROFILE, headers=who.headers)
    assert profile.status_code in (200, 201), profile.text
    await made("/food-logs", "createFoodLog", "food_log_id")
    await made("/water", "createWater", "water_id")
    await made("/activities", "createActivity", "activity_id")
    await made("/weights", "createWeight", "weight_id")
    await made("/goals", "createGoal", "goal_id")
    for _ in range(2):  # two more sessions, so that the sessions' list has a second page
        login = await client.post("/auth/login", json={"email": who.email, "password": PASSWORD})
        assert login.status_code == 200, login.text
    ids["session_id"] = who.session_id
    ids["notification_id"] = 1  # the service makes notifications; none of this account's
    ids["day"] = "2026-07-01"
    ids["kind"] = "coach_messages"
    return ids


# What ``arrange``'s replays sent: the createBatch body names another content_id.
def replayed_body(who: Account, operation_id: str) -> Any:
    body = bodies(who)[operation_id]
    if operation_id == "createBatch":
        body["essays"][0]["content_id"] = "essay-replayed"
    return body
