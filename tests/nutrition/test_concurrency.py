"""Writes at once, through a real server: concurrent food logs and water for the same day all
add up in its row (each statement adds to the row it locks)."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.helpers import register
from tests.nutrition.helpers import ITEM

NOON = "2026-07-01T12:00:00Z"


async def test_concurrent_writes_to_one_day_all_add_up(live, database_url):
    alice = await register(live, "alice@example.com", "Alice")
    first = (await live.post("/food-logs", json={"meal_type": "lunch", "items": [ITEM],
                                                 "eaten_at": NOON}, headers=alice.headers)).json()
    writes = [
        *(live.post("/food-logs", json={"meal_type": meal, "items": [ITEM], "eaten_at": NOON},
                    headers=alice.headers) for meal in ["breakfast", "dinner", "snack"] * 8),
        *(live.post("/water", json={"ml": 100, "drunk_at": NOON}, headers=alice.headers)
          for _ in range(10)),
        live.patch(f"/food-logs/{first['id']}", json={"items": [ITEM, ITEM]},
                   headers=alice.headers),
    ]
    responses = await asyncio.gather(*writes)
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    totals = sorted(r.json()["day_total_ml"] for r in responses if "day_total_ml" in r.json())
    assert totals == list(range(100, 1100, 100))
    day = (await live.get("/nutrition/days/2026-07-01", headers=alice.headers)).json()["day"]
    assert (day["food_logs"], day["water_ml"], day["water_entries"]) == (25, 1000, 10)
    assert day["calories"] == 26 * ITEM["calories"]
    assert day["meals"]["lunch"] == 2 * ITEM["calories"]
    conn = await asyncpg.connect(database_url)
    try:
        summed = await conn.fetchval(
            "SELECT sum(total_calories) FROM food_logs WHERE local_date = '2026-07-01'")
    finally:
        await conn.close()
    assert float(summed) == day["calories"]
