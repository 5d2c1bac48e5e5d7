"""What crafted request bodies cost the event loop before they are refused.

The probe that found it: a 915 KB ``recipe_json`` of 450,000 nested arrays took 610 ms of
event-loop time before its 400 (the depth walk ran in Python, before the size check), and eight
clients sending it pushed ``GET /health/live`` to a 1.3 s median. Two measures:

- ``in-process``: each body is sent to the app through its ASGI interface, one request at a time,
  with no database: every one is refused before a connection is needed, and nothing in it waits
  for I/O, so a request's wall time is the event-loop time it holds. ``valid recipe`` is the
  body reader alone (``BodyReader.read``) on a realistic recipe: what the checks cost a good
  request.
- ``served``: the service (``python -m app serve``, one worker, on an embedded PostgreSQL) while
  wrk sends one body in a loop on ``CLIENTS`` connections for ``--duration`` seconds, and a probe
  measures ``GET /health/live`` every 50 ms: its median and p99, idle and under each load, and the
  CPU time the server spent per crafted request (from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import msgspec

from app.accounts.tokens import Tokens
from app.config import load_settings
from app.http.body import READER
from app.http.validation import MAX_DEPTH
from app.server import create_app
from bench.stack import SECRET, BenchError, Cluster, Server, cpu_seconds, seeded, service

CLIENTS = 8
REQUESTS = 15  # per body, in-process


def _arrays(total: int, depth: int) -> bytes:
    chunk = b"[" * depth + b"]" * depth
    return b",".join([chunk] * (total // (len(chunk) + 1)))


def _recipe(document_tail: bytes) -> bytes:
    return (b'{"name": "crafted", "recipe_json": {"ingredients": [], "instructions": [], "x": ['
            + document_tail + b"]}}")


def _objects(total: int) -> bytes:
    return b",".join([b"{}"] * (total // 3))


def bodies() -> dict[str, tuple[str, bytes]]:
    """Name -> (path, body): the probe's body and others made to cost as much as possible."""
    recipe_limit = 4 * 65536
    batch = (b'{"essays": [{"content_id": "e", "language": "en", "metadata": {"x": ['
             + _objects(1_040_000) + b"]}}]}")
    return {
        "the probe: 915 KB of nested arrays": ("/recipes", _recipe(_arrays(915_000, 60))),
        "250 KB of nested arrays, 66 deep": (
            "/recipes", _recipe(_arrays(recipe_limit - 2_000, MAX_DEPTH + 2))),
        "250 KB of empty objects": ("/recipes", _recipe(_objects(recipe_limit - 2_000))),
        "60 KB of arrays, a NUL at the end": (
            "/recipes", _recipe(_arrays(60_000, 30) + b',"\\u0000"')),
        "250 KB of objects, a repeated key at the end": (
            "/recipes", _recipe(_objects(recipe_limit - 2_000) + b',{"k": 1, "k": 2}')),
        "100,000 brackets in a title": ("/tasks", b'{"title": ' + b"[" * 100_000 + b"}"),
        "1 MB batch of empty objects in metadata": ("/batches", batch),
    }


def _valid_recipe() -> bytes:
    document = {"ingredients": [{"name": f"ingredient {i}", "quantity": i, "unit": "g"}
                                for i in range(150)],
                "instructions": ["Stir it gently, then let it rest. " * 4] * 60,
                "source": {"book": "Soups", "page": 12, "tags": ["winter", "green"]}}
    return msgspec.json.encode({"name": "Leek soup", "recipe_json": document,
                                "description": "Green.", "servings": 4})


async def _in_process(rounds: int) -> dict[str, dict]:
    settings = load_settings({"DATABASE_URL": "postgresql://unused@/unused",
                              "APP_JWT_SECRET": SECRET})
    app = create_app(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    # A valid token (of an account the app never looks up: every body is refused before that).
    token = {"Authorization": f"Bearer {Tokens(SECRET, 3600).issue(1)}"}
    sends = {name: (path, body, token) for name, (path, body) in bodies().items()}
    batch = "1 MB batch of empty objects in metadata"
    sends[f"{batch}, without a token"] = (*bodies()[batch], {})
    results: dict[str, dict] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for name, (path, body, headers) in sends.items():
            times, status = [], 0
            for _ in range(REQUESTS * rounds):
                started = time.perf_counter()
                response = await client.post(path, content=body, headers={
                    "Content-Type": "application/json", **headers})
                times.append(time.perf_counter() - started)
                status = response.status_code
            results[name] = {"path": path, "bytes": len(body), "status": status,
                             "median_ms": statistics.median(times) * 1000,
                             "max_ms": max(times) * 1000}
    reader = next(h.opt[READER] for r in app.routes for h in getattr(r, "route_handlers", ())
                  if h.operation_id == "createRecipe")
    valid = _valid_recipe()
    times = []
    for _ in range(200 * rounds):
        started = time.perf_counter()
        reader.read(valid)
        times.append(time.perf_counter() - started)
    results["valid recipe (the reader alone)"] = {
        "path": "/recipes", "bytes": len(valid), "status": 201,
        "median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000}
    return results


async def _probe_live(url: str, seconds: float) -> list[float]:
    latencies = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            await client.get("/health/live")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)
    return latencies


_FLOOD = """local f = assert(io.open({path}, "rb"))
wrk.method = "POST"
wrk.path = {route}
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. {token}
"""
_ANSWERED = re.compile(r"(\d+) requests in")


def _flood(server: Server, route: str, body: bytes, token: str, seconds: int,
           out: Path) -> subprocess.Popen[str]:
    """wrk (C, a process of its own: the clients cost the probe nothing) sending ``body`` to
    ``route`` from CLIENTS connections for ``seconds``."""
    data = out / f"body-{abs(hash(body))}.json"
    data.write_bytes(body)
    script = out / f"flood-{abs(hash(body))}.lua"
    script.write_text(_FLOOD.format(path=json.dumps(str(data)), route=json.dumps(route),
                                    token=json.dumps(token)))
    return subprocess.Popen(["wrk", "-t", "1", "-c", str(CLIENTS), "-d", f"{seconds}s",
                             "--timeout", "10s", "-s", str(script), server.url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _under_load(server: Server, token: str, load: tuple[str, bytes] | None, seconds: int,
                out: Path) -> dict:
    pids = server.pids()
    cpu_before = cpu_seconds(pids)
    flood = None if load is None else _flood(server, *load, token, seconds, out)
    try:
        live = asyncio.run(_probe_live(server.url, seconds))
    finally:
        output = "" if flood is None else flood.communicate(timeout=seconds + 60)[0]
    cpu = cpu_seconds(pids) - cpu_before
    answered = _ANSWERED.search(output)
    if flood is not None and answered is None:
        raise BenchError(f"wrk gave no result:\n{output}")
    crafted = int(answered[1]) if answered else 0
    return {"live_p50_ms": statistics.median(live) * 1000,
            "live_p99_ms": statistics.quantiles(live, n=100)[98] * 1000,
            "crafted_requests": crafted,
            "server_cpu_ms_per_crafted": cpu / crafted * 1000 if crafted else None}


def _served(args: argparse.Namespace, out: Path) -> dict[str, dict]:
    loads = {"idle": None, **{name: bodies()[name] for name in (
        "the probe: 915 KB of nested arrays", "250 KB of empty objects",
        "1 MB batch of empty objects in metadata")}}
    results: dict[str, list[dict]] = {name: [] for name in loads}
    with Cluster() as cluster:
        data = seeded(cluster.database("bodies"), users=1, per_user=1)
        with service(data, out) as server:
            for _ in range(args.rounds):
                for name, load in loads.items():
                    results[name].append(
                        _under_load(server, data.tokens[0], load, args.duration, out))
                    print(f"{name}: {results[name][-1]}", file=sys.stderr)
    return {name: {key: None if runs[0][key] is None else statistics.median(r[key] for r in runs)
                   for key in runs[0]} for name, runs in results.items()}


def run(args: argparse.Namespace, out: Path) -> dict:
    return {"in_process": asyncio.run(_in_process(args.rounds)), "served": _served(args, out),
            "settings": {"clients": CLIENTS, "duration_s": args.duration,
                         "rounds": args.rounds}}


def markdown(result: dict) -> str:
    lines = ["| body | route | size | answer | event-loop time per request, median (max) |",
             "|---|---|---:|---:|---:|"]
    for name, r in result["in_process"].items():
        lines.append(f"| {name} | `POST {r['path']}` | {r['bytes'] / 1000:,.0f} KB | "
                     f"{r['status']} | {r['median_ms']:.2f} ms ({r['max_ms']:.2f} ms) |")
    settings = result["settings"]
    lines += ["", f"`GET /health/live` while {settings['clients']} clients send the body in a "
              f"loop ({settings['duration_s']} s, median of {settings['rounds']} rounds):", "",
              "| load | /health/live p50 | p99 | crafted requests answered | server CPU per "
              "crafted request |", "|---|---:|---:|---:|---:|"]
    for name, r in result["served"].items():
        cpu = r["server_cpu_ms_per_crafted"]
        lines.append(f"| {name} | {r['live_p50_ms']:.1f} ms | {r['live_p99_ms']:.1f} ms | "
                     f"{r['crafted_requests']:,.0f} | {'-' if cpu is None else f'{cpu:.1f} ms'} |")
    return "\n".join(lines)
