"""Idempotency keys for POSTs that create something (``Idempotency-Key`` request header).

A client that may retry sends a key of its choosing (1-255 printable ASCII characters) with each
create. The first request with a key stores the key, a hash of the request and the response in the
same statement as the row it creates, so they commit together: after a crash a retry finds both or
neither. A retry with the same key (same user, same operation, same body) gets the original status
and body back and writes nothing; with a different operation or body it gets 422; while the first
is still in flight, 409 (the statement claims the key with ``pg_try_advisory_xact_lock`` before
writing, so a concurrent duplicate neither waits nor writes). Keys belong to one user. They are kept
for ``KEY_TTL_SECONDS`` (24 h), then each worker of the service deletes them, ``PRUNE_BATCH`` at a
time, every ``PRUNE_INTERVAL_SECONDS``; a key reused after it was pruned creates a new record.

Adding keys to a create route (what tasks do):

1. ``sql/<domain>/create_<thing>_once.sql``: the create statement wrapped like
   ``sql/tasks/create_task_once.sql``: a ``claim`` CTE, the INSERT reading ``FROM claim ... WHERE
   claim.claimed``, a ``stored`` CTE inserting ``to_jsonb(created)`` into ``idempotency_keys``,
   and ``SELECT claim.claimed, stored.status_code, stored.response FROM claim LEFT JOIN stored
   ON true``.
2. In the repository: ``_create_once = sql("<domain>/create_<thing>_once", <params>,
   "idempotency_key", "request_hash", row=Claim)`` and a method returning
   ``await create_once(self, _create_once, Thing, once, user_id=user_id, ...)``.
3. In the route: a parameter ``idempotency_key: IdempotencyKey = None``, ``errors(..., 409, 422)``,
   and when the key is set, ``once = IdempotentRequest.of(idempotency_key, "<operationId>", data)``
   and the repository method above instead of the plain create. Without the header the route runs
   its plain create statement, exactly as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import HeaderParameter

from app.db.errors import register_constraint
from app.db.queries import Query, sql
from app.db.repository import Executor, Repository
from app.errors import AppError, Conflict, Unprocessable

log = logging.getLogger("app.idempotency")

S = TypeVar("S", bound=msgspec.Struct)

KEY_TTL_SECONDS = 24 * 3600
PRUNE_INTERVAL_SECONDS = 3600.0
PRUNE_BATCH = 1000
KEY_PATTERN = r"^[\x20-\x7e]+$"

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=KEY_PATTERN,
        description="A key of your choosing (1-255 printable ASCII characters), unique per "
        "create you mean to make. Retrying with the same key and body returns the original "
        "response and creates nothing; with another body, 422; while the first request is still "
        "in flight, 409. Keys are kept for 24 hours.",
    ),
]


class Claim(msgspec.Struct):
    """The row of every ``create_*_once`` statement."""

    claimed: bool
    status_code: int | None
    response: Any


class StoredResponse(msgspec.Struct):
    request_hash: bytes
    status_code: int
    response: Any


class KeyStored(Conflict):
    """The key is already stored: the statement wrote nothing; replay or refuse."""


class IdempotentRequest(msgspec.Struct, frozen=True):
    key: str
    request_hash: bytes

    @classmethod
    def of(cls, key: str, operation: str, data: msgspec.Struct) -> IdempotentRequest:
        """The key with a hash of the operation and the decoded body (so field order and
        whitespace in the client's JSON do not matter, the values do)."""
        digest = hashlib.sha256(operation.encode() + b"\n" + msgspec.json.encode(data)).digest()
        return cls(key, digest)


register_constraint(
    "idempotency_keys_pkey", KeyStored("a request with this Idempotency-Key was already made")
)

_get_stored = sql("idempotency/get_stored_response", "user_id", "idempotency_key",
                  row=StoredResponse)
_prune = sql("idempotency/prune_expired_keys", "ttl_seconds", "batch_size")


def _retry_shortly(detail: str) -> Conflict:
    return Conflict(detail, extra={"header": "Idempotency-Key"}, headers={"Retry-After": "1"})


async def create_once(
    repo: Repository, query: Query, row: type[S], once: IdempotentRequest, *, user_id: int,
    **values: Any,
) -> tuple[int, S] | None:
    """Run a ``create_*_once`` statement: the status and the created row (as first answered, on a
    retry), or None when the statement created nothing because the user is gone or inactive."""
    try:
        claim: Claim = await repo.one(
            query, user_id=user_id, idempotency_key=once.key, request_hash=once.request_hash,
            **values,
        )
    except KeyStored:
        stored: StoredResponse | None = await repo.one(
            _get_stored, user_id=user_id, idempotency_key=once.key
        )
        if stored is None:  # pruned (or the account gone) in between: nothing to replay
            raise _retry_shortly(
                "the request with this Idempotency-Key expired just now; retry"
            ) from None
        if stored.request_hash != once.request_hash:
            raise Unprocessable(
                "this Idempotency-Key was already used with a different request",
                extra={"header": "Idempotency-Key"},
            ) from None
        return stored.status_code, msgspec.convert(stored.response, row)
    if not claim.claimed:
        raise _retry_shortly(
            "a request with this Idempotency-Key is still in progress; retry shortly"
        )
    if claim.response is None:
        return None
    return claim.status_code, msgspec.convert(claim.response, row)


async def prune_expired(db: Executor, *, ttl_seconds: float = KEY_TTL_SECONDS,
                        batch_size: int = PRUNE_BATCH) -> int:
    """Delete every key older than ``ttl_seconds``, a batch per statement; how many went."""
    repo = Repository(db)
    total = 0
    while True:
        deleted = await repo.value(_prune, ttl_seconds=ttl_seconds, batch_size=batch_size)
        total += deleted
        if deleted < batch_size:
            return total


async def prune_periodically(db: Executor, interval: float = PRUNE_INTERVAL_SECONDS) -> None:
    """Run ``prune_expired`` now and then every ``interval`` seconds until cancelled; a failure
    (the database away) is logged and tried again next time."""
    while True:
        try:
            deleted = await prune_expired(db)
            if deleted:
                log.info("pruned %d expired idempotency keys", deleted)
        except AppError as exc:
            log.warning("pruning idempotency keys failed: %s", exc.detail)
        except Exception:  # a bug must not end the loop silently; log it and try again later
            log.exception("pruning idempotency keys failed")
        await asyncio.sleep(interval)
