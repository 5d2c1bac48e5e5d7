"""Daily quota Structs: a kind's counter as the client sees it, and the rows behind it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

Kind = Literal["vision_analyses", "recipe_generations", "coach_messages"]


class Counter(msgspec.Struct):
    """One kind on the user's local today: units used, the tier's limit, what is left, and when
    the next local day starts (the counter is then 0 again)."""

    kind: Kind
    used: int
    limit: int
    remaining: int
    resets_at: datetime


class Usage(msgspec.Struct):
    date: date
    subscription_tier: str
    resets_at: datetime
    counters: list[Counter]


class Metered(msgspec.Struct, frozen=True):
    """What a reservation or a release is of (hashed for its Idempotency-Key)."""

    kind: Kind


class ChangeRow(msgspec.Struct):
    """reserve_usage's and release_usage's row: whether a unit moved, and the counter after."""

    changed: bool
    used: int
    daily_limit: int
    resets_at: datetime


class UsageRow(msgspec.Struct):
    kind: Kind
    used: int
    daily_limit: int
    resets_at: datetime
    today: date
    subscription_tier: str


def counter(kind: Kind, used: int, limit: int, resets_at: datetime) -> Counter:
    return Counter(kind, used, limit, max(limit - used, 0), resets_at)
