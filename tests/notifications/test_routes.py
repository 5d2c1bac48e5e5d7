"""Notifications through the HTTP API on a real PostgreSQL: listing with the unread count,
marking, read-all, deleting, and what domains get from ``notify``."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from app.db.pool import init_connection
from app.kit.errors import InvalidInput
from app.notifications.repository import NotificationRepository
from app.server import create_app
from tests.helpers import Account, register, served
from tests.notifications.helpers import notify


async def _list(client, who: Account, query: str = "") -> dict:
    response = await client.get(f"/notifications{query}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_empty_list_has_no_items_and_nothing_unread(client, alice):
    assert await _list(client, alice) == {"items": [], "next_cursor": None, "unread_count": 0}


async def test_notify_creates_what_the_list_shows_newest_first(client, alice, service_url):
    ids = await notify(service_url, alice.user_id, 3, kind="achievement_unlocked",
                       body="Well done", data={"achievement": "first_meal"})
    body = await _list(client, alice)
    assert [n["id"] for n in body["items"]] == ids[::-1]
    assert body["unread_count"] == 3 and body["next_cursor"] is None
    first = body["items"][-1]
    assert first["kind"] == "achievement_unlocked" and first["title"] == "Milestone 0"
    assert first["body"] == "Well done" and first["data"] == {"achievement": "first_meal"}
    assert first["is_read"] is False and first["version"] == 1


async def test_pages_neither_skip_nor_repeat_and_count_every_unread(client, alice, service_url):
    ids = await notify(service_url, alice.user_id, 7)
    seen, query = [], "?limit=3"
    for _ in range(5):
        page = await _list(client, alice, query)
        assert page["unread_count"] == 7
        seen += [n["id"] for n in page["items"]]
        if page["next_cursor"] is None:
            break
        query = f"?limit=3&cursor={page['next_cursor']}"
    assert seen == ids[::-1]


async def test_the_unread_filter_and_its_cursor(client, alice, service_url):
    ids = await notify(service_url, alice.user_id, 4)
    for read in ids[:2]:
        response = await client.patch(f"/notifications/{read}", json={"is_read": True},
                                      headers=alice.headers)
        assert response.status_code == 200
    unread = await _list(client, alice, "?unread=true&limit=1")
    assert [n["id"] for n in unread["items"]] == [ids[3]] and unread["unread_count"] == 2
    rest = await _list(client, alice, f"?unread=true&limit=1&cursor={unread['next_cursor']}")
    assert [n["id"] for n in rest["items"]] == [ids[2]]
    read = await _list(client, alice, "?unread=false")
    assert [n["id"] for n in read["items"]] == [ids[1], ids[0]] and read["unread_count"] == 2
    foreign = await client.get(f"/notifications?cursor={unread['next_cursor']}",
                               headers=alice.headers)
    assert foreign.status_code == 400 and foreign.json()["extra"] == {"parameter": "cursor"}


async def test_an_empty_page_still_counts_the_unread(client, alice, service_url):
    await notify(service_url, alice.user_id, 2)
    assert await _list(client, alice, "?unread=false") == {
        "items": [], "next_cursor": None, "unread_count": 2}


async def test_marking_read_and_unread_moves_the_version_and_the_count(client, alice, service_url):
    (notification_id,) = await notify(service_url, alice.user_id)
    read = await client.patch(f"/notifications/{notification_id}", json={"is_read": True},
                              headers=alice.headers)
    assert read.status_code == 200, read.text
    assert read.json()["is_read"] is True and read.json()["version"] == 2
    assert read.headers["ETag"] == '"2"'
    assert (await _list(client, alice))["unread_count"] == 0
    stale = await client.patch(f"/notifications/{notification_id}", json={"is_read": False},
                               headers={**alice.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["ETag"] == '"2"'
    again = await client.patch(f"/notifications/{notification_id}", json={"is_read": False},
                               headers={**alice.headers, "If-Match": '"2"'})
    assert again.status_code == 200 and again.json()["is_read"] is False
    assert (await _list(client, alice))["unread_count"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"is_read": None}, "is_read"),
    ({"is_read": [True]}, "is_read"),
    ({}, "is_read"),
    ({"is_read": True, "title": "x"}, "title"),
])
async def test_a_bad_patch_is_400_naming_the_field(client, alice, service_url, body, field):
    (notification_id,) = await notify(service_url, alice.user_id)
    response = await client.patch(f"/notifications/{notification_id}", json=body,
                                  headers=alice.headers)
    assert response.status_code == 400, response.text
    assert field in response.text


async def test_another_users_notification_is_not_found(client, alice, bob, service_url):
    (notification_id,) = await notify(service_url, alice.user_id)
    h = bob.headers
    assert (await client.patch(f"/notifications/{notification_id}", json={"is_read": True},
                               headers=h)).status_code == 404
    assert (await client.delete(f"/notifications/{notification_id}", headers=h)).status_code == 404
    assert (await client.patch(f"/notifications/{notification_id}", json={"is_read": True},
                               headers={**h, "If-Match": '"1"'})).status_code == 404
    assert (await _list(client, bob))["items"] == []
    assert (await _list(client, alice))["unread_count"] == 1


async def test_delete_removes_it(client, alice, service_url):
    first, second = await notify(service_url, alice.user_id, 2)
    stale = await client.delete(f"/notifications/{first}",
                                headers={**alice.headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert (await client.delete(f"/notifications/{first}", headers=alice.headers)).status_code == 204
    assert (await client.delete(f"/notifications/{first}", headers=alice.headers)).status_code == 404
    body = await _list(client, alice)
    assert [n["id"] for n in body["items"]] == [second] and body["unread_count"] == 1


@pytest.mark.parametrize("path", ["/notifications/0", "/notifications/9223372036854775808"])
async def test_an_id_out_of_range_is_400(client, alice, path):
    response = await client.delete(path, headers=alice.headers)
    assert response.status_code == 400


@pytest.mark.parametrize("body", [None, {}])
async def test_read_all_marks_everything_with_or_without_a_body(client, alice, bob, service_url,
                                                                body):
    await notify(service_url, alice.user_id, 3)
    await notify(service_url, bob.user_id, 2)
    response = await client.post("/notifications/read-all", json=body, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"marked": 3, "unread_count": 0}
    assert all(n["is_read"] for n in (await _list(client, alice))["items"])
    assert (await _list(client, bob))["unread_count"] == 2
    again = await client.post("/notifications/read-all", headers=alice.headers)
    assert again.json() == {"marked": 0, "unread_count": 0}


async def test_read_all_before_an_id_leaves_newer_ones_unread(client, alice, service_url):
    ids = await notify(service_url, alice.user_id, 4)
    response = await client.post("/notifications/read-all", json={"before": ids[1]},
                                 headers=alice.headers)
    assert response.json() == {"marked": 2, "unread_count": 2}
    unread = await _list(client, alice, "?unread=true")
    assert [n["id"] for n in unread["items"]] == [ids[3], ids[2]]


@pytest.mark.parametrize(("body", "field"), [
    ({"before": 0}, "before"),
    ({"before": -5}, "before"),
    ({"before": 2**63}, "before"),
    ({"after": 5}, "after"),
    ([], "body"),
])
async def test_a_bad_read_all_is_400_naming_the_field(client, alice, body, field):
    response = await client.post("/notifications/read-all", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert field in response.text


async def test_two_read_alls_at_once_mark_each_notification_once(settings, service_url):
    app = create_app(settings)
    async with served(app) as http:
        alice = await register(http, "alice@example.com", "Alice")
        await notify(service_url, alice.user_id, 50)
        results = await asyncio.gather(*(
            http.post("/notifications/read-all", headers=alice.headers) for _ in range(4)))
        assert all(r.status_code == 200 for r in results)
        assert sum(r.json()["marked"] for r in results) == 50
        assert all(r.json()["unread_count"] == 0 for r in results)


@pytest.mark.parametrize("how", ["deleted", "deactivated"])
async def test_a_gone_accounts_token_reads_and_changes_nothing(client, alice, service_url,
                                                               database_url, how):
    (notification_id,) = await notify(service_url, alice.user_id)
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    try:
        if how == "deleted":
            assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
        else:
            await conn.execute("UPDATE users SET is_active = false WHERE id = $1", alice.user_id)
        h = alice.headers
        for query in ("", "?unread=true"):
            listed = await client.get(f"/notifications{query}", headers=h)
            assert listed.status_code == 401
            assert listed.json()["detail"] == "the account no longer exists or its session has ended"
        assert (await client.post("/notifications/read-all", headers=h)).status_code == 401
        assert (await client.patch(f"/notifications/{notification_id}", json={"is_read": True},
                                   headers=h)).status_code == 404
        assert (await client.delete(f"/notifications/{notification_id}",
                                    headers=h)).status_code == 404
        assert await NotificationRepository(conn).notify(
            user_id=alice.user_id, kind="streak_milestone", title="Too late") is None
        left = await conn.fetchval("SELECT count(*) FROM notifications WHERE user_id = $1",
                                   alice.user_id)
        assert left == (0 if how == "deleted" else 1)
        if how == "deactivated":
            assert await conn.fetchval("SELECT is_read FROM notifications WHERE id = $1",
                                       notification_id) is False
    finally:
        await conn.close()


async def test_notify_commits_or_rolls_back_with_the_callers_transaction(alice, service_url):
    conn = await asyncpg.connect(service_url)
    await init_connection(conn)
    try:
        repo = NotificationRepository(conn)
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                made = await repo.notify(user_id=alice.user_id, kind="daily_quota_reached",
                                         title="Daily photo analyses used up")
                assert made is not None
                raise RuntimeError("the write that caused it failed")
        async with conn.transaction():
            kept = await repo.notify(user_id=alice.user_id, kind="daily_quota_reached",
                                     title="Daily photo analyses used up",
                                     data={"quota": "vision_analyses"})
        rows = await conn.fetch("SELECT id, data FROM notifications WHERE user_id = $1",
                                alice.user_id)
        assert kept is not None and [(r["id"], r["data"]) for r in rows] == [
            (kept.id, {"quota": "vision_analyses"})]
    finally:
        await conn.close()


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "party"}, "kind"),
    ({"title": " "}, "blank"),
    ({"title": "x" * 201}, "title"),
    ({"body": "x" * 2001}, "body"),
    ({"data": {"x": "y" * 9000}}, "8192"),
])
async def test_notify_refuses_what_the_constraints_forbid(alice, service_url, fields, message):
    from app.db.errors import ErrorTranslator
    from app.db.repository import Context
    from app.kit.pages import Cursors
    from app.notifications.repository import CONSTRAINTS

    conn = await asyncpg.connect(service_url)
    await init_connection(conn)
    try:
        repo = NotificationRepository(conn, Context(None, ErrorTranslator(CONSTRAINTS),
                                                    Cursors("x" * 32)))
        values = {"kind": "streak_milestone", "title": "Seven days", **fields}
        with pytest.raises(InvalidInput, match=message):
            await repo.notify(user_id=alice.user_id, **values)
    finally:
        await conn.close()
