"""Idempotency-Key on creates (POST /tasks): replay, 422 on a different request, 409 in flight,
per-user scope, header validation, atomicity under concurrent duplicates, and expiry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from app.idempotency.keys import IdempotentRequest, prune_expired
from app.server import create_app
from app.tasks.models import TaskCreate
from tests.helpers import Account, fail_inserts, register, served


def _keyed(who: Account, key: str) -> dict[str, str]:
    return {**who.headers, "Idempotency-Key": key}


async def _count(database_url: str, sql: str, *args: object) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def _tasks(database_url: str, user_id: int) -> int:
    return await _count(database_url, "SELECT count(*) FROM tasks WHERE user_id = $1", user_id)


async def test_retry_with_the_same_key_replays_the_original_response_and_writes_nothing(
    client, alice: Account, database_url
):
    body = {"title": "pay rent", "description": "by Friday"}
    first = await client.post("/tasks", json=body, headers=_keyed(alice, "rent-1"))
    assert first.status_code == 201, first.text
    again = await client.post("/tasks", json=body, headers=_keyed(alice, "rent-1"))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["ETag"] == first.headers["ETag"] == '"1"'
    assert await _tasks(database_url, alice.user_id) == 1
    keys = await _count(database_url, "SELECT count(*) FROM idempotency_keys WHERE user_id = $1",
                        alice.user_id)
    assert keys == 1


async def test_the_body_is_compared_by_value_not_by_its_json_spelling(client, alice: Account):
    first = await client.post("/tasks", content=b'{"title": "a", "description": "b"}',
                              headers={**_keyed(alice, "k"), "Content-Type": "application/json"})
    again = await client.post("/tasks", content=b'{"description":"b","title":"a"}',
                              headers={**_keyed(alice, "k"), "Content-Type": "application/json"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


async def test_replay_returns_the_original_even_after_the_task_changed(client, alice: Account):
    first = await client.post("/tasks", json={"title": "draft"}, headers=_keyed(alice, "k1"))
    task_id = first.json()["id"]
    patched = await client.patch(f"/tasks/{task_id}", json={"title": "final"},
                                 headers=alice.headers)
    assert patched.status_code == 200
    again = await client.post("/tasks", json={"title": "draft"}, headers=_keyed(alice, "k1"))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["ETag"] == '"1"'


async def test_same_key_with_a_different_body_is_422_and_writes_nothing(
    client, alice: Account, database_url
):
    first = await client.post("/tasks", json={"title": "one"}, headers=_keyed(alice, "k"))
    assert first.status_code == 201
    for other in ({"title": "two"}, {"title": "one", "description": "more"}):
        response = await client.post("/tasks", json=other, headers=_keyed(alice, "k"))
        assert response.status_code == 422
        assert response.json() == {
            "status_code": 422,
            "detail": "this Idempotency-Key was already used with a different request",
            "extra": {"header": "Idempotency-Key"},
        }
    assert await _tasks(database_url, alice.user_id) == 1


async def test_keys_are_scoped_per_user(client, alice: Account, bob: Account, database_url):
    mine = await client.post("/tasks", json={"title": "same"}, headers=_keyed(alice, "shared"))
    theirs = await client.post("/tasks", json={"title": "same"}, headers=_keyed(bob, "shared"))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    # Bob's retry replays Bob's task, never Alice's.
    again = await client.post("/tasks", json={"title": "same"}, headers=_keyed(bob, "shared"))
    assert again.json() == theirs.json()
    assert await _tasks(database_url, alice.user_id) == 1
    assert await _tasks(database_url, bob.user_id) == 1


async def test_without_a_key_every_post_creates(client, alice: Account, database_url):
    for _ in range(2):
        assert (await client.post("/tasks", json={"title": "x"}, headers=alice.headers)
                ).status_code == 201
    assert await _tasks(database_url, alice.user_id) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "del\x7f"])
async def test_a_malformed_key_is_400_and_writes_nothing(
    client, alice: Account, database_url, key
):
    response = await client.post("/tasks", json={"title": "t"}, headers=_keyed(alice, key))
    assert response.status_code == 400, response.text
    extra = response.json()["extra"]
    assert extra["header"] == "Idempotency-Key"
    assert await _tasks(database_url, alice.user_id) == 0


async def test_the_longest_key_with_every_printable_character_works(client, alice: Account):
    printable = "".join(chr(c) for c in range(0x21, 0x7F))
    key = (printable * 3)[:255]
    first = await client.post("/tasks", json={"title": "t"}, headers=_keyed(alice, key))
    again = await client.post("/tasks", json={"title": "t"}, headers=_keyed(alice, key))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


def test_the_request_hash_covers_the_operation_and_the_body():
    data = TaskCreate(title="t")
    same = IdempotentRequest.of("k", "createTask", TaskCreate(title="  t "))
    assert IdempotentRequest.of("k", "createTask", data) == same
    assert IdempotentRequest.of("k", "createRecipe", data).request_hash != same.request_hash
    assert IdempotentRequest.of("k", "createTask", TaskCreate(title="u")).request_hash \
        != same.request_hash


@pytest.fixture
async def live(settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a real uvicorn server, so requests really run at once; statements wait long
    for locks, so a request can be held in flight."""
    patient = msgspec.structs.replace(settings, lock_timeout_ms=60_000, statement_timeout_ms=60_000)
    async with served(create_app(patient)) as http:
        yield http


async def _wait_for_a_blocked_statement(conn: asyncpg.Connection) -> None:
    for _ in range(500):
        if await conn.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the first request never started waiting")


async def test_a_duplicate_while_the_first_is_in_flight_is_409_then_replays(live, database_url):
    alice = await register(live, "alice@example.com", "Alice")
    holder = await asyncpg.connect(database_url)
    monitor = await asyncpg.connect(database_url)
    try:
        # Hold the user's row so the first create, once it has claimed its key, waits on its
        # foreign-key check: it is in flight, uncommitted.
        tx = holder.transaction()
        await tx.start()
        await holder.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", alice.user_id)
        first = asyncio.create_task(
            live.post("/tasks", json={"title": "slow"}, headers=_keyed(alice, "slow-1"))
        )
        await _wait_for_a_blocked_statement(monitor)
        duplicate = await live.post("/tasks", json={"title": "slow"},
                                    headers=_keyed(alice, "slow-1"))
        assert duplicate.status_code == 409, duplicate.text
        assert duplicate.headers["Retry-After"] == "1"
        assert "in progress" in duplicate.json()["detail"]
        assert not first.done()
        await tx.rollback()
        original = await asyncio.wait_for(first, 30)
    finally:
        await holder.close()
        await monitor.close()
    assert original.status_code == 201, original.text
    replay = await live.post("/tasks", json={"title": "slow"}, headers=_keyed(alice, "slow-1"))
    assert replay.status_code == 201
    assert replay.json() == original.json()
    assert await _tasks(database_url, alice.user_id) == 1


async def test_concurrent_duplicates_create_exactly_one_task(live, database_url):
    alice = await register(live, "alice@example.com", "Alice")
    responses = await asyncio.gather(*(
        live.post("/tasks", json={"title": "race"}, headers=_keyed(alice, "race-1"))
        for _ in range(12)
    ))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    bodies = {r.text for r in responses if r.status_code == 201}
    assert len(bodies) == 1
    assert await _tasks(database_url, alice.user_id) == 1


async def _backdate(database_url: str, hours: int, *keys: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $1)"
            " WHERE key = ANY($2::text[])", hours, list(keys))
    finally:
        await conn.close()


async def test_expired_keys_are_pruned_in_batches_and_fresh_ones_kept(
    client, alice: Account, database_url
):
    for key in ("old-1", "old-2", "old-3", "new"):
        assert (await client.post("/tasks", json={"title": key}, headers=_keyed(alice, key))
                ).status_code == 201
    await _backdate(database_url, 25, "old-1", "old-2", "old-3")
    conn = await asyncpg.connect(database_url)
    try:
        assert await prune_expired(conn, batch_size=2) == 3
        assert await prune_expired(conn) == 0
        left = [r["key"] for r in await conn.fetch("SELECT key FROM idempotency_keys")]
    finally:
        await conn.close()
    assert left == ["new"]
    # A key reused after it was pruned makes a new task; the kept one still replays.
    reused = await client.post("/tasks", json={"title": "old-1"}, headers=_keyed(alice, "old-1"))
    assert reused.status_code == 201
    assert await _tasks(database_url, alice.user_id) == 5
    kept = await client.post("/tasks", json={"title": "new"}, headers=_keyed(alice, "new"))
    assert kept.status_code == 201
    assert await _tasks(database_url, alice.user_id) == 5


async def test_the_service_prunes_expired_keys_when_it_starts(
    client, alice: Account, settings, database_url
):
    await client.post("/tasks", json={"title": "t"}, headers=_keyed(alice, "stale"))
    await client.post("/tasks", json={"title": "t"}, headers=_keyed(alice, "young"))
    await _backdate(database_url, 25, "stale")
    await _backdate(database_url, 23, "young")
    remaining = "SELECT count(*) FROM idempotency_keys"
    async with AsyncTestClient(app=create_app(settings)):
        for _ in range(500):
            if await _count(database_url, remaining) == 1:
                break
            await asyncio.sleep(0.02)
    keys = await _count(database_url, "SELECT count(*) FROM idempotency_keys WHERE key = 'young'")
    assert await _count(database_url, remaining) == 1 and keys == 1


async def test_a_deleted_account_cannot_create_with_a_key(client, alice: Account, database_url):
    assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    response = await client.post("/tasks", json={"title": "t"}, headers=_keyed(alice, "k"))
    assert response.status_code == 401
    assert await _count(database_url, "SELECT count(*) FROM idempotency_keys") == 0


async def test_openapi_documents_the_header_and_its_errors(client):
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"]["/tasks"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] is False
    assert header["schema"]["maxLength"] == 255 and header["schema"]["minLength"] == 1
    assert {"409", "422"} <= set(operation["responses"])


@pytest.mark.own_database
async def test_a_key_that_vanishes_before_it_can_be_replayed_is_409(
    client, alice: Account, database_url
):
    """The statement found the key stored, but by the time its response is read it was pruned:
    nothing to replay, nothing written; the client retries. (A trigger stands in for the race.)"""
    await fail_inserts(database_url, "idempotency_keys", "unique_violation", "idempotency_keys_pkey")
    response = await client.post("/tasks", json={"title": "t"}, headers=_keyed(alice, "gone"))
    assert response.status_code == 409, response.text
    assert response.headers["Retry-After"] == "1"
    assert "expired just now" in response.json()["detail"]
    assert await _tasks(database_url, alice.user_id) == 0
