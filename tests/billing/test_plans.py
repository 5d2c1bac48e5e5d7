"""The billing statements use the indexes their headers name, on tables big enough for it to
matter."""

from __future__ import annotations

import asyncpg
import pytest

from tests.plans import describe, index_names, plan, reads

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


@pytest.fixture
async def seeded(database_url):
    """3000 users with a subscription each (every tenth cancelled, a few of those ended) and an
    event each: analyzed."""
    conn = await asyncpg.connect(database_url)
    await conn.execute(
        "INSERT INTO users (email, name, password_hash, subscription_tier) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x', 'premium' "
        "FROM generate_series(1, 3000) AS i")
    await conn.execute(
        "INSERT INTO subscriptions (user_id, ls_subscription_id, ls_customer_id, ls_order_id, "
        "ls_variant_id, product_name, variant_name, tier, status, cancel_at_period_end, ends_at, "
        "test_mode, ls_created_at, ls_updated_at) "
        "SELECT u.id, 10000 + u.id, u.id, u.id, 4004, 'P', 'V', 'premium', "
        "CASE WHEN u.id % 10 = 0 THEN 'cancelled' ELSE 'active' END, false, "
        "CASE WHEN u.id % 10 = 0 THEN now() + (u.id % 300 - 3) * interval '1 day' END, "
        "false, now(), now() FROM users AS u")
    await conn.execute(
        "INSERT INTO billing_events (body_sha256, body, event_name, ls_subscription_id, user_id, "
        "outcome, received_at) SELECT sha256(u.id::text::bytea), '\\x7b7d', 'subscription_updated',"
        " 10000 + u.id, u.id, 'applied', now() - u.id * interval '1 hour' FROM users AS u")
    await conn.execute("ANALYZE users; ANALYZE subscriptions; ANALYZE billing_events")
    try:
        yield conn
    finally:
        await conn.close()


async def test_get_subscription_reads_only_the_users_rows(seeded):
    nodes = await plan(seeded, "billing/get_subscription", user_id=70)
    assert reads(nodes, "users") == [("Index Scan", "users_pkey")], describe(nodes)
    assert reads(nodes, "subscriptions") == [("Index Scan", "subscriptions_pkey")], describe(nodes)


async def test_an_event_finds_its_subscription_by_the_providers_id(seeded):
    nodes = await plan(seeded, "billing/lock_subscriber", user_id=None, ls_subscription_id=10070)
    assert index_names(nodes) == {"users_pkey", "subscriptions_ls_subscription_key"}, \
        describe(nodes)


async def test_lapsed_tiers_are_found_by_the_cancelled_index(seeded):
    nodes = await plan(seeded, "billing/lock_lapsed_users", batch_size=1000)
    assert "subscriptions_cancelled_ends_idx" in index_names(nodes), describe(nodes)
    assert ("Seq Scan", None) not in reads(nodes, "subscriptions"), describe(nodes)


async def test_pruning_walks_the_received_index(seeded):
    nodes = await plan(seeded, "billing/prune_billing_events", retention_days=90,
                       batch_size=1000)
    assert "billing_events_received_idx" in index_names(nodes), describe(nodes)
