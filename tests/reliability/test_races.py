"""Writes that wait on a lock see what the writer they waited for committed, through a served app
(so requests really run at once).

In READ COMMITTED every statement reads one snapshot, taken when it starts: a data-modifying CTE
that waits on a row lock and then reads or deletes other rows of the same aggregate misses what the
writer it waited for committed. The races are made deterministic by holding the lock in a
transaction of the test's own, which does what a concurrent request would, until the service's
statement waits on it; then committing. Also: ten writers replacing one recipe's tags at once, and
creates racing the deletion of their account (401, not a 404 naming a constraint)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest

from tests.conftest import app_for
from tests.helpers import PASSWORD, served
from tests.routes import RECIPE, RECIPE_DOCUMENT


@pytest.fixture
async def http(settings) -> AsyncIterator[httpx.AsyncClient]:
    async with served(app_for(settings)) as client:
        yield client


async def _account(http: httpx.AsyncClient, email: str = "racer@example.com") -> tuple[dict, int]:
    response = await http.post("/auth/register", json={"email": email, "name": "Racer",
                                                        "password": PASSWORD})
    assert response.status_code == 201, response.text
    body = response.json()
    return {"Authorization": f"Bearer {body['access_token']}"}, body["user"]["id"]


async def _recipe(http: httpx.AsyncClient, headers: dict) -> int:
    response = await http.post("/recipes", json=RECIPE, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@asynccontextmanager
async def _holding(database_url: str, *statements: tuple) -> AsyncIterator[asyncpg.Connection]:
    """A transaction of the test's that has run ``statements`` (SQL and arguments) and stays open
    until the block ends, then commits."""
    conn = await asyncpg.connect(database_url)
    try:
        transaction = conn.transaction()
        await transaction.start()
        for statement, *args in statements:
            await conn.execute(statement, *args)
        yield conn
        await transaction.commit()
    finally:
        await conn.close()


async def _waiting(holder: asyncpg.Connection, request: asyncio.Task) -> None:
    """Until the service's statement waits on a lock the holder has (bounded)."""
    for _ in range(400):
        assert not request.done(), request.result().text
        if await holder.fetchval("SELECT count(*) FROM pg_stat_activity WHERE "
                                 "application_name = 'pgapi' AND wait_event_type = 'Lock'"):
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the request never waited on the lock")


def _tag_replacement(user_id: int, recipe_id: int, names: list[str]) -> list[tuple]:
    """What a PUT /recipes/{id}/tags of ``names`` writes, by hand."""
    return [
        ("UPDATE recipes SET updated_at = now() WHERE user_id = $1 AND id = $2", user_id,
         recipe_id),
        ("INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", names),
        ("DELETE FROM recipe_tags WHERE user_id = $1 AND recipe_id = $2", user_id, recipe_id),
        ("INSERT INTO recipe_tags (user_id, recipe_id, tag_id) SELECT $1, $2, id FROM tags "
         "WHERE name = ANY ($3::text[])", user_id, recipe_id, names),
    ]


async def _stored_tags(database_url: str, recipe_id: int) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(
            "SELECT coalesce(array_agg(t.name ORDER BY t.name), '{}') FROM recipe_tags AS rt "
            "JOIN tags AS t ON t.id = rt.tag_id WHERE rt.recipe_id = $1", recipe_id)
    finally:
        await conn.close()


async def test_a_tag_replacement_that_waited_replaces_what_the_other_wrote(http, database_url):
    headers, user_id = await _account(http)
    recipe_id = await _recipe(http, headers)
    theirs = [f"theirs-{i}" for i in range(20)]
    async with _holding(database_url, *_tag_replacement(user_id, recipe_id, theirs)) as holder:
        ours = [f"ours-{i:02}" for i in range(20)]
        request = asyncio.create_task(http.put(f"/recipes/{recipe_id}/tags", json=ours,
                                               headers=headers))
        await _waiting(holder, request)
    response = await request
    assert response.status_code == 200, response.text
    assert response.json()["tags"] == ours
    assert await _stored_tags(database_url, recipe_id) == ours


async def test_ten_concurrent_tag_replacements_leave_one_writers_tags(http, database_url):
    headers, _ = await _account(http)
    recipe_id = await _recipe(http, headers)
    sets = [[f"w{writer}-{i:02}" for i in range(20)] for writer in range(10)]
    responses = await asyncio.gather(*(
        http.put(f"/recipes/{recipe_id}/tags", json=names, headers=headers) for names in sets))
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    for response, names in zip(responses, sets, strict=True):
        assert response.json()["tags"] == names
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(versions[0], versions[0] + 10))  # one after the other
    last = max(responses, key=lambda r: r.json()["version"]).json()["tags"]
    assert await _stored_tags(database_url, recipe_id) == last
    got = await http.get(f"/recipes/{recipe_id}", headers=headers)
    assert got.json()["tags"] == last


async def test_a_recipe_change_that_waited_on_a_tag_replacement_answers_the_new_tags(
    http, database_url
):
    headers, user_id = await _account(http)
    recipe_id = await _recipe(http, headers)
    theirs = ["committed", "meanwhile"]
    async with _holding(database_url, *_tag_replacement(user_id, recipe_id, theirs)) as holder:
        request = asyncio.create_task(http.patch(f"/recipes/{recipe_id}", json={"servings": 3},
                                                 headers=headers))
        await _waiting(holder, request)
    response = await request
    assert response.status_code == 200, response.text
    got = await http.get(f"/recipes/{recipe_id}", headers=headers)
    assert response.headers["etag"] == got.headers["etag"]
    assert response.json() == got.json()
    assert response.json()["tags"] == sorted(theirs)


async def test_a_rename_that_waited_on_a_new_message_answers_it_as_the_last(http, database_url):
    headers, user_id = await _account(http)
    created = await http.post("/conversations", json={"title": "before"}, headers=headers)
    conversation_id = created.json()["id"]
    message = [
        ("UPDATE conversations SET message_count = message_count + 1 "
         "WHERE user_id = $1 AND id = $2", user_id, conversation_id),
        ("INSERT INTO messages (user_id, conversation_id, role, content) "
         "VALUES ($1, $2, 'user', 'committed meanwhile')", user_id, conversation_id),
    ]
    async with _holding(database_url, *message) as holder:
        request = asyncio.create_task(http.patch(f"/conversations/{conversation_id}",
                                                 json={"title": "after"}, headers=headers))
        await _waiting(holder, request)
    response = await request
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message_count"] == 1
    assert body["last_message"]["content"] == "committed meanwhile"
    got = await http.get(f"/conversations/{conversation_id}", headers=headers)
    assert (response.headers["etag"], body) == (got.headers["etag"], got.json())


CREATES = [
    ("/tasks", {"title": "t"}, {}),
    ("/tasks", {"title": "t"}, {"Idempotency-Key": "k"}),
    ("/recipes", {"name": "r", "recipe_json": RECIPE_DOCUMENT}, {}),
    ("/recipes", {"name": "r", "recipe_json": RECIPE_DOCUMENT}, {"Idempotency-Key": "k"}),
    ("/conversations", {"title": "c"}, {}),
    ("/batches", {"essays": [{"content_id": "e", "language": "en"}]}, {}),
]


@pytest.mark.parametrize("path, body, key", CREATES)
async def test_a_create_racing_the_deletion_of_its_account_is_401(http, database_url, path,
                                                                  body, key):
    headers, user_id = await _account(http)
    async with _holding(database_url, ("DELETE FROM users WHERE id = $1", user_id)) as holder:
        request = asyncio.create_task(http.post(path, json=body, headers={**headers, **key}))
        await _waiting(holder, request)
    response = await request
    assert response.status_code == 401, response.text
    assert response.json()["detail"] == "the account no longer exists or its session has ended"
    assert "fkey" not in response.text and "constraint" not in response.text


async def test_no_constraint_name_reaches_a_response(http):
    """A taken email is a 409 that says so, without the unique constraint's name."""
    await _account(http, "taken@example.com")
    response = await http.post("/auth/register", json={"email": "TAKEN@example.com",
                                                        "name": "Again", "password": PASSWORD})
    assert response.status_code == 409
    assert "users_email_key" not in response.text and "constraint" not in json.dumps(
        response.json())
