"""Lemon Squeezy's webhook events, as its documentation shapes them: a JSON:API resource in
``data`` (a subscription, or for payment events a subscription invoice) and ``meta`` with the
event's name and the checkout's ``custom_data`` (where the service passes ``user_id``).

``decode`` reads a body into what the service does with it: a subscription to upsert, a payment
to refresh a subscription's status by, or nothing (another event, or a body not shaped as
documented). Only the attributes the service uses are read; the rest are kept in the raw body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from app.kit.limits import MAX_BIGINT

SubscriptionStatus = Literal["on_trial", "active", "paused", "past_due", "unpaid", "cancelled",
                             "expired"]
ProviderId = Annotated[int, msgspec.Meta(ge=1, le=MAX_BIGINT)]
# The provider writes UTC with a Z; a time without a zone would be ambiguous.
Moment = Annotated[datetime, msgspec.Meta(tz=True)]

# The events that carry a subscription, and those that carry an invoice of one (by what the
# payment did).
SUBSCRIPTION_EVENTS = frozenset({
    "subscription_created", "subscription_updated", "subscription_cancelled",
    "subscription_resumed", "subscription_expired", "subscription_paused",
    "subscription_unpaused",
})
PAYMENT_EVENTS = {
    "subscription_payment_success": "success",
    "subscription_payment_failed": "failed",
    "subscription_payment_recovered": "recovered",
}


class _Meta(msgspec.Struct):
    event_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    custom_data: dict[str, Any] | None = None


class _Resource(msgspec.Struct):
    type: str
    id: str
    attributes: msgspec.Raw


class _Envelope(msgspec.Struct):
    meta: _Meta
    data: _Resource


class SubscriptionAttributes(msgspec.Struct):
    customer_id: ProviderId
    order_id: ProviderId
    variant_id: ProviderId
    product_name: Annotated[str, msgspec.Meta(max_length=500)]
    variant_name: Annotated[str, msgspec.Meta(max_length=500)]
    status: SubscriptionStatus
    trial_ends_at: Moment | None
    renews_at: Moment | None
    ends_at: Moment | None
    created_at: Moment
    updated_at: Moment
    test_mode: bool = False


class InvoiceAttributes(msgspec.Struct):
    subscription_id: ProviderId
    billing_reason: Annotated[str, msgspec.Meta(max_length=100)]
    updated_at: Moment


@dataclass(frozen=True)
class SubscriptionEvent:
    """A subscription's state, to upsert for ``user_id`` (None: the event names no usable id)."""

    name: str
    user_id: int | None
    ls_subscription_id: int
    attributes: SubscriptionAttributes


@dataclass(frozen=True)
class PaymentEvent:
    """A payment of a subscription: ``payment`` is success, failed or recovered."""

    name: str
    ls_subscription_id: int
    payment: str
    billing_reason: Annotated[str, msgspec.Meta(max_length=100)]
    updated_at: Moment


@dataclass(frozen=True)
class OtherEvent:
    """Nothing to apply: ``outcome`` is ignored (an event the service does not use) or malformed
    (a body not shaped as documented: ``detail`` says how). ``user_id``: the user it names, when
    its meta could be read, so that it goes with the account."""

    name: str | None
    outcome: Literal["ignored", "malformed"]
    detail: str = ""
    user_id: int | None = None


Event = SubscriptionEvent | PaymentEvent | OtherEvent

_envelope = msgspec.json.Decoder(_Envelope)
_subscription = msgspec.json.Decoder(SubscriptionAttributes)
_invoice = msgspec.json.Decoder(InvoiceAttributes)


def _provider_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_BIGINT else None


def user_id_of(custom_data: dict[str, Any] | None) -> int | None:
    """``meta.custom_data.user_id`` as an id: checkout links pass it as text ("123"), the API as a
    number; None when it is missing or not a positive bigint."""
    value = (custom_data or {}).get("user_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_BIGINT else None
    return _provider_id(value) if isinstance(value, str) else None


def decode(body: bytes) -> Event:
    try:
        envelope = _envelope.decode(body)
    except msgspec.DecodeError as exc:
        return OtherEvent(None, "malformed", str(exc))
    name, data = envelope.meta.event_name, envelope.data
    user_id = user_id_of(envelope.meta.custom_data)
    if name in SUBSCRIPTION_EVENTS:
        expected_type = "subscriptions"
    elif name in PAYMENT_EVENTS:
        expected_type = "subscription-invoices"
    else:
        return OtherEvent(name, "ignored", user_id=user_id)
    if data.type != expected_type:
        return OtherEvent(name, "malformed", f"data.type is {data.type!r}, not {expected_type!r}",
                          user_id)
    try:
        if name in PAYMENT_EVENTS:
            invoice = _invoice.decode(data.attributes)
            return PaymentEvent(name, invoice.subscription_id, PAYMENT_EVENTS[name],
                                invoice.billing_reason, invoice.updated_at)
        attributes = _subscription.decode(data.attributes)
    except msgspec.DecodeError as exc:
        return OtherEvent(name, "malformed", f"data.attributes: {exc}", user_id)
    subscription_id = _provider_id(data.id)
    if subscription_id is None:
        return OtherEvent(name, "malformed", f"data.id {data.id!r} is not a subscription id",
                          user_id)
    return SubscriptionEvent(name, user_id, subscription_id, attributes)
