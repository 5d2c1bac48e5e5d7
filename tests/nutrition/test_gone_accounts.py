"""Gone accounts: DELETE /users/me removes every NutriProfile row of the user (profile, food logs,
water, days, quota counters and the idempotency keys of those creates), and nothing of another
user's; a deactivated account's token is answered exactly as a deleted one's on every route."""

from __future__ import annotations

import asyncpg
import pytest

from tests.helpers import Account
from tests.nutrition.helpers import ITEM, PROFILE, drink, log_food, put_profile

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


async def _answers(client, who: Account, log_id: int, water_id: int) -> list[tuple[str, int]]:
    """Every NutriProfile route once, as ``who``: (what, status)."""
    h = who.headers
    calls = [
        ("PUT /profile", client.put("/profile", json=PROFILE, headers=h)),
        ("GET /profile", client.get("/profile", headers=h)),
        ("PATCH /profile", client.patch("/profile", json={"weight_kg": 71}, headers=h)),
        ("POST /food-logs", client.post("/food-logs", json={"meal_type": "lunch",
                                                            "items": [ITEM]}, headers=h)),
        ("GET /food-logs", client.get("/food-logs", headers=h)),
        ("GET /food-logs/{id}", client.get(f"/food-logs/{log_id}", headers=h)),
        ("PATCH /food-logs/{id}", client.patch(f"/food-logs/{log_id}",
                                               json={"meal_type": "snack"}, headers=h)),
        ("DELETE /food-logs/{id}", client.delete(f"/food-logs/{log_id}", headers=h)),
        ("POST /water", client.post("/water", json={"ml": 200}, headers=h)),
        ("GET /water", client.get("/water", headers=h)),
        ("DELETE /water/{id}", client.delete(f"/water/{water_id}", headers=h)),
        ("GET /nutrition/days", client.get("/nutrition/days", headers=h)),
        ("GET /nutrition/days/{date}", client.get("/nutrition/days/2026-07-01", headers=h)),
        ("POST /usage/{kind}/reserve", client.post("/usage/coach_messages/reserve", headers=h)),
        ("POST /usage/{kind}/release", client.post("/usage/coach_messages/release", headers=h)),
        ("GET /usage", client.get("/usage", headers=h)),
        ("DELETE /profile", client.delete("/profile", headers=h)),
    ]
    return [(what, (await call).status_code) for what, call in calls]


# Creates, lists and the whole-account reads say the account is gone; one row's routes find no
# row, as for any id that is not the caller's.
GONE = {
    "PUT /profile": 401, "GET /profile": 404, "PATCH /profile": 404, "POST /food-logs": 401,
    "GET /food-logs": 401, "GET /food-logs/{id}": 404, "PATCH /food-logs/{id}": 404,
    "DELETE /food-logs/{id}": 404, "POST /water": 401, "GET /water": 401,
    "DELETE /water/{id}": 404, "GET /nutrition/days": 401, "GET /nutrition/days/{date}": 401,
    "POST /usage/{kind}/reserve": 401, "POST /usage/{kind}/release": 401, "GET /usage": 401,
    "DELETE /profile": 404,
}


@pytest.mark.parametrize("gone", ["deleted", "deactivated"])
async def test_a_gone_accounts_token_reads_and_writes_nothing(client, alice: Account,
                                                              database_url, gone):
    await _fill(client, alice)
    log = await log_food(client, alice)
    water = await drink(client, alice)
    before = await _counts(database_url, alice.user_id)
    if gone == "deleted":
        assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    else:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("UPDATE users SET is_active = false WHERE id = $1", alice.user_id)
        finally:
            await conn.close()
    assert dict(await _answers(client, alice, log["id"], water["id"])) == GONE
    if gone == "deactivated":  # its rows are kept as they were, none written or deleted
        assert await _counts(database_url, alice.user_id) == before
