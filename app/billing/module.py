"""The billing domain (Lemon Squeezy's webhook, subscriptions, the tier they grant), as the app
wires it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from app.billing import repository
from app.billing.models import Tier
from app.billing.repository import BillingRepository, downgrade_lapsed, prune_events
from app.billing.routes import SubscriptionController, WebhookController
from app.billing.webhooks import LemonSqueezyWebhooks
from app.db.queries import queries_in
from app.kit.domain import Module, Pruner, Setup
from app.kit.errors import AccountGone


def _services(setup: Setup) -> Mapping[str, object]:
    settings = setup.settings
    tiers = {variant: cast(Tier, tier) for variant, tier in settings.lemonsqueezy_variant_tiers}
    return {"webhooks": LemonSqueezyWebhooks(setup.repository(BillingRepository),
                                             settings.lemonsqueezy_signing_secret, tiers)}


def _jobs(setup: Setup) -> Mapping[str, Pruner]:
    billing = setup.repository(BillingRepository)
    days = setup.settings.lemonsqueezy_event_retention_days
    return {
        "billing events past their retention": lambda: prune_events(billing.db,
                                                                    retention_days=days),
        "premium tiers past their cancelled subscription's end": lambda: downgrade_lapsed(billing),
    }


module = Module(
    name="billing",
    controllers=[WebhookController, SubscriptionController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={"billing_events_user_fkey": AccountGone(),
                 "subscriptions_user_fkey": AccountGone()},
    repositories={"billing": BillingRepository},
    services=_services,
    jobs=_jobs,
)
