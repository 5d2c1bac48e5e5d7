"""Tasks data access: one method per use case, each one statement and one round trip."""

from __future__ import annotations

from datetime import datetime

from app.db.queries import sql
from app.db.repository import Repository, changes
from app.idempotency.keys import Claim, IdempotentRequest, create_once
from app.kit.errors import AccountGone
from app.kit.limits import INFINITY
from app.kit.pages import Keyset, Page
from app.tasks.models import Task, TaskStats, TaskUpdate

_create = sql("tasks/create_task", "user_id", "title", "description", row=Task)
_create_once = sql(
    "tasks/create_task_once",
    "user_id", "title", "description", "idempotency_key", "request_hash",
    row=Claim,
)
_get = sql("tasks/get_task", "user_id", "task_id", row=Task, replica=True)
_update = sql(
    "tasks/update_task",
    "user_id", "task_id", "title", "description", "description_sent", "completed", "if_match",
    row=Task,
)
_delete = sql("tasks/delete_task", "user_id", "task_id", "if_match")
_version = sql("tasks/get_task_version", "user_id", "task_id")
_list = sql("tasks/list_tasks", "user_id", "after_created_at", "after_id", "limit", row=Task,
            replica=True)
_list_by_completed = sql(
    "tasks/list_tasks_by_completed",
    "user_id", "completed", "after_created_at", "after_id", "limit",
    row=Task, replica=True,
)
_stats = sql("tasks/task_stats", "user_id", row=TaskStats, replica=True)

CONSTRAINTS = {
    # The account was deleted while the task was written.
    "tasks_user_fkey": AccountGone(),
}

# Newest first: (created_at, id) descending, as tasks_user_created_idx.
_NEWEST: Keyset[Task, tuple[datetime, int]] = Keyset("tasks", tuple[datetime, int], (INFINITY, 0), ("after_created_at", "after_id"),
                 lambda t: (t.created_at, t.id))


class TaskRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, title: str, description: str | None) -> Task | None:
        return await self.one(_create, user_id=user_id, title=title, description=description)

    async def create_once(
        self, *, once: IdempotentRequest, user_id: int, title: str, description: str | None
    ) -> tuple[int, Task] | None:
        """Create with an Idempotency-Key: the status and task, first or replayed (see
        app.idempotency.keys); None when the user is gone."""
        return await create_once(
            self, _create_once, Task, once, user_id=user_id, title=title, description=description
        )

    async def get(self, *, user_id: int, task_id: int) -> Task | None:
        return await self.one(_get, user_id=user_id, task_id=task_id)

    async def update(
        self, *, user_id: int, task_id: int, patch: TaskUpdate, if_match: list[int] | None
    ) -> Task | None:
        """The updated task; None when it is missing or (with ``if_match``) at another version."""
        return await self.one(_update, user_id=user_id, task_id=task_id, if_match=if_match,
                              **changes(patch, nullable=["description"]))

    async def delete(self, *, user_id: int, task_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(_delete, user_id=user_id, task_id=task_id, if_match=if_match) == 1

    async def version(self, *, user_id: int, task_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id, task_id=task_id)
        return version

    async def list_tasks(
        self, *, user_id: int, completed: bool | None, cursor: str | None, limit: int
    ) -> Page[Task]:
        """A page of tasks, newest first; AccountGone when the account is gone or deactivated."""
        if completed is None:
            return await self.page(_list, _NEWEST, cursor=cursor, limit=limit, user_id=user_id)
        return await self.page(_list_by_completed, _NEWEST, cursor=cursor, limit=limit,
                               scope=(completed,), user_id=user_id, completed=completed)

    async def stats(self, *, user_id: int) -> TaskStats | None:
        """None when the account is gone or deactivated."""
        return await self.one(_stats, user_id=user_id)
