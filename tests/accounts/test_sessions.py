"""Sessions through HTTP: refresh tokens that work once, reuse that ends a session, logout,
logout-all, the sessions list, and access tokens that stop working with their session at once."""

from __future__ import annotations

import asyncio
import hashlib

import asyncpg
import pytest

from app.accounts.sessions import prune_expired_sessions
from tests.conftest import app_for
from tests.helpers import PASSWORD, Account, register, served

GONE = "the account no longer exists or its session has ended"


async def _sql(database_url: str, statement: str, *args) -> object:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(statement, *args)
    finally:
        await conn.close()


async def _login(client, who: Account, user_agent: str = "tests/1.0") -> Account:
    response = await client.post("/auth/login", json={"email": who.email, "password": PASSWORD},
                                 headers={"User-Agent": user_agent})
    assert response.status_code == 200, response.text
    body = response.json()
    return Account(who.user_id, body["access_token"], who.email, body["refresh_token"])


async def _refresh(client, refresh_token: str):
    return await client.post("/auth/refresh", json={"refresh_token": refresh_token})


async def _me(client, who: Account) -> int:
    return (await client.get("/users/me", headers=who.headers)).status_code


async def test_a_refresh_gives_the_next_pair_of_the_same_session(client, alice: Account):
    response = await _refresh(client, alice.refresh_token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["expires_in"] == 900
    assert body["refresh_token"] != alice.refresh_token
    renewed = Account(alice.user_id, body["access_token"], alice.email, body["refresh_token"])
    assert renewed.session_id == alice.session_id
    assert await _me(client, renewed) == 200
    assert await _me(client, alice) == 200  # the old access token lives on until it expires
    again = await _refresh(client, renewed.refresh_token)
    assert again.status_code == 200


async def test_refresh_tokens_are_stored_only_as_hashes(client, alice: Account, database_url):
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetch(
            "SELECT token_hash FROM refresh_tokens UNION ALL SELECT token_hash FROM sessions")
        dump = await conn.fetchval(
            "SELECT string_agg(s::text, ' ') FROM (SELECT * FROM sessions) AS s")
    finally:
        await conn.close()
    digest = hashlib.sha256(alice.refresh_token.encode()).digest()
    assert {r["token_hash"] for r in stored} == {digest}
    assert alice.refresh_token.split(".")[1] not in dump


async def test_a_spent_refresh_token_presented_again_ends_its_session(client, alice: Account,
                                                                      bob: Account):
    first = (await _refresh(client, alice.refresh_token)).json()
    renewed = Account(alice.user_id, first["access_token"], alice.email, first["refresh_token"])
    reused = await _refresh(client, alice.refresh_token)
    assert reused.status_code == 401
    assert "already used" in reused.json()["detail"]
    # The whole session is gone: the token issued after the spent one, and its access tokens.
    assert (await _refresh(client, renewed.refresh_token)).status_code == 401
    assert await _me(client, renewed) == 401
    assert await _me(client, alice) == 401
    assert await _me(client, bob) == 200  # nobody else's


async def test_concurrent_refreshes_with_one_token_give_one_success(settings):
    """Eight clients at once through a served app: the session's row lock lets one rotate the
    token; the others find it spent (401)."""
    async with served(app_for(settings)) as http:
        alice = await register(http, "racer@example.com")
        answers = await asyncio.gather(*(
            http.post("/auth/refresh", json={"refresh_token": alice.refresh_token})
            for _ in range(8)))
    assert sorted(r.status_code for r in answers) == [200] + [401] * 7


@pytest.mark.parametrize("token", ["", "x" * 201, "garbage", "1.short", "0." + "a" * 43,
                                   "1." + "!" * 43, "99999999999999999999." + "a" * 43,
                                   "1." + "a" * 43])
async def test_a_refresh_token_that_is_not_ours_is_401_or_400(client, alice: Account, token):
    response = await _refresh(client, token)
    assert response.status_code == (400 if len(token) in (0, 201) else 401), response.text


async def test_a_refresh_needs_an_active_account(client, alice: Account, bob: Account,
                                                 database_url):
    await _sql(database_url, "UPDATE users SET is_active = false WHERE id = $1", alice.user_id)
    assert (await _refresh(client, alice.refresh_token)).status_code == 401
    await client.delete("/users/me", headers=bob.headers)
    assert (await _refresh(client, bob.refresh_token)).status_code == 401


async def test_a_session_ends_when_its_time_is_up_however_often_it_refreshes(
        client, alice: Account, database_url):
    await _sql(database_url, "UPDATE sessions SET created_at = now() - interval '31 days', "
                             "expires_at = now() - interval '1 second'")
    assert (await _refresh(client, alice.refresh_token)).status_code == 401
    listed = await client.get("/auth/sessions", headers=(await _login(client, alice)).headers)
    assert [s["current"] for s in listed.json()["items"]] == [True]


async def test_an_access_token_never_outlives_its_session(client, alice: Account, database_url):
    await _sql(database_url, "UPDATE sessions SET expires_at = now() + interval '100 seconds'")
    body = (await _refresh(client, alice.refresh_token)).json()
    assert 98 <= body["expires_in"] <= 100


async def test_logout_ends_that_session_only(client, alice: Account):
    phone = await _login(client, alice, "phone")
    assert await _me(client, alice) == 200  # remembered by the worker's token memory
    response = await client.post("/auth/logout", json={"refresh_token": alice.refresh_token})
    assert response.status_code == 204
    assert await _me(client, alice) == 401
    assert (await client.get("/tasks", headers=alice.headers)).json()["detail"] == GONE
    assert (await _refresh(client, alice.refresh_token)).status_code == 401
    assert await _me(client, phone) == 200
    assert (await _refresh(client, phone.refresh_token)).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "1." + "a" * 43])
async def test_logout_with_a_token_that_names_no_session_is_204_and_ends_nothing(
        client, alice: Account, token):
    response = await client.post("/auth/logout", json={"refresh_token": token})
    assert response.status_code == 204
    assert await _me(client, alice) == 200


async def test_logout_with_a_spent_token_ends_its_session(client, alice: Account):
    body = (await _refresh(client, alice.refresh_token)).json()
    await client.post("/auth/logout", json={"refresh_token": alice.refresh_token})
    assert (await _refresh(client, body["refresh_token"])).status_code == 401


async def test_logout_everywhere_stops_every_token_issued_before_it_at_once(
        client, alice: Account, bob: Account):
    phone = await _login(client, alice, "phone")
    for who in (alice, phone):
        assert await _me(client, who) == 200  # remembered by the worker's token memory
    response = await client.post("/auth/logout-all", headers=phone.headers)
    assert response.status_code == 204
    for who in (alice, phone):
        assert await _me(client, who) == 401
        assert (await client.post("/tasks", json={"title": "t"}, headers=who.headers)
                ).status_code == 401
        assert (await _refresh(client, who.refresh_token)).status_code == 401
    assert (await client.post("/auth/logout-all", headers=phone.headers)).status_code == 401
    assert await _me(client, bob) == 200
    later = await _login(client, alice)
    assert await _me(client, later) == 200


async def test_the_sessions_list_shows_each_sign_in_and_marks_the_callers(client, alice: Account,
                                                                          bob: Account):
    phone = await _login(client, alice, "phone/2.0")
    listed = await client.get("/auth/sessions", headers=phone.headers)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(s["id"], s["user_agent"], s["current"]) for s in items] == [
        (phone.session_id, "phone/2.0", True), (alice.session_id, "testclient", False)]
    assert set(items[0]) == {"id", "created_at", "last_used_at", "expires_at", "user_agent",
                             "current"}
    first = await client.get("/auth/sessions?limit=1", headers=phone.headers)
    second = await client.get("/auth/sessions", headers=phone.headers,
                              params={"limit": 1, "cursor": first.json()["next_cursor"]})
    assert [s["id"] for s in first.json()["items"] + second.json()["items"]] == [
        phone.session_id, alice.session_id]
    assert second.json()["next_cursor"] is None
    bobs = await client.get("/auth/sessions", headers=bob.headers)
    assert [s["id"] for s in bobs.json()["items"]] == [bob.session_id]


async def test_a_refresh_updates_the_sessions_last_use_and_user_agent(client, alice: Account):
    before = (await client.get("/auth/sessions", headers=alice.headers)).json()["items"][0]
    body = (await client.post("/auth/refresh", json={"refresh_token": alice.refresh_token},
                              headers={"User-Agent": "x" * 600})).json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    after = (await client.get("/auth/sessions", headers=headers)).json()["items"][0]
    assert after["user_agent"] == "x" * 512
    assert after["last_used_at"] > before["last_used_at"]
    assert after["created_at"] == before["created_at"]


async def test_ending_a_session_by_id_stops_its_tokens(client, alice: Account, bob: Account):
    phone = await _login(client, alice, "phone")
    response = await client.delete(f"/auth/sessions/{phone.session_id}", headers=alice.headers)
    assert response.status_code == 204
    assert await _me(client, phone) == 401
    assert (await _refresh(client, phone.refresh_token)).status_code == 401
    assert await _me(client, alice) == 200
    for missing in (phone.session_id, bob.session_id, 999999):
        response = await client.delete(f"/auth/sessions/{missing}", headers=alice.headers)
        assert response.status_code == 404, missing
    assert await _me(client, bob) == 200
    own = await client.delete(f"/auth/sessions/{alice.session_id}", headers=alice.headers)
    assert own.status_code == 204
    assert await _me(client, alice) == 401


async def test_every_session_route_needs_a_live_session(client, alice: Account):
    await client.post("/auth/logout", json={"refresh_token": alice.refresh_token})
    h = alice.headers
    assert (await client.get("/auth/sessions", headers=h)).status_code == 401
    assert (await client.delete(f"/auth/sessions/{alice.session_id}", headers=h)
            ).status_code == 404
    assert (await client.post("/auth/password", json={"current_password": PASSWORD,
                                                      "new_password": "another password"},
                              headers=h)).status_code == 401
    assert (await client.delete("/users/me", headers=h)).status_code == 401
    assert (await client.get("/auth/sessions")).status_code == 401


async def test_ended_sessions_are_pruned_with_their_tokens(client, alice: Account, bob: Account,
                                                           settings, database_url):
    await _refresh(client, alice.refresh_token)
    await _sql(database_url, "UPDATE sessions SET created_at = now() - interval '31 days', "
                             "expires_at = now() - interval '1 second' WHERE user_id = $1",
               alice.user_id)
    conn = await asyncpg.connect(settings.database_url)  # as the service's role
    try:
        assert await prune_expired_sessions(conn, batch_size=1) == 1
    finally:
        await conn.close()
    assert await _sql(database_url, "SELECT count(*) FROM refresh_tokens WHERE user_id = $1",
                      alice.user_id) == 0
    assert await _sql(database_url, "SELECT count(*) FROM sessions") == 1
    assert await _me(client, bob) == 200
