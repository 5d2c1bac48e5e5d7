"""The tasks API through HTTP, on a real PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import Account, create_task

TASK_FIELDS = {"id", "title", "description", "completed", "created_at", "updated_at", "version"}


async def test_create_returns_the_task_with_a_trimmed_title(client, alice: Account):
    response = await client.post(
        "/tasks", json={"title": "  buy milk  ", "description": "2 litres"}, headers=alice.headers
    )
    assert response.status_code == 201
    task = response.json()
    assert set(task) == TASK_FIELDS
    assert task["title"] == "buy milk"
    assert task["description"] == "2 litres"
    assert task["completed"] is False
    assert task["created_at"] == task["updated_at"]


async def test_get_returns_the_task(client, alice: Account):
    created = await create_task(client, alice, "read me")
    response = await client.get(f"/tasks/{created['id']}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == created


async def test_missing_task_is_not_found(client, alice: Account):
    response = await client.get("/tasks/123456", headers=alice.headers)
    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "detail": "task not found",
                               "extra": {"parameter": "task_id"}}


async def test_patch_changes_only_the_fields_sent(client, alice: Account):
    created = await create_task(client, alice, "old", description="keep me")
    await asyncio.sleep(0.002)
    response = await client.patch(
        f"/tasks/{created['id']}", json={"completed": True}, headers=alice.headers
    )
    assert response.status_code == 200
    task = response.json()
    assert task["completed"] is True
    assert task["title"] == "old"
    assert task["description"] == "keep me"
    assert task["updated_at"] > created["updated_at"]
    assert task["created_at"] == created["created_at"]


async def test_patch_title_is_trimmed_and_description_null_clears(client, alice: Account):
    created = await create_task(client, alice, "old", description="drop me")
    response = await client.patch(
        f"/tasks/{created['id']}", json={"title": " new ", "description": None},
        headers=alice.headers,
    )
    assert response.status_code == 200
    assert response.json()["title"] == "new"
    assert response.json()["description"] is None


async def test_empty_patch_changes_nothing_not_even_updated_at_or_the_version(
        client, alice: Account):
    created = await create_task(client, alice, "same")
    await asyncio.sleep(0.002)
    response = await client.patch(f"/tasks/{created['id']}", json={}, headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == created


async def test_patch_missing_task_is_not_found(client, alice: Account):
    response = await client.patch("/tasks/999", json={"completed": True}, headers=alice.headers)
    assert response.status_code == 404


async def test_delete_removes_the_task_once(client, alice: Account):
    created = await create_task(client, alice)
    first = await client.delete(f"/tasks/{created['id']}", headers=alice.headers)
    assert first.status_code == 204
    assert (await client.get(f"/tasks/{created['id']}", headers=alice.headers)).status_code == 404
    second = await client.delete(f"/tasks/{created['id']}", headers=alice.headers)
    assert second.status_code == 404


async def test_stats_count_completed_and_pending(client, alice: Account):
    for i in range(5):
        task = await create_task(client, alice, f"t{i}")
        if i < 2:
            await client.patch(f"/tasks/{task['id']}", json={"completed": True},
                               headers=alice.headers)
    response = await client.get("/tasks/stats", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {"total": 5, "completed": 2, "pending": 3}


# --- isolation -------------------------------------------------------------------------------


async def test_other_users_task_is_not_found(client, alice: Account, bob: Account):
    task = await create_task(client, alice, "private")
    path = f"/tasks/{task['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.patch(path, json={"title": "mine"}, headers=bob.headers)).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    unchanged = await client.get(path, headers=alice.headers)
    assert unchanged.json() == task


async def test_lists_and_stats_show_only_the_callers_tasks(client, alice: Account, bob: Account):
    await create_task(client, alice, "alice's")
    await create_task(client, bob, "bob's")
    page = (await client.get("/tasks", headers=bob.headers)).json()
    assert [t["title"] for t in page["items"]] == ["bob's"]
    stats = (await client.get("/tasks/stats", headers=bob.headers)).json()
    assert stats == {"total": 1, "completed": 0, "pending": 1}


# --- pagination ------------------------------------------------------------------------------


async def _walk(client: AsyncTestClient, who: Account, query: str = "") -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        url = f"/tasks?limit=20{query}" + (f"&cursor={cursor}" if cursor else "")
        response = await client.get(url, headers=who.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_pages_walk_45_tasks_newest_first_without_gap_or_repeat(client, alice: Account):
    created = [await create_task(client, alice, f"task {i}") for i in range(45)]
    pages = await _walk(client, alice)
    assert [len(p) for p in pages] == [20, 20, 5]
    seen = [t["id"] for page in pages for t in page]
    assert seen == [t["id"] for t in reversed(created)]


async def test_completed_filter_pages_without_gap_or_repeat(client, alice: Account):
    created = [await create_task(client, alice, f"task {i}") for i in range(45)]
    done = {t["id"] for t in created[::2]}  # 23 completed, 22 pending
    for task_id in done:
        await client.patch(f"/tasks/{task_id}", json={"completed": True}, headers=alice.headers)
    completed_pages = await _walk(client, alice, "&completed=true")
    pending_pages = await _walk(client, alice, "&completed=false")
    completed_ids = [t["id"] for p in completed_pages for t in p]
    pending_ids = [t["id"] for p in pending_pages for t in p]
    assert [len(p) for p in completed_pages] == [20, 3]
    assert [len(p) for p in pending_pages] == [20, 2]
    assert completed_ids == sorted(done, reverse=True)
    assert set(pending_ids) == {t["id"] for t in created} - done
    assert pending_ids == sorted(pending_ids, reverse=True)


async def test_tasks_with_the_same_created_at_are_neither_skipped_nor_repeated(
    client, alice: Account, database_url: str
):
    import asyncpg

    for i in range(25):
        await create_task(client, alice, f"same time {i}")
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE tasks SET created_at = '2026-01-01T00:00:00Z'")
    finally:
        await conn.close()
    pages = await _walk(client, alice)
    ids = [t["id"] for p in pages for t in p]
    assert len(ids) == 25 and len(set(ids)) == 25
    assert ids == sorted(ids, reverse=True)


async def test_empty_list_has_no_next_cursor(client, alice: Account):
    response = await client.get("/tasks", headers=alice.headers)
    assert response.json() == {"items": [], "next_cursor": None}


async def test_default_page_size_is_20(client, alice: Account):
    for i in range(21):
        await create_task(client, alice, f"t{i}")
    body = (await client.get("/tasks", headers=alice.headers)).json()
    assert len(body["items"]) == 20
    assert body["next_cursor"] is not None


async def test_tampered_cursor_is_rejected(client, alice: Account):
    for i in range(3):
        await create_task(client, alice, f"t{i}")
    cursor = (await client.get("/tasks?limit=1", headers=alice.headers)).json()["next_cursor"]
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (flipped, cursor[:-3], "not-a-cursor", "%00", "a" * 600):
        response = await client.get("/tasks", params={"cursor": bad}, headers=alice.headers)
        assert response.status_code == 400, (bad, response.text)
        assert "cursor" in response.text


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"title": ', "truncated"),
        (b"[1, 2]", "object"),
        (b'{"title": 5}', "title"),
        (b"{}", "title"),
        (b'{"title": "ok", "owner": 2}', "owner"),
        (b'{"title": "   "}', "blank"),
        (b'{"title": ""}', "title"),
        ('{"title": "%s"}' % ("x" * 201), "title"),
        ('{"title": "ok", "description": "%s"}' % ("x" * 1001), "description"),
        (b'{"title": "a\\u0000b"}', "NUL"),
        (b'{"title": "ok", "description": "\\u0000"}', "NUL"),
        (b'{"title": "ok", "completed": "yes"}', "completed"),
    ],
)
async def test_bad_create_body_is_400_naming_the_problem(client, alice: Account, body, problem):
    response = await client.post(
        "/tasks", content=body if isinstance(body, bytes) else body.encode(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert problem.lower() in response.text.lower()
    assert response.json()["status_code"] == 400


@pytest.mark.parametrize(
    "body",
    [b'{"title": null}', b'{"completed": null}', b'{"title": "  "}', b'{"done": true}', b"[]"],
)
async def test_bad_patch_body_is_400(client, alice: Account, body):
    task = await create_task(client, alice)
    response = await client.patch(
        f"/tasks/{task['id']}", content=body,
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("task_id", ["0", "-1", "9223372036854775808", "99999999999999999999999"])
async def test_out_of_range_id_is_400(client, alice: Account, task_id):
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method, f"/tasks/{task_id}", headers=alice.headers,
            json={} if method == "PATCH" else None,
        )
        assert response.status_code == 400, (method, response.text)
        assert "task_id" in response.text


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=-5", "limit=abc", "completed=maybe", "complted=true"]
)
async def test_bad_list_parameters_are_400(client, alice: Account, query):
    response = await client.get(f"/tasks?{query}", headers=alice.headers)
    assert response.status_code == 400, response.text
    assert query.split("=")[0] in response.text


async def test_completed_null_lists_every_task_as_the_document_says(client, alice: Account):
    await create_task(client, alice, "open")
    done = await create_task(client, alice, "done")
    await client.patch(f"/tasks/{done['id']}", json={"completed": True}, headers=alice.headers)
    response = await client.get("/tasks?completed=null", headers=alice.headers)
    assert response.status_code == 200, response.text
    assert [t["title"] for t in response.json()["items"]] == ["done", "open"]


async def test_oversized_body_is_413(client, alice: Account, settings):
    body = b'{"title": "x", "description": "' + b"y" * settings.max_body_bytes + b'"}'
    response = await client.post(
        "/tasks", content=body, headers={**alice.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["status_code"] == 413


async def test_every_tasks_route_needs_a_token(client):
    for method, path in [("GET", "/tasks"), ("POST", "/tasks"), ("GET", "/tasks/1"),
                         ("PATCH", "/tasks/1"), ("DELETE", "/tasks/1"), ("GET", "/tasks/stats")]:
        response = await client.request(method, path, json={} if method in ("POST", "PATCH") else None)
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
