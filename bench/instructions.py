"""What a request costs, counted in instructions: several git revisions of the app, each in a
process of its own under valgrind's callgrind, answering the same requests in-process (raw ASGI
calls, no HTTP server, no load generator: ``bench/asgi_loop.py``).

Instruction counts do not depend on what else the machine is doing, so this comparison holds on
a shared, loaded machine where requests per second do not. Each revision runs twice, with
``--small`` and ``--large`` requests, and the difference divided by the difference in requests is
the instructions of one request, without startup and setup. The database's work is another
process's and is not counted (pgbench measures it: see ``compare``).

    python -m bench instructions fa62164 HEAD
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.stack import ROOT, BenchError, Cluster

MODES = {"get": "GET /tasks/{id}", "list": "GET /tasks?limit=20"}
SMALL, LARGE = 100, 1100
_COLLECTED = re.compile(r"Collected : (\d+)")


def _instructions(tree: Path, url: str, requests: int, mode: str) -> int:
    if shutil.which("valgrind") is None:
        raise BenchError("valgrind is not installed (apt-get install -y valgrind)")
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         str(ROOT / "bench" / "asgi_loop.py"), str(tree), url, str(requests), mode],
        capture_output=True, text=True, timeout=1800, env={"PYTHONMALLOC": "malloc",
                                                          "PATH": "/usr/bin:/bin"})
    match = _COLLECTED.search(out.stderr)
    if out.returncode != 0 or match is None:
        raise BenchError(f"{tree.name} {mode}: {out.stderr[-2000:]}")
    return int(match.group(1))


def run(args: argparse.Namespace, out: Path) -> dict:
    if not args.revision:
        raise BenchError("name the revisions: python -m bench instructions REV [REV ...]")
    revisions = []
    for revision in args.revision:
        log = subprocess.run(["git", "log", "-1", "--format=%h %s", revision], cwd=ROOT,
                             capture_output=True, text=True)
        if log.returncode != 0:
            raise BenchError(f"unknown revision {revision!r}")
        short, _, subject = log.stdout.strip().partition(" ")
        revisions.append({"revision": short, "subject": subject})
    trees = Path(tempfile.mkdtemp(prefix="pgapi-instructions-"))
    results: dict[str, dict[str, float]] = {mode: {} for mode in MODES}
    try:
        with Cluster() as cluster:
            url = cluster.database("instructions")
            for rev in revisions:
                tree = trees / rev["revision"]
                subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev["revision"]],
                               cwd=ROOT, check=True, capture_output=True)
                for mode in MODES:
                    small = _instructions(tree, url, SMALL, mode)
                    large = _instructions(tree, url, LARGE, mode)
                    results[mode][rev["revision"]] = (large - small) / (LARGE - SMALL)
                    print(f"{rev['revision']}  {MODES[mode]:<20} "
                          f"{results[mode][rev['revision']]:>10,.0f} instructions/request",
                          file=sys.stderr)
    finally:
        for rev in revisions:
            subprocess.run(["git", "worktree", "remove", "--force", str(trees / rev["revision"])],
                           cwd=ROOT, capture_output=True)
        shutil.rmtree(trees, ignore_errors=True)
    return {"revisions": revisions, "results": results,
            "settings": {"small": SMALL, "large": LARGE}}


def markdown(result: dict) -> str:
    first = result["revisions"][0]["revision"]
    lines = [
        f"valgrind callgrind, in-process ASGI requests ({result['settings']['large']} minus "
        f"{result['settings']['small']}, per request); the app's process only.",
        "",
        "| revision | " + " | ".join(f"{label} instructions | vs {first}"
                                      for label in MODES.values()) + " |",
        "|---|" + "---:|---:|" * len(MODES),
    ]
    for rev in result["revisions"]:
        short = rev["revision"]
        cells = [f"{result['results'][m][short]:,.0f} | "
                 f"{result['results'][m][short] / result['results'][m][first]:.3f}x"
                 for m in MODES]
        lines.append(f"| `{short}` {rev['subject'][:60]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
