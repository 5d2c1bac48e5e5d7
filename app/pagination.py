"""Opaque keyset cursors.

A cursor is the sort key of the last row of a page (for example ``(created_at, id)``), packed with
msgpack, signed with an HMAC under a key derived from the service secret and bound to a scope (the
list it belongs to), then base64url-encoded. A cursor that was altered, truncated, or made for another
list is rejected with a 400 instead of silently paging from the wrong place.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any, TypeVar

import msgspec

from app.errors import InvalidInput

T = TypeVar("T")

MAX_CURSOR_LENGTH = 512
_MAC_BYTES = 12


class Cursors:
    __slots__ = ("_key",)

    def __init__(self, secret: str):
        self._key = hashlib.sha256(b"pgapi cursor key\0" + secret.encode()).digest()

    def _mac(self, scope: str, payload: bytes) -> bytes:
        message = scope.encode() + b"\0" + payload
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, scope: str, key: tuple[Any, ...]) -> str:
        payload = msgspec.msgpack.encode(key)
        return base64.urlsafe_b64encode(self._mac(scope, payload) + payload).rstrip(b"=").decode()

    def decode(self, scope: str, cursor: str, key_type: type[T]) -> T:
        """The sort key inside ``cursor``; InvalidInput when it is malformed or not ours."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidInput("cursor is malformed", extra={"parameter": "cursor"}) from None
        mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, self._mac(scope, payload)):
            raise InvalidInput("cursor is invalid for this list", extra={"parameter": "cursor"})
        try:
            return msgspec.msgpack.decode(payload, type=key_type)
        except msgspec.DecodeError:
            raise InvalidInput("cursor is malformed", extra={"parameter": "cursor"}) from None
