"""The essay batches API through HTTP, on a real PostgreSQL: batches, essays, the pipeline's
moves, and the workers' claim under concurrency."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from app.modules import load_queries
from tests.helpers import Account


def _essays(n: int, prefix: str = "doc", **fields) -> list[dict]:
    return [{"content_id": f"{prefix}-{i}", "language": "en", **fields} for i in range(n)]


async def _batch(client, who: Account, essays: list[dict], name: str | None = "batch") -> dict:
    response = await client.post("/batches", json={"name": name, "essays": essays},
                                 headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _walk(client, who: Account, path: str, **params) -> list[dict]:
    items, params = [], {"limit": 7, **params}
    for _ in range(1000):
        response = await client.get(path, params=params, headers=who.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        params["cursor"] = body["next_cursor"]
    raise AssertionError("pagination did not end")


async def _count(database_url, query: str, *args) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def test_create_writes_every_essay_pending_in_order(client, alice):
    essays = _essays(25, text="Once upon a time", metadata={"grade": 7})
    response = await client.post("/batches", json={"name": "  Term 1 ", "essays": essays},
                                 headers=alice.headers)
    assert response.status_code == 201
    batch = response.json()
    assert batch["name"] == "Term 1"
    assert (batch["total"], batch["pending"], batch["processing"]) == (25, 25, 0)
    assert response.headers["etag"] == f'"{batch["version"]}"'
    listed = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    assert [e["content_id"] for e in listed] == [e["content_id"] for e in essays]
    assert {e["status"] for e in listed} == {"pending"}
    assert listed[0]["metadata"] == {"grade": 7}
    assert listed[0]["batch_id"] == batch["id"]


async def test_a_batch_of_1000_is_accepted_and_1001_is_not(client, alice, database_url):
    assert (await _batch(client, alice, _essays(1000)))["total"] == 1000
    response = await client.post("/batches", json={"essays": _essays(1001, "more")},
                                 headers=alice.headers)
    assert response.status_code == 400
    assert await _count(database_url, "SELECT count(*) FROM essays") == 1000


async def test_used_content_ids_are_409_naming_them_and_nothing_is_written(
    client, alice, bob, database_url
):
    await _batch(client, alice, _essays(3))
    response = await client.post("/batches", json={"essays": [
        {"content_id": "fresh", "language": "en"}, {"content_id": "doc-2", "language": "en"},
        {"content_id": "doc-0", "language": "fr"}]}, headers=alice.headers)
    assert response.status_code == 409
    assert response.json()["extra"] == {"field": "essays", "content_ids": ["doc-0", "doc-2"]}
    assert await _count(database_url, "SELECT count(*) FROM batches") == 1
    assert await _count(database_url, "SELECT count(*) FROM essays") == 3
    assert (await _batch(client, bob, _essays(3)))["total"] == 3


@pytest.mark.parametrize("body, problem", [
    ({"essays": []}, "essays"),
    ({"essays": [{"content_id": "a", "language": "EN"}]}, "language"),
    ({"essays": [{"content_id": "a", "language": "eng"}]}, "language"),
    ({"essays": [{"content_id": "", "language": "en"}]}, "content_id"),
    ({"essays": [{"content_id": "a\x00", "language": "en"}]}, "content_id"),
    ({"essays": [{"content_id": "a", "language": "en", "metadata": [1]}]}, "metadata"),
    ({"essays": [{"content_id": "a", "language": "en", "metadata": {"k": "\x00"}}]}, "NUL"),
    ({"essays": [{"content_id": "a", "language": "en", "metadata": {"k": "x" * 17000}}]},
     "metadata"),
    ({"essays": [{"content_id": "a", "language": "en"}, {"content_id": "a", "language": "en"}]},
     "repeated"),
    ({"essays": [{"content_id": "a", "language": "en", "colour": "red"}]}, "colour"),
    ({"name": " ", "essays": [{"content_id": "a", "language": "en"}]}, "name"),
])
async def test_bad_batches_are_400_naming_the_problem(client, alice, database_url, body,
                                                      problem):
    response = await client.post("/batches", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert problem in response.text
    assert await _count(database_url, "SELECT count(*) FROM batches") == 0


async def test_batch_shows_counts_per_status(client, alice):
    batch = await _batch(client, alice, _essays(4))
    essays = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    for essay, moves in zip(essays, [["processing"], ["processing", "completed"],
                                     ["processing", "failed"], []]):
        for status in moves:
            response = await client.patch(f"/essays/{essay['id']}", json={"status": status},
                                          headers=alice.headers)
            assert response.status_code == 200, response.text
    body = (await client.get(f"/batches/{batch['id']}", headers=alice.headers)).json()
    assert {k: body[k] for k in ("total", "pending", "processing", "completed", "failed")} == {
        "total": 4, "pending": 1, "processing": 1, "completed": 1, "failed": 1}
    listed = (await client.get("/batches", headers=alice.headers)).json()["items"]
    assert listed == [body]
    failed = await _walk(client, alice, f"/batches/{batch['id']}/essays", status="failed")
    assert [e["id"] for e in failed] == [essays[2]["id"]]


@pytest.mark.parametrize("path, status", [
    (["processing", "completed", "pending"], 409),
    (["completed"], 409),
    (["failed"], 409),
    (["processing", "pending"], 409),
    (["processing", "processing"], 409),
    (["processing", "failed", "pending", "processing", "completed"], 200),
])
async def test_only_the_pipelines_moves_are_allowed(client, alice, path, status):
    batch = await _batch(client, alice, _essays(1))
    (essay,) = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    response, step = None, None
    for step in path:
        response = await client.patch(f"/essays/{essay['id']}", json={"status": step},
                                      headers=alice.headers)
        if response.status_code != 200:
            break
    assert response.status_code == status
    if status == 409:
        body = response.json()
        assert body["extra"]["requested"] == step
        assert body["detail"] == f"an essay cannot move from {body['extra']['status']} to {step}"


async def test_metadata_is_replaced_or_cleared_with_a_move(client, alice):
    batch = await _batch(client, alice, _essays(1, metadata={"a": 1}))
    (essay,) = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    moved = await client.patch(f"/essays/{essay['id']}",
                               json={"status": "processing", "metadata": {"worker": "w1"}},
                               headers=alice.headers)
    assert moved.json()["metadata"] == {"worker": "w1"}
    kept = await client.patch(f"/essays/{essay['id']}", json={"status": "failed"},
                              headers=alice.headers)
    assert kept.json()["metadata"] == {"worker": "w1"}
    cleared = await client.patch(f"/essays/{essay['id']}",
                                 json={"status": "pending", "metadata": None},
                                 headers=alice.headers)
    assert cleared.json()["metadata"] is None


async def test_stale_if_match_is_412_and_changes_nothing(client, alice):
    batch = await _batch(client, alice, _essays(1))
    (essay,) = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    stale = {**alice.headers, "If-Match": '"7"'}
    response = await client.patch(f"/essays/{essay['id']}", json={"status": "processing"},
                                  headers=stale)
    assert response.status_code == 412
    assert response.headers["etag"] == f'"{essay["version"]}"'
    fresh = {**alice.headers, "If-Match": f'"{essay["version"]}"'}
    assert (await client.patch(f"/essays/{essay['id']}", json={"status": "processing"},
                               headers=fresh)).status_code == 200
    stale_batch = {**alice.headers, "If-Match": f'"{batch["version"] + 1}"'}
    assert (await client.delete(f"/batches/{batch['id']}", headers=stale_batch)).status_code == 412


async def test_racing_writers_cannot_both_make_the_same_move(client, alice, database_url):
    """Two connections run the real UPDATE at once: the edge is checked against the row being
    updated, so exactly one pending -> processing wins."""
    batch = await _batch(client, alice, _essays(1))
    (essay,) = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    query = load_queries()["essays/update_essay_status"]
    args = query.args({"user_id": alice.user_id, "session_id": alice.session_id,
                       "essay_id": essay["id"], "status": "processing",
                       "metadata": None, "metadata_sent": False, "if_match": None})
    holder = await asyncpg.connect(database_url)
    racer = await asyncpg.connect(database_url)
    try:
        tx = holder.transaction()
        await tx.start()
        first = await holder.fetchrow(query.sql, *args)
        second = asyncio.create_task(racer.fetchrow(query.sql, *args))
        await asyncio.sleep(0.2)
        assert not second.done()  # waiting on the first writer's row lock
        await tx.commit()
        assert first is not None
        assert await second is None
    finally:
        await holder.close()
        await racer.close()


async def test_concurrent_claimers_never_share_an_essay_and_lose_none(client, alice,
                                                                     database_url):
    batch = await _batch(client, alice, _essays(300))
    query = load_queries()["essays/claim_essays"]
    connections = [await asyncpg.connect(database_url) for _ in range(8)]

    async def worker(conn) -> list[int]:
        claimed: list[int] = []
        while True:
            rows = await conn.fetch(query.sql, *query.args(
                {"user_id": alice.user_id, "session_id": alice.session_id,
                 "batch_id": batch["id"], "limit": 7}))
            if not rows:
                return claimed
            claimed += [r["id"] for r in rows]
            assert {r["status"] for r in rows} == {"processing"}

    try:
        results = await asyncio.gather(*(worker(conn) for conn in connections))
    finally:
        for conn in connections:
            await conn.close()
    claimed = [essay_id for result in results for essay_id in result]
    assert len(claimed) == len(set(claimed)) == 300
    assert sum(1 for result in results if result) > 1  # the work was really shared
    body = (await client.get(f"/batches/{batch['id']}", headers=alice.headers)).json()
    assert (body["pending"], body["processing"]) == (0, 300)


async def test_claim_through_the_api_takes_the_oldest_pending_first(client, alice):
    batch = await _batch(client, alice, _essays(5))
    path = f"/batches/{batch['id']}/claim"
    first = await client.post(path, json={"limit": 2}, headers=alice.headers)
    assert first.status_code == 200
    assert [e["content_id"] for e in first.json()["items"]] == ["doc-0", "doc-1"]
    rest = await client.post(path, json={}, headers=alice.headers)
    assert [e["content_id"] for e in rest.json()["items"]] == ["doc-2", "doc-3", "doc-4"]
    assert (await client.post(path, json={}, headers=alice.headers)).json() == {"items": []}
    for bad in ({"limit": 0}, {"limit": 101}, {"limit": "all"}):
        assert (await client.post(path, json=bad, headers=alice.headers)).status_code == 400


async def test_other_users_batches_and_essays_are_not_found_and_untouched(client, alice, bob):
    batch = await _batch(client, alice, _essays(2))
    (essay, _) = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    for method, url, body in [
        ("GET", f"/batches/{batch['id']}", None), ("DELETE", f"/batches/{batch['id']}", None),
        ("GET", f"/batches/{batch['id']}/essays", None),
        ("POST", f"/batches/{batch['id']}/claim", {"limit": 5}),
        ("GET", f"/essays/{essay['id']}", None),
        ("PATCH", f"/essays/{essay['id']}", {"status": "processing"}),
    ]:
        response = await client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url)
    assert (await client.get("/batches", headers=bob.headers)).json()["items"] == []
    after = (await client.get(f"/batches/{batch['id']}", headers=alice.headers)).json()
    assert after["pending"] == 2


async def test_batch_pages_walk_without_gap_or_repeat(client, alice, database_url):
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO batches (user_id, name, created_at) "
            "SELECT $1, 'b' || n, '2026-01-01' FROM generate_series(1, 16) AS n", alice.user_id)
        expected = await conn.fetchval(
            "SELECT array_agg(id ORDER BY id DESC) FROM batches WHERE user_id = $1", alice.user_id)
    finally:
        await conn.close()
    assert [b["id"] for b in await _walk(client, alice, "/batches")] == list(expected)


async def test_a_cursor_of_another_batch_or_status_is_400(client, alice):
    one = await _batch(client, alice, _essays(3, "one"))
    two = await _batch(client, alice, _essays(3, "two"))
    page = (await client.get(f"/batches/{one['id']}/essays", params={"limit": 1},
                             headers=alice.headers)).json()
    for path, params in [(f"/batches/{two['id']}/essays", {}),
                         (f"/batches/{one['id']}/essays", {"status": "pending"})]:
        response = await client.get(path, params={**params, "cursor": page["next_cursor"]},
                                    headers=alice.headers)
        assert response.status_code == 400


@pytest.mark.parametrize("body, problem", [
    (b'{"status": "done"}', "status"),
    (b'{"status": null}', "status"),
    (b'{"status": 1}', "status"),
    (b"{}", "status"),
    (b'{"status": "processing", "priority": 1}', "priority"),
    (b'{"status": "processing", "metadata": {"k": "a\\u0000b"}}', "NUL"),
    (b'{"status": "processing", "metadata": {"a\\u0000": 1}}', "NUL"),
    (b'{"status": "processing", "metadata": {"k": ["\\u0000"]}}', "NUL"),
    (b'{"status": "processing", "metadata": [1]}', "metadata"),
    (b'{"status": "processing", "metadata": "x"}', "metadata"),
])
async def test_bad_essay_updates_are_400_naming_the_problem_and_change_nothing(
    client, alice, body, problem
):
    batch = await _batch(client, alice, _essays(1, metadata={"a": 1}))
    (essay,) = await _walk(client, alice, f"/batches/{batch['id']}/essays")
    response = await client.patch(f"/essays/{essay['id']}", content=body,
                                  headers={**alice.headers, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert problem in response.text
    assert (await client.get(f"/essays/{essay['id']}", headers=alice.headers)).json() == essay


@pytest.mark.parametrize("params, parameter", [
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"limit": "all"}, "limit"),
    ({"cursor": "AAAAAAAAAAAAAAAAAAAA"}, "cursor"),
    ({"cursor": "not a cursor"}, "cursor"),
])
async def test_bad_batch_list_parameters_are_400(client, alice, params, parameter):
    await _batch(client, alice, _essays(1))
    response = await client.get("/batches", params=params, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert parameter in str(response.json()["extra"])


async def test_an_altered_batch_list_cursor_is_400(client, alice):
    for n in range(3):
        await _batch(client, alice, _essays(1, f"b{n}"))
    cursor = (await client.get("/batches", params={"limit": 1},
                               headers=alice.headers)).json()["next_cursor"]
    assert cursor is not None
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (flipped, cursor[:-3]):
        response = await client.get("/batches", params={"cursor": bad}, headers=alice.headers)
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["extra"] == {"parameter": "cursor"}


@pytest.mark.parametrize("params, parameter", [
    ({"status": "bogus"}, "status"),
    ({"status": ""}, "status"),
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"limit": "x"}, "limit"),
    ({"cursor": "AAAAAAAAAAAAAAAAAAAA"}, "cursor"),
])
async def test_bad_batch_essay_list_parameters_are_400(client, alice, params, parameter):
    batch = await _batch(client, alice, _essays(2))
    response = await client.get(f"/batches/{batch['id']}/essays", params=params,
                                headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert parameter in str(response.json()["extra"])


async def test_missing_batch_and_essay_are_404(client, alice):
    for method, url, body in [("GET", "/batches/999", None), ("GET", "/batches/999/essays", None),
                              ("POST", "/batches/999/claim", {}), ("GET", "/essays/999", None),
                              ("PATCH", "/essays/999", {"status": "processing"})]:
        response = await client.request(method, url, json=body, headers=alice.headers)
        assert response.status_code == 404, (method, url)


async def test_delete_removes_the_batch_and_its_essays(client, alice, database_url):
    keep = await _batch(client, alice, _essays(2, "keep"))
    gone = await _batch(client, alice, _essays(3, "gone"))
    assert (await client.delete(f"/batches/{gone['id']}", headers=alice.headers)).status_code == 204
    assert (await client.get(f"/batches/{gone['id']}", headers=alice.headers)).status_code == 404
    assert await _count(database_url, "SELECT count(*) FROM essays") == 2
    assert (await client.get(f"/batches/{keep['id']}", headers=alice.headers)).json()["total"] == 2
    again = await _batch(client, alice, _essays(3, "gone"))
    assert again["total"] == 3  # the deleted essays' content_ids are free again


async def test_deleting_the_account_removes_its_batches_and_essays(client, alice, bob,
                                                                  database_url):
    await _batch(client, alice, _essays(3))
    await _batch(client, bob, _essays(2))
    assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    assert await _count(database_url, "SELECT count(*) FROM batches WHERE user_id = $1",
                        alice.user_id) == 0
    assert await _count(database_url, "SELECT count(*) FROM essays WHERE user_id = $1",
                        alice.user_id) == 0
    assert await _count(database_url, "SELECT count(*) FROM essays WHERE user_id = $1",
                        bob.user_id) == 2


async def test_essays_need_a_token(client):
    assert (await client.get("/batches")).status_code == 401
    assert (await client.get("/essays/1")).status_code == 401
