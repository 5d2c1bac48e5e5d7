"""Idempotency keys for POSTs that create something (``Idempotency-Key`` request header).

A client that may retry sends a key of its choosing (1-255 printable ASCII characters) with each
create. The first request with a key stores the key, a hash of the request and the response in the
same statement as the row it creates, so they commit together: after a crash a retry finds both or
neither. A retry with the same key (same user, same operation, same body) gets the original status
and body back and writes nothing; with a different operation or body it gets 422; while the first
is still in flight, 409 (the statement claims the key with ``pg_try_advisory_xact_lock`` before
writing, so a concurrent duplicate neither waits nor writes). Keys belong to one user. They are kept
for ``KEY_TTL_SECONDS`` (24 h), then each worker of the service deletes them, ``PRUNE_BATCH`` at a
time (``prune_expired``, run by ``app.kit.jobs``); a key reused after it was pruned creates a new
record.

Two ways to give a create route keys:

- One statement (``POST /tasks``, the hottest create): ``sql/tasks/create_task_once.sql`` wraps the
  create in CTEs: a ``claim`` CTE, the INSERT reading ``FROM claim ... WHERE claim.claimed``, and a
  ``stored`` CTE inserting ``to_jsonb(created)`` into ``idempotency_keys``; the repository runs it
  with ``create_once``. One round trip with a key, as without.
- Any create, however many statements (``created``): one transaction that claims the key
  (``claim_key``), runs the route's usual create on the transaction's connection, and stores the
  response (``store_response``). Four round trips with a key; without one, the usual create alone.
  The route passes ``idempotency_key: IdempotencyKey = None`` and declares ``errors(..., 409, 422)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import HeaderParameter

from app.db.queries import Query, sql
from app.db.repository import Executor, Repository
from app.http.validation import KEY_PATTERN
from app.kit.errors import AccountGone, AppError, Conflict, ErrorDetails, Unprocessable
from app.kit.jobs import PRUNE_BATCH, prune_in_batches

S = TypeVar("S", bound=msgspec.Struct)
RepoT = TypeVar("RepoT", bound=Repository)

KEY_TTL_SECONDS = 24 * 3600

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


_KEY = ErrorDetails(header="Idempotency-Key")


class Claim(msgspec.Struct):
    """The row of every ``create_*_once`` statement."""

    claimed: bool
    status_code: int | None
    response: Any


class StoredResponse(msgspec.Struct):
    request_hash: bytes
    status_code: int
    response: Any


class KeyClaim(msgspec.Struct):
    """The row of claim_key: whether this transaction holds the key, and what is stored."""

    claimed: bool
    request_hash: bytes | None
    status_code: int | None
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


CONSTRAINTS: dict[str, AppError] = {
    "idempotency_keys_pkey": KeyStored("a request with this Idempotency-Key was already made",
                                       extra=_KEY),
    # The account was deleted while the key was stored.
    "idempotency_keys_user_fkey": AccountGone(),
}

_get_stored = sql("idempotency/get_stored_response", "user_id", "idempotency_key",
                  row=StoredResponse)
_prune = sql("idempotency/prune_expired_keys", "ttl_seconds", "batch_size")
_claim = sql("idempotency/claim_key", "user_id", "idempotency_key", row=KeyClaim)
_store = sql(
    "idempotency/store_response",
    "user_id", "idempotency_key", "request_hash", "status_code", "response",
)


def _retry_shortly(detail: str) -> Conflict:
    return Conflict(detail, extra=_KEY, headers={"Retry-After": "1"})


async def create_once(
    repo: Repository, query: Query[Claim], row: type[S], once: IdempotentRequest, *, user_id: int,
    **values: Any,
) -> tuple[int, S] | None:
    """Run a ``create_*_once`` statement: the status and the created row (as first answered, on a
    retry), or None when the statement created nothing because the user is gone or inactive."""
    try:
        claim = await repo.one(
            query, user_id=user_id, idempotency_key=once.key, request_hash=once.request_hash,
            **values,
        )
    except KeyStored:
        return await _replay_stored(repo, row, once, user_id=user_id)
    assert claim is not None  # the statement always returns its one row
    if not claim.claimed:
        raise _retry_shortly(
            "a request with this Idempotency-Key is still in progress; retry shortly"
        )
    if claim.response is None or claim.status_code is None:
        return None
    return claim.status_code, msgspec.convert(claim.response, row)


def _replay(stored: StoredResponse | KeyClaim, row: type[S], once: IdempotentRequest
            ) -> tuple[int, S]:
    """The stored response again, if the retry is the same request; else 422."""
    if stored.request_hash != once.request_hash:
        raise Unprocessable(
            "this Idempotency-Key was already used with a different request",
            extra=_KEY,
        )
    assert stored.status_code is not None
    return stored.status_code, msgspec.convert(stored.response, row)


async def _replay_stored(repo: Repository, row: type[S], once: IdempotentRequest, *,
                         user_id: int) -> tuple[int, S]:
    """After a create failed on a key stored meanwhile: what was stored."""
    stored = await repo.one(_get_stored, user_id=user_id, idempotency_key=once.key)
    if stored is None:  # pruned (or the account gone) in between: nothing to replay
        raise _retry_shortly("the request with this Idempotency-Key expired just now; retry")
    return _replay(stored, row, once)


async def created(
    repo: RepoT, key: str | None, operation: str, data: msgspec.Struct, row: type[S], *,
    user_id: int, create: Callable[[RepoT], Awaitable[S | None]],
    missing: Callable[[], AppError], status_code: int = 201,
) -> tuple[int, S]:
    """The status and the row of a create, first or replayed. ``create`` writes with the
    repository it is given and returns what it made, or None when what it needs is gone (the
    account, or the parent of what it creates): then ``missing()`` is raised. Without a key:
    ``repo`` on the pool, as is. With a key: in one transaction that first claims the key (409
    while another request holds it; the stored response, or 422, when it was used), then creates
    with ``repo`` on the transaction's connection, then stores the response; a key stored
    meanwhile rolls the creation back and replays. Four statements instead of one, for creates
    whose SQL has no ``create_*_once`` form."""
    result = await _created(repo, key, operation, data, row, user_id=user_id, create=create,
                            status_code=status_code)
    if result is None:
        raise missing()
    return result


async def _created(
    repo: RepoT, key: str | None, operation: str, data: msgspec.Struct, row: type[S], *,
    user_id: int, create: Callable[[RepoT], Awaitable[S | None]], status_code: int,
) -> tuple[int, S] | None:
    if key is None:
        made = await create(repo)
        return None if made is None else (status_code, made)
    once = IdempotentRequest.of(key, operation, data)
    try:
        async with repo.transaction() as tx:
            claim = await tx.one(_claim, user_id=user_id, idempotency_key=once.key)
            assert claim is not None  # the statement always returns its one row
            if not claim.claimed:
                raise _retry_shortly(
                    "a request with this Idempotency-Key is still in progress; retry shortly"
                )
            if claim.status_code is not None:
                return _replay(claim, row, once)
            made = await create(tx)
            if made is None:
                return None
            await tx.execute(_store, user_id=user_id, idempotency_key=once.key,
                             request_hash=once.request_hash, status_code=status_code,
                             response=made)
            return status_code, made
    except KeyStored:
        return await _replay_stored(repo, row, once, user_id=user_id)


async def prune_expired(db: Executor, *, ttl_seconds: float = KEY_TTL_SECONDS,
                        batch_size: int = PRUNE_BATCH) -> int:
    """Delete every key older than ``ttl_seconds``, a batch per statement; how many went."""
    return await prune_in_batches(Repository(db), _prune, batch_size=batch_size,
                                  ttl_seconds=ttl_seconds)
