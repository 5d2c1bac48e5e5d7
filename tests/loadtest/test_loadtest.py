"""`python -m app loadtest` end to end: short real Locust runs against the real service, whose
report must equal Locust's own final statistics with setup apart; and the runs that must fail
before Locust starts (the target cannot be reached, the loadtest extra is missing)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from app.loadtest.cli import PROBE_TIMEOUT_S, unreachable
from app.loadtest.report import SETUP
from tests.support import Server, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# A row of the statistics table Locust prints when it exits, e.g.
# "POST     setup: /auth/register      3     0(0.00%) |  ..." or "         Aggregated   2868 ...".
PRINTED_ROW = re.compile(r"^(?:(\S+)\s+|\s+)(\S.*?)\s+(\d+)\s+(\d+)\([\d.]+%\) \|")


def _loadtest(*args: str, timeout: float = 240,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "loadtest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _printed(log: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(type, name) -> (requests, failures) from the final table Locust printed."""
    rows = {}
    for line in log.splitlines():
        if match := PRINTED_ROW.match(line):
            method, name, count, failures = match.groups()
            rows[(method or "", name)] = (int(count), int(failures))
    return rows


def test_a_short_run_reports_locusts_final_numbers_with_setup_apart(tmp_path):
    out = tmp_path / "report"
    result = _loadtest("--users", "3", "--spawn-rate", "3", "--duration", "6s",
                       "--out", str(out), "--max-p99-ms", "0.001", "--max-error-rate", "0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED: p99" in result.stderr
    assert "error rate" not in result.stderr
    assert "req/s" in result.stderr  # the live progress line
    for chart in ("requests_per_second.png", "latency_percentiles.png", "users_and_errors.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", chart
    summary = json.loads((out / "summary.json").read_text())
    total, setup, aggregated = summary["total"], summary["setup"], summary["aggregated"]

    # Setup apart: named so in Locust, out of the routes and the total.
    setup_names = {r["name"] for r in summary["setup_routes"]}
    assert setup_names == {SETUP + "/auth/register", SETUP + "/tasks"}
    names = {r["name"] for r in summary["routes"]}
    assert {"/tasks", "/tasks/{id}"} <= names
    assert not any(name.startswith(SETUP) for name in names)
    assert not any(re.search(r"/\d", name) for name in names | setup_names), names
    assert setup["count"] == sum(r["count"] for r in summary["setup_routes"]) == 2 * 3
    assert total["count"] == sum(r["count"] for r in summary["routes"]) > 0
    assert total["failures"] == setup["failures"] == 0

    # The numbers are Locust's own final ones: the table it printed as it exited, and the
    # stats CSV (which must have been written after the last request too).
    printed = _printed((out / "locust.log").read_text())
    assert printed[("", "Aggregated")] == (aggregated["count"], aggregated["failures"])
    printed_setup = [v for (_, name), v in printed.items() if name.startswith(SETUP)]
    assert total["count"] == aggregated["count"] - sum(count for count, _ in printed_setup)
    stats = {(r["Type"], r["Name"]): (int(r["Request Count"]), int(r["Failure Count"]))
             for r in _csv(out / "locust_stats.csv")}
    assert stats == printed
    for route in summary["routes"] + summary["setup_routes"]:
        assert printed[(route["method"], route["name"])] == (route["count"], route["failures"])

    # Per second: every request counted once, none dropped at the end, and in step with the
    # cumulative counts Locust wrote into its history as the run went: a history row written
    # during second T counts every request of the seconds before T, and none after T.
    seconds = _csv(out / "locust_per_second.csv")
    assert sum(int(s["Requests"]) for s in seconds) == total["count"]
    assert sum(int(s["Setup Requests"]) for s in seconds) == setup["count"]
    assert {int(s["User Count"]) for s in seconds} <= {0, 1, 2, 3}
    done = {int(s["Timestamp"]): int(s["Requests"]) + int(s["Setup Requests"]) for s in seconds}
    history = [r for r in _csv(out / "locust_stats_history.csv") if r["Name"] == "Aggregated"]
    assert len(history) > 2
    for row in history:
        second, so_far = int(row["Timestamp"]), int(row["Total Request Count"])
        before = sum(n for t, n in done.items() if t < second)
        assert before <= so_far <= before + done.get(second, 0), (second, so_far)

    markdown = (out / "summary.md").read_text()
    assert "| **total** |" in markdown and "| **setup total** |" in markdown


def test_seeded_users_log_in_and_runs_pass_or_fail_on_their_own_numbers(tmp_path):
    root = Path(tempfile.mkdtemp(prefix="pgapi-loadtest-test-"))
    os.chmod(root, 0o755)  # the embedded server runs as another OS user when we are root
    try:
        _seeded_runs(root / "data", tmp_path)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _seeded_runs(data_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "DATABASE_URL"))}
    env.update(APP_DATA_DIR=str(data_dir), APP_ARGON2_TIME_COST="1", APP_ARGON2_MEMORY_KIB="1024")
    seeded = subprocess.run([sys.executable, "-m", "app", "seed", "--users", "4",
                             "--tasks-per-user", "30", "--prefix", "lt"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    server = Server(data_dir)
    common = ["--seeded-users", "lt:4", "--users", "2", "--spawn-rate", "2", "--duration", "3s",
              "--scenario", "read-heavy"]
    try:
        server.wait_ready()
        passed = _loadtest("--url", server.url, *common, "--out", str(tmp_path / "passed"),
                           "--max-p99-ms", "60000", "--max-error-rate", "0")
        refused = _loadtest("--url", server.url, *common, "--password", "not-the-password",
                            "--out", str(tmp_path / "refused"))
        elsewhere = _loadtest("--url", server.url + "/elsewhere", *common,
                              "--out", str(tmp_path / "elsewhere"), timeout=60)
    finally:
        assert server.stop() == 0
    failures = tmp_path / "passed" / "locust_failures.csv"
    assert passed.returncode == 0, passed.stdout + passed.stderr + (
        failures.read_text() if failures.exists() else "")
    summary = json.loads((tmp_path / "passed" / "summary.json").read_text())
    setup = {r["name"]: r for r in summary["setup_routes"]}
    assert set(setup) == {SETUP + "/auth/login", SETUP + "/tasks"}
    assert setup[SETUP + "/auth/login"]["count"] == 2
    assert setup[SETUP + "/auth/login"]["failures"] == 0
    assert "/tasks" in {r["name"] for r in summary["routes"]}

    # Every request fails (no seeded user can log in): the run itself failed, and says why.
    assert refused.returncode == 3, refused.stdout + refused.stderr
    message = refused.stderr.strip().splitlines()[-1]
    assert message.startswith("error: every request failed"), message
    assert "most often" in message and "401" in message, message
    assert (tmp_path / "refused" / "summary.md").exists()

    # Something answers there, but not the API's liveness.
    assert elsewhere.returncode == 3, elsewhere.stdout + elsewhere.stderr
    assert "GET /health/live: it answered HTTP 404" in elsewhere.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_a_url_where_nothing_listens_fails_with_status_3_before_locust_starts(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = _loadtest("--url", url, "--out", str(tmp_path / "report"), timeout=60)
    assert result.returncode == 3
    assert f"error: cannot reach the API at {url}: GET /health/live:" in result.stderr
    assert "refused" in result.stderr
    assert not (tmp_path / "report").exists()


def test_the_probe_names_a_target_that_never_answers_or_does_not_speak_http():
    with socket.socket() as silent, socket.socket() as babbling:
        for s in (silent, babbling):
            s.bind(("127.0.0.1", 0))
            s.listen()

        def babble() -> None:
            connection, _ = babbling.accept()
            with connection:
                connection.recv(1024)
                connection.sendall(b"hello\r\n")

        thread = threading.Thread(target=babble, daemon=True)
        thread.start()
        assert unreachable(f"http://127.0.0.1:{silent.getsockname()[1]}") == (
            f"no answer within {PROBE_TIMEOUT_S} s")
        reason = unreachable(f"http://127.0.0.1:{babbling.getsockname()[1]}")
        thread.join(10)
    assert reason is not None and "hello" in reason


@pytest.mark.parametrize("package", ["locust", "matplotlib"])
def test_without_the_extra_it_says_how_to_install_it_and_exits_2(tmp_path, package):
    # Python imports sitecustomize at startup: this one makes `import <package>` fail as if the
    # package were not installed.
    (tmp_path / "sitecustomize.py").write_text(f"import sys\nsys.modules[{package!r}] = None\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    result = _loadtest("--duration", "1s", "--out", str(tmp_path / "report"), env=env,
                       timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{package} cannot be imported" in result.stderr
    assert "pip install -e '.[loadtest]'" in result.stderr
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize("args, message", [
    (["--scenario", "calm"], "invalid choice"),
    (["--weights", "fly=1"], "action=weight"),
    (["--duration", "soon"], "not a duration"),
    (["--duration", "48h"], "between 1 s and 24 h"),
    (["--users", "0"], "must be positive"),
    (["--max-error-rate", "2"], "between 0 and 1"),
    (["--url", "127.0.0.1:8000"], "not an http:// or https:// URL"),
    (["--url", "http://127.0.0.1:99999"], "bad port"),
    (["--seeded-users", "seed-ab"], "PREFIX:COUNT"),
    (["--seeded-users", "seed-ab:3", "--users", "2"], "--seeded-users needs --url"),
    (["--seeded-users", "seed-ab:3", "--users", "4", "--url", "http://127.0.0.1:9"],
     "an account of its own"),
])
def test_bad_options_exit_2_with_a_message(args, message):
    result = _loadtest(*args, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
