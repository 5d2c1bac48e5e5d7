"""Reservations at once, through a real server: the limit holds however many race for it, and a
retried reservation reserves once even when its copies run at the same time."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg

from tests.helpers import register

LIMITS = "vision_analyses=3,recipe_generations=2,coach_messages=10"


async def test_50_concurrent_reservations_against_a_limit_of_3_give_exactly_3(
        live, database_url):
    alice = await register(live, "alice@example.com", "Alice")
    bob = await register(live, "bob@example.com", "Bob")
    responses = await asyncio.gather(
        *(live.post("/usage/vision_analyses/reserve", headers=alice.headers) for _ in range(50)),
        *(live.post("/usage/vision_analyses/reserve", headers=bob.headers) for _ in range(5)),
    )
    mine, theirs = responses[:50], responses[50:]
    assert Counter(r.status_code for r in mine) == {200: 3, 429: 47}
    assert sorted(r.json()["used"] for r in mine if r.status_code == 200) == [1, 2, 3]
    assert all(r.json()["extra"]["used"] == 3 and "Retry-After" in r.headers
               for r in mine if r.status_code == 429)
    assert Counter(r.status_code for r in theirs) == {200: 3, 429: 2}
    conn = await asyncpg.connect(database_url)
    try:
        used = await conn.fetch("SELECT user_id, used FROM usage_counters ORDER BY user_id")
    finally:
        await conn.close()
    assert [(r["user_id"], r["used"]) for r in used] == [(alice.user_id, 3), (bob.user_id, 3)]


async def test_concurrent_releases_never_go_below_zero(live, database_url):
    alice = await register(live, "alice@example.com", "Alice")
    for _ in range(2):
        await live.post("/usage/coach_messages/reserve", headers=alice.headers)
    responses = await asyncio.gather(
        *(live.post("/usage/coach_messages/release", headers=alice.headers) for _ in range(20)))
    assert Counter(r.status_code for r in responses) == {200: 2, 409: 18}
    final = (await live.get("/usage", headers=alice.headers)).json()["counters"][2]
    assert (final["kind"], final["used"]) == ("coach_messages", 0)


async def test_copies_of_one_keyed_reservation_at_once_reserve_once(live):
    alice = await register(live, "alice@example.com", "Alice")
    keyed = {**alice.headers, "Idempotency-Key": "once"}
    responses = await asyncio.gather(
        *(live.post("/usage/coach_messages/reserve", headers=keyed) for _ in range(10)))
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 409} and statuses[200] >= 1
    assert {r.json()["used"] for r in responses if r.status_code == 200} == {1}
    usage = (await live.get("/usage", headers=alice.headers)).json()
    assert usage["counters"][2]["used"] == 1
