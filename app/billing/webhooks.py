"""Lemon Squeezy's webhook: verify, store, apply, in one transaction.

A request is authenticated by its ``X-Signature``: the hex HMAC-SHA256 of the exact bytes of the
body under ``APP_LEMONSQUEEZY_SIGNING_SECRET``, compared in constant time; without it, or with
another, nothing is stored (401). Then, in one transaction:

1. the event is stored raw in ``billing_events`` under the SHA-256 of its body; a body stored
   already is a redelivery, answered 200 and applied no further (a second delivery arriving while
   the first is in its transaction waits for it, then finds it);
2. the row of the user it applies to is locked (the event's ``meta.custom_data.user_id`` for a
   subscription event; the subscription's owner for a payment event): every change to a user's
   subscriptions and tier is made under that lock, so events of one user apply one after the
   other; an unknown, deleted or deactivated user's event is kept, answered 200, not applied;
3. the subscription is upserted by its provider id (a subscription event) or its status refreshed
   (a payment event), unless what is stored is newer;
4. the user's ``subscription_tier`` and ``trial_ends_at`` follow its subscriptions;
5. a change of status or tier becomes a notification;
6. the event's outcome is recorded.

Every event whose signature holds is answered 200 with its outcome, so the provider does not
retry what retrying cannot change; a body not shaped as documented is kept as ``malformed`` and
logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping

from app.billing.events import OtherEvent, PaymentEvent, SubscriptionEvent, decode
from app.billing.models import Applied, Outcome, Tier
from app.billing.repository import BillingRepository
from app.kit.errors import NotFound, Unauthorized
from app.notifications.repository import NotificationRepository

log = logging.getLogger("app.billing")

SIGNATURE_HEADER = "X-Signature"


def signature(secret: str, body: bytes) -> str:
    """What Lemon Squeezy sends in X-Signature for ``body``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class LemonSqueezyWebhooks:
    __slots__ = ("billing", "_secret", "_tiers")

    def __init__(self, billing: BillingRepository, secret: str | None,
                 tiers: Mapping[int, Tier]):
        self.billing = billing
        self._secret = secret
        self._tiers = dict(tiers)

    def ensure_configured(self) -> None:
        """NotFound when no signing secret is configured: the route is off (checked before the
        body is read)."""
        if self._secret is None:
            raise NotFound("webhooks from Lemon Squeezy are not configured")

    def verify(self, sent: str | None, body: bytes) -> None:
        """Unauthorized when the signature is missing or is not the body's."""
        self.ensure_configured()
        assert self._secret is not None
        expected = signature(self._secret, body)
        candidate = (sent or "").strip().lower()
        if not (candidate.isascii() and hmac.compare_digest(candidate, expected)):
            raise Unauthorized(
                "missing or invalid X-Signature (the hex HMAC-SHA256 of the body)",
                extra={"header": SIGNATURE_HEADER},
                headers={"WWW-Authenticate": 'Signature realm="lemonsqueezy"'})

    async def receive(self, body: bytes) -> Outcome:
        """Store and apply one verified event; its outcome."""
        event = decode(body)
        digest = hashlib.sha256(body).digest()
        known = event.outcome if isinstance(event, OtherEvent) else None
        async with self.billing.transaction() as tx:
            stored = await tx.store(
                body_sha256=digest, body=body, event_name=event.name,
                ls_subscription_id=None if isinstance(event, OtherEvent) else
                event.ls_subscription_id,
                user_id=None if isinstance(event, PaymentEvent) else event.user_id,
                outcome=known)
            if not stored:
                return "duplicate"
            if isinstance(event, OtherEvent):
                if event.outcome == "malformed":
                    log.warning("a Lemon Squeezy event was malformed (%s): %s", event.name,
                                event.detail)
                return event.outcome
            outcome = await self._apply(tx, event)
            await tx.settle(body_sha256=digest, outcome=outcome)
            return outcome

    async def _apply(self, tx: BillingRepository,
                     event: SubscriptionEvent | PaymentEvent) -> Outcome:
        if isinstance(event, PaymentEvent):
            owner = await tx.lock_subscriber(user_id=None,
                                             ls_subscription_id=event.ls_subscription_id)
            if owner is None:
                return "no_subscription"
            return await self._follow(tx, owner, await tx.apply_payment(user_id=owner,
                                                                         event=event))
        tier = self._tiers.get(event.attributes.variant_id)
        if tier is None:
            log.warning("Lemon Squeezy variant %d has no tier in APP_LEMONSQUEEZY_VARIANT_TIERS: "
                        "%s of subscription %d not applied", event.attributes.variant_id,
                        event.name, event.ls_subscription_id)
            return "unknown_variant"
        if event.user_id is None:
            return "unknown_user"
        user_id = await tx.lock_subscriber(user_id=event.user_id,
                                           ls_subscription_id=event.ls_subscription_id)
        if user_id is None:
            return "unknown_user"
        return await self._follow(tx, user_id, await tx.apply_subscription(
            user_id=user_id, event=event, tier=tier))

    @staticmethod
    async def _follow(tx: BillingRepository, user_id: int, applied: Applied) -> Outcome:
        """After the subscription's statement: the user's tier, and a notification of a change."""
        if not applied.applied:
            return "other_user" if applied.other_user else "stale"
        await tx.sync_tiers(user_ids=[user_id])
        message = announcement(applied)
        if message is not None:
            title, text = message
            await NotificationRepository(tx.db, tx.ctx).notify(
                user_id=user_id, kind="subscription_changed", title=title, body=text,
                data={"subscription_id": applied.id, "status": applied.status,
                      "previous_status": applied.previous_status, "tier": applied.tier})
        return "applied"


def announcement(change: Applied) -> tuple[str, str] | None:
    """The title and body of the notification of a subscription's change of status or tier, or
    None when neither changed."""
    status, tier, before = change.status, change.tier, change.previous_status
    assert status is not None and tier is not None
    if before == status and change.previous_tier == tier:
        return None
    plan = tier.title()
    ends = f"{change.ends_at:%Y-%m-%d}" if change.ends_at else None
    if status == "on_trial":
        trial = f"{change.trial_ends_at:%Y-%m-%d}" if change.trial_ends_at else None
        return f"Your {plan} trial has started", f"It ends on {trial}." if trial else ""
    if status == "active":
        if before is None:
            return f"Welcome to {plan}", "Your subscription is active."
        if before in ("past_due", "unpaid"):
            return "Payment received", f"{plan} is active again."
        if before == "cancelled":
            return f"Your {plan} subscription is resumed", "It renews as before."
        if before == "paused":
            return f"Your {plan} subscription is unpaused", f"{plan} is on again."
        if before == status:
            return f"You are on {plan} now", "Your subscription changed plan."
        return f"Your {plan} subscription is active", ""
    if status == "cancelled":
        return (f"Your {plan} subscription is cancelled",
                f"You keep {plan} until {ends}." if ends else "")
    if status == "past_due":
        return ("A payment failed",
                f"Update your payment method to keep {plan}; the payment is retried.")
    if status == "unpaid":
        return "Your subscription is unpaid", f"{plan} is off until a payment goes through."
    if status == "paused":
        return f"Your {plan} subscription is paused", f"{plan} is off while it is paused."
    return f"Your {plan} subscription has ended", "You are on the free plan now."
