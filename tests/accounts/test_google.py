"""Sign-in with Google through HTTP, against ID tokens the tests sign with RSA keys of their own and
a JWK set served from 127.0.0.1 (no network)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncpg
import jwt
import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import AsyncTestClient

from app.accounts.google import freshness
from app.server import create_app
from tests.helpers import PASSWORD, register, served

CLIENT_ID = "pgapi-tests.apps.googleusercontent.com"
GOOGLE_ID = "108234567890123456789"


class Key:
    def __init__(self, kid: str):
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def jwk(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}


KEYS = [Key("key-1"), Key("key-2"), Key("key-3")]


class Jwks:
    """A JWK set server on 127.0.0.1: what it serves, its Cache-Control, how it fails, and how
    many times it was asked."""

    def __init__(self) -> None:
        self.keys = [KEYS[0]]
        self.cache_control = "public, max-age=3600"
        self.status = 200
        self.delay = 0.0
        self.fetches = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                time.sleep(jwks.delay)
                body = json.dumps({"keys": [k.jwk for k in jwks.keys]}).encode()
                self.send_response(jwks.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", jwks.cache_control)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oauth2/v3/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    server = Jwks()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def google_settings(settings, jwks):
    return msgspec.structs.replace(settings, google_client_ids=("other-client", CLIENT_ID),
                                   google_jwks_url=jwks.url, google_jwks_timeout_seconds=0.5)


@pytest.fixture
async def google(google_settings) -> AsyncIterator[AsyncTestClient]:
    """A client of an app of its own: its cache of Google's keys starts empty."""
    async with AsyncTestClient(app=create_app(google_settings)) as client:
        yield client


def id_token(key: Key = KEYS[0], *, kid: str | None = None, **claims: object) -> str:
    now = int(time.time())
    payload = {"iss": "https://accounts.google.com", "aud": CLIENT_ID, "sub": GOOGLE_ID,
               "email": "gail@gmail.com", "email_verified": True, "name": "Gail",
               "iat": now, "exp": now + 3600, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": kid or key.kid})


async def _sign_in(client, token: str):
    return await client.post("/auth/google", json={"id_token": token})


async def test_a_first_sign_in_creates_an_account_and_the_next_finds_it(google, database_url):
    first = await _sign_in(google, id_token())
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "created"}
    assert body["created"] is True
    assert (body["token_type"], body["expires_in"]) == ("bearer", 900)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    me = (await google.get("/users/me", headers=headers)).json()
    assert (me["email"], me["name"], me["google_id"]) == ("gail@gmail.com", "Gail", GOOGLE_ID)
    again = await _sign_in(google, id_token(iss="accounts.google.com"))
    assert again.status_code == 200
    assert again.json()["created"] is False
    refreshed = await google.post("/auth/refresh",
                                  json={"refresh_token": again.json()["refresh_token"]})
    assert refreshed.status_code == 200
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT password_hash FROM users WHERE id = $1",
                                   me["id"]) is None
    finally:
        await conn.close()


REFUSED = [
    (id_token(KEYS[1], kid="key-1"), "invalid"),
    (id_token(aud="someone-elses-client"), "another app"),
    (id_token(aud=None), "invalid"),
    (id_token(iss="https://evil.example.com"), "not issued by Google"),
    (id_token(exp=int(time.time()) - 120), "expired"),
    (id_token(email_verified=False), "not verified"),
    (id_token(email_verified=None), "not verified"),
    (id_token(email=None), "no email"),
    (id_token(sub=None), "invalid"),
    (id_token(sub="9" * 256), "names no Google account"),
    (jwt.encode({"sub": GOOGLE_ID}, "a-shared-secret-of-32-bytes-or-more!", algorithm="HS256",
                headers={"kid": "key-1"}), "RS256"),
    ("not a token", "malformed"),
]


async def test_an_id_token_google_did_not_issue_for_us_is_401(google):
    """A wrong signature, audience, issuer, an expired token, an unverified or missing email,
    a missing subject, another algorithm, garbage (one app for all: building one is slow)."""
    for token, problem in REFUSED:
        response = await _sign_in(google, token)
        assert response.status_code == 401, (problem, response.text)
        assert problem in response.json()["detail"], problem


async def test_a_token_just_past_its_expiry_is_allowed_for_clock_skew(google):
    response = await _sign_in(google, id_token(exp=int(time.time()) - 5))
    assert response.status_code == 200, response.text


async def test_an_unknown_key_is_fetched_again_once_and_then_found(google, jwks):
    assert (await _sign_in(google, id_token())).status_code == 200
    assert jwks.fetches == 1
    unknown = await _sign_in(google, id_token(KEYS[1]))
    assert unknown.status_code == 401
    assert "does not publish" in unknown.json()["detail"]
    assert jwks.fetches == 2
    jwks.keys = [KEYS[0], KEYS[1]]  # Google rotates: the new key is published
    assert (await _sign_in(google, id_token(KEYS[1]))).status_code == 200
    assert jwks.fetches == 3
    assert (await _sign_in(google, id_token(KEYS[1]))).status_code == 200
    assert (await _sign_in(google, id_token(KEYS[0]))).status_code == 200
    assert jwks.fetches == 3  # cached for the response's max-age


async def test_keys_are_fetched_again_when_their_max_age_has_passed(google, jwks):
    jwks.cache_control = "public, max-age=0"
    for _ in range(2):
        assert (await _sign_in(google, id_token())).status_code == 200
    assert jwks.fetches == 2


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Cache-Control": "public, max-age=19794, must-revalidate, no-transform"}, 19794),
    ({"Cache-Control": "max-age=600", "Age": "100"}, 500),
    ({"Cache-Control": "max-age=60", "Age": "100"}, 0),
    ({"Cache-Control": "no-store"}, 0),
    ({"Cache-Control": "no-cache, max-age=600"}, 0),
    ({}, 300),
])
def test_freshness_is_the_max_age_less_the_age(headers, seconds):
    assert freshness(headers) == seconds


@pytest.mark.parametrize("failure", ["error", "no keys", "too large", "hang", "down"])
async def test_keys_that_cannot_be_fetched_are_a_503_with_retry_after(google, jwks, failure):
    if failure == "error":
        jwks.status = 500
    elif failure == "no keys":
        jwks.keys = []
    elif failure == "too large":
        jwks.keys = KEYS * 200
    elif failure == "hang":
        jwks.delay = 3
    else:
        jwks.stop()
    response = await _sign_in(google, id_token())
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert "Google" in response.json()["detail"]


async def test_without_a_name_the_account_is_named_after_the_email(google):
    body = (await _sign_in(google, id_token(name=None))).json()
    me = await google.get("/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["name"] == "gail"


async def test_a_verified_email_links_the_account_that_has_it(google):
    account = await register(google, "Gail@Gmail.com", "Gail P.")
    response = await _sign_in(google, id_token())
    assert response.status_code == 200, response.text
    assert response.json()["created"] is False
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    me = (await google.get("/users/me", headers=headers)).json()
    assert (me["id"], me["google_id"], me["name"]) == (account.user_id, GOOGLE_ID, "Gail P.")
    login = await google.post("/auth/login", json={"email": account.email, "password": PASSWORD})
    assert login.status_code == 200  # its password still works


async def test_an_email_linked_to_another_google_account_is_409(google):
    assert (await _sign_in(google, id_token())).status_code == 200
    response = await _sign_in(google, id_token(sub="another-google-account"))
    assert response.status_code == 409
    assert "another Google account" in response.json()["detail"]


async def test_a_deactivated_account_cannot_sign_in_with_google(google, database_url):
    body = (await _sign_in(google, id_token())).json()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE users SET is_active = false WHERE google_id = $1", GOOGLE_ID)
    finally:
        await conn.close()
    assert (await _sign_in(google, id_token())).status_code == 401
    assert (await google.post("/auth/refresh", json={"refresh_token": body["refresh_token"]})
            ).status_code == 401


async def test_an_account_made_by_google_has_no_password_until_it_sets_one(google):
    body = (await _sign_in(google, id_token())).json()
    guessed = await google.post("/auth/login", json={"email": "gail@gmail.com",
                                                     "password": "any password at all"})
    unknown = await google.post("/auth/login", json={"email": "nobody@gmail.com",
                                                     "password": "any password at all"})
    assert guessed.status_code == unknown.status_code == 401
    assert guessed.json() == unknown.json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    changed = await google.post("/auth/password", json={"new_password": "my first password"},
                                headers=headers)
    assert changed.status_code == 204, changed.text
    login = await google.post("/auth/login", json={"email": "gail@gmail.com",
                                                   "password": "my first password"})
    assert login.status_code == 200


async def test_invalid_tokens_count_against_the_address(google_settings):
    limited = msgspec.structs.replace(google_settings, login_max_failures_per_address=2)
    async with AsyncTestClient(app=create_app(limited)) as client:
        codes = [(await _sign_in(client, "not a token")).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        assert (await _sign_in(client, id_token())).status_code == 429


async def test_two_concurrent_first_sign_ins_make_one_account(google_settings, database_url):
    async with served(create_app(google_settings)) as http:
        token = id_token()
        answers = await asyncio.gather(*(_sign_in(http, token) for _ in range(6)))
    assert [r.status_code for r in answers] == [200] * 6, [r.text for r in answers]
    assert sorted(r.json()["created"] for r in answers) == [False] * 5 + [True]
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM users") == 1
        assert await conn.fetchval("SELECT count(*) FROM sessions") == 6
    finally:
        await conn.close()


@pytest.mark.own_database
async def test_an_account_that_cannot_be_found_or_made_twice_is_a_503(google, database_url):
    """A trigger stands in for concurrent writers that keep winning: every insert into users is
    skipped, so each run finds no account and makes none."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("""
            CREATE FUNCTION skip_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RETURN NULL;
            END $$;
            CREATE TRIGGER skip_insert BEFORE INSERT ON users
                FOR EACH ROW EXECUTE FUNCTION skip_insert();
        """)
    finally:
        await conn.close()
    response = await _sign_in(google, id_token())
    assert response.status_code == 503
    assert "Retry-After" in response.headers


async def test_without_client_ids_the_route_is_404(client):
    response = await _sign_in(client, id_token())
    assert response.status_code == 404
    assert "not configured" in response.json()["detail"]
