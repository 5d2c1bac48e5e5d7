"""``python -m app loadtest``: check that the loadtest extra is installed and the target answers,
run the Locust suite headless against it (or a throw-away local server), show a live progress
line, write the report, and gate on p99 and error rate."""

from __future__ import annotations

import argparse
import csv
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from app.loadtest import report
from app.loadtest.scenarios import ACTIONS, SCENARIOS, ScenarioError, weights

N = TypeVar("N", int, float)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
ROOT = Path(__file__).resolve().parents[2]
MAX_DURATION_S = 24 * 3600
PROBE_TIMEOUT_S = 3
EXTRA = ("locust", "matplotlib")


def duration(text: str) -> int:
    """Seconds from "90", "90s", "5m" or "1h"."""
    match = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 30s, 5m or 1h")
    seconds = int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]
    if not 1 <= seconds <= MAX_DURATION_S:
        raise argparse.ArgumentTypeError("the duration must be between 1 s and 24 h")
    return seconds


def target(text: str) -> str:
    """An http(s) URL, without a trailing slash."""
    url = text.strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    try:
        bad_port = parts.port == 0
    except ValueError:  # not a number, or out of range
        bad_port = True
    if bad_port:
        raise argparse.ArgumentTypeError(f"{text!r} has a bad port")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL")
    return url


def seeded(text: str) -> str:
    prefix, sep, count = text.rpartition(":")
    if not sep or not prefix or not count.isdigit() or int(count) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not PREFIX:COUNT (see python -m app seed)")
    return text


def _positive(kind: Callable[[str], N]) -> Callable[[str], N]:
    def parse(text: str) -> N:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be positive")
        return value
    return parse


def _parser() -> argparse.ArgumentParser:
    width = max(map(len, ACTIONS))
    actions = "\n".join(f"  {name:<{width}} {what}" for name, what in ACTIONS.items())
    scenarios = "\n".join(
        f"  {name:<12} " + ", ".join(f"{a}={w}" for a, w in table.items())
        for name, table in SCENARIOS.items()
    )
    parser = argparse.ArgumentParser(
        prog="python -m app loadtest",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Load-test the API with Locust (headless) and write a report: Locust's CSV "
        "files, summary.json, summary.md and PNG charts.",
        epilog=f"actions:\n{actions}\n\nscenarios (action=weight):\n{scenarios}\n\n"
        "setup (each simulated user's registration or login, then listing its tasks, named "
        f"'{report.SETUP}...') is reported apart and left out of the total and the p99 gate.\n\n"
        "exit status: 0 passed, 1 a --max-* threshold was breached, 2 bad usage or the "
        "loadtest extra is missing, 3 the run itself failed (the target cannot be reached, "
        "every request failed, or Locust failed).",
    )
    parser.add_argument("--url", type=target,
                        help="the API to test (default: start a local server on a throw-away "
                        "embedded database, and stop it afterwards)")
    parser.add_argument("--users", type=_positive(int), default=20,
                        help="simulated users (default 20)")
    parser.add_argument("--spawn-rate", type=_positive(float), default=10,
                        help="users started per second (default 10)")
    parser.add_argument("--duration", type=duration, default=30,
                        help="how long to run: 90, 90s, 5m, 1h (default 30s)")
    parser.add_argument("--scenario", default="mixed", choices=sorted(SCENARIOS),
                        help="the weights of the actions (default mixed)")
    parser.add_argument("--weights", help="change weights: action=weight,... (0 turns off)")
    parser.add_argument("--out", type=Path,
                        help="report folder (default loadtest-results/<date-time>)")
    parser.add_argument("--seeded-users", type=seeded, metavar="PREFIX:COUNT",
                        help="log in as users of `python -m app seed` instead of registering "
                        "(with --url, on the seeded database)")
    parser.add_argument("--password", help="the seeded users' password (default seed-password)")
    parser.add_argument("--wait", type=float, default=0.0,
                        help="at most this many seconds between a user's actions (default 0)")
    parser.add_argument("--server-workers", type=_positive(int), default=1,
                        help="worker processes of the local server (without --url; default 1)")
    parser.add_argument("--max-p99-ms", type=_positive(float),
                        help="fail (exit 1) when the p99 of the measured actions (setup left "
                        "out) is above this")
    parser.add_argument("--max-error-rate", type=float,
                        help="fail (exit 1) when the share of failed requests, setup included, "
                        "is above this (0-1)")
    return parser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health/ready", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def missing_extra() -> list[str]:
    """The packages of the loadtest extra that cannot be imported. Looked up without importing
    them: importing Locust would patch this process's standard library for gevent."""
    return [name for name in EXTRA if importlib.util.find_spec(name) is None]


def unreachable(url: str) -> str | None:
    """Why ``GET <url>/health/live`` does not answer 2xx within PROBE_TIMEOUT_S (directly, like
    Locust: no proxy); None when it does."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/health/live", timeout=PROBE_TIMEOUT_S):
            return None
    except urllib.error.HTTPError as exc:
        return f"it answered HTTP {exc.code} {exc.reason}"
    except (OSError, http.client.HTTPException) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, TimeoutError):
            return f"no answer within {PROBE_TIMEOUT_S} s"
        return str(reason) or type(reason).__name__


class LocalServer:
    """``python -m app serve`` on 127.0.0.1, a free port and a fresh embedded database in a
    temporary folder; stopped (SIGTERM, then SIGKILL) and removed on exit."""

    def __init__(self, workers: int, log: Path):
        self.workers, self.log = workers, log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        self.data_dir = Path(tempfile.mkdtemp(prefix="pgapi-loadtest-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "DATABASE_URL"))}
        # No load balancer to drain from: stop at once.
        env.update(APP_DATA_DIR=str(self.data_dir / "data"), APP_HOST="127.0.0.1",
                   APP_PORT=str(self.port), APP_WORKERS=str(self.workers), APP_DRAIN_SECONDS="0")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while not _ready(self.url):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the local server did not start; see {self.log}")
                time.sleep(0.25)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)


class Progress:
    """The live line, from the rows ``locust_per_second.csv`` gains as each second ends: users,
    requests/s, p50 and p99 of the measured actions in the last second; the failed requests and
    the setup requests so far."""

    def __init__(self, path: Path):
        self.path, self.offset = path, 0
        self.last: dict[str, str] | None = None
        self.requests = self.failures = self.setup = 0

    def line(self, elapsed: float, total: int) -> str | None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except OSError:
            return None
        complete = chunk[:chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        rows = csv.DictReader(complete.decode().splitlines(), report.PER_SECOND_COLUMNS)
        for row in rows:
            if row["Timestamp"] == "Timestamp":
                continue
            self.requests += int(row["Requests"]) + int(row["Setup Requests"])
            self.failures += int(row["Failures"]) + int(row["Setup Failures"])
            self.setup += int(row["Setup Requests"])
            self.last = row
        if self.last is None:
            return None
        row = self.last
        share = self.failures / self.requests if self.requests else 0.0
        return (f"\r[{elapsed:5.0f}s/{total}s] users {row['User Count']:>4}  "
                f"{int(row['Requests']):6,} req/s  p50 {row['50%']:>5} ms  p99 {row['99%']:>5} ms  "
                f"errors {self.failures:,} ({share:.2%})  setup {self.setup:,}   ")


def run_locust(url: str, args: argparse.Namespace, table: dict[str, int], out: Path) -> int:
    """Run Locust headless against ``url`` for the duration, drawing the progress line; its exit
    status."""
    prefix = str(out / report.CSV_PREFIX)
    env = dict(os.environ, PGAPI_LOADTEST_WEIGHTS=json.dumps(table), PGAPI_LOADTEST_REPORT=prefix,
               PGAPI_LOADTEST_SEEDED=args.seeded_users or "",
               PGAPI_LOADTEST_PASSWORD=args.password or "", PGAPI_LOADTEST_WAIT=str(args.wait),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{args.duration}s", "--stop-timeout", "5", "--host", url,
        "--csv", prefix, "--csv-full-history", "--only-summary",
        "--exit-code-on-error", "0", "--loglevel", "WARNING",
    ]
    for recorded in ("per_second", "totals"):  # a previous run's, in a reused --out
        Path(f"{prefix}_{recorded}.csv").unlink(missing_ok=True)
    started = time.monotonic()
    progress = Progress(Path(f"{prefix}_per_second.csv"))
    with open(out / "locust.log", "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = started + args.duration + 60
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                break
            line = progress.line(time.monotonic() - started, args.duration)
            if line:
                sys.stderr.write(line)
                sys.stderr.flush()
            time.sleep(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        sys.stderr.write("\n")
    return process.returncode


def main(argv: Sequence[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        table = weights(args.scenario, args.weights)
    except ScenarioError as exc:
        parser.error(str(exc))
    if args.max_error_rate is not None and not 0 <= args.max_error_rate <= 1:
        parser.error("--max-error-rate must be between 0 and 1")
    if args.wait < 0:
        parser.error("--wait must not be negative")
    if args.seeded_users and args.users > int(args.seeded_users.rpartition(":")[2]):
        parser.error("--users is more than the seeded users: each simulated user needs an "
                     "account of its own")
    if args.seeded_users and not args.url:
        parser.error("--seeded-users needs --url: the local server's throw-away database has no "
                     "seeded users (seed the target's database with python -m app seed first)")
    if missing := missing_extra():
        print(f"error: the load test needs the loadtest extra, and {' and '.join(missing)} "
              "cannot be imported; install it with: pip install -e '.[loadtest]'",
              file=sys.stderr)
        return 2
    if args.url and (reason := unreachable(args.url)) is not None:
        print(f"error: cannot reach the API at {args.url}: GET /health/live: {reason}",
              file=sys.stderr)
        return 3
    out = args.out or Path("loadtest-results") / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    started = datetime.now().isoformat(timespec="seconds")
    if args.url:
        url = args.url
        status = run_locust(url, args, table, out)
    else:
        print(f"starting a local server ({args.server_workers} worker(s)) on a throw-away "
              "embedded database ...", file=sys.stderr)
        try:
            with LocalServer(args.server_workers, out / "server.log") as server:
                url = server.url
                status = run_locust(url, args, table, out)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
    if status != 0:
        print(f"error: locust exited with status {status}; see {out / 'locust.log'}",
              file=sys.stderr)
        return 3
    run = {"url": url, "scenario": args.scenario, "weights": table, "users": args.users,
           "spawn_rate": args.spawn_rate, "duration_s": args.duration,
           "seeded_users": args.seeded_users, "started": started}
    try:
        summary = report.write(out, run)
    except ValueError as exc:
        print(f"error: {exc}; see {out / 'locust.log'}", file=sys.stderr)
        return 3
    print(report.markdown(summary).split("\n![")[0])
    print(f"report: {out}/summary.md (and summary.json, charts, Locust's CSV files)")
    if (failed := report.every_request_failed(summary)) is not None:
        top = report.most_frequent_failure(out)
        print(f"error: {failed}" + (f", most often {top}" if top else "")
              + f"; see {out / (report.CSV_PREFIX + '_failures.csv')}", file=sys.stderr)
        return 3
    found = report.breaches(summary, max_p99_ms=args.max_p99_ms,
                            max_error_rate=args.max_error_rate)
    for sentence in found:
        print(f"FAILED: {sentence}", file=sys.stderr)
    return 1 if found else 0
