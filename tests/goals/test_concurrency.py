"""Weigh-ins that reach a weight goal at once, through a real server: the goal completes exactly
once, at the time of one of them, and stays so."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from tests.helpers import register


async def test_concurrent_weigh_ins_reaching_a_goal_complete_it_once(live):
    alice = await register(live, "alice@example.com", "Alice")
    now = datetime.now(timezone.utc)
    start = await live.post("/weights", json={"weight_kg": 90, "measured_at": (
        now - timedelta(hours=20)).isoformat()}, headers=alice.headers)
    assert start.status_code == 201
    goals = [(await live.post("/goals", json={"goal_type": "weight_kg", "target_value": target,
                                              "period": "once"}, headers=alice.headers)).json()
             for target in (80, 85)]
    moments = [(now - timedelta(minutes=n)).isoformat() for n in range(1, 17)]
    responses = await asyncio.gather(*(
        live.post("/weights", json={"weight_kg": 79 + n % 3, "measured_at": at},
                  headers=alice.headers) for n, at in enumerate(moments)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    reached = {r.json()["measured_at"] for r in responses}
    for goal in goals:
        done = (await live.get(f"/goals/{goal['id']}", headers=alice.headers)).json()
        assert done["is_completed"] and done["completed_at"] in reached
        assert done["version"] == 2, done  # completed by one write; no other touched it
