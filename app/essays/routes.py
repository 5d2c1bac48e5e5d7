"""Essay batches over HTTP: /batches (with their essays and the workers' claim) and /essays."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter

from app.http.auth import AUTH_DEPENDENCIES, UserId
from app.kit.errors import AccountGone, Conflict, NotFound
from app.essays.models import (
    Batch,
    BatchCreate,
    BatchPage,
    Claim,
    ClaimedEssays,
    Essay,
    EssayPage,
    EssayUpdate,
    Status,
)
from app.essays.repository import DuplicateContentIds
from app.http.etag import (
    ETAG_HEADER,
    IfMatch,
    if_match_versions,
    missing_or_stale,
    stale,
    with_etag,
)
from app.idempotency.keys import IdempotencyKey, created
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.validation import MAX_BIGINT

BatchId = Annotated[int, PathParameter(ge=1, le=MAX_BIGINT, description="The batch's id.")]
EssayId = Annotated[int, PathParameter(ge=1, le=MAX_BIGINT, description="The essay's id.")]
StatusFilter = Annotated[Status | None, QueryParameter(description="Only essays in this status.")]

_SCOPE = "batches"


def _batch_not_found() -> NotFound:
    return NotFound("batch not found")


def _essay_not_found() -> NotFound:
    return NotFound("essay not found")


class BatchController(Controller):
    path = "/batches"
    tags = ["essays"]
    dependencies = AUTH_DEPENDENCIES
    security = [{"bearer": []}]

    @post("/", operation_id="createBatch", responses=errors(401, 409, 422),
          response_headers=ETAG_HEADER)
    async def create_batch(
        self, data: JSONBody[BatchCreate], user_id: UserId, state: State,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Batch]:
        """Create a batch of 1-1000 essays (all pending) in one statement. A content_id you
        already use is a 409 naming every such content_id, and nothing is written."""
        try:
            result = await created(
                state.db, idempotency_key, "createBatch", data, Batch, user_id=user_id,
                create=lambda db: state.essays.on(db).create_batch(user_id=user_id, data=data),
            )
        except DuplicateContentIds as exc:
            taken = await state.essays.used_content_ids(
                user_id=user_id, content_ids=[e.content_id for e in data.essays]
            )
            raise DuplicateContentIds(exc.detail, extra={"content_ids": taken}) from None
        if result is None:
            raise AccountGone()
        status, batch = result
        return with_etag(batch, batch.version, status)

    @get("/", operation_id="listBatches", responses=errors(401))
    async def list_batches(
        self, user_id: UserId, state: State, limit: Limit = 20, cursor: Cursor = None
    ) -> BatchPage:
        """The caller's batches, newest first, each with its counts per status."""
        after = None
        if cursor is not None:
            after = state.cursors.decode(_SCOPE, cursor, tuple[datetime, int])
        rows = await state.essays.list_batches(user_id=user_id, after=after, limit=limit + 1)
        if rows is None:
            raise AccountGone()
        next_cursor = state.cursors.next_page(_SCOPE, rows, limit, lambda b: (b.created_at, b.id))
        return BatchPage(items=rows, next_cursor=next_cursor)

    @get("/{batch_id:int}", operation_id="getBatch", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_batch(self, batch_id: BatchId, user_id: UserId, state: State
                        ) -> Response[Batch]:
        """One batch with how many of its essays are in each status."""
        batch = await state.essays.get_batch(user_id=user_id, batch_id=batch_id)
        if batch is None:
            raise _batch_not_found()
        return with_etag(batch, batch.version)

    @delete("/{batch_id:int}", operation_id="deleteBatch", responses=errors(401, 404, 412))
    async def delete_batch(
        self, batch_id: BatchId, user_id: UserId, state: State, if_match: IfMatch = None
    ) -> None:
        """Delete a batch and all its essays; with If-Match, only at that version."""
        versions = if_match_versions(if_match)
        if not await state.essays.delete_batch(user_id=user_id, batch_id=batch_id,
                                               if_match=versions):
            raise await missing_or_stale(
                versions, lambda: state.essays.batch_version(user_id=user_id, batch_id=batch_id),
                _batch_not_found(),
            )

    @get("/{batch_id:int}/essays", operation_id="listBatchEssays", responses=errors(401, 404))
    async def list_essays(
        self, batch_id: BatchId, user_id: UserId, state: State, status: StatusFilter = None,
        limit: Limit = 20, cursor: Cursor = None,
    ) -> EssayPage:
        """The batch's essays in the order they were sent, optionally in one status."""
        scope = f"essays:{batch_id}:{status}"
        after_id = 0
        if cursor is not None:
            (after_id,) = state.cursors.decode(scope, cursor, tuple[int])
        rows = await state.essays.essays(user_id=user_id, batch_id=batch_id, status=status,
                                         after_id=after_id, limit=limit + 1)
        if rows is None:
            raise AccountGone()
        if not rows and await self._missing(state, user_id, batch_id):
            raise _batch_not_found()
        next_cursor = state.cursors.next_page(scope, rows, limit, lambda e: (e.id,))
        return EssayPage(items=rows, next_cursor=next_cursor)

    @post("/{batch_id:int}/claim", operation_id="claimEssays", status_code=200,
          responses=errors(401, 404))
    async def claim(
        self, batch_id: BatchId, data: JSONBody[Claim], user_id: UserId, state: State
    ) -> ClaimedEssays:
        """For workers: atomically move up to ``limit`` of the batch's pending essays (oldest
        first) to processing and return them. Concurrent claims never get the same essay."""
        essays = await state.essays.claim(user_id=user_id, batch_id=batch_id, limit=data.limit)
        if not essays and await self._missing(state, user_id, batch_id):
            raise _batch_not_found()
        return ClaimedEssays(items=essays)

    @staticmethod
    async def _missing(state: State, user_id: int, batch_id: int) -> bool:
        return await state.essays.batch_version(user_id=user_id, batch_id=batch_id) is None


class EssayController(Controller):
    path = "/essays"
    tags = ["essays"]
    dependencies = AUTH_DEPENDENCIES
    security = [{"bearer": []}]

    @get("/{essay_id:int}", operation_id="getEssay", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_essay(self, essay_id: EssayId, user_id: UserId, state: State
                        ) -> Response[Essay]:
        """One essay."""
        essay = await state.essays.get_essay(user_id=user_id, essay_id=essay_id)
        if essay is None:
            raise _essay_not_found()
        return with_etag(essay, essay.version)

    @patch("/{essay_id:int}", operation_id="updateEssay", responses=errors(401, 404, 409, 412),
           response_headers=ETAG_HEADER)
    async def update_essay(
        self, essay_id: EssayId, data: JSONBody[EssayUpdate], user_id: UserId, state: State,
        if_match: IfMatch = None,
    ) -> Response[Essay]:
        """Move the essay along the pipeline: pending -> processing -> completed | failed, and
        failed -> pending to retry; any other move is a 409. ``metadata`` replaces the essay's
        when sent. With If-Match, only at that version (else 412)."""
        versions = if_match_versions(if_match)
        essay = await state.essays.move_essay(user_id=user_id, essay_id=essay_id, change=data,
                                              if_match=versions)
        if essay is not None:
            return with_etag(essay, essay.version)
        current = await state.essays.get_essay(user_id=user_id, essay_id=essay_id)
        if current is None:
            raise _essay_not_found()
        if versions is not None and current.version not in versions:
            raise stale(current.version)
        raise Conflict(
            f"an essay cannot move from {current.status} to {data.status}",
            extra={"status": current.status, "requested": data.status},
        )
