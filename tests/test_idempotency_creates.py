"""Idempotency keys on every create besides POST /tasks (which tests/test_idempotency.py covers):
the transactional path of app.idempotency.keys.created."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import pytest

from tests.helpers import Account

DOCUMENT = {"ingredients": [{"name": "Leek"}], "instructions": ["Boil"]}
FOOD = {"name": "Rice", "calories": 200, "protein_g": 4, "carbs_g": 44, "fat_g": 0.5}


@dataclass(frozen=True)
class Create:
    """A create route: how to build its path for a user, two different bodies, and its table."""

    name: str
    path: Callable[[object, Account], Awaitable[str]]
    body: dict
    other_body: dict
    table: str


async def _recipe(client, who: Account) -> int:
    response = await client.post("/recipes", json={"name": "Soup", "recipe_json": DOCUMENT},
                                 headers=who.headers)
    return response.json()["id"]


async def _conversation(client, who: Account) -> int:
    return (await client.post("/conversations", json={}, headers=who.headers)).json()["id"]


async def _fixed(path: str):
    return path


CREATES = [
    Create("recipe", lambda c, w: _fixed("/recipes"),
           {"name": "Stew", "recipe_json": DOCUMENT}, {"name": "Pie", "recipe_json": DOCUMENT},
           "recipes"),
    Create("history", lambda c, w: _history_path(c, w),
           {"ingredients_used": ["leek"]}, {"ingredients_used": ["onion"]}, "recipe_history"),
    Create("conversation", lambda c, w: _fixed("/conversations"),
           {"title": "One"}, {"title": "Two"}, "conversations"),
    Create("message", lambda c, w: _messages_path(c, w),
           {"role": "user", "content": "hi"}, {"role": "user", "content": "bye"}, "messages"),
    Create("batch", lambda c, w: _fixed("/batches"),
           {"essays": [{"content_id": "e1", "language": "en"}]},
           {"essays": [{"content_id": "e2", "language": "en"}]}, "batches"),
    Create("food_log", lambda c, w: _fixed("/food-logs"),
           {"meal_type": "lunch", "items": [FOOD]}, {"meal_type": "dinner", "items": [FOOD]},
           "food_logs"),
    Create("water", lambda c, w: _fixed("/water"), {"ml": 250}, {"ml": 300}, "water_logs"),
    Create("activity", lambda c, w: _fixed("/activities"),
           {"activity_type": "yoga", "intensity": "low", "duration_min": 30},
           {"activity_type": "yoga", "intensity": "low", "duration_min": 40}, "activity_logs"),
    Create("weight", lambda c, w: _fixed("/weights"), {"weight_kg": 70}, {"weight_kg": 71},
           "weight_logs"),
    Create("goal", lambda c, w: _fixed("/goals"),
           {"goal_type": "steps", "target_value": 8000, "period": "daily"},
           {"goal_type": "steps", "target_value": 9000, "period": "daily"}, "goals"),
]


async def _history_path(client, who: Account) -> str:
    return f"/recipes/{await _recipe(client, who)}/history"


async def _messages_path(client, who: Account) -> str:
    return f"/conversations/{await _conversation(client, who)}/messages"


async def _rows(database_url: str, table: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(f"SELECT count(*) FROM {table}")
    finally:
        await conn.close()


@pytest.fixture(params=CREATES, ids=[c.name for c in CREATES])
def create(request) -> Create:
    return request.param


async def test_a_retry_replays_the_first_answer_and_writes_nothing(client, alice, create,
                                                                    database_url):
    path = await create.path(client, alice)
    before = await _rows(database_url, create.table)
    headers = {**alice.headers, "Idempotency-Key": f"{create.name}-1"}
    first = await client.post(path, json=create.body, headers=headers)
    again = await client.post(path, json=create.body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("etag") == first.headers.get("etag")
    assert await _rows(database_url, create.table) == before + 1


async def test_the_same_key_with_another_body_is_422_and_writes_nothing(client, alice, create,
                                                                        database_url):
    path = await create.path(client, alice)
    headers = {**alice.headers, "Idempotency-Key": f"{create.name}-2"}
    assert (await client.post(path, json=create.body, headers=headers)).status_code == 201
    before = await _rows(database_url, create.table)
    response = await client.post(path, json=create.other_body, headers=headers)
    assert response.status_code == 422
    assert response.json()["extra"] == {"header": "Idempotency-Key"}
    assert await _rows(database_url, create.table) == before


async def test_a_key_held_by_a_request_in_flight_is_409_and_writes_nothing(
    client, alice, create, database_url
):
    """Another session holds the key's advisory lock, as a request still running would."""
    path = await create.path(client, alice)
    key = f"{create.name}-3"
    holder = await asyncpg.connect(database_url)
    try:
        await holder.execute(
            "SELECT pg_advisory_lock(hashtextextended(format('idempotency:%s:%s', $1::bigint, "
            "$2::text), 0))", alice.user_id, key)
        before = await _rows(database_url, create.table)
        response = await client.post(path, json=create.body,
                                     headers={**alice.headers, "Idempotency-Key": key})
        assert response.status_code == 409
        assert response.headers["retry-after"] == "1"
        assert await _rows(database_url, create.table) == before
    finally:
        await holder.close()
    done = await client.post(path, json=create.body,
                             headers={**alice.headers, "Idempotency-Key": key})
    assert done.status_code == 201


async def test_keys_belong_to_one_user(client, alice, bob, create, database_url):
    headers = {"Idempotency-Key": f"{create.name}-shared"}
    mine = await client.post(await create.path(client, alice), json=create.body,
                             headers={**alice.headers, **headers})
    theirs = await client.post(await create.path(client, bob), json=create.body,
                               headers={**bob.headers, **headers})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


async def test_a_failed_create_stores_no_key_so_a_corrected_retry_succeeds(client, alice,
                                                                          database_url):
    await client.post("/batches", json={"essays": [{"content_id": "taken", "language": "en"}]},
                      headers=alice.headers)
    headers = {**alice.headers, "Idempotency-Key": "batch-retry"}
    clash = await client.post("/batches", json={"essays": [
        {"content_id": "taken", "language": "en"}, {"content_id": "new", "language": "en"}]},
        headers=headers)
    assert clash.status_code == 409
    assert clash.json()["extra"] == {"field": "essays", "content_ids": ["taken"]}
    assert await _rows(database_url, "idempotency_keys") == 0
    fixed = await client.post("/batches", json={"essays": [{"content_id": "new",
                                                             "language": "en"}]},
                              headers=headers)
    assert fixed.status_code == 201
    assert fixed.json()["total"] == 1


async def test_a_key_for_a_missing_parent_is_404_and_stores_nothing(client, alice, database_url):
    response = await client.post("/conversations/999999/messages",
                                 json={"role": "user", "content": "hello?"},
                                 headers={**alice.headers, "Idempotency-Key": "orphan"})
    assert response.status_code == 404
    assert await _rows(database_url, "idempotency_keys") == 0


async def test_every_create_documents_the_key(client):
    schema = (await client.get("/schema/openapi.json")).json()
    creates = {
        (path, "post") for path, item in schema["paths"].items()
        if "post" in item and "201" in item["post"]["responses"] and path != "/auth/register"
    }
    assert len(creates) == len(CREATES) + 1  # and POST /tasks (tests/test_idempotency.py)
    for path, method in creates:
        operation = schema["paths"][path][method]
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "Idempotency-Key" in names, path
        assert {"409", "422"} <= set(operation["responses"]), path


@pytest.mark.own_database
async def test_a_key_stored_by_a_racer_after_the_claim_rolls_the_create_back(client, alice,
                                                                          database_url):
    """A trigger stores the key in the request's own transaction after its claim (what a racer
    whose commit the claim's snapshot missed would look like): storing the response then fails,
    the whole transaction with the new conversation rolls back, and the client is told to retry."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "CREATE FUNCTION store_key_first() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response) "
            "VALUES (NEW.user_id, 'raced', decode(repeat('00', 32), 'hex'), 201, '{}'); "
            "RETURN NEW; END $$")
        await conn.execute("CREATE TRIGGER store_key_first AFTER INSERT ON conversations "
                           "FOR EACH ROW EXECUTE FUNCTION store_key_first()")
        response = await client.post("/conversations", json={"title": "raced"},
                                     headers={**alice.headers, "Idempotency-Key": "raced"})
        assert response.status_code == 409
        assert response.headers["retry-after"] == "1"
        assert await conn.fetchval("SELECT count(*) FROM conversations") == 0
        assert await conn.fetchval("SELECT count(*) FROM idempotency_keys") == 0
        await conn.execute("DROP TRIGGER store_key_first ON conversations")
    finally:
        await conn.close()
    retried = await client.post("/conversations", json={"title": "raced"},
                                headers={**alice.headers, "Idempotency-Key": "raced"})
    assert retried.status_code == 201
