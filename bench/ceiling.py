"""The ceiling: the service's own HTTP stack (uvicorn with uvloop and httptools, Litestar) answering
each benchmarked route with a constant JSON body of the size the service answers with, reading the request body but
with no authentication, no validation and no database. No Python web service on this stack can be faster than this.

    BENCH_CEILING_BODIES=bodies.json uvicorn bench.ceiling:app

``bodies.json`` maps ``get``, ``list``, ``create`` and ``update`` to the JSON bodies to answer.
"""

from __future__ import annotations

import json
import os

from litestar import Litestar, MediaType, Request, Response, get, patch, post

with open(os.environ["BENCH_CEILING_BODIES"], encoding="utf-8") as _f:
    BODIES = {name: body.encode() for name, body in json.load(_f).items()}


def _constant(name: str, status: int = 200) -> Response[bytes]:
    return Response(BODIES[name], media_type=MediaType.JSON, status_code=status)


@get("/tasks/{task_id:int}", sync_to_thread=False)
def get_task(task_id: int) -> Response[bytes]:
    return _constant("get")


@get("/tasks", sync_to_thread=False)
def list_tasks() -> Response[bytes]:
    return _constant("list")


@post("/tasks")
async def create_task(request: Request) -> Response[bytes]:
    await request.body()
    return _constant("create", 201)


@patch("/tasks/{task_id:int}")
async def update_task(task_id: int, request: Request) -> Response[bytes]:
    await request.body()
    return _constant("update")


app = Litestar([get_task, list_tasks, create_task, update_task], openapi_config=None)
