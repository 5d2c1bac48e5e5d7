"""What each change bought: the service as of several git revisions, measured side by side.

Each revision is checked out into a temporary git worktree and served from there (one worker) on
a database of its own in one PostgreSQL server, which that revision migrates; each is then seeded
with the same users and tasks (by the current seed code: users and tasks keep their columns); wrk
then
drives GET /tasks/{id} and GET /tasks against every revision in interleaved rounds. Figures are the
median over the rounds: requests per second and the server's CPU time per request.

    python -m bench revisions 870b273 eb82529 HEAD
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from bench.stack import (
    ROOT,
    SECRET,
    BenchError,
    Cluster,
    Sample,
    Server,
    free_port,
    median_sample,
    seeded,
    wrk,
    wrk_script,
)

MODES = {"get": "GET /tasks/{id}", "list": "GET /tasks?limit=20"}


def _describe(revision: str) -> tuple[str, str]:
    """The short hash and subject line of ``revision``."""
    out = subprocess.run(["git", "log", "-1", "--format=%h %s", revision], cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise BenchError(f"unknown revision {revision!r}: {out.stderr.strip()}")
    short, _, subject = out.stdout.strip().partition(" ")
    return short, subject


def run(args: argparse.Namespace, out: Path) -> dict:
    if not args.revision:
        raise BenchError("name the revisions to compare: python -m bench revisions REV [REV ...]")
    described = [_describe(r) for r in args.revision]
    trees = Path(tempfile.mkdtemp(prefix="pgapi-revisions-"))
    samples: dict[str, dict[str, list[Sample]]] = {m: {s: [] for s, _ in described}
                                                   for m in MODES}
    try:
        with Cluster() as cluster, ExitStack() as stack:
            servers = {}
            for n, (short, _) in enumerate(described):
                tree = trees / short
                subprocess.run(["git", "worktree", "add", "--detach", str(tree), short],
                               cwd=ROOT, check=True, capture_output=True)
                url = cluster.database(f"rev{n}", migrate=False)
                port = free_port()
                server = stack.enter_context(Server(
                    f"service-{short}", [sys.executable, "-m", "app", "serve"],
                    {"DATABASE_URL": url, "APP_JWT_SECRET": SECRET, "APP_PORT": str(port),
                     "APP_LOG_LEVEL": "warning", "APP_DRAIN_SECONDS": "0"},
                    port, out, probe="/health/ready", cwd=tree))
                servers[short] = (server, seeded(url, users=args.users,
                                                 per_user=args.tasks_per_user))
            for mode in MODES:  # warm up
                for server, data in servers.values():
                    wrk(server, wrk_script(data, mode, out), connections=args.connections,
                        duration=2)
            for round_number in range(args.rounds):
                names = list(servers)
                shift = round_number % len(names)
                for mode in MODES:
                    for short in names[shift:] + names[:shift]:
                        server, data = servers[short]
                        sample = wrk(server, wrk_script(data, mode, out),
                                     connections=args.connections, duration=args.duration)
                        samples[mode][short].append(sample)
                        print(f"round {round_number + 1}  {MODES[mode]:<20} {short}  "
                              f"{sample.rps:>8.0f} req/s  {sample.cpu_us:6.0f} us CPU/request",
                              file=sys.stderr)
    finally:
        for short, _ in described:
            subprocess.run(["git", "worktree", "remove", "--force", str(trees / short)],
                           cwd=ROOT, capture_output=True)
        shutil.rmtree(trees, ignore_errors=True)
    return {
        "settings": {"connections": args.connections, "duration_s": args.duration,
                     "rounds": args.rounds, "users": args.users,
                     "tasks_per_user": args.tasks_per_user},
        "revisions": [{"revision": s, "subject": subject} for s, subject in described],
        "results": {mode: {s: asdict(median_sample(v)) for s, v in by_rev.items()}
                    for mode, by_rev in samples.items()},
    }


def markdown(result: dict) -> str:
    s = result["settings"]
    first = result["revisions"][0]["revision"]
    lines = [
        f"wrk: {s['connections']} connections, {s['duration_s']} s per run, {s['rounds']} "
        f"interleaved rounds (median shown); one worker per revision; {s['users']} users x "
        f"{s['tasks_per_user']} tasks each.",
        "",
        "| revision | " + " | ".join(f"{label} req/s | CPU us/req | vs {first}"
                                      for label in MODES.values()) + " |",
        "|---|" + "---:|---:|---:|" * len(MODES),
    ]
    for rev in result["revisions"]:
        short = rev["revision"]
        cells = []
        for mode in MODES:
            t, base = result["results"][mode][short], result["results"][mode][first]
            cells.append(f"{t['rps']:,.0f} | {t['cpu_us']:.0f} | {t['rps'] / base['rps']:.2f}x")
        lines.append(f"| `{short}` {rev['subject'][:60]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
