"""Billing Structs: the subscription as the API shows it, what applying an event did, and the
webhook's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from app.billing.events import SubscriptionStatus

Tier = Literal["premium", "pro"]

# What became of a webhook event (billing_events_outcome_valid holds the same list, and
# "received", what a stored event is until its transaction says).
Outcome = Literal["applied", "duplicate", "stale", "ignored", "malformed", "unknown_user",
                  "no_subscription", "other_user", "unknown_variant"]


class Subscription(msgspec.Struct):
    """The caller's subscription. ``entitled``: whether it grants ``tier`` now (on trial, active,
    past due while the provider retries the payment, or cancelled until ``ends_at``)."""

    id: int
    tier: Tier
    status: SubscriptionStatus
    entitled: bool
    current_period_end: datetime | None
    cancel_at_period_end: bool
    trial_ends_at: datetime | None
    renews_at: datetime | None
    ends_at: datetime | None
    product_name: str
    variant_name: str
    ls_subscription_id: int
    ls_customer_id: int
    ls_order_id: int
    ls_variant_id: int
    test_mode: bool
    created_at: datetime
    updated_at: datetime


class Applied(msgspec.Struct):
    """The row of apply_subscription_event and apply_payment_event: whether the event changed
    the subscription, whether the stored one is another user's, what it was before (None when
    new) and what it is now (None when not applied)."""

    applied: bool
    other_user: bool | None
    previous_status: SubscriptionStatus | None
    previous_tier: Tier | None
    id: int | None
    status: SubscriptionStatus | None
    tier: Tier | None
    ends_at: datetime | None
    trial_ends_at: datetime | None


class WebhookReceipt(msgspec.Struct):
    """The webhook's answer to an event whose signature holds."""

    outcome: Outcome
