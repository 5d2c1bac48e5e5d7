"""What the engagement tests share: reading streaks, stats, achievements and notifications."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.helpers import Account

SOUP: dict[str, Any] = {"ingredients": [{"name": "Leek"}], "instructions": ["Boil"]}


async def got(client: AsyncTestClient, who: Account, path: str) -> Any:
    response = await client.get(path, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def streaks(client: AsyncTestClient, who: Account) -> dict[str, dict[str, Any]]:
    body = await got(client, who, "/streaks")
    return {s["kind"]: s for s in body["streaks"]}


async def unlocked(client: AsyncTestClient, who: Account) -> dict[str, str]:
    body = await got(client, who, "/achievements")
    return {a["code"]: a["unlocked_at"] for a in body["achievements"] if a["unlocked_at"]}


async def notifications(client: AsyncTestClient, who: Account) -> list[dict[str, Any]]:
    body = await got(client, who, "/notifications?limit=100")
    items: list[dict[str, Any]] = body["items"]
    return items


async def recipe(client: AsyncTestClient, who: Account) -> int:
    response = await client.post("/recipes", json={"name": "Leek soup", "recipe_json": SOUP},
                                 headers=who.headers)
    assert response.status_code == 201, response.text
    recipe_id: int = response.json()["id"]
    return recipe_id


async def cook(client: AsyncTestClient, who: Account, recipe_id: int) -> dict[str, Any]:
    response = await client.post(f"/recipes/{recipe_id}/history",
                                 json={"ingredients_used": ["leek"], "preferences_applied": {}},
                                 headers=who.headers)
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry
