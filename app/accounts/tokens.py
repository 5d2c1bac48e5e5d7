"""Access tokens: JWT, HS256 only, with ``sub`` (the user id as a string), ``iat`` and ``exp``.

Verifying a token with PyJWT costs about as much as the rest of a simple request (base64, JSON and
HMAC in Python), and a client sends the same token with every request until it expires. So each
worker remembers the tokens it has verified, keyed by the exact token string, with their user id
and expiry: a repeated token costs a dict lookup and an expiry check. A token that differs in any
byte is a different key and is verified in full; an entry is never trusted past its ``exp``. The
memory is bounded (``CACHE_SIZE`` tokens, the oldest forgotten first). Revocation does not depend on
this: every statement checks that the account still exists and is active.
"""

from __future__ import annotations

import time

import jwt
import jwt.types

from app.kit.errors import Unauthorized
from app.kit.limits import MAX_BIGINT

ALGORITHM = "HS256"
CACHE_SIZE = 10_000


class Tokens:
    __slots__ = ("_secret", "ttl", "_decode_options", "_verified")

    def __init__(self, secret: str, ttl_seconds: int):
        self._secret = secret
        self.ttl = ttl_seconds
        self._decode_options: jwt.types.Options = {"require": ["sub", "iat", "exp"],
                                                   "verify_signature": True}
        self._verified: dict[str, tuple[int, float]] = {}

    def issue(self, user_id: int) -> str:
        now = int(time.time())
        claims = {"sub": str(user_id), "iat": now, "exp": now + self.ttl}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def user_id(self, token: str) -> int:
        """The user id a valid token names; Unauthorized for anything else."""
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
        sub = claims["sub"]
        if (not isinstance(sub, str) or not (sub.isascii() and sub.isdigit())
                or not 0 < int(sub) <= MAX_BIGINT):
            raise Unauthorized("the token is invalid")
        user_id = int(sub)
        if len(self._verified) >= CACHE_SIZE:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (user_id, int(claims["exp"]))
        return user_id
