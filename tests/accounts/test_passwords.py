"""Changing a password through HTTP, and hashes made with outdated argon2 parameters replaced at
login."""

from __future__ import annotations

import asyncpg
import httpx
import msgspec
import pytest
from argon2 import PasswordHasher

from tests.conftest import app_for
from tests.helpers import PASSWORD, Account, served

NEW = "a brand new password"


async def _stored_hash(database_url: str, user_id: int) -> str:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id)
    finally:
        await conn.close()


async def _login(client, email: str, password: str) -> httpx.Response:
    return await client.post("/auth/login", json={"email": email, "password": password})


async def _signed_in(client, who: Account) -> Account:
    body = (await _login(client, who.email, PASSWORD)).json()
    return Account(who.user_id, body["access_token"], who.email, body["refresh_token"])


async def _change(client, who: Account, **body) -> httpx.Response:
    return await client.post("/auth/password", json=body, headers=who.headers)


async def test_a_password_change_ends_every_other_session_and_keeps_this_one(
        client, alice: Account, bob: Account, database_url):
    phone = await _signed_in(client, alice)
    version = (await client.get("/users/me", headers=alice.headers)).json()["version"]
    response = await _change(client, alice, current_password=PASSWORD, new_password=NEW)
    assert response.status_code == 204, response.text
    assert (await client.get("/users/me", headers=phone.headers)).status_code == 401
    assert (await client.post("/auth/refresh", json={"refresh_token": phone.refresh_token})
            ).status_code == 401
    me = await client.get("/users/me", headers=alice.headers)
    assert me.status_code == 200
    assert me.json()["version"] == version  # the hash is not part of the account as shown
    assert (await client.post("/auth/refresh", json={"refresh_token": alice.refresh_token})
            ).status_code == 200
    assert (await _login(client, alice.email, PASSWORD)).status_code == 401
    assert (await _login(client, alice.email, NEW)).status_code == 200
    assert (await client.get("/users/me", headers=bob.headers)).status_code == 200
    assert (await _stored_hash(database_url, alice.user_id)).startswith("$argon2id$")


async def test_a_wrong_current_password_is_403_and_changes_nothing(client, alice: Account):
    phone = await _signed_in(client, alice)
    response = await _change(client, alice, current_password="not the password",
                             new_password=NEW)
    assert response.status_code == 403
    assert response.json()["extra"] == {"field": "current_password"}
    assert (await client.get("/users/me", headers=phone.headers)).status_code == 200
    assert (await _login(client, alice.email, PASSWORD)).status_code == 200


async def test_an_account_with_a_password_must_send_the_current_one(client, alice: Account):
    response = await _change(client, alice, new_password=NEW)
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "current_password"}


@pytest.mark.parametrize(("body", "field"), [
    ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
    ({"current_password": PASSWORD}, "new_password"),
    ({"current_password": "", "new_password": NEW}, "current_password"),
    ({"current_password": PASSWORD, "new_password": NEW, "admin": True}, "admin"),
])
async def test_a_bad_password_change_is_400_naming_the_field(client, alice: Account, body, field):
    response = await client.post("/auth/password", json=body, headers=alice.headers)
    assert response.status_code == 400
    assert field in response.text


async def test_wrong_current_passwords_are_limited_like_logins(settings):
    limited = msgspec.structs.replace(settings, login_max_failures_per_account_address=2)
    async with served(app_for(limited)) as http:
        response = await http.post("/auth/register", json={
            "email": "limited@example.com", "name": "L", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        codes = [(await http.post("/auth/password", headers=headers, json={
            "current_password": "wrong password", "new_password": NEW})).status_code
            for _ in range(3)]
        assert codes == [403, 403, 429]
        refused = await http.post("/auth/password", headers=headers, json={
            "current_password": PASSWORD, "new_password": NEW})
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        login = await http.post("/auth/login", json={"email": "limited@example.com",
                                                     "password": PASSWORD})
        assert login.status_code == 429


async def test_login_replaces_a_hash_made_with_older_parameters(client, alice: Account,
                                                                database_url, settings):
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE users SET password_hash = $1 WHERE id = $2", old,
                           alice.user_id)
    finally:
        await conn.close()
    version = (await client.get("/users/me", headers=alice.headers)).json()["version"]
    assert (await _login(client, alice.email, PASSWORD)).status_code == 200
    upgraded = await _stored_hash(database_url, alice.user_id)
    assert upgraded != old
    assert upgraded.startswith(f"$argon2id$v=19$m={settings.argon2_memory_kib},"
                               f"t={settings.argon2_time_cost},p={settings.argon2_parallelism}$")
    assert (await client.get("/users/me", headers=alice.headers)).json()["version"] == version
    assert (await _login(client, alice.email, PASSWORD)).status_code == 200
    assert await _stored_hash(database_url, alice.user_id) == upgraded  # current: kept


async def test_a_current_hash_is_kept_at_login(client, alice: Account, database_url):
    stored = await _stored_hash(database_url, alice.user_id)
    assert (await _login(client, alice.email, PASSWORD)).status_code == 200
    assert await _stored_hash(database_url, alice.user_id) == stored


@pytest.mark.own_database
async def test_an_account_deactivated_during_a_change_keeps_its_password(client, alice: Account,
                                                                          database_url):
    """A trigger stands in for the race: the account is deactivated as the current password's
    check records its attempt, before the change is written."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("""
            CREATE FUNCTION deactivate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE users SET is_active = false;
                RETURN NEW;
            END $$;
            CREATE TRIGGER deactivate AFTER INSERT ON login_failures
                FOR EACH ROW EXECUTE FUNCTION deactivate();
        """)
        stored = await conn.fetchval("SELECT password_hash FROM users")
        response = await _change(client, alice, current_password=PASSWORD, new_password=NEW)
        assert response.status_code == 401
        assert await conn.fetchval("SELECT password_hash FROM users") == stored
    finally:
        await conn.close()


@pytest.mark.own_database
async def test_an_account_deactivated_just_before_its_session_starts_gets_no_tokens(
        client, alice: Account, database_url):
    """A trigger stands in for the race: the account is deactivated as the login is recorded,
    after its password was checked."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("""
            CREATE FUNCTION deactivate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE users SET is_active = false;
                RETURN NEW;
            END $$;
            CREATE TRIGGER deactivate AFTER INSERT OR UPDATE ON login_addresses
                FOR EACH ROW EXECUTE FUNCTION deactivate();
        """)
        response = await _login(client, alice.email, PASSWORD)
        assert response.status_code == 401
        assert await conn.fetchval("SELECT count(*) FROM sessions") == 1  # registration's only
    finally:
        await conn.close()
