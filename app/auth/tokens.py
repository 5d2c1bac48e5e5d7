"""Access tokens: JWT, HS256 only, with ``sub`` (the user id as a string), ``iat`` and ``exp``."""

from __future__ import annotations

import time

import jwt

from app.errors import Unauthorized

ALGORITHM = "HS256"
_MAX_USER_ID = 2**63 - 1


class Tokens:
    __slots__ = ("_secret", "ttl", "_decode_options")

    def __init__(self, secret: str, ttl_seconds: int):
        self._secret = secret
        self.ttl = ttl_seconds
        self._decode_options = {"require": ["sub", "iat", "exp"], "verify_signature": True}

    def issue(self, user_id: int) -> str:
        now = int(time.time())
        claims = {"sub": str(user_id), "iat": now, "exp": now + self.ttl}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def user_id(self, token: str) -> int:
        """The user id a valid token names; Unauthorized for anything else."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options=self._decode_options
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired") from None
        except jwt.PyJWTError:
            raise Unauthorized("the token is invalid") from None
        sub = claims["sub"]
        if not isinstance(sub, str) or not (sub.isascii() and sub.isdigit()) or not 0 < int(sub) <= _MAX_USER_ID:
            raise Unauthorized("the token is invalid")
        return int(sub)
