"""One process of ``python -m bench instructions``: the app of the source tree REPO, in this
process, on DATABASE_URL, answering N requests of one kind (``get``: GET /tasks/{id}; ``list``:
GET /tasks?limit=20) as raw ASGI calls after a short setup (an account and 25 tasks). No HTTP
server and no load generator: what valgrind counts is the app's own work.

    python bench/asgi_loop.py REPO DATABASE_URL N get|list
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from typing import Any

repo, url, n, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, repo)
logging.disable(logging.CRITICAL)

from app.config import load_settings  # noqa: E402  (after the source tree is on the path)
from app.server import create_app  # noqa: E402

settings = load_settings({"DATABASE_URL": url, "APP_JWT_SECRET": "x" * 48,
                          "APP_ARGON2_TIME_COST": "1", "APP_ARGON2_MEMORY_KIB": "1024",
                          "APP_ARGON2_PARALLELISM": "1"})
app = create_app(settings)


async def call(method: str, path: str, qs: bytes = b"", body: Any = None,
               token: str | None = None) -> tuple[int, bytes]:
    headers = [(b"host", b"x"), (b"content-type", b"application/json")]
    if token: headers.append((b"authorization", f"Bearer {token}".encode()))
    raw = json.dumps(body).encode() if body is not None else b""
    out: dict[str, Any] = {"status": None, "body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": qs,
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80), "state": {}}
    await app(scope, receive, send)  # type: ignore[arg-type]
    return out["status"], out["body"]


async def main() -> None:
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    life = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                   inbox.get, outbox.put))  # type: ignore[arg-type]
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    _, body = await call("POST", "/auth/register", body={
        "email": f"u{uuid.uuid4().hex}@bench.example", "name": "U", "password": "password123"})
    token = json.loads(body)["access_token"]
    for i in range(25):
        _, body = await call("POST", "/tasks", body={"title": f"t{i}"}, token=token)
    task_id = json.loads(body)["id"]
    path, qs = (f"/tasks/{task_id}", b"") if mode == "get" else ("/tasks", b"limit=20")
    statuses = set()
    for _ in range(n):
        status, _ = await call("GET", path, qs, token=token)
        statuses.add(status)
    assert statuses == {200}, statuses
    await inbox.put({"type": "lifespan.shutdown"})
    await outbox.get()
    await life


asyncio.run(main())
