"""Weigh-ins at once: however they interleave, the profile ends with the weight of the latest by
measured_at, and its targets computed from it; also when an older one waits for a newer one's
lock."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone

import asyncpg

from app.weights.models import WeightCreate
from app.weights.repository import WeightRepository
from tests.helpers import register
from tests.nutrition.helpers import PROFILE


async def test_concurrent_weigh_ins_leave_the_profile_at_the_latest(live):
    alice = await register(live, "alice@example.com", "Alice")
    bob = await register(live, "bob@example.com", "Bob")
    assert (await live.put("/profile", json=PROFILE, headers=alice.headers)).status_code == 201
    rng = random.Random(5)
    start = datetime(2026, 7, 1, tzinfo=timezone.utc)
    for round_number in range(4):
        weigh_ins = [(round(rng.uniform(60, 90), 1),
                      start + timedelta(days=round_number, minutes=rng.randint(0, 10_000)))
                     for _ in range(16)]
        responses = await asyncio.gather(*(
            live.post("/weights", json={"weight_kg": kg, "measured_at": at.isoformat()},
                      headers=alice.headers) for kg, at in weigh_ins))
        assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
        latest = max(weigh_ins, key=lambda w: w[1])[0]
        profile = (await live.get("/profile", headers=alice.headers)).json()
        assert profile["weight_kg"] == latest, round_number
        same = await live.put("/profile", json={**PROFILE, "weight_kg": latest},
                              headers=bob.headers)
        assert profile["targets"] == same.json()["targets"]


async def _waiting_for_a_lock(conn: asyncpg.Connection, pid: int) -> None:
    for _ in range(500):
        if await conn.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity "
                               "WHERE pid = $1", pid):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second writer never waited for the profile's lock")


async def test_an_older_weigh_in_that_waited_for_a_newer_one_does_not_win(client, alice,
                                                                         database_url):
    """The snapshot trap, made to happen: a newer weigh-in holds the profile's lock uncommitted
    while an older one arrives; once the newer commits, the older must see it and change
    nothing (in one snapshot it would set its own, older weight)."""
    await client.put("/profile", json=PROFILE, headers=alice.headers)
    newer, older, watcher = [await asyncpg.connect(database_url) for _ in range(3)]
    try:
        newer_repo, older_repo = (WeightRepository(newer).acting_for(alice.session_id),
                                  WeightRepository(older).acting_for(alice.session_id))
        held = newer.transaction()
        await held.start()
        await newer_repo.create(user_id=alice.user_id, data=WeightCreate(
            71.0, measured_at=datetime(2026, 7, 1, 11, tzinfo=timezone.utc)))
        late = asyncio.create_task(older_repo.create(user_id=alice.user_id, data=WeightCreate(
            69.0, measured_at=datetime(2026, 7, 1, 10, tzinfo=timezone.utc))))
        await _waiting_for_a_lock(watcher, older.get_server_pid())
        await held.commit()
        await late
        assert await watcher.fetchval("SELECT weight_kg FROM profiles WHERE user_id = $1",
                                      alice.user_id) == 71
    finally:
        for conn in (newer, older, watcher):
            await conn.close()
