"""Lemon Squeezy's webhook through the HTTP API on a real PostgreSQL: real bodies shaped like the
provider's documentation (fixtures/), signed with the secret, delivered once, twice, out of
order, at once, and with bad signatures; the subscription, the user's tier and the
notifications that follow."""

from __future__ import annotations

import asyncio
import hashlib
import json

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from app.server import create_app
from tests.billing.helpers import (
    FIXTURES,
    PATH,
    PRO_VARIANT,
    SUBSCRIPTION,
    applied,
    at,
    deliver,
    encoded,
    event,
    fixture,
    rows,
    sign,
)
from tests.conftest import app_for
from tests.helpers import register, served


async def _me(client, who) -> dict:
    response = await client.get("/users/me", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _subscription(client, who) -> dict:
    response = await client.get("/subscription", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _notifications(client, who) -> list[dict]:
    response = await client.get("/notifications", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def _stored(database_url) -> list[tuple[str, str, int | None]]:
    found = await rows(database_url, "SELECT event_name, outcome, user_id FROM billing_events "
                                     "ORDER BY received_at, event_name")
    return [(r["event_name"], r["outcome"], r["user_id"]) for r in found]


async def test_a_trial_starts_a_premium_subscription(client, alice, database_url):
    body = event("subscription_created", str(alice.user_id), trial_ends_at=at(days=14),
                 renews_at=at(days=14))
    await applied(client, body)
    subscription = await _subscription(client, alice)
    assert subscription["status"] == "on_trial" and subscription["tier"] == "premium"
    assert subscription["entitled"] is True and subscription["cancel_at_period_end"] is False
    assert subscription["current_period_end"] == subscription["renews_at"]
    assert (subscription["ls_subscription_id"], subscription["ls_customer_id"],
            subscription["ls_order_id"], subscription["ls_variant_id"]) == (1001, 2002, 3003, 4004)
    assert subscription["product_name"] == "NutriProfile Premium"
    me = await _me(client, alice)
    assert me["subscription_tier"] == "premium"
    assert me["trial_ends_at"] == subscription["trial_ends_at"]
    (notification,) = await _notifications(client, alice)
    assert notification["kind"] == "subscription_changed"
    assert notification["title"] == "Your Premium trial has started"
    assert notification["data"] == {"subscription_id": subscription["id"], "status": "on_trial",
                                    "previous_status": None, "tier": "premium"}
    assert await _stored(database_url) == [("subscription_created", "applied", alice.user_id)]


async def test_the_signature_is_over_the_exact_bytes_received(client, alice):
    """The fixture file as it is on disk (indented, a final newline), with the user's id put in
    its text: accepted. The same JSON value sent compact under that signature: refused."""
    text = (FIXTURES / "subscription_created.json").read_text()
    raw = text.replace('"user_id": "123"', f'"user_id": "{alice.user_id}"').encode()
    assert raw.endswith(b"}\n") and b"\n  " in raw
    compact = json.dumps(json.loads(raw), separators=(",", ":")).encode()
    refused = await deliver(client, compact, signature=sign(raw))
    assert refused.status_code == 401
    await applied(client, raw)
    assert (await _subscription(client, alice))["status"] == "on_trial"


async def test_a_redelivery_is_a_no_op(client, alice, database_url):
    body = encoded(event("subscription_created", str(alice.user_id)))
    await applied(client, body)
    await applied(client, body, "duplicate")
    assert len(await _stored(database_url)) == 1
    assert len(await _notifications(client, alice)) == 1


@pytest.mark.parametrize("signature", [
    None, "", "0" * 64, "nothex", "é".encode("latin-1") * 64, "sign-with-another-secret",
    "truncated",
])
async def test_a_missing_or_wrong_signature_is_401_and_stores_nothing(client, alice, database_url,
                                                                      signature):
    raw = encoded(event("subscription_created", str(alice.user_id)))
    if signature == "sign-with-another-secret":
        signature = sign(raw, "another-secret")
    elif signature == "truncated":
        signature = sign(raw)[:-2]
    headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Signature"] = signature
    response = await client.post(PATH, content=raw, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["extra"] == {"header": "X-Signature"}
    assert response.headers["WWW-Authenticate"].startswith("Signature")
    assert await _stored(database_url) == []
    assert (await client.get("/subscription", headers=alice.headers)).status_code == 404
    assert (await _me(client, alice))["subscription_tier"] == "free"


async def test_the_signature_may_be_upper_case_hex(client, alice):
    raw = encoded(event("subscription_created", str(alice.user_id)))
    response = await deliver(client, raw, signature=sign(raw).upper())
    assert response.status_code == 200 and response.json() == {"outcome": "applied"}


async def test_a_bearer_token_is_neither_needed_nor_enough(client, alice):
    raw = encoded(event("subscription_created", str(alice.user_id)))
    forged = await deliver(client, raw, signature="0" * 64, headers=alice.headers)
    assert forged.status_code == 401
    await applied(client, raw)


async def test_without_a_signing_secret_the_route_is_not_found(settings, alice, database_url):
    off = msgspec.structs.replace(settings, lemonsqueezy_signing_secret=None,
                                  lemonsqueezy_variant_tiers=())
    async with AsyncTestClient(app=app_for(off)) as client:
        response = await deliver(client, event("subscription_created", str(alice.user_id)))
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == "webhooks from Lemon Squeezy are not configured"
    assert await _stored(database_url) == []


async def test_a_body_over_the_size_limit_is_413_and_stores_nothing(settings, alice, database_url):
    small = msgspec.structs.replace(settings, max_body_bytes=1024)
    body = event("subscription_created", str(alice.user_id))
    assert len(encoded(body)) > 1024
    async with AsyncTestClient(app=create_app(small)) as client:
        response = await deliver(client, body)
    assert response.status_code == 413
    assert await _stored(database_url) == []


async def test_an_update_before_its_create_creates_it_and_the_create_is_then_stale(
        client, alice, database_url):
    uid = str(alice.user_id)
    await applied(client, event("subscription_updated", uid, renews_at=at(days=30)))
    await applied(client, event("subscription_created", uid), "stale")
    subscription = await _subscription(client, alice)
    assert subscription["status"] == "active"
    assert (await _me(client, alice))["subscription_tier"] == "premium"
    assert [n["title"] for n in await _notifications(client, alice)] == ["Welcome to Premium"]
    assert [o for _, o, _ in await _stored(database_url)] == ["applied", "stale"]


async def test_an_older_event_changes_nothing(client, alice):
    uid = str(alice.user_id)
    await applied(client, event("subscription_created", uid))
    await applied(client, event("subscription_cancelled", uid, ends_at=at(days=10),
                                renews_at=at(days=10)))
    before = await _subscription(client, alice)
    await applied(client, event("subscription_updated", uid), "stale")
    assert await _subscription(client, alice) == before
    assert before["status"] == "cancelled"


async def test_the_same_moment_applies_again_without_a_second_notification(client, alice):
    """Two events of one change (subscription_updated and subscription_cancelled, say) carry the
    same updated_at: the second is applied, changes nothing, and says nothing."""
    uid = str(alice.user_id)
    cancelled = event("subscription_cancelled", uid, ends_at=at(days=10), renews_at=at(days=10))
    await applied(client, cancelled)
    same = dict(cancelled, meta={**cancelled["meta"], "event_name": "subscription_updated"})
    await applied(client, same)
    assert len(await _notifications(client, alice)) == 1


async def test_a_whole_lifecycle(client, alice):
    uid = str(alice.user_id)
    steps = [
        (event("subscription_created", uid, trial_ends_at=at(days=14), renews_at=at(days=14),
               updated_at=at(-10)), "premium", "Your Premium trial has started"),
        (event("subscription_updated", uid, renews_at=at(days=30), updated_at=at(-9)),
         "premium", "Your Premium subscription is active"),
        (event("subscription_cancelled", uid, ends_at=at(days=20), renews_at=at(days=20),
               updated_at=at(-8)), "premium", "Your Premium subscription is cancelled"),
        (event("subscription_resumed", uid, renews_at=at(days=20), updated_at=at(-7)),
         "premium", "Your Premium subscription is resumed"),
        (event("subscription_paused", uid, renews_at=at(days=20), updated_at=at(-6)),
         "free", "Your Premium subscription is paused"),
        (event("subscription_unpaused", uid, renews_at=at(days=20), updated_at=at(-5)),
         "premium", "Your Premium subscription is unpaused"),
        (event("subscription_cancelled", uid, ends_at=at(days=3), renews_at=at(days=3),
               updated_at=at(-4)), "premium", "Your Premium subscription is cancelled"),
        (event("subscription_expired", uid, ends_at=at(-1), renews_at=at(-1),
               updated_at=at(-3)), "free", "Your Premium subscription has ended"),
    ]
    for body, tier, title in steps:
        await applied(client, body)
        assert (await _me(client, alice))["subscription_tier"] == tier, title
        assert (await _notifications(client, alice))[0]["title"] == title
    subscription = await _subscription(client, alice)
    assert subscription["status"] == "expired" and subscription["entitled"] is False
    assert len(await _notifications(client, alice)) == len(steps)


async def test_a_cancelled_subscription_grants_until_its_end(client, alice, bob):
    await applied(client, event("subscription_cancelled", str(alice.user_id),
                                ends_at=at(days=5), renews_at=at(days=5)))
    kept = await _subscription(client, alice)
    assert kept["cancel_at_period_end"] is True and kept["entitled"] is True
    assert kept["current_period_end"] == kept["ends_at"]
    assert (await _me(client, alice))["subscription_tier"] == "premium"
    assert "until" in (await _notifications(client, alice))[0]["body"]
    await applied(client, event("subscription_cancelled", str(bob.user_id), id=1002,
                                ends_at=at(-1), renews_at=at(-1)))
    ended = await _subscription(client, bob)
    assert ended["cancel_at_period_end"] is False and ended["entitled"] is False
    assert (await _me(client, bob))["subscription_tier"] == "free"


@pytest.mark.parametrize(("status", "tier"), [
    ("on_trial", "premium"), ("active", "premium"), ("past_due", "premium"), ("paused", "free"),
    ("unpaid", "free"), ("expired", "free"),
])
async def test_which_statuses_grant_the_tier(client, alice, status, tier):
    await applied(client, event("subscription_updated", str(alice.user_id), status=status))
    assert (await _me(client, alice))["subscription_tier"] == tier
    assert (await _subscription(client, alice))["entitled"] is (tier != "free")


async def test_a_failed_payment_is_past_due_until_it_is_recovered(client, alice):
    uid = str(alice.user_id)
    await applied(client, event("subscription_updated", uid, updated_at=at(-3)))
    await applied(client, event("subscription_payment_failed", uid, updated_at=at(-2)))
    assert (await _subscription(client, alice))["status"] == "past_due"
    assert (await _me(client, alice))["subscription_tier"] == "premium"
    assert (await _notifications(client, alice))[0]["title"] == "A payment failed"
    await applied(client, event("subscription_payment_recovered", uid, updated_at=at(-1)))
    assert (await _subscription(client, alice))["status"] == "active"
    assert (await _notifications(client, alice))[0]["title"] == "Payment received"
    await applied(client, event("subscription_payment_success", uid, updated_at=at(-1.5)),
                  "stale")
    assert (await _subscription(client, alice))["status"] == "active"


async def test_a_payment_older_than_the_subscription_event_changes_nothing(client, alice):
    uid = str(alice.user_id)
    await applied(client, event("subscription_updated", uid, updated_at=at(-1)))
    await applied(client, event("subscription_payment_failed", uid, updated_at=at(-2)), "stale")
    assert (await _subscription(client, alice))["status"] == "active"


async def test_a_paid_renewal_ends_a_trial(client, alice):
    uid = str(alice.user_id)
    await applied(client, event("subscription_created", uid, updated_at=at(-2)))
    await applied(client, event("subscription_payment_success", uid, updated_at=at(-1)))
    assert (await _subscription(client, alice))["status"] == "active"
    assert (await _me(client, alice))["trial_ends_at"] is None


async def test_a_payment_for_no_known_subscription_is_kept_not_applied(client, alice,
                                                                         database_url):
    await applied(client, event("subscription_payment_success", str(alice.user_id)),
                  "no_subscription")
    assert await _stored(database_url) == [("subscription_payment_success", "no_subscription",
                                            None)]
    assert await _notifications(client, alice) == []


@pytest.mark.parametrize("user_id", ["999999", None, "abc", "-1", "", 0, True, 2**63])
async def test_an_event_for_an_unknown_user_is_kept_and_not_applied(client, alice, database_url,
                                                                    user_id):
    await applied(client, event("subscription_created", user_id), "unknown_user")
    assert await _stored(database_url) == [("subscription_created", "unknown_user", None)]
    assert await rows(database_url, "SELECT id FROM subscriptions") == []


async def test_the_user_id_may_be_a_number(client, alice):
    await applied(client, event("subscription_created", alice.user_id))
    assert (await _me(client, alice))["subscription_tier"] == "premium"


@pytest.mark.parametrize("how", ["deleted", "deactivated"])
async def test_a_gone_users_events_are_kept_and_not_applied(client, alice, database_url, how):
    uid = str(alice.user_id)
    await applied(client, event("subscription_created", uid, updated_at=at(-2)))
    if how == "deleted":
        assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    else:
        await rows(database_url, "UPDATE users SET is_active = false WHERE id = $1",
                   alice.user_id)
    await applied(client, event("subscription_updated", uid, updated_at=at(-1)), "unknown_user")
    await applied(client, event("subscription_payment_failed", uid), "no_subscription")
    statuses = await rows(database_url, "SELECT status FROM subscriptions")
    assert [r["status"] for r in statuses] == ([] if how == "deleted" else ["on_trial"])
    tier = await rows(database_url, "SELECT subscription_tier FROM users WHERE id = $1",
                      alice.user_id)
    assert [r["subscription_tier"] for r in tier] == ([] if how == "deleted" else ["premium"])


async def test_a_subscription_is_never_moved_to_another_user(client, alice, bob):
    await applied(client, event("subscription_created", str(alice.user_id), updated_at=at(-2)))
    await applied(client, event("subscription_updated", str(bob.user_id), updated_at=at(-1)),
                  "other_user")
    assert (await _subscription(client, alice))["status"] == "on_trial"
    assert (await client.get("/subscription", headers=bob.headers)).status_code == 404
    assert (await _me(client, bob))["subscription_tier"] == "free"


async def test_a_variant_without_a_tier_is_kept_and_not_applied(client, alice, caplog):
    await applied(client, event("subscription_created", str(alice.user_id), variant_id=999),
                  "unknown_variant")
    assert (await _me(client, alice))["subscription_tier"] == "free"
    assert any("variant 999 has no tier" in r.getMessage() for r in caplog.records)


async def test_the_best_tier_of_all_a_users_subscriptions(client, alice):
    uid = str(alice.user_id)
    await applied(client, event("subscription_updated", uid))
    await applied(client, event("subscription_updated", uid, id=1002, variant_id=PRO_VARIANT,
                                product_name="NutriProfile Pro"))
    assert (await _me(client, alice))["subscription_tier"] == "pro"
    assert (await _subscription(client, alice))["tier"] in ("pro", "premium")
    await applied(client, event("subscription_expired", uid, id=1002, variant_id=PRO_VARIANT,
                                ends_at=at(-1)))
    assert (await _me(client, alice))["subscription_tier"] == "premium"
    assert (await _subscription(client, alice))["ls_subscription_id"] == SUBSCRIPTION


async def test_a_change_of_plan_is_announced(client, alice):
    uid = str(alice.user_id)
    await applied(client, event("subscription_updated", uid, updated_at=at(-2)))
    await applied(client, event("subscription_updated", uid, variant_id=PRO_VARIANT,
                                updated_at=at(-1)))
    assert (await _notifications(client, alice))[0]["title"] == "You are on Pro now"
    assert (await _me(client, alice))["subscription_tier"] == "pro"


async def test_other_events_are_kept_and_ignored(client, alice, database_url):
    await applied(client, event("order_created", str(alice.user_id)), "ignored")
    assert await _stored(database_url) == [("order_created", "ignored", alice.user_id)]


@pytest.mark.parametrize("body", [
    b"not json at all",
    b'{"meta": {"event_name": "subscription_created"}}',
    b'{"meta": {"event_name": "subscription_created"}, "data": {"type": "subscriptions", '
    b'"id": "x1", "attributes": {}}}',
    "subscription without updated_at",
    "subscription without a zone",
    "invoice as a subscription",
    "id not a number",
])
async def test_a_malformed_event_is_kept_logged_and_not_applied(client, alice, database_url,
                                                                caplog, body):
    uid = str(alice.user_id)
    if body == "subscription without updated_at":
        body = event("subscription_created", uid)
        del body["data"]["attributes"]["updated_at"]
    elif body == "subscription without a zone":
        body = event("subscription_created", uid, updated_at="2026-01-10T09:00:06")
    elif body == "invoice as a subscription":
        body = event("subscription_payment_success", uid)
        body["meta"]["event_name"] = "subscription_updated"
    elif body == "id not a number":
        body = event("subscription_created", uid, id="sub_1")
    await applied(client, body, "malformed")
    ((_, outcome, user_id),) = await _stored(database_url)
    assert outcome == "malformed"
    assert user_id == (None if isinstance(body, bytes) else alice.user_id)
    assert any("malformed" in r.getMessage() for r in caplog.records)
    assert await rows(database_url, "SELECT id FROM subscriptions") == []


async def test_the_raw_body_is_kept_under_its_hash(client, alice, database_url):
    raw = encoded(event("subscription_created", str(alice.user_id))) + b"\n"
    await applied(client, raw)
    (row,) = await rows(database_url, "SELECT body_sha256, body, ls_subscription_id "
                                      "FROM billing_events")
    assert row["body"] == raw and row["body_sha256"] == hashlib.sha256(raw).digest()
    assert row["ls_subscription_id"] == SUBSCRIPTION


async def test_two_deliveries_of_one_event_at_once_store_and_apply_it_once(settings,
                                                                           database_url):
    async with served(create_app(settings)) as http:
        alice = await register(http, "alice@example.com", "Alice")
        for round_ in range(5):
            raw = encoded(event("subscription_updated", str(alice.user_id), updated_at=at(round_),
                                status="active" if round_ % 2 else "past_due"))
            answers = await asyncio.gather(*(deliver(http, raw) for _ in range(4)))
            assert sorted(a.json()["outcome"] for a in answers) == [
                "applied", "duplicate", "duplicate", "duplicate"]
    assert len(await rows(database_url, "SELECT 1 FROM billing_events")) == 5
    notes = await rows(database_url, "SELECT title FROM notifications")
    assert len(notes) == 5


async def test_events_of_one_user_at_once_end_at_the_newest(settings, database_url):
    async with served(create_app(settings)) as http:
        alice = await register(http, "alice@example.com", "Alice")
        uid = str(alice.user_id)
        statuses = ["active", "past_due", "cancelled", "active", "paused", "active", "unpaid",
                    "on_trial"]
        bodies = [event("subscription_updated", uid, status=status, updated_at=at(-10 + i),
                        ends_at=at(days=5)) for i, status in enumerate(statuses)]
        answers = await asyncio.gather(*(deliver(http, body) for body in reversed(bodies)))
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        subscription = (await http.get("/subscription", headers=alice.headers)).json()
        me = (await http.get("/users/me", headers=alice.headers)).json()
    assert subscription["status"] == "on_trial"
    assert me["subscription_tier"] == "premium"
    outcomes = [a.json()["outcome"] for a in answers]
    assert set(outcomes) <= {"applied", "stale"} and "applied" in outcomes


async def test_the_fixtures_are_the_documented_events():
    names = sorted(p.stem for p in FIXTURES.glob("*.json"))
    assert names == sorted([
        "order_created", "subscription_created", "subscription_updated",
        "subscription_cancelled", "subscription_resumed", "subscription_expired",
        "subscription_paused", "subscription_unpaused", "subscription_payment_success",
        "subscription_payment_failed", "subscription_payment_recovered"])
    for name in names:
        body = fixture(name)
        assert body["meta"]["event_name"] == name
        assert body["meta"]["custom_data"] == {"user_id": "123"}
        assert body["data"]["type"] == {"order": "orders", "subscription": "subscriptions"}.get(
            name.split("_")[0]) or "subscription-invoices"
