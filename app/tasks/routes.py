"""Tasks over HTTP: /tasks."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, creates, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.idempotency.keys import IdempotencyKey, IdempotentRequest
from app.kit.errors import AccountGone, not_found
from app.kit.pages import Page
from app.tasks.models import Task, TaskCreate, TaskStats, TaskUpdate
from app.tasks.repository import TaskRepository

Tasks = NamedDependency[TaskRepository]
TaskId = Annotated[int, path_id("task")]
Completed = Annotated[
    bool | None, QueryParameter(description="Only completed (true) or only pending (false) tasks.")
]


_not_found = not_found("task")


class TaskController(UserController):
    path = "/tasks"
    tags = ["tasks"]

    @creates("createTask")
    async def create_task(
        self,
        data: JSONBody[TaskCreate],
        user_id: UserId,
        tasks: Tasks,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Task]:
        """Create a task; the title is trimmed. With an Idempotency-Key, a retry returns the
        original response and creates nothing (422 if the body differs, 409 while in flight)."""
        if idempotency_key is None:
            task = await tasks.create(user_id=user_id, title=data.title,
                                      description=data.description)
            created = None if task is None else (201, task)
        else:
            created = await tasks.create_once(
                once=IdempotentRequest.of(idempotency_key, "createTask", data),
                user_id=user_id, title=data.title, description=data.description,
            )
        if created is None:
            raise AccountGone()
        status, task = created
        return with_etag(task, status)

    @get("/", operation_id="listTasks", responses=errors(401))
    async def list_tasks(
        self,
        user_id: UserId,
        tasks: Tasks,
        completed: Completed = None,
        limit: Limit = 20,
        cursor: Cursor = None,
    ) -> Page[Task]:
        """The caller's tasks, newest first, a page at a time (keyset pagination); a cursor only
        continues the list (and filter) it came from."""
        return await tasks.list_tasks(user_id=user_id, completed=completed, cursor=cursor, limit=limit)

    @get("/stats", operation_id="getTaskStats", responses=errors(401))
    async def task_stats(self, user_id: UserId, tasks: Tasks) -> TaskStats:
        """How many tasks the caller has: total, completed, pending."""
        return found(await tasks.stats(user_id=user_id), AccountGone)

    @get("/{task_id:int}", operation_id="getTask", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_task(self, task_id: TaskId, user_id: UserId, tasks: Tasks
                       ) -> Response[Task]:
        """One task; 404 when it does not exist or belongs to someone else."""
        return with_etag(found(await tasks.get(user_id=user_id, task_id=task_id), _not_found))

    @patch("/{task_id:int}", operation_id="updateTask", responses=errors(401, 404, 412),
           response_headers=ETAG_HEADER)
    async def update_task(
        self,
        task_id: TaskId,
        data: JSONBody[TaskUpdate],
        user_id: UserId,
        tasks: Tasks,
        if_match: IfMatch = None,
    ) -> Response[Task]:
        """Change the fields sent; others stay; ``description: null`` clears it. With If-Match,
        only when the task is still at that version (else 412 with the current ETag)."""
        task = await conditionally(
            if_match,
            lambda versions: tasks.update(user_id=user_id, task_id=task_id, patch=data,
                                          if_match=versions),
            lambda: tasks.version(user_id=user_id, task_id=task_id), _not_found,
        )
        return with_etag(task)

    @delete("/{task_id:int}", operation_id="deleteTask", responses=errors(401, 404, 412))
    async def delete_task(
        self, task_id: TaskId, user_id: UserId, tasks: Tasks, if_match: IfMatch = None
    ) -> None:
        """Delete a task; with If-Match, only at that version (else 412)."""
        await conditionally(
            if_match,
            lambda versions: tasks.delete(user_id=user_id, task_id=task_id, if_match=versions),
            lambda: tasks.version(user_id=user_id, task_id=task_id), _not_found,
        )
