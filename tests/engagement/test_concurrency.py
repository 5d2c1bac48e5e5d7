"""Exactly-once rewards under concurrent writes, through a real server: writers of the same user
at once each pay their XP once, unlock an achievement and notify a milestone once, a retried
create with one Idempotency-Key pays once, and concurrent deletes of one entry take its XP back
once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from tests.helpers import register
from tests.nutrition.helpers import ITEM, PROFILE, local_today

ZONE = "Europe/Lisbon"


def _noon(days_ago: int) -> str:
    day = local_today(ZONE) - timedelta(days=days_ago)
    return f"{day.isoformat()}T12:00:00+00:00"


async def _json(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> dict:
    response = await http.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_concurrent_meals_on_many_days_pay_and_unlock_exactly_once(live):
    alice = await register(live, "alice@example.com", "Alice")
    assert (await live.put("/profile", json={**PROFILE, "time_zone": ZONE},
                           headers=alice.headers)).status_code == 201
    writes = [live.post("/food-logs", json={"meal_type": "lunch", "items": [ITEM],
                                            "eaten_at": _noon(days)}, headers=alice.headers)
              for days in [*range(14), *range(0, 14, 2)]]
    responses = await asyncio.gather(*writes)
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    stats = await _json(live, "/stats", alice.headers)
    assert stats["total_meals_logged"] == 21
    assert stats["xp"] == 21 * 10 + 20 + 70  # the meals, first_meal and streak_food_7
    streaks = {s["kind"]: s for s in (await _json(live, "/streaks", alice.headers))["streaks"]}
    assert (streaks["food_logging"]["current_count"],
            streaks["food_logging"]["longest_count"]) == (14, 14)
    told = (await _json(live, "/notifications?limit=100", alice.headers))["items"]
    assert sorted(n["data"].get("achievement", "") for n in told
                  if n["kind"] == "achievement_unlocked") == ["first_meal", "streak_food_7"]
    assert [n["data"]["days"] for n in told if n["kind"] == "streak_milestone"] == [7]


async def test_a_create_retried_at_once_with_one_key_pays_once(live):
    alice = await register(live, "alice@example.com", "Alice")
    keyed = {**alice.headers, "Idempotency-Key": "one-meal"}
    body = {"meal_type": "lunch", "items": [ITEM]}
    responses = await asyncio.gather(*(live.post("/food-logs", json=body, headers=keyed)
                                       for _ in range(10)))
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1, [r.text for r in responses]
    assert all(r.status_code in (201, 409) for r in responses), [r.text for r in responses]
    stats = await _json(live, "/stats", alice.headers)
    assert (stats["xp"], stats["total_meals_logged"]) == (10 + 20, 1)


async def test_concurrent_deletes_of_one_meal_take_its_xp_back_once(live):
    alice = await register(live, "alice@example.com", "Alice")
    kept = await live.post("/food-logs", json={"meal_type": "lunch", "items": [ITEM]},
                           headers=alice.headers)
    doomed = await live.post("/food-logs", json={"meal_type": "dinner", "items": [ITEM]},
                             headers=alice.headers)
    assert kept.status_code == doomed.status_code == 201
    responses = await asyncio.gather(*(
        live.delete(f"/food-logs/{doomed.json()['id']}", headers=alice.headers)
        for _ in range(8)))
    assert sorted(r.status_code for r in responses) == [204] + [404] * 7
    stats = await _json(live, "/stats", alice.headers)
    assert (stats["xp"], stats["total_meals_logged"]) == (10 + 20, 1)
