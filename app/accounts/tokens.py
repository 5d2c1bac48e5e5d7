"""Access tokens: JWT, HS256 only, with ``sub`` (the user id as a string), ``sid`` (the id of the
sign-in session they belong to, as a string), ``iat`` and ``exp``.

An access token lives ``access_token_ttl_seconds`` (15 minutes by default), never past its
session's end. Revoking it is revoking its session: every statement run on behalf of a token
checks, in the same round trip, that the account is active and that the token's session still
exists (``sql/*/*.sql``: ``EXISTS (SELECT FROM sessions ...)``), so logout, logout-all, a password
change and a reused refresh token end the access tokens of the sessions they end at once.

Verifying a token with PyJWT costs about as much as the rest of a simple request (base64, JSON and
HMAC in Python), and a client sends the same token with every request until it expires. So each
worker remembers the tokens it has verified, keyed by the exact token string, with their caller
and expiry: a repeated token costs a dict lookup and an expiry check. A token that differs in any
byte is a different key and is verified in full; an entry is never trusted past its ``exp``. The
memory is bounded (``CACHE_SIZE`` tokens, the oldest forgotten first). Revocation does not depend on
it: the memory only saves the signature check, and the statements check the session whether the
token was remembered or not.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import NamedTuple

import jwt
import jwt.types

from app.kit.errors import Unauthorized
from app.kit.limits import MAX_BIGINT

ALGORITHM = "HS256"
CACHE_SIZE = 10_000
class Caller(NamedTuple):
    """Who a valid access token speaks for: the user, and the session it was issued in."""

    user_id: int
    session_id: int


class Issued(NamedTuple):
    token: str
    expires_in: int


def _positive_id(value: object) -> int | None:
    if (not isinstance(value, str) or not (value.isascii() and value.isdigit())
            or not 0 < int(value) <= MAX_BIGINT):
        return None
    return int(value)


class Tokens:
    __slots__ = ("_secret", "ttl", "_decode_options", "_verified")

    def __init__(self, secret: str, ttl_seconds: int):
        self._secret = secret
        self.ttl = ttl_seconds
        self._decode_options: jwt.types.Options = {"require": ["sub", "sid", "iat", "exp"],
                                                   "verify_signature": True}
        self._verified: dict[str, tuple[Caller, float]] = {}

    def issue(self, user_id: int, session_id: int, session_ends: datetime) -> Issued:
        """An access token for this session, and how many seconds it lives: ``ttl``, or less
        when the session ends sooner."""
        now = int(time.time())
        exp = min(now + self.ttl, int(session_ends.timestamp()))
        claims = {"sub": str(user_id), "sid": str(session_id), "iat": now, "exp": exp}
        return Issued(jwt.encode(claims, self._secret, algorithm=ALGORITHM), max(0, exp - now))

    def caller(self, token: str) -> Caller:
        """The caller a valid token names; Unauthorized for anything else."""
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options=self._decode_options
            )
        except jwt.ExpiredSignatureError:
            self._verified.pop(token, None)
            raise Unauthorized("the token has expired") from None
        except jwt.PyJWTError:
            raise Unauthorized("the token is invalid") from None
        user_id, session_id = _positive_id(claims["sub"]), _positive_id(claims["sid"])
        if user_id is None or session_id is None:
            raise Unauthorized("the token is invalid")
        caller = Caller(user_id, session_id)
        if len(self._verified) >= CACHE_SIZE:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (caller, int(claims["exp"]))
        return caller
