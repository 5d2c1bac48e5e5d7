"""DELETE /users/me removes every NutriProfile row of the user (profile, food logs, water, days,
quota counters and the idempotency keys of those creates), and nothing of another user's."""

from __future__ import annotations

import asyncpg

from tests.helpers import Account
from tests.nutrition.helpers import drink, log_food, put_profile

TABLES = ("profiles", "food_logs", "water_logs", "daily_nutrition", "usage_counters",
          "idempotency_keys")


async def _fill(client, who: Account) -> None:
    """A row of every NutriProfile table for ``who``."""
    await put_profile(client, who, time_zone="Europe/Lisbon")
    await log_food(client, who)
    await drink(client, who, 300)
    keyed = {**who.headers, "Idempotency-Key": "deletion-1"}
    reserved = await client.post("/usage/coach_messages/reserve", headers=keyed)
    assert reserved.status_code == 200, reserved.text


async def _counts(database_url: str, user_id: int) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return {table: await conn.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1",
                                           user_id) for table in TABLES}
    finally:
        await conn.close()


async def test_delete_me_removes_every_nutrition_row_of_the_user_only(
    client, alice: Account, bob: Account, database_url
):
    await _fill(client, alice)
    await _fill(client, bob)
    filled = await _counts(database_url, alice.user_id)
    assert all(filled.values()), filled
    bobs = await _counts(database_url, bob.user_id)
    assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    assert await _counts(database_url, alice.user_id) == dict.fromkeys(TABLES, 0)
    assert await _counts(database_url, bob.user_id) == bobs
