"""Where a request's time goes: py-spy samples the service (one worker) while wrk drives one
endpoint, and each sample is charged to the part of the request path it was in.

The parts, checked from the innermost frame outwards (the first that matches takes the sample):
authentication (app/auth, PyJWT), the pool's acquire and release, the query (asyncpg sending it and
reading the rows), decoding rows into Structs (the repository), encoding the response (Litestar's
response and msgspec), the HTTP server (uvicorn and httptools), and the framework (everything else
in Litestar: routing, parameters, dependencies, middleware), and the event loop (uvloop dispatching
I/O and callbacks). The raw collapsed stacks are kept in the results folder (profile-<endpoint>.txt;
speedscope.app and flamegraph.pl read them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.stack import BenchError, Cluster, service, wrk, wrk_script

# (part, substrings of a frame "function (path/file.py:line)"). A sample is charged to the first
# of the specific parts with a frame anywhere in its stack; failing that, to the general part of
# its innermost frame that matches one (its own frame, else its caller's, and so on).
SPECIFIC = (
    ("authentication", ("(app/accounts/tokens.py", "(app/http/auth.py", "(jwt/")),
    ("pool acquire/release", ("Database._acquire", "Pool.release", "Pool._acquire",
                              "PoolConnectionHolder", "shield (", "(asyncio/timeouts.py")),
    ("query (asyncpg)", ("(asyncpg/",)),
    ("rows into Structs", ("(app/db/repository.py",)),
    ("response encoding", ("to_response (", "(msgspec/")),
)
GENERAL = (
    ("HTTP server (uvicorn)", ("(uvicorn/protocols/", "(httptools/")),
    ("framework (Litestar)", ("(litestar/",)),
    ("service code", ("(app/",)),
    ("event loop", ("Runner.run (",)),
)
PARTS = SPECIFIC + GENERAL
MODES = {"get": "GET /tasks/{id}", "list": "GET /tasks?limit=20", "create": "POST /tasks",
         "update": "PATCH /tasks/{id}"}


def charge(stack: list[str]) -> str:
    for part, needles in SPECIFIC:
        if any(n in frame for frame in stack for n in needles):
            return part
    for frame in reversed(stack):
        for part, needles in GENERAL:
            if any(n in frame for n in needles):
                return part
    return "other"


def run(args: argparse.Namespace, out: Path) -> dict:
    py_spy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    if py_spy is None:
        raise BenchError("py-spy is not installed: pip install -e '.[bench]'")
    modes = [args.endpoint] if args.endpoint else list(MODES)
    results = {}
    with Cluster() as cluster:
        data = cluster.seeded("profile", users=args.users, per_user=args.tasks_per_user)
        with service(data, out) as server:
            pid = server.pids()[-1]
            for mode in modes:
                script = wrk_script(data, mode, out)
                wrk(server, script, connections=args.connections, duration=2)
                raw = out / f"profile-{mode}.txt"
                spy = subprocess.Popen(
                    [py_spy, "record", "--pid", str(pid), "--duration", str(args.duration + 1),
                     "--rate", "250", "--format", "raw", "--output", str(raw)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.5)
                sample = wrk(server, script, connections=args.connections,
                             duration=args.duration)
                spy.wait(timeout=args.duration + 60)
                parts = Counter()
                for line in raw.read_text().splitlines():
                    stack, _, count = line.rpartition(" ")
                    if "Runner.run (" in stack:  # the event loop's thread, not logging's
                        parts[charge(stack.split(";"))] += int(count)
                total = sum(parts.values())
                results[mode] = {
                    "label": MODES[mode], "rps": sample.rps, "cpu_us": sample.cpu_us,
                    "samples": total,
                    "parts": {p: n / total for p, n in parts.most_common()},
                }
                print(f"{MODES[mode]}: {sample.rps:.0f} req/s, {sample.cpu_us:.0f} us CPU per "
                      f"request, {total} samples", file=sys.stderr)
    return {"settings": {"connections": args.connections, "duration_s": args.duration},
            "endpoints": results}


def markdown(result: dict) -> str:
    endpoints = result["endpoints"]
    parts = [p for p, _ in PARTS] + ["other"]
    header = "| part of the request | " + " | ".join(e["label"] for e in endpoints.values()) + " |"
    lines = [
        f"py-spy at 250 Hz on the one worker while wrk drives each endpoint "
        f"({result['settings']['connections']} connections, {result['settings']['duration_s']} s)."
        " Share of the samples, and that share of the worker's CPU time per request:",
        "",
        header,
        "|---|" + "---:|" * len(endpoints),
    ]
    for part in parts:
        cells = []
        for e in endpoints.values():
            share = e["parts"].get(part, 0.0)
            cells.append(f"{share:.0%} ({share * e['cpu_us']:.0f} us)")
        lines.append(f"| {part} | " + " | ".join(cells) + " |")
    lines.append("| **total** | " + " | ".join(f"{e['cpu_us']:.0f} us" for e in endpoints.values())
                 + " |")
    return "\n".join(lines)
