"""The billing tests' app has Lemon Squeezy's webhook configured: a signing secret, and the
fixtures' variants with a tier each."""

from __future__ import annotations

import msgspec
import pytest

from app.config import Settings
from tests.billing.helpers import PREMIUM_VARIANT, PRO_VARIANT, SECRET


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, lemonsqueezy_signing_secret=SECRET,
        lemonsqueezy_variant_tiers=((PREMIUM_VARIANT, "premium"), (PRO_VARIANT, "pro")))
