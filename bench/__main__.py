"""``python -m bench``: the benchmarks behind BENCHMARKS.md.

    python -m bench compare   # the service vs the ORM baseline and the ceilings (wrk, pgbench)
    python -m bench growth    # latency with 1,000 vs 1,000,000 tasks; EXPLAIN (ANALYZE, BUFFERS)
    python -m bench workers   # the load-test harness's mixed scenario on one and on two workers
    python -m bench profile   # where each request's CPU time goes (py-spy under wrk)
    python -m bench revisions REV...  # what each change bought: several git revisions side by side
    python -m bench instructions REV...  # the same, in instructions per request (valgrind)
    python -m bench pgbouncer # the cost of going through PgBouncer (transaction mode)
    python -m bench servers   # uvicorn (httptools, h11) and granian: speed, and hostile clients
    python -m bench nutrition # the diary, days and quotas vs the seed's ORM way; days by history
    python -m bench fitness   # GET /goals vs the ORM way; GET /weights/trend, 1 vs 5 years
    python -m bench bodies    # what crafted request bodies cost the event loop before their 400
    python -m bench today     # GET /today (one statement) vs the seed's ORM way (a query a part)
    python -m bench all       # all of these but revisions

Each writes its raw results to ``--out`` (default bench/results/<date-time>/<suite>.json), prints
its tables, and rewrites its own section of BENCHMARKS.md (``--no-update`` leaves it alone). It
needs the ``bench`` extra (pip install -e '.[bench]') and wrk (apt-get install -y wrk).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bench import (bodies, compare, growth, instructions, nutrition, nutrition2, pgbouncer,
                   profile, revisions, servers, today, workers)
from bench.stack import BenchError, machine, require_tools

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"

SUITES: dict[str, tuple[Callable, Callable]] = {
    "compare": (compare.run, compare.markdown),
    "growth": (growth.run, growth.markdown),
    "workers": (workers.run, workers.markdown),
    "profile": (profile.run, profile.markdown),
    "revisions": (revisions.run, revisions.markdown),
    "instructions": (instructions.run, instructions.markdown),
    "pgbouncer": (pgbouncer.run, pgbouncer.markdown),
    "servers": (servers.run, servers.markdown),
    "nutrition": (nutrition.run, nutrition.markdown),
    "fitness": (nutrition2.run, nutrition2.markdown),
    "bodies": (bodies.run, bodies.markdown),
    "today": (today.run, today.markdown),
}


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", choices=[*SUITES, "all"])
    parser.add_argument("revision", nargs="*", help="revisions: the git revisions to compare")
    parser.add_argument("--duration", type=_positive, default=10,
                        help="seconds per measured run (default 10)")
    parser.add_argument("--rounds", type=_positive, default=3,
                        help="interleaved rounds; the median is reported (default 3)")
    parser.add_argument("--connections", type=_positive, default=32,
                        help="wrk connections (default 32)")
    parser.add_argument("--pgbench-clients", type=_positive, default=10,
                        help="pgbench clients, the service's pool size (default 10)")
    parser.add_argument("--users", type=_positive, default=100,
                        help="compare, profile: seeded users (default 100)")
    parser.add_argument("--tasks-per-user", type=_positive, default=1000,
                        help="compare, profile: tasks per seeded user (default 1000)")
    parser.add_argument("--endpoint", choices=sorted(profile.MODES),
                        help="profile: only this endpoint (default all four)")
    parser.add_argument("--loadtest-users", type=_positive, default=50,
                        help="workers: simulated Locust users (default 50)")
    parser.add_argument("--out", type=Path, help="raw results folder "
                        "(default bench/results/<date-time>)")
    parser.add_argument("--no-update", action="store_true",
                        help="do not rewrite BENCHMARKS.md")
    return parser


def update_section(text: str, suite: str, body: str) -> str:
    """``text`` with the generated section of ``suite`` replaced by ``body``."""
    start, end = f"<!-- bench:{suite}:start -->", f"<!-- bench:{suite}:end -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise BenchError(f"BENCHMARKS.md has no {start} ... {end} section")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = args.out or ROOT / "bench" / "results" / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    suites = ([s for s in SUITES if s not in ("revisions", "instructions")]
              if args.suite == "all" else [args.suite])
    try:
        require_tools()
        for suite in suites:
            run, markdown = SUITES[suite]
            result = run(args, out) | {"machine": machine(),
                                       "command": "python -m bench " + " ".join(
                                           argv if argv is not None else sys.argv[1:])}
            (out / f"{suite}.json").write_text(json.dumps(result, indent=2, default=str))
            table = markdown(result)
            print(table)
            if not args.no_update:
                m = result["machine"]
                body = (f"Measured {m['date']} on {m['cpu']}, {m['memory']}, Linux "
                        f"{m['kernel']}, Python {m['python']}, wrk {m['wrk']}, with "
                        f"`{result['command']}`.\n\n{table}")
                BENCHMARKS.write_text(update_section(BENCHMARKS.read_text(), suite, body))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"raw results: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
