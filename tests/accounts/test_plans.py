"""The login limits' and the sessions' statements use the indexes their headers name, on tables big
enough for it to matter, and each limit reads no more rows than its own number."""

from __future__ import annotations

import asyncpg
import pytest

from tests.plans import describe, index_names, plan

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

LIMITS = {"window_seconds": 300, "per_account_address": 5, "per_account": 20, "per_address": 50}


@pytest.fixture
async def seeded(database_url):
    """3000 users, each trusted at one address; 100,000 failures over the last ten minutes, for
    3000 emails from 200 addresses: analyzed."""
    conn = await asyncpg.connect(database_url)
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 3000) AS i"
    )
    await conn.execute(
        "INSERT INTO login_addresses (user_id, address) SELECT id, '192.0.2.1' FROM users"
    )
    await conn.execute(
        "INSERT INTO login_failures (email, address, failed_at) "
        "SELECT 'u' || (i % 3000) || '@example.com', '203.0.113.' || (i % 200), "
        "       now() - (i % 600) * interval '1 second' "
        "FROM generate_series(1, 100000) AS i"
    )
    await conn.execute(
        "INSERT INTO sessions (user_id, token_hash, user_agent, created_at, expires_at) "
        "SELECT u.id, sha256((u.id * 10 + n)::text::bytea), 'tests', now() - interval '30 days', "
        "       now() + (n - 2) * interval '1 day' "
        "FROM users AS u, generate_series(1, 5) AS n"
    )
    await conn.execute(
        "INSERT INTO refresh_tokens (user_id, token_hash, session_id) "
        "SELECT s.user_id, sha256((s.id * 100 + n)::text::bytea), s.id "
        "FROM sessions AS s, generate_series(1, 20) AS n"
    )
    await conn.execute("ANALYZE users; ANALYZE login_addresses; ANALYZE login_failures; "
                       "ANALYZE sessions; ANALYZE refresh_tokens")
    try:
        yield conn
    finally:
        await conn.close()


async def test_get_login_reads_each_limit_from_its_index(seeded):
    nodes = await plan(seeded, "accounts/get_login", email="U7@Example.com",
                       address="203.0.113.7", trusted_seconds=2592000, **LIMITS)
    assert {"users_email_key", "login_addresses_pkey", "login_failures_email_idx",
            "login_failures_address_idx"} <= index_names(nodes), describe(nodes)
    assert not any(n["Node Type"] == "Seq Scan" for n in nodes), describe(nodes)


async def test_record_registration_attempt_reads_the_address_index(seeded):
    nodes = await plan(seeded, "accounts/record_registration_attempt", address="203.0.113.7",
                       window_seconds=300, per_address=50)
    assert "login_failures_address_idx" in index_names(nodes), describe(nodes)


async def test_record_login_finds_the_failures_and_the_address_by_their_keys(seeded):
    nodes = await plan(seeded, "accounts/record_login", user_id=7, email="u7@example.com",
                       address="203.0.113.7", password_hash="x", new_password_hash="y")
    assert {"login_failures_email_idx", "users_pkey"} <= index_names(nodes), describe(nodes)


HASH = b"\x01" * 32


@pytest.mark.parametrize(("name", "values", "indexes"), [
    ("accounts/refresh_session",
     {"token_hash": HASH, "new_token_hash": HASH, "user_agent": "ua"},
     {"refresh_tokens_pkey", "sessions_pkey", "users_pkey"}),
    ("accounts/end_session", {"token_hash": HASH}, {"refresh_tokens_pkey", "sessions_pkey"}),
    ("accounts/list_sessions", {"after_id": 2**63 - 1, "limit": 21}, {"sessions_pkey"}),
    ("accounts/end_all_sessions", {}, {"sessions_pkey"}),
    ("accounts/revoke_session", {"ended_session_id": 3}, {"sessions_pkey", "users_pkey"}),
    ("accounts/change_password", {"password_hash": "x", "address": "203.0.113.7"},
     {"users_pkey", "sessions_pkey", "login_failures_email_idx"}),
])
async def test_session_statements_find_a_users_sessions_by_their_keys(seeded, name, values,
                                                                      indexes):
    nodes = await plan(seeded, name, user_id=7, **values)
    assert indexes <= index_names(nodes), describe(nodes)
    assert not any(n["Node Type"] == "Seq Scan" for n in nodes), describe(nodes)


async def test_sign_in_with_google_finds_the_account_by_its_google_id_and_its_email(seeded):
    nodes = await plan(seeded, "accounts/sign_in_with_google", google_id="g-7",
                       email="U7@Example.com", name="U", attempt_id=1)
    assert {"users_google_id_key", "users_email_key", "login_failures_pkey"} <= index_names(
        nodes), describe(nodes)
    assert not any(n["Node Type"] == "Seq Scan" for n in nodes), describe(nodes)


@pytest.mark.parametrize(("name", "values", "index"), [
    ("accounts/prune_login_failures", {"window_seconds": 300}, "login_failures_failed_at_idx"),
    ("accounts/prune_login_addresses", {"trusted_seconds": 60}, "login_addresses_last_login_idx"),
    ("accounts/prune_expired_sessions", {}, "sessions_expires_idx"),
])
async def test_pruning_finds_the_oldest_rows_by_their_time_index(seeded, name, values, index):
    nodes = await plan(seeded, name, batch_size=1000, **values)
    assert index in index_names(nodes), describe(nodes)
