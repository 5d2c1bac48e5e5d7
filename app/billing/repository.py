"""Billing data access: the webhook's inbox, the subscriptions it upserts, the users' tiers that
follow them, and the caller's subscription. The webhook's statements run in one transaction (see
``app.billing.webhooks``)."""

from __future__ import annotations

from app.billing.events import PaymentEvent, SubscriptionEvent
from app.billing.models import Applied, Outcome, Subscription, Tier
from app.db.queries import sql
from app.db.repository import Executor, Repository
from app.kit.errors import AccountGone
from app.kit.jobs import PRUNE_BATCH, prune_in_batches

_store = sql("billing/store_event", "body_sha256", "body", "event_name", "ls_subscription_id",
             "user_id", "outcome")
_settle = sql("billing/settle_event", "body_sha256", "outcome")
_lock = sql("billing/lock_subscriber", "user_id", "ls_subscription_id")
_apply_subscription = sql(
    "billing/apply_subscription_event",
    "user_id", "ls_subscription_id", "ls_customer_id", "ls_order_id", "ls_variant_id",
    "product_name", "variant_name", "tier", "status", "trial_ends_at", "renews_at", "ends_at",
    "test_mode", "ls_created_at", "ls_updated_at",
    row=Applied,
)
_apply_payment = sql("billing/apply_payment_event", "user_id", "ls_subscription_id", "payment",
                     "billing_reason", "invoice_updated_at", row=Applied)
_sync = sql("billing/sync_user_tiers", "user_ids")
_get = sql("billing/get_subscription", "user_id", row=Subscription)
_lapsed = sql("billing/lock_lapsed_users", "batch_size")
_prune = sql("billing/prune_billing_events", "retention_days", "batch_size")


class BillingRepository(Repository):
    __slots__ = ()

    async def store(self, *, body_sha256: bytes, body: bytes, event_name: str | None,
                    ls_subscription_id: int | None, user_id: int | None,
                    outcome: Outcome | None) -> bool:
        """Keep an event; False when one with the same body is stored already. ``outcome``:
        what it is, when that is known before applying it (None: "received", to settle)."""
        stored: bool | None = await self.value(
            _store, body_sha256=body_sha256, body=body, event_name=event_name,
            ls_subscription_id=ls_subscription_id, user_id=user_id,
            outcome=outcome or "received")
        return stored is not None

    async def settle(self, *, body_sha256: bytes, outcome: Outcome) -> None:
        await self.execute(_settle, body_sha256=body_sha256, outcome=outcome)

    async def lock_subscriber(self, *, user_id: int | None, ls_subscription_id: int) -> int | None:
        """Lock the active account the event applies to (``user_id``, else the subscription's
        owner) until the transaction ends; its id, or None when there is none."""
        locked: int | None = await self.value(_lock, user_id=user_id,
                                              ls_subscription_id=ls_subscription_id)
        return locked

    async def apply_subscription(self, *, user_id: int, event: SubscriptionEvent,
                                 tier: Tier) -> Applied:
        a = event.attributes
        applied = await self.one(
            _apply_subscription, user_id=user_id, ls_subscription_id=event.ls_subscription_id,
            ls_customer_id=a.customer_id, ls_order_id=a.order_id, ls_variant_id=a.variant_id,
            product_name=a.product_name, variant_name=a.variant_name, tier=tier, status=a.status,
            trial_ends_at=a.trial_ends_at, renews_at=a.renews_at, ends_at=a.ends_at,
            test_mode=a.test_mode, ls_created_at=a.created_at, ls_updated_at=a.updated_at)
        assert applied is not None  # the statement always returns its one row
        return applied

    async def apply_payment(self, *, user_id: int, event: PaymentEvent) -> Applied:
        applied = await self.one(
            _apply_payment, user_id=user_id, ls_subscription_id=event.ls_subscription_id,
            payment=event.payment, billing_reason=event.billing_reason,
            invoice_updated_at=event.updated_at)
        assert applied is not None  # the statement always returns its one row
        return applied

    async def sync_tiers(self, *, user_ids: list[int]) -> int:
        """Set these (locked) users' tiers from their subscriptions; how many changed."""
        return await self.execute(_sync, user_ids=user_ids)

    async def subscription(self, *, user_id: int) -> Subscription | None:
        """The caller's subscription that matters now, or None; AccountGone when the account is
        gone or deactivated."""
        found = await self.one(_get, user_id=user_id)
        if found is None:
            raise AccountGone()
        return None if found.id is None else found  # a row of NULLs: no subscription


async def downgrade_lapsed(repo: BillingRepository, *, batch_size: int = PRUNE_BATCH) -> int:
    """Give every user whose tier outlived its cancelled subscription the tier their
    subscriptions grant now, a batch per transaction; how many changed. Bounded: each batch
    changes every user it locks, so none comes back (see lock_lapsed_users.sql)."""
    total = 0
    while True:
        async with repo.transaction() as tx:
            locked = [row[0] for row in await tx.all(_lapsed, batch_size=batch_size)]
            if locked:
                await tx.sync_tiers(user_ids=locked)
        total += len(locked)
        if len(locked) < batch_size:
            return total


async def prune_events(db: Executor, *, retention_days: int,
                       batch_size: int = PRUNE_BATCH) -> int:
    """Delete the webhook events older than ``retention_days``, a batch per statement."""
    return await prune_in_batches(Repository(db), _prune, batch_size=batch_size,
                                  retention_days=retention_days)
