"""Weigh-ins through HTTP: the latest is the profile's weight and its targets follow, in the same
transaction (a backdated one changes nothing, deleting the latest falls back to the one before),
several a day, local dates, keyset pages, If-Match, Idempotency-Key, bad input, and one user's
weigh-ins not being another's."""

from __future__ import annotations

import pytest

from tests.helpers import Account
from tests.nutrition.helpers import PROFILE, delete_and_deactivate, every_page, put_profile, weigh

MORNING = "2026-07-01T07:00:00Z"


async def _profile(client, who: Account) -> dict:
    response = await client.get("/profile", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_latest_weigh_in_is_the_profiles_weight_and_its_targets_follow(
        client, alice: Account, bob: Account):
    before = await put_profile(client, alice, weight_kg=90)
    await weigh(client, alice, 84.6, measured_at=MORNING)
    after = await _profile(client, alice)
    same_body = await put_profile(client, bob, weight_kg=84.6)  # computed on its own
    assert after["weight_kg"] == 84.6
    assert after["targets"] == same_body["targets"] != before["targets"]
    assert (after["bmr"], after["tdee"]) == (same_body["bmr"], same_body["tdee"])
    assert after["version"] == before["version"] + 1


async def test_a_backdated_weigh_in_changes_nothing_on_the_profile(client, alice: Account):
    await put_profile(client, alice, weight_kg=90)
    await weigh(client, alice, 85, measured_at=MORNING)
    latest = await _profile(client, alice)
    await weigh(client, alice, 88, measured_at="2026-06-20T07:00:00Z")
    assert await _profile(client, alice) == latest


async def test_deleting_or_moving_the_latest_falls_back_to_the_one_before(client,
                                                                         alice: Account):
    await put_profile(client, alice, weight_kg=90)
    older = await weigh(client, alice, 86, measured_at="2026-06-28T07:00:00Z")
    latest = await weigh(client, alice, 85, measured_at=MORNING)
    assert (await _profile(client, alice))["weight_kg"] == 85
    moved = await client.patch(f"/weights/{older['id']}", json={
        "measured_at": "2026-07-02T07:00:00Z"}, headers=alice.headers)
    assert moved.status_code == 200 and moved.json()["local_date"] == "2026-07-02"
    assert (await _profile(client, alice))["weight_kg"] == 86
    await client.patch(f"/weights/{older['id']}", json={"weight_kg": 84.2},
                       headers=alice.headers)
    assert (await _profile(client, alice))["weight_kg"] == 84.2
    assert (await client.delete(f"/weights/{older['id']}", headers=alice.headers)
            ).status_code == 204
    assert (await _profile(client, alice))["weight_kg"] == 85
    await client.delete(f"/weights/{latest['id']}", headers=alice.headers)
    assert (await _profile(client, alice))["weight_kg"] == 85  # none left: kept


async def test_several_weigh_ins_a_day_and_without_a_profile(client, alice: Account):
    first = await weigh(client, alice, 70.04, measured_at=MORNING, body_fat_percentage=20.06,
                        muscle_mass_kg=31, notes="  before breakfast ")
    assert (first["weight_kg"], first["body_fat_percentage"], first["notes"]) == (
        70.0, 20.1, "before breakfast")
    second = await weigh(client, alice, 70.6, measured_at="2026-07-01T20:00:00Z")
    assert first["local_date"] == second["local_date"] == "2026-07-01"
    assert first["time_zone"] == "UTC"
    assert (await client.get("/profile", headers=alice.headers)).status_code == 404
    made = await put_profile(client, alice, weight_kg=72)
    assert made["weight_kg"] == 72  # a profile written after keeps the weight it was given


async def test_a_weigh_in_is_dated_in_the_users_zone(client, alice: Account):
    await put_profile(client, alice, time_zone="Pacific/Kiritimati")  # UTC+14
    evening = await weigh(client, alice, 70, measured_at="2026-07-01T11:00:00Z")
    assert (evening["local_date"], evening["time_zone"]) == ("2026-07-02", "Pacific/Kiritimati")


async def test_the_list_is_newest_first_in_pages_of_a_date_range(client, alice: Account):
    made = [await weigh(client, alice, 70 + n, measured_at=f"2026-07-0{1 + n // 2}T1{n}:00:00Z")
            for n in range(6)]
    newest = list(reversed(made))
    assert await every_page(client, alice, "/weights", 4) == newest
    ranged = await client.get("/weights?from=2026-07-02&to=2026-07-02", headers=alice.headers)
    assert ranged.json()["items"] == newest[2:4]


async def test_if_match_guards_edits_and_deletes(client, alice: Account):
    weighed = await weigh(client, alice, 70, measured_at=MORNING)
    path = f"/weights/{weighed['id']}"
    got = await client.get(path, headers=alice.headers)
    assert got.headers["etag"] == '"1"' and got.json() == weighed
    await client.patch(path, json={"notes": "scale at the gym"}, headers=alice.headers)
    stale = await client.patch(path, json={"weight_kg": 71},
                               headers={**alice.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'
    assert (await client.delete(path, headers={**alice.headers, "If-Match": '"1"'})
            ).status_code == 412
    assert (await client.delete(path, headers={**alice.headers, "If-Match": '"2"'})
            ).status_code == 204


async def test_one_users_weigh_ins_are_not_anothers(client, alice: Account, bob: Account):
    await put_profile(client, bob, weight_kg=90)
    weighed = await weigh(client, alice, 70, measured_at=MORNING)
    path = f"/weights/{weighed['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.patch(path, json={"weight_kg": 60}, headers=bob.headers)
            ).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.get("/weights", headers=bob.headers)).json()["items"] == []
    assert (await client.get("/weights/trend", headers=bob.headers)).json() == {"points": []}
    assert (await _profile(client, bob))["weight_kg"] == 90


async def test_a_retried_create_with_its_idempotency_key_logs_once(client, alice: Account):
    headers = {**alice.headers, "Idempotency-Key": "scale-1"}
    body = {"weight_kg": 70, "measured_at": MORNING}
    first = await client.post("/weights", json=body, headers=headers)
    again = await client.post("/weights", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len((await client.get("/weights", headers=alice.headers)).json()["items"]) == 1


async def test_deleting_the_account_removes_its_weigh_ins(client, alice: Account, bob: Account,
                                                         database_url):
    await put_profile(client, alice)
    await weigh(client, alice, 70, measured_at=MORNING)
    await weigh(client, bob, 80, measured_at=MORNING)
    await delete_and_deactivate(client, database_url, "weight_logs", alice, bob)
    for who in (alice, bob):
        assert (await client.post("/weights", json={"weight_kg": 70}, headers=who.headers)
                ).status_code == 401
        assert (await client.get("/weights/trend", headers=who.headers)).status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({"weight_kg": 24.9}, "weight_kg"), ({"weight_kg": 401}, "weight_kg"), ({}, "weight_kg"),
    ({"weight_kg": [70]}, "weight_kg"),
    ({"weight_kg": 70, "body_fat_percentage": 1}, "body_fat_percentage"),
    ({"weight_kg": 70, "muscle_mass_kg": 300}, "muscle_mass_kg"),
    ({"weight_kg": 70, "muscle_mass_kg": 71}, "muscle_mass_kg"),
    ({"weight_kg": 70, "measured_at": "2999-01-01T00:00:00Z"}, "measured_at"),
    ({"weight_kg": 70, "notes": " "}, "notes"), ({"weight_kg": 70, "bmi": 22}, "bmi"),
])
async def test_bad_weigh_ins_are_400_naming_the_field(client, alice: Account, body, field):
    response = await client.post("/weights", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert field in response.text


@pytest.mark.parametrize(("query", "parameter"), [
    ("from=2026-07-02&to=2026-07-01", "from"), ("from=2000-01-01&to=2026-07-01", "from"),
    ("to=3001-01-01", "to"), ("from=yesterday", "from"),
])
async def test_bad_trend_ranges_are_400(client, alice: Account, query, parameter):
    response = await client.get(f"/weights/trend?{query}", headers=alice.headers)
    assert response.status_code == 400, response.text
    assert parameter in response.text


async def test_a_profile_without_weigh_ins_keeps_its_own_weight(client, alice: Account):
    profile = await put_profile(client, alice, weight_kg=PROFILE["weight_kg"] + 5)
    assert (await _profile(client, alice))["weight_kg"] == profile["weight_kg"]
