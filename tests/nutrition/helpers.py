"""What the profile, diary, activity, weight, goal and quota tests share: a profile, a meal, a
glass of water, a weigh-in, an activity."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import Account

PROFILE: dict[str, Any] = {
    "birth_date": "1990-05-01", "gender": "male", "height_cm": 175, "weight_kg": 70,
    "activity_level": "moderate", "fitness_goal": "maintain",
}
ITEM: dict[str, Any] = {"name": "Lentil soup", "grams": 300, "calories": 250.5,
                        "protein_g": 12.25, "carbs_g": 30, "fat_g": 6.5, "fiber_g": 8}


def local_today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


async def put_profile(client: AsyncTestClient, who: Account, **fields: Any) -> dict[str, Any]:
    response = await client.put("/profile", json={**PROFILE, **fields}, headers=who.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def log_food(client: AsyncTestClient, who: Account, *, items: list[dict[str, Any]] | None
                   = None, meal_type: str = "lunch", **fields: Any) -> dict[str, Any]:
    body = {"meal_type": meal_type, "items": items or [ITEM], **fields}
    response = await client.post("/food-logs", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def drink(client: AsyncTestClient, who: Account, ml: int = 250, **fields: Any
                ) -> dict[str, Any]:
    response = await client.post("/water", json={"ml": ml, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def day(client: AsyncTestClient, who: Account, when: str) -> dict[str, Any]:
    response = await client.get(f"/nutrition/days/{when}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def weigh(client: AsyncTestClient, who: Account, weight_kg: float, **fields: Any
                ) -> dict[str, Any]:
    response = await client.post("/weights", json={"weight_kg": weight_kg, **fields},
                                 headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def log_activity(client: AsyncTestClient, who: Account, **fields: Any) -> dict[str, Any]:
    body = {"activity_type": "running", "intensity": "moderate", "duration_min": 45, **fields}
    response = await client.post("/activities", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def delete_and_deactivate(client: AsyncTestClient, database_url: str, table: str,
                                deleted: Account, deactivated: Account) -> None:
    """Delete one account through the API (and check none of its rows are left in ``table``),
    and deactivate the other in the database: both are gone for the API from then on."""
    assert (await client.delete("/users/me", headers=deleted.headers)).status_code == 204
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1",
                                   deleted.user_id) == 0
        await conn.execute("UPDATE users SET is_active = false WHERE id = $1",
                           deactivated.user_id)
    finally:
        await conn.close()


async def every_page(client: AsyncTestClient, who: Account, path: str, limit: int
                     ) -> list[dict[str, Any]]:
    """Every item of a keyset list, following next_cursor from the first page to the last."""
    items: list[dict[str, Any]] = []
    query: str | None = f"limit={limit}"
    for _ in range(1000):  # bounded: a list of a test's own rows ends long before
        if query is None:
            return items
        response = await client.get(f"{path}?{query}", headers=who.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        query = page["next_cursor"] and f"limit={limit}&cursor={page['next_cursor']}"
    raise AssertionError(f"{path} did not end")
