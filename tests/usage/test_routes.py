"""Daily quotas through HTTP: reserving up to the tier's limit, then 429 with Retry-After until
the user's next local midnight; releasing; today's counters; limits per tier and from the
environment; idempotent retries; a new local day starts from zero."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from app.config import load_settings
from tests.conftest import app_for
from tests.helpers import Account, register
from tests.nutrition.helpers import local_today, put_profile


def _next_midnight(zone: str) -> datetime:
    tomorrow = local_today(zone) + timedelta(days=1)
    return datetime.combine(tomorrow, time(), ZoneInfo(zone)).astimezone(timezone.utc)


async def _reserve(client, who: Account, kind: str = "recipe_generations", **headers: str):
    return await client.post(f"/usage/{kind}/reserve", headers={**who.headers, **headers})


async def test_reservations_count_up_to_the_limit_then_429_until_local_midnight(
        client, alice: Account):
    await put_profile(client, alice, time_zone="Asia/Tokyo")
    resets = _next_midnight("Asia/Tokyo")
    for used in (1, 2):
        response = await _reserve(client, alice)
        assert response.status_code == 200, response.text
        assert response.json() == {"kind": "recipe_generations", "used": used, "limit": 2,
                                   "remaining": 2 - used,
                                   "resets_at": resets.isoformat().replace("+00:00", "Z")}
    refused = await _reserve(client, alice)
    assert refused.status_code == 429, refused.text
    wait = (resets - datetime.now(timezone.utc)).total_seconds()
    assert wait - 5 <= int(refused.headers["Retry-After"]) <= wait + 5
    body = refused.json()
    assert body["status_code"] == 429 and "no recipe_generations left today" in body["detail"]
    assert body["extra"] == {"kind": "recipe_generations", "used": 2, "limit": 2, "remaining": 0,
                             "resets_at": resets.isoformat().replace("+00:00", "Z")}
    other = await _reserve(client, alice, "vision_analyses")
    assert other.status_code == 200 and other.json()["used"] == 1


async def test_get_usage_shows_every_kind_today(client, alice: Account):
    await _reserve(client, alice, "coach_messages")
    response = await client.get("/usage", headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["date"], body["subscription_tier"]) == (local_today("UTC").isoformat(), "free")
    assert body["resets_at"] == _next_midnight("UTC").isoformat().replace("+00:00", "Z")
    assert [(c["kind"], c["used"], c["limit"], c["remaining"]) for c in body["counters"]] == [
        ("vision_analyses", 0, 3, 3), ("recipe_generations", 0, 2, 2),
        ("coach_messages", 1, 10, 9)]


async def test_release_gives_back_one_unit_and_never_goes_below_zero(client, alice: Account):
    await _reserve(client, alice)
    await _reserve(client, alice)
    assert (await _reserve(client, alice)).status_code == 429
    released = await client.post("/usage/recipe_generations/release", headers=alice.headers)
    assert released.status_code == 200, released.text
    assert (released.json()["used"], released.json()["remaining"]) == (1, 1)
    assert (await _reserve(client, alice)).status_code == 200
    for _ in range(2):
        await client.post("/usage/recipe_generations/release", headers=alice.headers)
    nothing = await client.post("/usage/recipe_generations/release", headers=alice.headers)
    assert nothing.status_code == 409, nothing.text
    assert nothing.json()["extra"]["used"] == 0
    never = await client.post("/usage/coach_messages/release", headers=alice.headers)
    assert never.status_code == 409


async def test_the_limits_follow_the_subscription_tier(client, alice: Account, database_url):
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE users SET subscription_tier = 'premium' WHERE id = $1",
                           alice.user_id)
    finally:
        await conn.close()
    body = (await client.get("/usage", headers=alice.headers)).json()
    assert body["subscription_tier"] == "premium"
    assert [c["limit"] for c in body["counters"]] == [100, 50, 500]
    assert (await _reserve(client, alice)).json()["limit"] == 50


async def test_the_limits_come_from_the_environment(service_url):
    settings = load_settings({
        "DATABASE_URL": service_url, "APP_JWT_SECRET": "test-secret-" + "x" * 40,
        "APP_ARGON2_TIME_COST": "1", "APP_ARGON2_MEMORY_KIB": "1024",
        "APP_ARGON2_PARALLELISM": "1", "APP_POOL_MIN_SIZE": "1", "APP_POOL_SIZE": "4",
        "APP_USAGE_LIMITS_FREE": "vision_analyses=1,recipe_generations=0,coach_messages=7",
    })
    async with AsyncTestClient(app=app_for(settings)) as client:
        someone = await register(client, "limits@example.com")
        assert [c["limit"] for c in (await client.get("/usage", headers=someone.headers)).json()[
            "counters"]] == [1, 0, 7]
        assert (await _reserve(client, someone, "vision_analyses")).status_code == 200
        assert (await _reserve(client, someone, "vision_analyses")).status_code == 429
        disabled = await _reserve(client, someone)
        assert disabled.status_code == 429
        assert disabled.json()["extra"]["used"] == 0


async def test_a_new_local_day_starts_from_zero(client, alice: Account, database_url):
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO usage_counters (user_id, local_date, kind, used) "
            "VALUES ($1, $2, 'recipe_generations', 2)",
            alice.user_id, local_today("UTC") - timedelta(days=1))
    finally:
        await conn.close()
    assert (await _reserve(client, alice)).json()["used"] == 1


async def test_today_is_the_users_local_today(client, alice: Account, database_url):
    await put_profile(client, alice, time_zone="Pacific/Kiritimati")
    await _reserve(client, alice)
    conn = await asyncpg.connect(database_url)
    try:
        dates = await conn.fetch("SELECT local_date FROM usage_counters WHERE user_id = $1",
                                 alice.user_id)
    finally:
        await conn.close()
    assert [r["local_date"] for r in dates] == [local_today("Pacific/Kiritimati")]


async def test_a_retried_reservation_reserves_once(client, alice: Account):
    key = {"Idempotency-Key": "reserve-1"}
    first = await _reserve(client, alice, **key)
    again = await _reserve(client, alice, **key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert (await _reserve(client, alice)).json()["used"] == 2
    other_kind = await _reserve(client, alice, "coach_messages", **key)
    assert other_kind.status_code == 422
    release_key = {**alice.headers, "Idempotency-Key": "release-1"}
    for _ in range(2):
        released = await client.post("/usage/recipe_generations/release", headers=release_key)
        assert released.json()["used"] == 1


async def test_a_refused_reservation_is_not_stored_under_its_key(client, alice: Account):
    key = {"Idempotency-Key": "late"}
    await _reserve(client, alice)
    await _reserve(client, alice)
    assert (await _reserve(client, alice, **key)).status_code == 429
    await client.post("/usage/recipe_generations/release", headers=alice.headers)
    assert (await _reserve(client, alice, **key)).status_code == 200


@pytest.mark.parametrize("path", ["/usage/tokens/reserve", "/usage/tokens/release"])
async def test_an_unknown_kind_is_400(client, alice: Account, path):
    response = await client.post(path, headers=alice.headers)
    assert response.status_code == 400, response.text


async def test_a_deleted_account_reserves_nothing(client, alice: Account):
    await client.delete("/users/me", headers=alice.headers)
    for response in (await _reserve(client, alice),
                     await client.post("/usage/coach_messages/release", headers=alice.headers),
                     await client.get("/usage", headers=alice.headers)):
        assert response.status_code == 401, response.text
