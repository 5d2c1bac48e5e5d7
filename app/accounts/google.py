"""Sign-in with Google: verifying a Google ID token as Google documents it.

The token is a JWT signed with RS256 by one of Google's keys, published as a JWK set at
``APP_GOOGLE_JWKS_URL``. It is valid when its signature verifies with the key its header's
``kid`` names, ``iss`` is ``accounts.google.com`` or ``https://accounts.google.com``, ``aud`` is
one of ``APP_GOOGLE_CLIENT_IDS``, ``exp`` has not passed (``LEEWAY_SECONDS`` of clock skew
allowed, also for ``iat`` and ``nbf``), and ``email_verified`` is true.

The keys are fetched off the event loop (a thread, ``APP_GOOGLE_JWKS_TIMEOUT_SECONDS`` in all)
and kept for as long as the response's ``Cache-Control: max-age`` says (less its ``Age``;
``DEFAULT_MAX_AGE`` without one). A ``kid`` the cached set lacks makes one refetch (Google rotates
its keys; the new one is published before it signs); concurrent requests share one fetch. A set
that cannot be fetched, or is not a JWK set, is a 503 with ``Retry-After``, never a hang or a 500.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Mapping

import jwt
import msgspec

from app.config import Settings
from app.kit.errors import Unauthorized, Unavailable

ISSUERS = ("accounts.google.com", "https://accounts.google.com")
ALGORITHM = "RS256"
LEEWAY_SECONDS = 30
DEFAULT_MAX_AGE = 300
MAX_JWKS_BYTES = 256 * 1024
RETRY_AFTER_SECONDS = 5
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\s*(?:[,=]|$)", re.IGNORECASE)


class GoogleIdentity(msgspec.Struct, frozen=True):
    google_id: str
    email: str
    name: str


def freshness(headers: Mapping[str, str]) -> float:
    """Seconds a response may be used, from its Cache-Control max-age less its Age."""
    control = headers.get("Cache-Control", "")
    if _NO_CACHE.search(control):
        return 0.0
    match = _MAX_AGE.search(control)
    if match is None:
        return DEFAULT_MAX_AGE
    age = headers.get("Age", "0").strip()
    return max(0.0, int(match.group(1)) - (int(age) if age.isdigit() else 0))


class KeySet:
    """Google's signing keys by ``kid``, fetched when first needed and again when stale or when a
    token names a key they lack."""

    def __init__(self, url: str, timeout: float):
        self._url = url
        self._timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fresh_until = 0.0
        self._fetch: asyncio.Task[None] | None = None

    async def key(self, kid: str) -> jwt.PyJWK:
        if time.monotonic() >= self._fresh_until or kid not in self._keys:
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("the ID token is signed with a key Google does not publish")
        return key

    async def _refresh(self) -> None:
        """Fetch the keys, or wait for the fetch in flight; Unavailable when it fails."""
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.create_task(self._download())
            # Retrieved here, so that a fetch whose waiters all went away logs nothing.
            self._fetch.add_done_callback(lambda t: t.cancelled() or t.exception())
        await asyncio.shield(self._fetch)

    async def _download(self) -> None:
        try:
            body, headers = await asyncio.wait_for(asyncio.to_thread(self._get), self._timeout)
            document = json.loads(body)
            if not isinstance(document, dict):
                raise ValueError("not a JWK set")
            keys = jwt.PyJWKSet.from_dict(document).keys
        except (OSError, TimeoutError, ValueError, jwt.PyJWTError) as exc:
            raise Unavailable("Google's signing keys cannot be fetched; retry shortly",
                              retry_after=RETRY_AFTER_SECONDS) from exc
        self._keys = {k.key_id: k for k in keys if k.key_id is not None}
        self._fresh_until = time.monotonic() + freshness(headers)

    def _get(self) -> tuple[bytes, dict[str, str]]:
        request = urllib.request.Request(self._url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=self._timeout) as response:
            body: bytes = response.read(MAX_JWKS_BYTES + 1)
            if len(body) > MAX_JWKS_BYTES:
                raise ValueError("the JWK set is too large")
            return body, dict(response.headers.items())


class GoogleVerifier:
    def __init__(self, settings: Settings):
        self._audience = list(settings.google_client_ids)
        self._keys = KeySet(settings.google_jwks_url, settings.google_jwks_timeout_seconds)

    async def verify(self, id_token: str) -> GoogleIdentity:
        """The identity a valid ID token names; Unauthorized for any other token, Unavailable
        when Google's keys cannot be had."""
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise Unauthorized("the ID token is malformed") from None
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise Unauthorized("the ID token is not signed with RS256 by a key Google names")
        key = await self._keys.key(kid)
        try:
            claims = jwt.decode(
                id_token, key, algorithms=[ALGORITHM], audience=self._audience, issuer=ISSUERS,
                leeway=LEEWAY_SECONDS, options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the ID token has expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("the ID token was issued to another app") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("the ID token was not issued by Google") from None
        except jwt.PyJWTError:
            raise Unauthorized("the ID token is invalid") from None
        return _identity(claims)


def _identity(claims: dict[str, object]) -> GoogleIdentity:
    sub, email = claims.get("sub"), claims.get("email")
    if not isinstance(sub, str) or not 1 <= len(sub) <= 255:
        raise Unauthorized("the ID token names no Google account")
    if not isinstance(email, str) or not email:
        raise Unauthorized("the ID token has no email")
    if claims.get("email_verified") not in (True, "true"):
        raise Unauthorized("the Google account's email is not verified")
    name = claims.get("name")
    name = name.strip()[:100].strip() if isinstance(name, str) else ""
    return GoogleIdentity(google_id=sub, email=email,
                          name=name or email.split("@")[0][:100].strip() or "Google user")
