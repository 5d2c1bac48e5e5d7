"""`python -m app loadtest` end to end (a real, short Locust run against a real local server), and
the report and the gates on its own numbers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.loadtest.report import RouteStats, Summary, breaches
from tests.support import Server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _loadtest(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "loadtest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_a_short_run_writes_the_report_and_the_p99_gate_fails_it(tmp_path):
    out = tmp_path / "report"
    result = _loadtest("--users", "3", "--spawn-rate", "3", "--duration", "6s",
                       "--out", str(out), "--max-p99-ms", "0.001", "--max-error-rate", "0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED: p99" in result.stderr
    assert "error rate" not in result.stderr
    assert "req/s" in result.stderr  # the live progress line
    for name in ("locust_stats.csv", "locust_stats_history.csv", "locust_failures.csv",
                 "summary.json", "summary.md", "requests_per_second.png",
                 "latency_percentiles.png"):
        assert (out / name).exists(), name
    for chart in ("requests_per_second.png", "latency_percentiles.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["total"]["count"] > 0
    assert summary["total"]["failures"] == 0
    names = {r["name"] for r in summary["routes"]}
    assert {"/auth/register", "/tasks", "/tasks/{id}"} <= names
    assert not any(re.search(r"/\d", name) for name in names), names
    for route in summary["routes"]:
        assert set(route) >= {"count", "failures", "requests_per_second", "p50_ms", "p95_ms",
                              "p99_ms", "max_ms"}
    assert "| **total** |" in (out / "summary.md").read_text()


def test_seeded_users_log_in_and_a_run_within_its_gates_exits_0(tmp_path):
    root = Path(tempfile.mkdtemp(prefix="pgapi-loadtest-test-"))
    os.chmod(root, 0o755)  # the embedded server runs as another OS user when we are root
    try:
        _seeded_run(root / "data", tmp_path / "report")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _seeded_run(data_dir: Path, out: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "DATABASE_URL"))}
    env.update(APP_DATA_DIR=str(data_dir), APP_ARGON2_TIME_COST="1", APP_ARGON2_MEMORY_KIB="1024")
    seeded = subprocess.run([sys.executable, "-m", "app", "seed", "--users", "4",
                             "--tasks-per-user", "30", "--prefix", "lt"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    server = Server(data_dir)
    try:
        server.wait_ready()
        result = _loadtest("--url", server.url, "--seeded-users", "lt:4", "--users", "2",
                           "--spawn-rate", "2", "--duration", "4s", "--scenario", "read-heavy",
                           "--out", str(out), "--max-p99-ms", "60000", "--max-error-rate", "0")
    finally:
        assert server.stop() == 0
    failures = (out / "locust_failures.csv").read_text() if out.exists() else ""
    assert result.returncode == 0, result.stdout + result.stderr + failures
    routes = {r["name"]: r for r in json.loads((out / "summary.json").read_text())["routes"]}
    assert "/auth/register" not in routes
    assert routes["/auth/login"]["count"] >= 1
    assert routes["/auth/login"]["failures"] == 0
    assert routes["/tasks"]["count"] >= 1


@pytest.mark.parametrize("args, message", [
    (["--scenario", "calm"], "invalid choice"),
    (["--weights", "fly=1"], "action=weight"),
    (["--duration", "soon"], "not a duration"),
    (["--duration", "48h"], "between 1 s and 24 h"),
    (["--users", "0"], "must be positive"),
    (["--max-error-rate", "2"], "between 0 and 1"),
    (["--seeded-users", "seed-ab"], "PREFIX:COUNT"),
    (["--seeded-users", "seed-ab:3", "--users", "2"], "--seeded-users needs --url"),
    (["--seeded-users", "seed-ab:3", "--users", "4", "--url", "http://127.0.0.1:9"],
     "an account of its own"),
])
def test_bad_options_exit_2_with_a_message(args, message):
    result = _loadtest(*args, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr


def _summary(count: int, failures: int, p99: float | None) -> Summary:
    total = RouteStats("", "Aggregated", count, failures, 10.0, 1.0, 2.0, p99, 9.0)
    return Summary(run={}, total=total, routes=[])


def test_gates_pass_within_bounds_and_name_what_they_breach():
    assert breaches(_summary(1000, 1, 20.0), max_p99_ms=25, max_error_rate=0.01) == []
    assert breaches(_summary(1000, 0, 30.0), max_p99_ms=25, max_error_rate=None) == [
        "p99 30 ms is above --max-p99-ms 25"]
    (error_rate,) = breaches(_summary(1000, 20, 1.0), max_p99_ms=None, max_error_rate=0.01)
    assert error_rate.startswith("error rate 0.0200 (20 of 1000)")
    assert breaches(_summary(0, 0, None), max_p99_ms=None, max_error_rate=None) == [
        "no request completed"]
