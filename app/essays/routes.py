"""Essay batches over HTTP: /batches (with their essays and the workers' claim) and /essays."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.essays.models import (Batch, BatchCreate, Claim, ClaimedEssays, Essay, EssayUpdate,
                               Status)
from app.essays.repository import DuplicateContentIds, EssayRepository
from app.http.auth import UserController, UserId
from app.http.etag import (ETAG_HEADER, IfMatch, conditionally, creates, found, if_match_versions,
                           stale, with_etag)
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, Conflict, ErrorDetails, not_found
from app.kit.pages import Page

Essays = NamedDependency[EssayRepository]
BatchId = Annotated[int, path_id("batch")]
EssayId = Annotated[int, path_id("essay")]
StatusFilter = Annotated[Status | None, QueryParameter(description="Only essays in this status.")]

_batch_not_found = not_found("batch")
_essay_not_found = not_found("essay")


class BatchController(UserController):
    path = "/batches"
    tags = ["essays"]

    @creates("createBatch")
    async def create_batch(
        self, data: JSONBody[BatchCreate], user_id: UserId, essay_batches: Essays,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Batch]:
        """Create a batch of 1-1000 essays (all pending) in one statement. A content_id you
        already use is a 409 naming every such content_id, and nothing is written."""
        try:
            status, batch = await created(
                essay_batches, idempotency_key, "createBatch", data, Batch, user_id=user_id,
                create=lambda repo: repo.create_batch(user_id=user_id, data=data),
                missing=AccountGone,
            )
        except DuplicateContentIds as exc:
            taken = await essay_batches.used_content_ids(
                user_id=user_id, content_ids=[e.content_id for e in data.essays]
            )
            raise DuplicateContentIds(
                exc.detail, extra=ErrorDetails(field="essays", content_ids=taken)) from None
        return with_etag(batch, status)

    @get("/", operation_id="listBatches", responses=errors(401))
    async def list_batches(
        self, user_id: UserId, essay_batches: Essays, limit: Limit = 20, cursor: Cursor = None
    ) -> Page[Batch]:
        """The caller's batches, newest first, each with its counts per status."""
        return await essay_batches.list_batches(user_id=user_id, cursor=cursor, limit=limit)

    @get("/{batch_id:int}", operation_id="getBatch", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_batch(self, batch_id: BatchId, user_id: UserId, essay_batches: Essays
                        ) -> Response[Batch]:
        """One batch with how many of its essays are in each status."""
        batch = await essay_batches.get_batch(user_id=user_id, batch_id=batch_id)
        return with_etag(found(batch, _batch_not_found))

    @delete("/{batch_id:int}", operation_id="deleteBatch", responses=errors(401, 404, 412))
    async def delete_batch(
        self, batch_id: BatchId, user_id: UserId, essay_batches: Essays,
        if_match: IfMatch = None,
    ) -> None:
        """Delete a batch and all its essays; with If-Match, only at that version."""
        await conditionally(
            if_match,
            lambda versions: essay_batches.delete_batch(user_id=user_id, batch_id=batch_id,
                                                 if_match=versions),
            lambda: essay_batches.batch_version(user_id=user_id, batch_id=batch_id), _batch_not_found,
        )

    @get("/{batch_id:int}/essays", operation_id="listBatchEssays", responses=errors(401, 404))
    async def list_essays(
        self, batch_id: BatchId, user_id: UserId, essay_batches: Essays,
        status: StatusFilter = None, limit: Limit = 20, cursor: Cursor = None,
    ) -> Page[Essay]:
        """The batch's essays in the order they were sent, optionally in one status."""
        page = await essay_batches.essays(user_id=user_id, batch_id=batch_id, status=status,
                                   cursor=cursor, limit=limit)
        if not page.items and await self._missing(essay_batches, user_id, batch_id):
            raise _batch_not_found()
        return page

    @post("/{batch_id:int}/claim", operation_id="claimEssays", status_code=200,
          responses=errors(401, 404))
    async def claim(
        self, batch_id: BatchId, data: JSONBody[Claim], user_id: UserId, essay_batches: Essays
    ) -> ClaimedEssays:
        """For workers: atomically move up to ``limit`` of the batch's pending essays (oldest
        first) to processing and return them. Concurrent claims never get the same essay."""
        claimed = await essay_batches.claim(user_id=user_id, batch_id=batch_id, limit=data.limit)
        if not claimed and await self._missing(essay_batches, user_id, batch_id):
            raise _batch_not_found()
        return ClaimedEssays(items=claimed)

    @staticmethod
    async def _missing(essay_batches: Essays, user_id: int, batch_id: int) -> bool:
        return await essay_batches.batch_version(user_id=user_id, batch_id=batch_id) is None


class EssayController(UserController):
    path = "/essays"
    tags = ["essays"]

    @get("/{essay_id:int}", operation_id="getEssay", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_essay(self, essay_id: EssayId, user_id: UserId, essay_batches: Essays
                        ) -> Response[Essay]:
        """One essay."""
        essay = await essay_batches.get_essay(user_id=user_id, essay_id=essay_id)
        return with_etag(found(essay, _essay_not_found))

    @patch("/{essay_id:int}", operation_id="updateEssay", responses=errors(401, 404, 409, 412),
           response_headers=ETAG_HEADER)
    async def update_essay(
        self, essay_id: EssayId, data: JSONBody[EssayUpdate], user_id: UserId,
        essay_batches: Essays, if_match: IfMatch = None,
    ) -> Response[Essay]:
        """Move the essay along the pipeline: pending -> processing -> completed | failed, and
        failed -> pending to retry; any other move is a 409. ``metadata`` replaces the essay's
        when sent. With If-Match, only at that version (else 412)."""
        versions = if_match_versions(if_match)
        essay = await essay_batches.move_essay(user_id=user_id, essay_id=essay_id, change=data,
                                        if_match=versions)
        if essay is not None:
            return with_etag(essay)
        current = await essay_batches.get_essay(user_id=user_id, essay_id=essay_id)
        if current is None:
            raise _essay_not_found()
        if versions is not None and current.version not in versions:
            raise stale(current.version)
        raise Conflict(
            f"an essay cannot move from {current.status} to {data.status}",
            extra=ErrorDetails(field="status", status=current.status, requested=data.status),
        )
