"""Activities through HTTP: calories estimated from the MET table with the profile's weight (70 kg
without one) or sent by the user, the day's burned calories, active minutes and steps moved by
every write, remaining_calories counting what was burned, local dates, keyset pages, If-Match,
Idempotency-Key, bad input, and one user's activities not being another's."""

from __future__ import annotations

import pytest

from tests.helpers import Account
from tests.nutrition.helpers import (
    ITEM,
    day,
    delete_and_deactivate,
    every_page,
    log_food,
    put_profile,
)

RUN = {"activity_type": "running", "intensity": "moderate", "duration_min": 45,
       "started_at": "2026-07-01T07:00:00Z"}


async def _log(client, who: Account, **fields) -> dict:
    response = await client.post("/activities", json={**RUN, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_calories_are_estimated_as_met_times_weight_times_hours(client, alice: Account):
    without_profile = await _log(client, alice)
    assert (without_profile["calories_burned"], without_profile["calories_source"]) == (
        515, "estimated")  # 9.8 MET x 70 kg x 0.75 h = 514.5, half away from zero
    await put_profile(client, alice, weight_kg=80)
    walk = await _log(client, alice, activity_type="walking", intensity="high", duration_min=30)
    assert walk["calories_burned"] == 200  # 5.0 x 80 x 0.5
    yoga = await _log(client, alice, activity_type="yoga", intensity="low", duration_min=60)
    assert yoga["calories_burned"] == 184  # 2.3 x 80 x 1
    sent = await _log(client, alice, calories_burned=333)
    assert (sent["calories_burned"], sent["calories_source"]) == (333, "user")


async def test_every_type_and_intensity_has_a_met_value(client, alice: Account):
    for kind in ("walking", "running", "cycling", "swimming", "strength_training", "yoga",
                 "other"):
        burned = [(await _log(client, alice, activity_type=kind, intensity=level,
                              duration_min=60))["calories_burned"]
                  for level in ("low", "moderate", "high")]
        assert 0 < burned[0] < burned[1] < burned[2], (kind, burned)


async def test_the_day_gains_what_the_activities_burn(client, alice: Account):
    profile = await put_profile(client, alice)
    await log_food(client, alice, eaten_at="2026-07-01T12:00:00Z")
    await _log(client, alice, steps=6000)
    await _log(client, alice, calories_burned=100, duration_min=20, steps=1500,
               started_at="2026-07-01T18:00:00Z")
    shown = (await day(client, alice, "2026-07-01"))["day"]
    assert (shown["calories_burned"], shown["active_minutes"], shown["steps"],
            shown["activities"]) == (615, 65, 7500, 2)
    assert shown["remaining_calories"] == profile["targets"]["calories"] - ITEM["calories"] + 615
    days = await client.get("/nutrition/days?from=2026-07-01&to=2026-07-02",
                            headers=alice.headers)
    first, second = days.json()["days"]
    assert (first["calories_burned"], first["active_minutes"]) == (615, 65)
    assert first["remaining_calories"] == shown["remaining_calories"]
    assert (second["calories_burned"], second["active_minutes"], second["steps"]) == (0, 0, 0)


async def test_get_day_lists_the_days_activities_in_the_order_they_started(client,
                                                                          alice: Account):
    late = await _log(client, alice, started_at="2026-07-01T19:00:00Z")
    early = await _log(client, alice, started_at="2026-07-01T06:00:00Z")
    shown = await day(client, alice, "2026-07-01")
    assert [a["id"] for a in shown["activities"]] == [early["id"], late["id"]]
    assert shown["activities"][0] == early


async def test_an_activity_is_dated_in_the_users_zone(client, alice: Account):
    await put_profile(client, alice, time_zone="Pacific/Kiritimati")  # UTC+14
    evening = await _log(client, alice, started_at="2026-07-01T11:00:00Z")
    assert (evening["local_date"], evening["time_zone"]) == ("2026-07-02", "Pacific/Kiritimati")
    assert (await day(client, alice, "2026-07-02"))["day"]["activities"] == 1
    assert (await day(client, alice, "2026-07-01"))["day"]["activities"] == 0


async def test_edits_estimate_again_and_move_the_days(client, alice: Account):
    run = await _log(client, alice, steps=5000)
    longer = await client.patch(f"/activities/{run['id']}", json={"duration_min": 60},
                                headers=alice.headers)
    assert longer.status_code == 200, longer.text
    assert (longer.json()["calories_burned"], longer.json()["version"]) == (686, 2)  # 9.8x70x1
    sent = await client.patch(f"/activities/{run['id']}", json={"calories_burned": 500},
                              headers=alice.headers)
    assert (sent.json()["calories_burned"], sent.json()["calories_source"]) == (500, "user")
    kept = await client.patch(f"/activities/{run['id']}", json={"intensity": "high"},
                              headers=alice.headers)
    assert kept.json()["calories_burned"] == 500
    again = await client.patch(f"/activities/{run['id']}", json={"calories_burned": None},
                               headers=alice.headers)
    assert (again.json()["calories_burned"], again.json()["calories_source"]) == (
        826, "estimated")  # 11.8 x 70 x 1
    moved = await client.patch(f"/activities/{run['id']}", json={
        "started_at": "2026-07-03T07:00:00Z", "steps": None}, headers=alice.headers)
    assert moved.json()["local_date"] == "2026-07-03"
    left = (await day(client, alice, "2026-07-01"))["day"]
    arrived = (await day(client, alice, "2026-07-03"))["day"]
    assert (left["calories_burned"], left["active_minutes"], left["steps"], left["activities"]
            ) == (0, 0, 0, 0)
    assert (arrived["calories_burned"], arrived["active_minutes"], arrived["steps"],
            arrived["activities"]) == (826, 60, 0, 1)
    assert (await client.delete(f"/activities/{run['id']}", headers=alice.headers)
            ).status_code == 204
    gone = (await day(client, alice, "2026-07-03"))["day"]
    assert (gone["calories_burned"], gone["active_minutes"], gone["activities"]) == (0, 0, 0)


async def test_if_match_guards_edits_and_deletes(client, alice: Account):
    run = await _log(client, alice)
    got = await client.get(f"/activities/{run['id']}", headers=alice.headers)
    assert got.headers["etag"] == '"1"' and got.json() == run
    await client.patch(f"/activities/{run['id']}", json={"notes": " Hills "},
                       headers=alice.headers)
    stale = await client.patch(f"/activities/{run['id']}", json={"notes": "x"},
                               headers={**alice.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'
    refused = await client.delete(f"/activities/{run['id']}",
                                  headers={**alice.headers, "If-Match": '"1"'})
    assert refused.status_code == 412
    fresh = await client.patch(f"/activities/{run['id']}", json={"notes": None},
                               headers={**alice.headers, "If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.json()["notes"] is None
    shown = await client.get(f"/activities/{run['id']}", headers=alice.headers)
    assert shown.headers["etag"] == '"3"'


async def test_notes_are_trimmed(client, alice: Account):
    assert (await _log(client, alice, notes="  Hills  "))["notes"] == "Hills"


async def test_the_list_is_newest_first_in_pages_filtered_by_type_and_dates(client,
                                                                         alice: Account):
    made = [await _log(client, alice, activity_type=kind,
                       started_at=f"2026-07-0{1 + n // 2}T1{n}:00:00Z")
            for n, kind in enumerate(["running", "yoga", "running", "cycling", "yoga",
                                      "running"])]
    newest = list(reversed(made))
    assert await every_page(client, alice, "/activities", 4) == newest
    runs = (await client.get("/activities?activity_type=running&limit=2",
                             headers=alice.headers)).json()
    assert runs["items"] == [newest[0], newest[3]]
    rest = await client.get(f"/activities?activity_type=running&limit=2&cursor="
                            f"{runs['next_cursor']}", headers=alice.headers)
    assert rest.json() == {"items": [newest[5]], "next_cursor": None}
    other_list = await client.get(f"/activities?limit=2&cursor={runs['next_cursor']}",
                                  headers=alice.headers)
    assert other_list.status_code == 400
    ranged = await client.get("/activities?from=2026-07-02&to=2026-07-02",
                              headers=alice.headers)
    assert ranged.json()["items"] == newest[2:4]
    backwards = await client.get("/activities?from=2026-07-02&to=2026-07-01",
                                 headers=alice.headers)
    assert backwards.status_code == 400 and backwards.json()["extra"] == {"parameter": "from"}


async def test_one_users_activities_are_not_anothers(client, alice: Account, bob: Account):
    run = await _log(client, alice)
    path = f"/activities/{run['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.patch(path, json={"duration_min": 5}, headers=bob.headers)
            ).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.get("/activities", headers=bob.headers)).json()["items"] == []
    assert (await client.get(path, headers=alice.headers)).json() == run
    assert (await day(client, bob, "2026-07-01"))["day"]["calories_burned"] == 0


async def test_a_retried_create_with_its_idempotency_key_logs_once(client, alice: Account):
    headers = {**alice.headers, "Idempotency-Key": "run-1"}
    first = await client.post("/activities", json=RUN, headers=headers)
    again = await client.post("/activities", json=RUN, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = await client.post("/activities", json={**RUN, "duration_min": 10}, headers=headers)
    assert other.status_code == 422
    assert (await day(client, alice, "2026-07-01"))["day"]["activities"] == 1


async def test_a_deleted_or_deactivated_account_logs_nothing(client, alice: Account,
                                                            bob: Account, database_url):
    await _log(client, alice)
    await _log(client, bob)
    await delete_and_deactivate(client, database_url, "activity_logs", alice, bob)
    for who in (alice, bob):
        response = await client.post("/activities", json=RUN, headers=who.headers)
        assert response.status_code == 401, response.text
        assert (await client.get("/activities", headers=who.headers)).status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({**RUN, "duration_min": 0}, "duration_min"),
    ({**RUN, "duration_min": 1441}, "duration_min"),
    ({**RUN, "intensity": "extreme"}, "intensity"),
    ({**RUN, "activity_type": "chess"}, "activity_type"),
    ({**RUN, "calories_burned": -1}, "calories_burned"),
    ({**RUN, "calories_burned": 1.5}, "calories_burned"),
    ({**RUN, "heart_rate_avg": 300}, "heart_rate_avg"),
    ({**RUN, "steps": -5}, "steps"),
    ({**RUN, "distance_km": 1001}, "distance_km"),
    ({**RUN, "notes": "   "}, "notes"),
    ({**RUN, "started_at": "2026-07-01T07:00:00"}, "started_at"),
    ({**RUN, "started_at": "2999-01-01T00:00:00Z"}, "started_at"),
    ({**RUN, "pace": 5}, "pace"),
    ({"activity_type": "running", "intensity": "low"}, "duration_min"),
])
async def test_bad_activities_are_400_naming_the_field(client, alice: Account, body, field):
    response = await client.post("/activities", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert field in response.text


async def test_bad_edits_are_400(client, alice: Account):
    run = await _log(client, alice)
    for body in ({"duration_min": 0}, {"intensity": None}, {"started_at": None}, {"x": 1}):
        response = await client.patch(f"/activities/{run['id']}", json=body,
                                      headers=alice.headers)
        assert response.status_code == 400, (body, response.text)
