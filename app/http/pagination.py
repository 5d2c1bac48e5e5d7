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
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import QueryParameter

from app.kit.errors import InvalidInput

T = TypeVar("T")

MAX_CURSOR_LENGTH = 512
_MAC_BYTES = 12

R = TypeVar("R")

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size, 1-100.")]
Cursor = Annotated[
    str | None,
    QueryParameter(max_length=MAX_CURSOR_LENGTH, description="next_cursor of the previous page."),
]


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

    def next_page(self, scope: str, rows: list[R], limit: int,
                  key: Callable[[R], tuple[Any, ...]]) -> str | None:
        """For ``rows`` fetched with ``limit + 1``: drop the extra row and return the cursor after
        the last row kept, or None when this is the last page."""
        if len(rows) <= limit:
            return None
        del rows[limit:]
        return self.encode(scope, key(rows[-1]))

    def decode(self, scope: str, cursor: str, key_type: type[T], parameter: str = "cursor") -> T:
        """The sort key inside ``cursor``; InvalidInput naming the query ``parameter`` that carried
        it when it is malformed or not ours."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidInput(f"{parameter} is malformed",
                               extra={"parameter": parameter}) from None
        mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, self._mac(scope, payload)):
            raise InvalidInput(f"{parameter} is invalid for this list",
                               extra={"parameter": parameter})
        try:
            return msgspec.msgpack.decode(payload, type=key_type)
        except msgspec.DecodeError:
            raise InvalidInput(f"{parameter} is malformed",
                               extra={"parameter": parameter}) from None
