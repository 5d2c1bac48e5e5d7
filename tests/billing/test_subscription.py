"""GET /subscription, what DELETE /users/me takes with it, and the billing housekeeping: tiers
that outlived a cancelled subscription whose expired event never came, and old events."""

from __future__ import annotations

import asyncpg
import pytest

from app.billing.repository import BillingRepository, downgrade_lapsed, prune_events
from app.config import load_settings
from app.db.pool import Database, create_pool
from tests.billing.helpers import applied, at, event, rows
from tests.notifications.helpers import notify


async def test_without_a_subscription_it_is_404(client, alice):
    response = await client.get("/subscription", headers=alice.headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "subscription not found"


async def test_another_users_subscription_is_not_shown(client, alice, bob):
    await applied(client, event("subscription_created", str(alice.user_id)))
    assert (await client.get("/subscription", headers=alice.headers)).status_code == 200
    assert (await client.get("/subscription", headers=bob.headers)).status_code == 404


async def test_the_subscription_that_grants_comes_first(client, alice):
    uid = str(alice.user_id)
    await applied(client, event("subscription_updated", uid, id=1001, updated_at=at(-5)))
    await applied(client, event("subscription_expired", uid, id=1002, ends_at=at(-1),
                                created_at=at(-1)))
    shown = (await client.get("/subscription", headers=alice.headers)).json()
    assert shown["ls_subscription_id"] == 1001 and shown["entitled"] is True


@pytest.mark.parametrize("how", ["deleted", "deactivated"])
async def test_a_gone_account_gets_401(client, alice, database_url, how):
    await applied(client, event("subscription_created", str(alice.user_id)))
    if how == "deleted":
        await client.delete("/users/me", headers=alice.headers)
    else:
        await rows(database_url, "UPDATE users SET is_active = false WHERE id = $1",
                   alice.user_id)
    response = await client.get("/subscription", headers=alice.headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "the account no longer exists or its session has ended"


async def test_without_a_token_it_is_401(client):
    assert (await client.get("/subscription")).status_code == 401


async def test_deleting_the_account_removes_its_billing_and_notifications(client, alice, bob,
                                                                          database_url,
                                                                          service_url):
    for who, sid in ((alice, 1001), (bob, 1002)):
        await applied(client, event("subscription_created", str(who.user_id), id=sid))
        await applied(client, event("subscription_payment_failed", str(who.user_id),
                                    subscription_id=sid))
        await notify(service_url, who.user_id, 2)
    assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    for table in ("subscriptions", "billing_events", "notifications"):
        left = await rows(database_url, f"SELECT user_id FROM {table}")
        assert {r["user_id"] for r in left} == {bob.user_id}, table


async def _repository(service_url):
    settings = load_settings({"DATABASE_URL": service_url, "APP_JWT_SECRET": "x" * 40,
                              "APP_POOL_MIN_SIZE": "1", "APP_POOL_SIZE": "2"})
    pool = await create_pool(settings, service_url)
    database = Database(pool, 2.0)
    return pool, database


async def test_a_tier_that_outlived_its_cancelled_subscription_is_taken_back(client, alice, bob,
                                                                             database_url,
                                                                             service_url):
    uid, other = str(alice.user_id), str(bob.user_id)
    await applied(client, event("subscription_cancelled", uid, ends_at=at(days=2)))
    await applied(client, event("subscription_cancelled", other, id=1002, ends_at=at(days=2)))
    await applied(client, event("subscription_updated", other, id=1003))
    # Their ends pass, and the expired events never come.
    await rows(database_url, "UPDATE subscriptions SET ends_at = now() - interval '1 hour' "
                             "WHERE status = 'cancelled'")
    pool, database = await _repository(service_url)
    try:
        billing = BillingRepository(database)
        assert await downgrade_lapsed(billing, batch_size=1) == 1
        assert await downgrade_lapsed(billing, batch_size=1) == 0
    finally:
        await database.close()
        await pool.close()
    tiers = await rows(database_url, "SELECT id, subscription_tier FROM users ORDER BY id")
    assert [(r["id"], r["subscription_tier"]) for r in tiers] == [
        (alice.user_id, "free"), (bob.user_id, "premium")]


async def test_events_past_their_retention_are_pruned(client, alice, database_url, service_url):
    uid = str(alice.user_id)
    await applied(client, event("subscription_created", uid, updated_at=at(-3)))
    await applied(client, event("subscription_updated", uid, updated_at=at(-2)))
    await applied(client, event("subscription_cancelled", uid, updated_at=at(-1)))
    await rows(database_url, "UPDATE billing_events SET received_at = now() - interval '91 days' "
                             "WHERE event_name <> 'subscription_cancelled'")
    conn = await asyncpg.connect(service_url)
    try:
        assert await prune_events(conn, retention_days=90, batch_size=1) == 2
    finally:
        await conn.close()
    left = await rows(database_url, "SELECT event_name FROM billing_events")
    assert [r["event_name"] for r in left] == ["subscription_cancelled"]
