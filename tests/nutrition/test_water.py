"""Water through HTTP: each entry answers with its day's new total, deletes take it off, entries
are dated in the user's zone, listed in keyset pages, and one user's are not another's."""

from __future__ import annotations

import pytest

from tests.helpers import Account
from tests.nutrition.helpers import day, drink, put_profile


async def test_each_entry_answers_with_its_days_total(client, alice: Account):
    await put_profile(client, alice, time_zone="Pacific/Auckland")
    first = await drink(client, alice, 250, drunk_at="2026-06-30T20:00:00Z")
    assert (first["ml"], first["local_date"], first["day_total_ml"]) == (250, "2026-07-01", 250)
    assert first["time_zone"] == "Pacific/Auckland"
    second = await drink(client, alice, 500, drunk_at="2026-07-01T02:00:00Z")
    assert second["day_total_ml"] == 750
    other_day = await drink(client, alice, 100, drunk_at="2026-07-01T13:00:00Z")
    assert (other_day["local_date"], other_day["day_total_ml"]) == ("2026-07-02", 100)
    assert (await day(client, alice, "2026-07-01"))["day"]["water_ml"] == 750


async def test_deleting_an_entry_takes_it_off_its_day(client, alice: Account, bob: Account):
    kept = await drink(client, alice, 300, drunk_at="2026-07-01T08:00:00Z")
    gone = await drink(client, alice, 200, drunk_at="2026-07-01T09:00:00Z")
    assert (await client.delete(f"/water/{gone['id']}", headers=bob.headers)).status_code == 404
    assert (await client.delete(f"/water/{gone['id']}", headers=alice.headers)).status_code == 204
    assert (await client.delete(f"/water/{gone['id']}", headers=alice.headers)).status_code == 404
    today = (await day(client, alice, "2026-07-01"))["day"]
    assert (today["water_ml"], today["water_entries"]) == (300, 1)
    listed = await client.get("/water", headers=alice.headers)
    assert [w["id"] for w in listed.json()["items"]] == [kept["id"]]
    assert (await client.get("/water", headers=bob.headers)).json()["items"] == []


async def test_the_list_is_newest_first_in_pages_of_a_date_range(client, alice: Account):
    made = [await drink(client, alice, 100 + n, drunk_at=f"2026-07-0{1 + n // 2}T1{n}:00:00Z")
            for n in range(6)]
    newest = [{k: v for k, v in w.items() if k != "day_total_ml"} for w in reversed(made)]
    items, path = [], "/water?limit=4"
    while path:
        page = (await client.get(path, headers=alice.headers)).json()
        items += page["items"]
        path = page["next_cursor"] and f"/water?limit=4&cursor={page['next_cursor']}"
    assert items == newest
    ranged = await client.get("/water?from=2026-07-02&to=2026-07-02", headers=alice.headers)
    assert ranged.json()["items"] == newest[2:4]
    backwards = await client.get("/water?from=2026-07-02&to=2026-07-01", headers=alice.headers)
    assert backwards.status_code == 400


@pytest.mark.parametrize("body", [
    {"ml": 0}, {"ml": 5001}, {"ml": 1.5}, {}, {"ml": 250, "drunk_at": "2026-07-01T08:00:00"},
    {"ml": 250, "drunk_at": "2999-01-01T00:00:00Z"}, {"ml": 250, "glass": True},
])
async def test_bad_water_is_400(client, alice: Account, body):
    response = await client.post("/water", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text


async def test_a_deleted_account_logs_no_water(client, alice: Account):
    entry = await drink(client, alice)
    await client.delete("/users/me", headers=alice.headers)
    assert (await client.post("/water", json={"ml": 1}, headers=alice.headers)).status_code == 401
    assert (await client.get("/water", headers=alice.headers)).status_code == 401
    assert (await client.delete(f"/water/{entry['id']}",
                                headers=alice.headers)).status_code == 404
