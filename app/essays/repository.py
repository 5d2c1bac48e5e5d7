"""Essay batches data access: one method per use case, each one statement and one round trip."""

from __future__ import annotations

from datetime import datetime

from app.db.queries import sql
from app.db.repository import Repository, changes
from app.essays.models import Batch, BatchCreate, Essay, EssayUpdate
from app.kit.errors import AccountGone, AppError, Conflict, ErrorDetails, not_found
from app.kit.limits import INFINITY
from app.kit.pages import Keyset, Page


class DuplicateContentIds(Conflict):
    """Some content_ids of the new batch are already used by the user's essays."""


CONSTRAINTS: dict[str, AppError] = {
    "essays_user_content_id_key": DuplicateContentIds(
        "content_id already used by one of your essays", extra=ErrorDetails(field="essays")),
    # The account was deleted while the batch was written; the batch, while its essays were.
    "batches_user_fkey": AccountGone(),
    "essays_batch_fkey": not_found("batch")(),
}

_create = sql(
    "essays/create_batch", "user_id", "name", "content_ids", "languages", "texts", "metadatas",
    row=Batch,
)
_find_content_ids = sql("essays/find_content_ids", "user_id", "content_ids")
_get = sql("essays/get_batch", "user_id", "batch_id", row=Batch, replica=True)
_list = sql("essays/list_batches", "user_id", "after_created_at", "after_id", "limit", row=Batch,
            replica=True)
_version = sql("essays/get_batch_version", "user_id", "batch_id")
_delete = sql("essays/delete_batch", "user_id", "batch_id", "if_match")
_list_essays = sql("essays/list_batch_essays", "user_id", "batch_id", "after_id", "limit",
                   row=Essay, replica=True)
_list_essays_by_status = sql(
    "essays/list_batch_essays_by_status", "user_id", "batch_id", "status", "after_id", "limit",
    row=Essay, replica=True,
)
_get_essay = sql("essays/get_essay", "user_id", "essay_id", row=Essay, replica=True)
_update_status = sql(
    "essays/update_essay_status",
    "user_id", "essay_id", "status", "metadata", "metadata_sent", "if_match",
    row=Essay,
)
_claim = sql("essays/claim_essays", "user_id", "batch_id", "limit", row=Essay)

# Batches newest first (batches_user_created_idx); a batch's essays in the order sent (by id).
_NEWEST: Keyset[Batch, tuple[datetime, int]] = Keyset("batches", tuple[datetime, int], (INFINITY, 0), ("after_created_at", "after_id"),
                 lambda b: (b.created_at, b.id))
_SENT: Keyset[Essay, tuple[int]] = Keyset("essays", tuple[int], (0,), ("after_id",), lambda e: (e.id,))


class EssayRepository(Repository):
    __slots__ = ()

    async def create_batch(self, *, user_id: int, data: BatchCreate) -> Batch | None:
        """The batch and its essays in one statement; DuplicateContentIds when some content_ids
        are taken, and then nothing is written (``used_content_ids`` names them)."""
        essays = data.essays
        return await self.one(
            _create, user_id=user_id, name=data.name,
            content_ids=[e.content_id for e in essays], languages=[e.language for e in essays],
            texts=[e.text for e in essays], metadatas=[e.metadata for e in essays],
        )

    async def used_content_ids(self, *, user_id: int, content_ids: list[str]) -> list[str]:
        """Which of ``content_ids`` the user's essays already use, sorted."""
        rows = await self.all(_find_content_ids, user_id=user_id, content_ids=content_ids)
        return [str(r["content_id"]) for r in rows]

    async def get_batch(self, *, user_id: int, batch_id: int) -> Batch | None:
        return await self.one(_get, user_id=user_id, batch_id=batch_id)

    async def list_batches(self, *, user_id: int, cursor: str | None, limit: int) -> Page[Batch]:
        """AccountGone when the account is gone or deactivated."""
        return await self.page(_list, _NEWEST, cursor=cursor, limit=limit, user_id=user_id)

    async def batch_version(self, *, user_id: int, batch_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id, batch_id=batch_id)
        return version

    async def delete_batch(
        self, *, user_id: int, batch_id: int, if_match: list[int] | None
    ) -> bool:
        touched = await self.execute(_delete, user_id=user_id, batch_id=batch_id,
                                     if_match=if_match)
        return touched == 1

    async def essays(
        self, *, user_id: int, batch_id: int, status: str | None, cursor: str | None, limit: int
    ) -> Page[Essay]:
        """AccountGone when the account is gone or deactivated (an empty page also when the
        batch is missing)."""
        scope = (batch_id, status)
        if status is None:
            return await self.page(_list_essays, _SENT, cursor=cursor, limit=limit, scope=scope,
                                   user_id=user_id, batch_id=batch_id)
        return await self.page(_list_essays_by_status, _SENT, cursor=cursor, limit=limit,
                               scope=scope, user_id=user_id, batch_id=batch_id, status=status)

    async def get_essay(self, *, user_id: int, essay_id: int) -> Essay | None:
        return await self.one(_get_essay, user_id=user_id, essay_id=essay_id)

    async def move_essay(
        self, *, user_id: int, essay_id: int, change: EssayUpdate, if_match: list[int] | None
    ) -> Essay | None:
        """The moved essay; None when it is missing, stale, or the move is not allowed."""
        return await self.one(_update_status, user_id=user_id, essay_id=essay_id,
                              if_match=if_match, **changes(change, nullable=["metadata"]))

    async def claim(self, *, user_id: int, batch_id: int, limit: int) -> list[Essay]:
        essays = await self.all(_claim, user_id=user_id, batch_id=batch_id, limit=limit)
        essays.sort(key=lambda e: e.id)
        return essays
