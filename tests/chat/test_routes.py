"""The chat API through HTTP, on a real PostgreSQL: conversations, messages, their pages."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from app.modules import load_queries
from tests.helpers import Account

CONVERSATION_FIELDS = {
    "id", "title", "message_count", "last_message", "created_at", "updated_at", "version",
}


async def _conversation(client, who: Account, title: str | None = "a chat") -> dict:
    response = await client.post("/conversations", json={"title": title}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _say(client, who: Account, conversation_id: int, content: str, role: str = "user"):
    response = await client.post(f"/conversations/{conversation_id}/messages",
                                 json={"role": role, "content": content}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _all_messages(client, who: Account, conversation_id: int, limit: int) -> list[dict]:
    """Every message, walking from the newest page to the oldest, returned oldest first."""
    pages: list[list[dict]] = []
    params: dict = {"limit": limit}
    for _ in range(1000):
        response = await client.get(f"/conversations/{conversation_id}/messages", params=params,
                                    headers=who.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            break
        params["before"] = body["next_cursor"]
    return [m for page in reversed(pages) for m in page]


async def test_create_returns_an_empty_conversation_with_an_etag(client, alice):
    response = await client.post("/conversations", json={"title": "  Plans  "},
                                 headers=alice.headers)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == CONVERSATION_FIELDS
    assert body["title"] == "Plans"
    assert body["message_count"] == 0
    assert body["last_message"] is None
    assert response.headers["etag"] == f'"{body["version"]}"'


async def test_title_is_optional(client, alice):
    response = await client.post("/conversations", json={}, headers=alice.headers)
    assert response.status_code == 201
    assert response.json()["title"] is None


@pytest.mark.parametrize("body, field", [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "a\x00b"}, "title"),
    ({"title": 5}, "title"),
    ({"topic": "x"}, "topic"),
])
async def test_bad_conversation_bodies_are_400_naming_the_field(client, alice, body, field):
    response = await client.post("/conversations", json=body, headers=alice.headers)
    assert response.status_code == 400
    assert field in response.text


async def test_a_message_counts_and_becomes_the_last_message(client, alice):
    conversation = await _conversation(client, alice)
    await asyncio.sleep(0.002)
    first = await _say(client, alice, conversation["id"], "hello")
    second = await _say(client, alice, conversation["id"], "hi there", role="assistant")
    assert set(second) == {"id", "conversation_id", "role", "content", "created_at"}
    assert second["conversation_id"] == conversation["id"]
    response = await client.get(f"/conversations/{conversation['id']}", headers=alice.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["message_count"] == 2
    assert body["last_message"] == second
    assert body["updated_at"] > conversation["updated_at"]
    assert body["updated_at"] >= first["created_at"]
    assert response.headers["etag"] == f'"{body["version"]}"'


@pytest.mark.parametrize("body, field", [
    ({"role": "robot", "content": "x"}, "role"),
    ({"role": "user", "content": ""}, "content"),
    ({"role": "user", "content": "x" * 10001}, "content"),
    ({"role": "user", "content": "nul\x00"}, "content"),
    ({"content": "x"}, "role"),
    ({"role": "user", "content": "x", "extra": 1}, "extra"),
])
async def test_bad_messages_are_400_and_write_nothing(client, alice, database_url, body, field):
    conversation = await _conversation(client, alice)
    response = await client.post(f"/conversations/{conversation['id']}/messages", json=body,
                                 headers=alice.headers)
    assert response.status_code == 400
    assert field in response.text
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 0
    finally:
        await conn.close()


async def test_content_of_exactly_10000_characters_is_accepted(client, alice):
    conversation = await _conversation(client, alice)
    message = await _say(client, alice, conversation["id"], "é" * 10000)
    assert len(message["content"]) == 10000


async def test_posting_to_a_missing_conversation_is_404(client, alice):
    response = await client.post("/conversations/987654/messages",
                                 json={"role": "user", "content": "anyone?"}, headers=alice.headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "conversation not found"


async def test_other_users_conversation_is_not_found_and_untouched(client, alice, bob,
                                                                    database_url):
    conversation = await _conversation(client, alice)
    await _say(client, alice, conversation["id"], "private")
    path = f"/conversations/{conversation['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.patch(path, json={"title": "mine"}, headers=bob.headers)).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.get(f"{path}/messages", headers=bob.headers)).status_code == 404
    posted = await client.post(f"{path}/messages", json={"role": "user", "content": "sneaky"},
                               headers=bob.headers)
    assert posted.status_code == 404
    listed = await client.get("/conversations", headers=bob.headers)
    assert listed.json() == {"items": [], "next_cursor": None}
    after = (await client.get(path, headers=alice.headers)).json()
    assert after["title"] == "a chat"
    assert after["message_count"] == 1
    assert after["last_message"]["content"] == "private"
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM messages WHERE user_id = $1", bob.user_id) == 0
    finally:
        await conn.close()


async def test_list_is_newest_activity_first_with_counts_and_last_messages(client, alice):
    old = await _conversation(client, alice, "old")
    new = await _conversation(client, alice, "new")
    await asyncio.sleep(0.002)
    reply = await _say(client, alice, old["id"], "bump")
    response = await client.get("/conversations", headers=alice.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [c["id"] for c in items] == [old["id"], new["id"]]
    assert items[0]["message_count"] == 1
    assert items[0]["last_message"] == reply
    assert items[1]["last_message"] is None


async def test_conversation_pages_never_skip_or_repeat_even_with_equal_timestamps(
    client, alice, database_url
):
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO conversations (user_id, title, created_at, updated_at) "
            "SELECT $1, 'c' || n, '2026-01-01', '2026-01-01' FROM generate_series(1, 23) AS n",
            alice.user_id,
        )
        expected = await conn.fetchval(
            "SELECT array_agg(id ORDER BY id DESC) FROM conversations WHERE user_id = $1",
            alice.user_id,
        )
    finally:
        await conn.close()
    seen: list[int] = []
    params: dict = {"limit": 5}
    for _ in range(10):
        body = (await client.get("/conversations", params=params, headers=alice.headers)).json()
        seen += [c["id"] for c in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == list(expected)


async def test_messages_come_newest_page_first_each_page_oldest_to_newest(client, alice):
    conversation = await _conversation(client, alice)
    sent = [await _say(client, alice, conversation["id"], f"m{n}") for n in range(7)]
    first = await client.get(f"/conversations/{conversation['id']}/messages",
                             params={"limit": 3}, headers=alice.headers)
    body = first.json()
    assert [m["content"] for m in body["items"]] == ["m4", "m5", "m6"]
    assert body["next_cursor"] is not None
    assert await _all_messages(client, alice, conversation["id"], 3) == sent


async def test_message_pages_walk_equal_timestamps_without_gap_or_repeat(
    client, alice, database_url
):
    conversation = await _conversation(client, alice)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO messages (user_id, conversation_id, role, content, created_at) "
            "SELECT $1, $2, 'user', 'm' || n, '2026-01-01' FROM generate_series(1, 17) AS n",
            alice.user_id, conversation["id"],
        )
        expected = await conn.fetchval(
            "SELECT array_agg(id ORDER BY id) FROM messages WHERE user_id = $1", alice.user_id
        )
    finally:
        await conn.close()
    messages = await _all_messages(client, alice, conversation["id"], 4)
    assert [m["id"] for m in messages] == list(expected)


async def test_an_empty_conversation_has_an_empty_page(client, alice):
    conversation = await _conversation(client, alice)
    response = await client.get(f"/conversations/{conversation['id']}/messages",
                                headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


async def test_messages_of_a_missing_conversation_are_404(client, alice):
    response = await client.get("/conversations/424242/messages", headers=alice.headers)
    assert response.status_code == 404


async def test_a_cursor_from_another_conversation_is_400(client, alice):
    one = await _conversation(client, alice)
    two = await _conversation(client, alice)
    for n in range(3):
        await _say(client, alice, one["id"], f"m{n}")
    page = (await client.get(f"/conversations/{one['id']}/messages", params={"limit": 1},
                             headers=alice.headers)).json()
    response = await client.get(f"/conversations/{two['id']}/messages",
                                params={"before": page["next_cursor"]}, headers=alice.headers)
    assert response.status_code == 400
    assert response.json()["extra"] == {"parameter": "before"}


async def test_a_tampered_cursor_is_400(client, alice):
    response = await client.get("/conversations", params={"cursor": "AAAAAAAAAAAAAAAAAAAA"},
                                headers=alice.headers)
    assert response.status_code == 400


@pytest.mark.parametrize("body, problem", [
    (b'{"title": 5}', "title"),
    (b'{"title": ["a"]}', "title"),
    (b'{"name": "x"}', "name"),
    (b'{"title": "ok", "pinned": true}', "pinned"),
    ('{"title": "%s"}' % ("x" * 201), "title"),
    (b'{"title": "   "}', "title"),
    (b'{"title": "a\\u0000b"}', "NUL"),
    (b"[]", "object"),
    (b'{"title": ', "truncated"),
])
async def test_bad_conversation_updates_are_400_naming_the_problem_and_change_nothing(
    client, alice, body, problem
):
    conversation = await _conversation(client, alice, "kept")
    path = f"/conversations/{conversation['id']}"
    response = await client.patch(
        path, content=body if isinstance(body, bytes) else body.encode(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert problem.lower() in response.text.lower()
    assert (await client.get(path, headers=alice.headers)).json() == conversation


@pytest.mark.parametrize("params, parameter", [
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"before": "AAAAAAAAAAAAAAAAAAAA"}, "before"),
    ({"before": "not a cursor"}, "before"),
    ({"before": "x" * 600}, "before"),
])
async def test_bad_message_list_parameters_are_400_naming_them(client, alice, params, parameter):
    conversation = await _conversation(client, alice)
    await _say(client, alice, conversation["id"], "hello")
    response = await client.get(f"/conversations/{conversation['id']}/messages", params=params,
                                headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert parameter in str(response.json()["extra"])


async def test_an_altered_before_cursor_is_400(client, alice):
    conversation = await _conversation(client, alice)
    for n in range(3):
        await _say(client, alice, conversation["id"], f"m{n}")
    path = f"/conversations/{conversation['id']}/messages"
    cursor = (await client.get(path, params={"limit": 1},
                               headers=alice.headers)).json()["next_cursor"]
    assert cursor is not None
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (flipped, cursor[:-3]):
        response = await client.get(path, params={"before": bad}, headers=alice.headers)
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["extra"] == {"parameter": "before"}


async def test_patch_renames_clears_and_keeps_an_unsent_title(client, alice):
    conversation = await _conversation(client, alice, "before")
    path = f"/conversations/{conversation['id']}"
    renamed = await client.patch(path, json={"title": " after "}, headers=alice.headers)
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "after"
    kept = await client.patch(path, json={}, headers=alice.headers)
    assert kept.json()["title"] == "after"
    cleared = await client.patch(path, json={"title": None}, headers=alice.headers)
    assert cleared.json()["title"] is None


async def test_stale_if_match_is_412_with_the_current_etag_and_changes_nothing(client, alice):
    conversation = await _conversation(client, alice, "v1")
    path = f"/conversations/{conversation['id']}"
    await client.patch(path, json={"title": "v1 renamed"}, headers=alice.headers)
    stale = {**alice.headers, "If-Match": f'"{conversation["version"]}"'}
    response = await client.patch(path, json={"title": "lost update"}, headers=stale)
    assert response.status_code == 412
    current = (await client.get(path, headers=alice.headers)).json()
    assert response.headers["etag"] == f'"{current["version"]}"'
    assert current["title"] == "v1 renamed"
    assert (await client.delete(path, headers=stale)).status_code == 412
    fresh = {**alice.headers, "If-Match": f'"{current["version"]}"'}
    assert (await client.patch(path, json={"title": "v2"}, headers=fresh)).status_code == 200


async def test_delete_removes_the_conversation_and_its_messages(client, alice, database_url):
    keep = await _conversation(client, alice, "keep")
    await _say(client, alice, keep["id"], "stays")
    gone = await _conversation(client, alice, "gone")
    await _say(client, alice, gone["id"], "goes")
    response = await client.delete(f"/conversations/{gone['id']}", headers=alice.headers)
    assert response.status_code == 204
    assert (await client.get(f"/conversations/{gone['id']}", headers=alice.headers)).status_code == 404
    assert (await client.delete(f"/conversations/{gone['id']}", headers=alice.headers)).status_code == 404
    conn = await asyncpg.connect(database_url)
    try:
        contents = await conn.fetch("SELECT content FROM messages WHERE user_id = $1", alice.user_id)
    finally:
        await conn.close()
    assert [r["content"] for r in contents] == ["stays"]


async def test_deleting_the_account_removes_all_its_chat(client, alice, bob, database_url):
    mine = await _conversation(client, alice)
    await _say(client, alice, mine["id"], "bye")
    theirs = await _conversation(client, bob)
    await _say(client, bob, theirs["id"], "still here")
    assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    conn = await asyncpg.connect(database_url)
    try:
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM conversations WHERE user_id = $1) AS conversations, "
            "(SELECT count(*) FROM messages WHERE user_id = $1) AS messages, "
            "(SELECT count(*) FROM messages WHERE user_id = $2) AS others",
            alice.user_id, bob.user_id,
        )
    finally:
        await conn.close()
    assert dict(counts) == {"conversations": 0, "messages": 0, "others": 1}


async def test_messages_posted_on_concurrent_connections_are_all_counted(client, alice,
                                                                          database_url):
    """The count is kept by the insert's own statement: racing inserts on separate connections
    (the test client runs requests one at a time) neither lose nor double a count."""
    conversation = await _conversation(client, alice)
    query = load_queries()["chat/create_message"]
    connections = [await asyncpg.connect(database_url) for _ in range(8)]

    async def post_five(conn, writer: int) -> None:
        for n in range(5):
            row = await conn.fetchrow(query.sql, *query.args({
                "user_id": alice.user_id, "session_id": alice.session_id,
                "conversation_id": conversation["id"], "role": "user",
                "content": f"writer {writer} message {n}",
            }))
            assert row is not None

    try:
        await asyncio.gather(*(post_five(conn, i) for i, conn in enumerate(connections)))
    finally:
        for conn in connections:
            await conn.close()
    body = (await client.get(f"/conversations/{conversation['id']}", headers=alice.headers)).json()
    assert body["message_count"] == 40
    assert len(await _all_messages(client, alice, conversation["id"], 100)) == 40


async def test_chat_needs_a_token(client):
    assert (await client.get("/conversations")).status_code == 401
    assert (await client.post("/conversations", json={})).status_code == 401
