"""Lemon Squeezy events for the tests: the fixtures (shaped like the provider's documentation,
in fixtures/), changed where a test needs it, serialized, signed and delivered."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "whsec-test-1234"
PREMIUM_VARIANT = 4004
PRO_VARIANT = 4005
SUBSCRIPTION = 1001
PATH = "/webhooks/lemonsqueezy"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def at(days: float = 0, hours: float = 0) -> str:
    """A moment relative to now, as the provider writes them."""
    moment = datetime.now(timezone.utc) + timedelta(days=days, hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(name: str, user_id: int | str | None, **attributes: Any) -> dict[str, Any]:
    """The fixture ``name`` for this user (None: without custom data), with these attributes
    changed (``id`` changes data.id)."""
    body = copy.deepcopy(fixture(name))
    if user_id is None:
        del body["meta"]["custom_data"]
    else:
        body["meta"]["custom_data"]["user_id"] = user_id
    if "id" in attributes:
        body["data"]["id"] = str(attributes.pop("id"))
    body["data"]["attributes"].update(attributes)
    return body


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encoded(body: dict[str, Any] | bytes) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


async def deliver(http: Any, body: dict[str, Any] | bytes, *, signature: str | None = None,
                  headers: dict[str, str] | None = None) -> Any:
    """POST the event as the provider does: its JSON, X-Event-Name, and the body's signature
    (or ``signature``)."""
    raw = encoded(body)
    name = json.loads(raw)["meta"]["event_name"] if raw.startswith(b"{") else "unknown"
    sent = {"Content-Type": "application/json", "X-Event-Name": name,
            "X-Signature": sign(raw) if signature is None else signature, **(headers or {})}
    return await http.post(PATH, content=raw, headers=sent)


async def applied(http: Any, body: dict[str, Any] | bytes, outcome: str = "applied") -> None:
    response = await deliver(http, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": outcome}


async def rows(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()
