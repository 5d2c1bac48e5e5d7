"""Keyset pages and their opaque cursors.

A list statement returns the rows after a keyset position (for example ``(created_at, id)``) in
the order of an index. A ``Keyset`` says, for one list, what its position is: its type, the
position before the first row, and the key of a row. A page is ``Page[T]``: the rows and the
cursor to pass back for the next page.

A cursor is the key of the last row of a page, packed with msgpack, signed with an HMAC under a
key derived from the service secret and bound to a scope (the list, its filters and the caller),
then base64url-encoded. A cursor that was altered, truncated, or made for another list, other
filters or another user is rejected with a 400 instead of silently paging from the wrong place.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.limits import MAX_CURSOR_LENGTH

T = TypeVar("T")
K = TypeVar("K", bound=tuple[Any, ...])

_MAC_BYTES = 12


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; ``next_cursor`` is null on the last page. The OpenAPI document names
    each ``Page[Item]`` as ``ItemPage``."""

    items: list[T]
    next_cursor: str | None


class Keyset(Generic[T, K]):
    """The order of one list: the name its cursors are bound to, the type of a position (a tuple
    such as ``tuple[datetime, int]``), the position before the first row, the names of the
    statement's parameters that receive a position, and the position of a row."""

    __slots__ = ("name", "position_type", "first", "params", "key")

    def __init__(self, name: str, position_type: Any, first: K, params: Sequence[str],
                 key: Callable[[T], K]):
        if len(first) != len(params):
            raise ValueError(f"{name}: the first position does not match {params}")
        self.name = name
        self.position_type = position_type
        self.first = first
        self.params = tuple(params)
        self.key = key

    def values(self, position: K) -> dict[str, Any]:
        """The statement's keyword arguments for ``position``."""
        return dict(zip(self.params, position, strict=True))


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

    def next_page(self, scope: str, rows: list[T], limit: int,
                  key: Callable[[T], tuple[Any, ...]]) -> str | None:
        """For ``rows`` fetched with ``limit + 1``: drop the extra row and return the cursor after
        the last row kept, or None when this is the last page."""
        if len(rows) <= limit:
            return None
        del rows[limit:]
        return self.encode(scope, key(rows[-1]))

    def decode(self, scope: str, cursor: str, key_type: Any, parameter: str = "cursor") -> Any:
        """The sort key inside ``cursor``; InvalidInput naming the query ``parameter`` that carried
        it when it is malformed or not ours."""
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidInput(f"{parameter} is malformed", extra=ErrorDetails(parameter=parameter))
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidInput(f"{parameter} is malformed",
                               extra=ErrorDetails(parameter=parameter)) from None
        mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, self._mac(scope, payload)):
            raise InvalidInput(f"{parameter} is invalid for this list",
                               extra=ErrorDetails(parameter=parameter))
        try:
            return msgspec.msgpack.decode(payload, type=key_type)
        except msgspec.DecodeError:
            raise InvalidInput(f"{parameter} is malformed",
                               extra=ErrorDetails(parameter=parameter)) from None
