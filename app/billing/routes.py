"""Billing over HTTP: Lemon Squeezy's webhook (POST /webhooks/lemonsqueezy, authenticated by its
signature, not a bearer token) and the caller's subscription (GET /subscription)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from app.billing.models import Subscription, WebhookReceipt
from app.billing.repository import BillingRepository
from app.billing.webhooks import SIGNATURE_HEADER, LemonSqueezyWebhooks
from app.http.auth import UserController, UserId
from app.http.etag import found
from app.http.openapi import errors
from app.kit.errors import not_found

Billing = NamedDependency[BillingRepository]
Webhooks = NamedDependency[LemonSqueezyWebhooks]
Signature = Annotated[
    str | None,
    HeaderParameter(
        name=SIGNATURE_HEADER,
        description="The hex HMAC-SHA256 of the body's exact bytes under the webhook's signing "
        "secret. Missing or wrong: 401, and nothing is stored.",
    ),
]


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["billing"]

    @post("/lemonsqueezy", operation_id="receiveLemonSqueezyEvent", status_code=200,
          responses=errors(401, 404))
    async def lemonsqueezy(self, request: Request[Any, Any, Any], webhooks: Webhooks,
                           x_signature: Signature = None) -> WebhookReceipt:
        """Lemon Squeezy's subscription events (the body is the provider's JSON:API event, read
        as the exact bytes it signed, within the service's body-size limit). Every event whose
        signature holds is stored once and answered 200 with what became of it: `applied`,
        `duplicate` (a redelivery), `stale` (older than what is stored), `unknown_user`,
        `no_subscription`, `other_user`, `unknown_variant`, `ignored` (an event the service does
        not use) or `malformed`. 404 when no signing secret is configured."""
        webhooks.ensure_configured()
        body = await request.body()
        webhooks.verify(x_signature, body)
        return WebhookReceipt(await webhooks.receive(body))


class SubscriptionController(UserController):
    path = "/subscription"
    tags = ["billing"]

    @get("/", operation_id="getSubscription", responses=errors(401, 404))
    async def get_subscription(self, user_id: UserId, billing: Billing) -> Subscription:
        """The caller's subscription that matters now: one that grants its tier before one that
        does not, then the newest. 404 without one."""
        return found(await billing.subscription(user_id=user_id), not_found("subscription"))
