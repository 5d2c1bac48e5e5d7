"""Food logs through HTTP: totals summed exactly from the items, local dates in the user's zone
(the issue's examples, a DST change, a user who changes zone), backdating, edits and deletes with
If-Match, keyset lists with date and meal filters, and isolation between users."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import asyncpg
import pytest

from tests.helpers import Account
from tests.nutrition.helpers import ITEM, log_food, put_profile

DOCUMENT = {"ingredients": [{"name": "Leek"}], "instructions": ["Boil"]}


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


DEEP = _nested(65)


def _item(**fields) -> dict:
    return {**ITEM, **fields}


async def test_a_log_sums_its_items_exactly(client, alice: Account):
    items = [_item(calories=0.1, protein_g=0.1, carbs_g=0.2, fat_g=0.7, fiber_g=None),
             _item(calories=0.2, protein_g=0.2, carbs_g=0.1, fat_g=0.3, fiber_g=1.15)]
    response = await client.post("/food-logs", json={"meal_type": "snack", "items": items},
                                 headers=alice.headers)
    assert response.status_code == 201, response.text
    log = response.json()
    assert response.headers["ETag"] == '"1"'
    assert (log["total_calories"], log["total_protein"], log["total_carbs"], log["total_fat"],
            log["total_fiber"]) == (0.3, 0.3, 0.3, 1.0, 1.15)
    assert log["items"][0] == {**items[0], "fiber_g": None}
    assert (log["source"], log["time_zone"], log["version"]) == ("manual", "UTC", 1)
    fetched = await client.get(f"/food-logs/{log['id']}", headers=alice.headers)
    assert fetched.status_code == 200 and fetched.json() == log


async def test_item_numbers_are_kept_to_hundredths_and_names_trimmed(client, alice: Account):
    log = await log_food(client, alice, items=[_item(name="  Soup ", calories=100.004,
                                                     grams=12.345)])
    assert log["items"][0]["name"] == "Soup"
    assert (log["items"][0]["calories"], log["items"][0]["grams"]) == (100.0, 12.35)
    assert log["total_calories"] == 100.0


async def test_eaten_at_defaults_to_now_and_the_local_date_is_utc_without_a_profile(
        client, alice: Account):
    before = datetime.now(timezone.utc)
    log = await log_food(client, alice)
    eaten = datetime.fromisoformat(log["eaten_at"])
    assert before - timedelta(seconds=5) <= eaten <= datetime.now(timezone.utc)
    assert log["local_date"] == eaten.date().isoformat()


@pytest.mark.parametrize(("zone", "eaten_at", "local_date"), [
    ("Pacific/Auckland", "2026-06-30T20:00:00Z", "2026-07-01"),
    ("America/Los_Angeles", "2026-07-01T03:00:00Z", "2026-06-30"),
    ("Asia/Kolkata", "2026-07-01T18:29:59+00:00", "2026-07-01"),
    ("Asia/Kolkata", "2026-07-01T18:30:00+00:00", "2026-07-02"),
    # New York springs forward on 2026-03-08 (02:00 EST -> 03:00 EDT): a 23-hour day.
    ("America/New_York", "2026-03-08T04:59:59Z", "2026-03-07"),
    ("America/New_York", "2026-03-08T05:00:00Z", "2026-03-08"),
    ("America/New_York", "2026-03-09T03:59:59Z", "2026-03-08"),
    ("America/New_York", "2026-03-09T04:00:00Z", "2026-03-09"),
    # ... and falls back on 2026-11-01 (02:00 EDT -> 01:00 EST): a 25-hour day.
    ("America/New_York", "2026-11-01T03:59:59Z", "2026-10-31"),
    ("America/New_York", "2026-11-01T04:00:00Z", "2026-11-01"),
    ("America/New_York", "2026-11-02T04:59:59Z", "2026-11-01"),
    ("America/New_York", "2026-11-02T05:00:00Z", "2026-11-02"),
    ("America/New_York", "2026-11-01T01:30:00-05:00", "2026-11-01"),
])
async def test_the_local_date_is_that_of_eaten_at_in_the_users_zone(
        client, alice: Account, zone, eaten_at, local_date):
    await put_profile(client, alice, time_zone=zone)
    log = await log_food(client, alice, eaten_at=eaten_at)
    assert (log["local_date"], log["time_zone"]) == (local_date, zone)
    assert datetime.fromisoformat(log["eaten_at"]) == datetime.fromisoformat(eaten_at)


async def test_a_user_who_changes_zone_keeps_the_days_they_lived(client, alice: Account):
    await put_profile(client, alice, time_zone="Pacific/Auckland")
    eaten = "2026-06-30T20:00:00Z"
    first = await log_food(client, alice, eaten_at=eaten)
    assert first["local_date"] == "2026-07-01"
    await client.patch("/profile", json={"time_zone": "America/Los_Angeles"},
                       headers=alice.headers)
    kept = await client.get(f"/food-logs/{first['id']}", headers=alice.headers)
    assert (kept.json()["local_date"], kept.json()["time_zone"]) == ("2026-07-01",
                                                                    "Pacific/Auckland")
    second = await log_food(client, alice, eaten_at=eaten)
    assert (second["local_date"], second["time_zone"]) == ("2026-06-30", "America/Los_Angeles")
    renamed = await client.patch(f"/food-logs/{first['id']}", json={"meal_type": "dinner"},
                                 headers=alice.headers)
    assert renamed.json()["local_date"] == "2026-07-01"
    moved = await client.patch(f"/food-logs/{first['id']}",
                               json={"eaten_at": "2026-07-01T20:00:00Z"}, headers=alice.headers)
    assert (moved.json()["local_date"], moved.json()["time_zone"]) == ("2026-07-01",
                                                                      "America/Los_Angeles")


async def test_backdating_is_allowed_and_more_than_a_day_ahead_is_400(client, alice: Account):
    now = datetime.now(timezone.utc)
    old = await log_food(client, alice, eaten_at=(now - timedelta(days=400)).isoformat())
    assert old["local_date"] == (now - timedelta(days=400)).date().isoformat()
    await log_food(client, alice, eaten_at=(now + timedelta(hours=23)).isoformat())
    ahead = await client.post("/food-logs", json={
        "meal_type": "lunch", "items": [ITEM],
        "eaten_at": (now + timedelta(hours=25)).isoformat()}, headers=alice.headers)
    assert ahead.status_code == 400, ahead.text
    assert ahead.json()["extra"] == {"field": "eaten_at"}
    assert "must be from 1900 to a day ahead of now" in ahead.json()["detail"]
    ancient = await client.post("/food-logs", json={
        "meal_type": "lunch", "items": [ITEM], "eaten_at": "1899-12-31T23:59:59Z"},
        headers=alice.headers)
    assert ancient.status_code == 400 and "eaten_at" in ancient.text
    patched = await client.patch(f"/food-logs/{old['id']}", json={
        "eaten_at": (now + timedelta(days=2)).isoformat()}, headers=alice.headers)
    assert patched.status_code == 400 and "eaten_at" in patched.text


@pytest.mark.parametrize(("body", "named"), [
    ({"meal_type": "lunch", "items": []}, "items"),
    ({"meal_type": "lunch", "items": [ITEM] * 101}, "items"),
    ({"meal_type": "brunch", "items": [ITEM]}, "meal_type"),
    ({"items": [ITEM]}, "meal_type"),
    ({"meal_type": "lunch", "items": [_item(calories=-1)]}, "items[0].calories"),
    ({"meal_type": "lunch", "items": [_item(protein_g=5000.01)]}, "items[0].protein_g"),
    ({"meal_type": "lunch", "items": [_item(name=" ")]}, "items[0].name"),
    ({"meal_type": "lunch", "items": [{"name": "x", "calories": 1, "carbs_g": 1, "fat_g": 1}]},
     "protein_g"),
    ({"meal_type": "lunch", "items": [_item(sugar_g=3)]}, "sugar_g"),
    ({"meal_type": "lunch", "items": [ITEM], "eaten_at": "2026-07-01T12:00:00"}, "eaten_at"),
    ({"meal_type": "lunch", "items": [ITEM], "source": "camera"}, "source"),
    ({"meal_type": "lunch", "items": [ITEM], "confidence_score": 1.5}, "confidence_score"),
    ({"meal_type": "lunch", "items": [ITEM], "recipe_id": 0}, "recipe_id"),
    ({"meal_type": "lunch", "items": [ITEM], "image_url": ""}, "image_url"),
    ({"meal_type": "lunch", "items": [ITEM], "detected_items": "soup"}, "detected_items"),
    ({"meal_type": "lunch", "items": [ITEM], "detected_items": 3}, "detected_items"),
    ({"meal_type": "lunch", "items": [ITEM], "detected_items": {"\u0000": 1}}, "detected_items"),
    ({"meal_type": "lunch", "items": [ITEM], "eaten_at": "0001-01-01T00:00:00Z"}, "eaten_at"),
    ({"meal_type": "lunch", "items": [ITEM], "detected_items": {"a": "x" * 70000}},
     "detected_items"),
    ({"meal_type": "lunch", "items": [ITEM], "user_corrections": DEEP}, "user_corrections"),
])
async def test_bad_logs_are_400_naming_the_field_and_write_nothing(
        client, alice: Account, database_url, body, named):
    response = await client.post("/food-logs", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert named in response.text
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM food_logs") == 0
        assert await conn.fetchval("SELECT count(*) FROM daily_nutrition") == 0
    finally:
        await conn.close()


async def test_documents_from_a_vision_model_are_kept_as_sent(client, alice: Account):
    detected = [{"label": "ramen", "score": 0.93, "box": [1, 2, 3, 4]}]
    corrections = {"renamed": {"from": "ramen", "to": "pho"}}
    log = await log_food(client, alice, source="photo", image_url="https://example.com/a.jpg",
                         confidence_score=0.93, detected_items=detected,
                         user_corrections=corrections)
    assert (log["detected_items"], log["user_corrections"]) == (detected, corrections)
    assert (log["source"], log["confidence_score"]) == ("photo", 0.93)
    cleared = await client.patch(f"/food-logs/{log['id']}",
                                 json={"detected_items": None, "image_url": None},
                                 headers=alice.headers)
    assert cleared.status_code == 200
    assert (cleared.json()["detected_items"], cleared.json()["image_url"]) == (None, None)
    assert cleared.json()["user_corrections"] == corrections


async def test_a_log_may_name_one_of_the_users_recipes(client, alice: Account, bob: Account):
    recipe = await client.post("/recipes", json={"name": "Soup", "recipe_json": DOCUMENT},
                               headers=alice.headers)
    recipe_id = recipe.json()["id"]
    log = await log_food(client, alice, source="recipe", recipe_id=recipe_id)
    assert log["recipe_id"] == recipe_id
    theirs = await client.post("/food-logs", json={"meal_type": "lunch", "items": [ITEM],
                                                   "recipe_id": recipe_id}, headers=bob.headers)
    assert theirs.status_code == 404, theirs.text
    assert theirs.json()["extra"] == {"field": "recipe_id"}
    await client.delete(f"/recipes/{recipe_id}", headers=alice.headers)
    kept = await client.get(f"/food-logs/{log['id']}", headers=alice.headers)
    assert kept.status_code == 200
    assert kept.json()["recipe_id"] is None
    assert kept.json()["total_calories"] == log["total_calories"]


async def test_patch_replaces_the_items_and_their_totals(client, alice: Account):
    log = await log_food(client, alice, items=[ITEM, ITEM])
    assert log["total_calories"] == 501.0
    response = await client.patch(f"/food-logs/{log['id']}",
                                  json={"items": [_item(calories=99.99, fiber_g=None)]},
                                  headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"]) == 1
    assert (body["total_calories"], body["total_fiber"]) == (99.99, 0.0)
    assert body["version"] == 2 and response.headers["ETag"] == '"2"'
    assert body["eaten_at"] == log["eaten_at"] and body["local_date"] == log["local_date"]
    empty = await client.patch(f"/food-logs/{log['id']}", json={"items": []},
                               headers=alice.headers)
    assert empty.status_code == 400


async def test_if_match_guards_patch_and_delete(client, alice: Account):
    log = await log_food(client, alice)
    await client.patch(f"/food-logs/{log['id']}", json={"meal_type": "dinner"},
                       headers=alice.headers)
    stale = {**alice.headers, "If-Match": '"1"'}
    for response in (await client.patch(f"/food-logs/{log['id']}", json={"meal_type": "snack"},
                                        headers=stale),
                     await client.delete(f"/food-logs/{log['id']}", headers=stale)):
        assert response.status_code == 412, response.text
        assert response.headers["ETag"] == '"2"'
    assert (await client.get(f"/food-logs/{log['id']}",
                             headers=alice.headers)).json()["meal_type"] == "dinner"
    deleted = await client.delete(f"/food-logs/{log['id']}",
                                  headers={**alice.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(f"/food-logs/{log['id']}", headers=alice.headers)).status_code == 404
    again = await client.delete(f"/food-logs/{log['id']}", headers=alice.headers)
    assert again.status_code == 404


async def test_another_users_log_is_not_found(client, alice: Account, bob: Account):
    log = await log_food(client, alice)
    path = f"/food-logs/{log['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.patch(path, json={"meal_type": "snack"},
                               headers=bob.headers)).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.get("/food-logs", headers=bob.headers)).json()["items"] == []
    assert (await client.get(path, headers=alice.headers)).json() == log


async def _walk(client, who: Account, query: str, limit: int = 2) -> list[dict]:
    items, path = [], f"/food-logs?limit={limit}{query}"
    for _ in range(50):
        response = await client.get(path, headers=who.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        path = f"/food-logs?limit={limit}{query}&cursor={page['next_cursor']}"
    raise AssertionError("too many pages")


async def test_the_list_is_newest_eaten_first_in_keyset_pages_with_filters(
        client, alice: Account):
    await put_profile(client, alice, time_zone="Pacific/Auckland")
    made = []
    for day, hour, meal in [(1, 20, "dinner"), (2, 1, "breakfast"), (3, 0, "lunch"),
                            (1, 19, "breakfast"), (4, 22, "snack"), (2, 23, "lunch")]:
        made.append(await log_food(client, alice, meal_type=meal,
                                   eaten_at=f"2026-06-0{day}T{hour:02}:00:00Z"))
    newest = sorted(made, key=lambda log: (log["eaten_at"], log["id"]), reverse=True)
    assert await _walk(client, alice, "") == newest
    # Auckland is UTC+12 in June: 2026-06-01T19:00Z is already the 2nd there.
    assert [log["local_date"] for log in newest] == [
        "2026-06-05", "2026-06-03", "2026-06-03", "2026-06-02", "2026-06-02", "2026-06-02"]
    assert await _walk(client, alice, "&from=2026-06-03") == newest[:3]
    assert await _walk(client, alice, "&to=2026-06-02") == newest[3:]
    assert await _walk(client, alice, "&from=2026-06-03&to=2026-06-03") == newest[1:3]
    lunches = [log for log in newest if log["meal_type"] == "lunch"]
    assert await _walk(client, alice, "&meal_type=lunch", limit=1) == lunches
    assert await _walk(client, alice, "&from=2026-07-01") == []


async def test_a_bad_range_or_cursor_is_400(client, alice: Account):
    await log_food(client, alice)
    await log_food(client, alice)
    backwards = await client.get("/food-logs?from=2026-06-02&to=2026-06-01",
                                 headers=alice.headers)
    assert backwards.status_code == 400 and backwards.json()["extra"] == {"parameter": "from"}
    page = (await client.get("/food-logs?limit=1", headers=alice.headers)).json()
    other = await client.get(f"/food-logs?limit=1&meal_type=lunch&cursor={page['next_cursor']}",
                             headers=alice.headers)
    assert other.status_code == 400 and other.json()["extra"] == {"parameter": "cursor"}
    for query in ("meal_type=brunch", "from=yesterday", "limit=0"):
        assert (await client.get(f"/food-logs?{query}", headers=alice.headers)).status_code == 400


async def test_a_deleted_account_reads_and_writes_no_logs(client, alice: Account):
    log = await log_food(client, alice)
    await client.delete("/users/me", headers=alice.headers)
    created = await client.post("/food-logs", json={"meal_type": "lunch", "items": [ITEM]},
                                headers=alice.headers)
    assert created.status_code == 401
    assert (await client.get("/food-logs", headers=alice.headers)).status_code == 401
    assert (await client.get(f"/food-logs/{log['id']}", headers=alice.headers)).status_code == 404
    patched = await client.patch(f"/food-logs/{log['id']}", json={"meal_type": "snack"},
                                 headers=alice.headers)
    assert patched.status_code == 404
