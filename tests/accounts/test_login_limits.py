"""Limits on failed logins and registrations, through the HTTP API of a real server on a real
database: per account and address, per account (with trusted addresses exempt), per address;
429 with Retry-After; expiry; two app instances sharing the counts; pruning."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from app.accounts.limits import (
    LoginLimits,
    prune_expired_failures,
    prune_untrusted_addresses,
    refuse_if_limited,
)
from app.config import Settings
from app.kit.errors import ErrorDetails, TooManyRequests
from app.server import create_app
from tests.conftest import app_for
from tests.helpers import PASSWORD, fail_inserts, served

OWNER = "owner@example.com"
WRONG = "not the password"
HOME = "198.51.100.10"


def _limited(settings: Settings, **changes: int) -> Settings:
    """Small limits, so a test reaches them in a few requests; a window long enough that nothing
    expires by itself during a test unless the test says so."""
    values = {
        "login_failure_window_seconds": 300,
        "login_max_failures_per_account_address": 3,
        "login_max_failures_per_account": 5,
        "login_max_failures_per_address": 8,
    }
    return msgspec.structs.replace(settings, **{**values, **changes})


@pytest.fixture
async def http(settings) -> AsyncIterator[httpx.AsyncClient]:
    async with served(app_for(_limited(settings))) as client:
        yield client


async def _register(http: httpx.AsyncClient, email: str = OWNER, address: str = HOME
                    ) -> httpx.Response:
    return await http.post("/auth/register",
                           json={"email": email, "name": "Someone", "password": PASSWORD},
                           headers={"X-Forwarded-For": address})


async def _login(http: httpx.AsyncClient, address: str, password: str = WRONG,
                 email: str = OWNER) -> httpx.Response:
    return await http.post("/auth/login", json={"email": email, "password": password},
                           headers={"X-Forwarded-For": address})


async def _fail(http: httpx.AsyncClient, address: str, times: int, email: str = OWNER) -> None:
    for _ in range(times):
        response = await _login(http, address, email=email)
        assert response.status_code == 401, response.text


def _assert_limited(response: httpx.Response, limit: str, window: int = 300) -> int:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= window
    body = response.json()
    assert body["status_code"] == 429
    assert body["extra"] == {"limit": limit}
    assert f"retry after {retry_after} seconds" in body["detail"]
    return retry_after


async def _sql(database_url: str, query: str, *args: object) -> object:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def test_failures_for_an_account_from_one_address_are_limited(http):
    await _register(http)
    await _fail(http, "203.0.113.1", 3)
    refused = await _login(http, "203.0.113.1")
    _assert_limited(refused, "account_address")
    assert "for this email from this address" in refused.json()["detail"]
    # While refused, even the right password is not checked.
    _assert_limited(await _login(http, "203.0.113.1", PASSWORD), "account_address")


async def test_an_unknown_email_is_limited_exactly_like_a_known_one(http):
    """The limits count emails, not accounts, so a 429 does not tell whether an account exists."""
    await _register(http)
    answers = {}
    for email in (OWNER, "nobody@example.com"):
        for _ in range(3):
            failed = await _login(http, "203.0.113.1", email=email)
            assert failed.status_code == 401
        refused = await _login(http, "203.0.113.1", email=email)
        answers[email] = (failed.json(), refused.status_code, refused.json()["extra"])
    assert answers[OWNER] == answers["nobody@example.com"]


async def test_another_address_is_not_held_by_the_strict_limit(http):
    await _register(http)
    await _fail(http, "203.0.113.1", 3)
    _assert_limited(await _login(http, "203.0.113.1"), "account_address")
    assert (await _login(http, "203.0.113.2")).status_code == 401
    assert (await _login(http, HOME, PASSWORD)).status_code == 200


async def test_failures_from_many_addresses_trip_the_looser_account_limit(http):
    await _register(http)
    for n in range(5):
        await _fail(http, f"203.0.113.{n}", 1)
    refused = await _login(http, "203.0.113.99", PASSWORD)
    _assert_limited(refused, "account")
    assert "too many failed logins for this email;" in refused.json()["detail"]


async def test_the_owner_at_a_trusted_address_is_not_held_by_the_account_limit(http):
    """A distributed attack on the account slows the attacker, not the owner where they usually
    log in."""
    await _register(http)
    assert (await _login(http, HOME, PASSWORD)).status_code == 200
    for n in range(5):
        await _fail(http, f"203.0.113.{n}", 1)
    _assert_limited(await _login(http, "192.0.2.1", PASSWORD), "account")
    assert (await _login(http, HOME, PASSWORD)).status_code == 200
    # The trusted address still has its own strict limit.
    await _fail(http, HOME, 3)
    _assert_limited(await _login(http, HOME, PASSWORD), "account_address")


async def test_failures_from_one_address_across_accounts_are_limited(http):
    await _register(http)
    for n in range(8):
        await _fail(http, "203.0.113.1", 1, email=f"guess{n}@example.com")
    refused = await _login(http, "203.0.113.1", email="guess9@example.com")
    _assert_limited(refused, "address")
    # The owner never logged in from there, so is held too; another address is not.
    _assert_limited(await _login(http, "203.0.113.1", PASSWORD), "address")
    assert (await _login(http, "203.0.113.2", email="guess9@example.com")).status_code == 401


async def test_an_account_that_logged_in_from_an_address_is_exempt_from_its_limit(http):
    """Several people behind one address (an office): one of them failing a lot does not keep the
    others, who logged in from there before, out."""
    await _register(http)
    assert (await _login(http, "203.0.113.1", PASSWORD)).status_code == 200
    for n in range(8):
        await _fail(http, "203.0.113.1", 1, email=f"guess{n}@example.com")
    _assert_limited(await _login(http, "203.0.113.1", email="guess9@example.com"), "address")
    assert (await _login(http, "203.0.113.1", PASSWORD)).status_code == 200


async def test_a_successful_login_clears_that_addresses_failures(http, database_url):
    await _register(http)
    await _fail(http, HOME, 2)
    assert (await _login(http, HOME, PASSWORD)).status_code == 200
    assert await _sql(database_url, "SELECT count(*) FROM login_failures WHERE email = $1",
                      OWNER) == 0
    await _fail(http, HOME, 3)
    _assert_limited(await _login(http, HOME), "account_address")


async def test_a_refused_attempt_is_not_counted(http, database_url):
    """Hammering a locked account does not extend the lockout."""
    await _register(http)
    await _fail(http, "203.0.113.1", 3)
    for _ in range(5):
        _assert_limited(await _login(http, "203.0.113.1"), "account_address")
    assert await _sql(database_url, "SELECT count(*) FROM login_failures WHERE email = $1",
                      OWNER) == 3


async def test_a_burst_of_concurrent_guesses_gets_no_more_than_the_pool_can_run_at_once(
    http, settings
):
    """Each attempt is recorded by the statement that checks the limits, before any hashing, so a
    burst cannot queue up guesses behind the check: only statements running at the same moment
    (at most the pool's size) can see the same count."""
    await _register(http)
    responses = await asyncio.gather(*(_login(http, "203.0.113.1") for _ in range(30)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) == {401, 429}
    assert statuses.count(401) <= 3 + settings.pool_size - 1


async def test_the_lockout_expires_and_the_right_password_works_again(settings):
    async with served(app_for(_limited(settings, login_failure_window_seconds=2))) as http:
        await _register(http)
        await _fail(http, "203.0.113.1", 3)
        retry_after = _assert_limited(await _login(http, "203.0.113.1", PASSWORD),
                                      "account_address", window=2)
        await asyncio.sleep(retry_after)
        assert (await _login(http, "203.0.113.1", PASSWORD)).status_code == 200


async def test_limits_hold_across_two_instances_of_the_app(settings):
    """Counts live in PostgreSQL: two workers (or two machines) see the same failures."""
    limited = _limited(settings)
    async with served(create_app(limited)) as first, served(create_app(limited)) as second:
        await _register(first)
        for http in (first, second, first):
            await _fail(http, "203.0.113.1", 1)
        _assert_limited(await _login(second, "203.0.113.1", PASSWORD), "account_address")
        _assert_limited(await _login(first, "203.0.113.1", PASSWORD), "account_address")
        assert (await _login(second, HOME, PASSWORD)).status_code == 200


async def test_ipv6_clients_are_counted_by_their_64_network(http, database_url):
    """One client usually holds a whole /64: changing the last 64 bits does not reset a limit."""
    await _register(http)
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"):
        await _fail(http, host, 1)
    _assert_limited(await _login(http, "2001:db8:1:2::4"), "account_address")
    assert (await _login(http, "2001:db8:1:3::1")).status_code == 401
    assert (await _login(http, "::ffff:203.0.113.5")).status_code == 401
    stored = await _sql(
        database_url,
        "SELECT array_agg(DISTINCT address ORDER BY address) FROM login_failures WHERE email = $1",
        OWNER,
    )
    assert stored == ["2001:db8:1:2::/64", "2001:db8:1:3::/64", "203.0.113.5"]


async def test_an_address_at_its_limit_cannot_register(http, database_url):
    """Registration spends hashing work too: an address refused for logins is refused for
    registrations, before any hashing, and nothing is created."""
    for n in range(8):
        await _fail(http, "203.0.113.1", 1, email=f"guess{n}@example.com")
    refused = await _register(http, "new@example.com", "203.0.113.1")
    _assert_limited(refused, "address")
    assert await _sql(database_url, "SELECT count(*) FROM users") == 0
    assert (await _register(http, "new@example.com", "203.0.113.2")).status_code == 201


async def test_registrations_count_against_the_address_only_when_they_fail(http, database_url):
    for n in range(10):
        assert (await _register(http, f"user{n}@example.com", "203.0.113.1")).status_code == 201
    assert await _sql(database_url, "SELECT count(*) FROM login_failures") == 0
    for n in range(8):
        taken = await _register(http, f"user{n}@example.com", "203.0.113.1")
        assert taken.status_code == 409
    _assert_limited(await _register(http, "user99@example.com", "203.0.113.1"), "address")
    _assert_limited(await _login(http, "203.0.113.1", email="user0@example.com"), "address")


async def test_a_bad_request_is_400_and_counts_nothing(http, database_url):
    for body in ({"email": OWNER}, {"email": OWNER, "password": ""}, {"password": WRONG}):
        response = await http.post("/auth/login", json=body,
                                   headers={"X-Forwarded-For": "203.0.113.1"})
        assert response.status_code == 400, response.text
    created = await _register(http, address="203.0.113.1")
    assert created.status_code == 201
    bad = await http.post("/auth/register", json={"email": "x", "name": "X", "password": "p"},
                          headers={"X-Forwarded-For": "203.0.113.1"})
    assert bad.status_code == 400
    assert await _sql(database_url, "SELECT count(*) FROM login_failures") == 0


@pytest.mark.own_database
async def test_an_account_deleted_during_its_login_gets_401_and_no_token(http, database_url):
    """The account vanishes between the password check and recording the login (a trigger stands
    in for the race): as if it never existed."""
    await _register(http)
    await fail_inserts(database_url, "login_addresses", "foreign_key_violation", "login_addresses_user_fkey")
    response = await _login(http, HOME, PASSWORD)
    assert response.status_code == 401, response.text
    assert response.json()["detail"] == "email or password is incorrect"
    assert "access_token" not in response.text


async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(settings, database_url):
    """Only a trusted proxy (uvicorn's forwarded_allow_ips) may name the client's address."""
    app = app_for(_limited(settings))
    async with served(app, forwarded_allow_ips="192.0.2.254") as http:
        await _register(http)
        for n in range(3):
            await _fail(http, f"203.0.113.{n}", 1)
        _assert_limited(await _login(http, "203.0.113.9"), "account_address")
    assert await _sql(database_url, "SELECT array_agg(DISTINCT address) FROM login_failures"
                      ) == ["127.0.0.1"]


async def test_clients_without_a_network_address_count_as_one(settings, database_url):
    """The test client, like a unix socket without a trusted proxy, has no IP address: all such
    clients share the address 'unknown'."""
    async with AsyncTestClient(app=app_for(_limited(settings))) as client:
        for _ in range(3):
            response = await client.post("/auth/login", json={"email": OWNER, "password": WRONG})
            assert response.status_code == 401
        refused = await client.post("/auth/login", json={"email": OWNER, "password": WRONG})
    _assert_limited(refused, "account_address")
    assert await _sql(database_url, "SELECT array_agg(DISTINCT address) FROM login_failures"
                      ) == ["unknown"]


def test_the_limit_that_lasts_longest_is_named():
    with pytest.raises(TooManyRequests) as raised:
        refuse_if_limited(account_address_wait=40, account_wait=90, address_wait=None)
    assert raised.value.headers["Retry-After"] == "90"
    assert raised.value.extra == ErrorDetails(limit="account")
    refuse_if_limited(account_address_wait=None, account_wait=None, address_wait=None)


async def _backdate(database_url: str, table: str, column: str, seconds: int) -> None:
    await _sql(database_url, f"UPDATE {table} SET {column} = {column} - make_interval(secs => $1)",
               seconds)


async def test_pruning_deletes_expired_failures_and_untrusted_addresses(http, database_url,
                                                                      settings):
    await _register(http)
    await _register(http, "other@example.com")
    assert (await _login(http, HOME, PASSWORD)).status_code == 200
    assert (await _login(http, HOME, PASSWORD, "other@example.com")).status_code == 200
    await _fail(http, "203.0.113.1", 3)
    limits = LoginLimits.of(_limited(settings))
    await _backdate(database_url, "login_failures", "failed_at", 301)
    await _backdate(database_url, "login_addresses", "last_login_at", 30 * 86400 + 1)
    await _fail(http, "203.0.113.2", 1)
    assert (await _login(http, "203.0.113.3", PASSWORD)).status_code == 200
    conn = await asyncpg.connect(database_url)
    try:
        assert await prune_expired_failures(conn, limits, batch_size=2) == 3
        assert await prune_expired_failures(conn, limits) == 0
        assert await prune_untrusted_addresses(conn, limits, batch_size=1) == 2
        failures = await conn.fetch("SELECT address FROM login_failures")
        addresses = await conn.fetch("SELECT address FROM login_addresses")
    finally:
        await conn.close()
    assert [r["address"] for r in failures] == ["203.0.113.2"]
    assert [r["address"] for r in addresses] == ["203.0.113.3"]


async def test_the_service_prunes_expired_login_rows_when_it_starts(settings, database_url):
    async with served(app_for(_limited(settings))) as http:
        await _register(http)
        assert (await _login(http, HOME, PASSWORD)).status_code == 200
        await _fail(http, "203.0.113.1", 2)
    await _backdate(database_url, "login_failures", "failed_at", 301)
    await _backdate(database_url, "login_addresses", "last_login_at", 30 * 86400 + 1)
    remaining = "SELECT (SELECT count(*) FROM login_failures) + (SELECT count(*) FROM login_addresses)"
    async with AsyncTestClient(app=app_for(_limited(settings))):
        for _ in range(500):
            if await _sql(database_url, remaining) == 0:
                break
            await asyncio.sleep(0.02)
    assert await _sql(database_url, remaining) == 0


async def test_openapi_documents_429_on_login_and_register(client):
    document = (await client.get("/schema/openapi.json")).json()
    for path in ("/auth/login", "/auth/register"):
        assert "429" in document["paths"][path]["post"]["responses"]
