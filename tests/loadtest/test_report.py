"""The report on its own: reading the CSV files of a run (synthetic ones here), and the gates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.loadtest.report import (
    PER_SECOND_COLUMNS,
    RouteStats,
    Second,
    Summary,
    breaches,
    every_request_failed,
    most_frequent_failure,
    per_second,
    summarize,
)

STATS_COLUMNS = ["Type", "Name", "Request Count", "Failure Count", "Median Response Time",
                 "Average Response Time", "Min Response Time", "Max Response Time",
                 "Average Content Size", "Requests/s", "Failures/s", "50%", "66%", "75%", "80%",
                 "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]
RUN = {"url": "http://127.0.0.1:8000", "scenario": "mixed", "weights": {}, "users": 2,
       "spawn_rate": 2.0, "duration_s": 3}


def _write(path: Path, columns: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows)


def _stats_row(method: str, name: str, count: int, failures: int, p99: int) -> list:
    return [method, name, count, failures, 4, 5.0, 1, p99, 100, count / 10, failures / 10,
            *[4] * 7, p99, p99, p99, p99]


def _run_folder(tmp_path: Path, *, actions: int = 90, setup: int = 2) -> Path:
    _write(tmp_path / "locust_stats.csv", STATS_COLUMNS, [
        _stats_row("POST", "setup: /auth/register", setup, 0, 4100),
        _stats_row("GET", "/tasks", actions, 3, 12),
        _stats_row("", "Aggregated", 92, 3, 4100),
    ])
    _write(tmp_path / "locust_totals.csv", STATS_COLUMNS, [
        _stats_row("", "Actions", actions, 3, 12), _stats_row("", "Setup", setup, 0, 4100)])
    return tmp_path


def test_the_total_is_the_actions_row_and_setup_stays_apart(tmp_path):
    summary = summarize(_run_folder(tmp_path), RUN)
    assert (summary.total.name, summary.total.count, summary.total.p99_ms) == ("Actions", 90, 12)
    assert [r.name for r in summary.routes] == ["/tasks"]
    assert [r.name for r in summary.setup_routes] == ["setup: /auth/register"]
    assert (summary.setup.count, summary.setup.p99_ms) == (2, 4100)
    assert (summary.aggregated.count, summary.aggregated.failures) == (92, 3)


def test_totals_that_do_not_add_up_to_locusts_aggregated_row_are_refused(tmp_path):
    with pytest.raises(ValueError, match="do not add up"):
        summarize(_run_folder(tmp_path, actions=89), RUN)


def test_a_run_without_locusts_final_statistics_is_refused(tmp_path):
    (_run_folder(tmp_path) / "locust_totals.csv").unlink()
    with pytest.raises(ValueError, match="locust_totals.csv is missing"):
        summarize(tmp_path, RUN)


def test_requests_per_second_are_the_counts_of_each_second(tmp_path):
    _write(tmp_path / "locust_per_second.csv", PER_SECOND_COLUMNS, [
        [1700000000, 1, 40, 0, 1, 0, 3, 9, 12],
        [1700000001, 2, 1026, 2, 1, 0, 4, 10, 15],
        [1700000002, 2, 0, 0, 0, 0, "N/A", "N/A", "N/A"],
        [1700000003, 2, 1422, 0, 0, 0, 5, 11, 20],
    ])
    assert per_second(tmp_path) == [
        Second(0, 1, 40, 0, 1, 0, 3, 9, 12), Second(1, 2, 1026, 2, 1, 0, 4, 10, 15),
        Second(2, 2, 0, 0, 0, 0, None, None, None), Second(3, 2, 1422, 0, 0, 0, 5, 11, 20)]


def _summary(count: int, failures: int, p99: float | None, *, setup_failures: int = 0,
             setup_p99: float = 4100.0) -> Summary:
    total = RouteStats("", "Actions", count, failures, 10.0, 1.0, 2.0, p99, 9.0)
    setup = RouteStats("", "Setup", 10, setup_failures, 1.0, 4000.0, 4100.0, setup_p99, 4200.0)
    everything = RouteStats("", "Aggregated", count + 10, failures + setup_failures, 11.0, 1.0,
                            2.0, setup_p99, 4200.0)
    return Summary(run={}, total=total, routes=[], setup=setup, setup_routes=[],
                   aggregated=everything)


def test_the_p99_gate_leaves_setup_out_and_the_error_rate_counts_it():
    assert breaches(_summary(990, 1, 20.0), max_p99_ms=25, max_error_rate=0.01) == []
    assert breaches(_summary(990, 0, 30.0), max_p99_ms=25, max_error_rate=None) == [
        "p99 30 ms is above --max-p99-ms 25"]
    (error_rate,) = breaches(_summary(990, 10, 1.0, setup_failures=10), max_p99_ms=None,
                             max_error_rate=0.01)
    assert error_rate.startswith("error rate 0.0200 (20 of 1000 requests, setup included)")
    assert breaches(_summary(0, 0, None), max_p99_ms=None, max_error_rate=None) == [
        "no measured request completed"]


def test_a_run_where_every_request_failed_says_so_and_names_the_most_frequent_error(tmp_path):
    assert every_request_failed(_summary(990, 989, 1.0, setup_failures=10)) is None
    assert every_request_failed(_summary(990, 990, 1.0, setup_failures=10)) == (
        "every request failed (1,000 of 1,000)")
    _write(tmp_path / "locust_failures.csv",
           ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"],
           [["POST", "setup: /auth/login", "HTTPError('401')", 2, "", ""],
            ["GET", "/tasks", "HTTPError('401')", 988, "", ""]])
    assert most_frequent_failure(tmp_path) == "GET /tasks: HTTPError('401') (988 times)"
    _write(tmp_path / "locust_failures.csv",
           ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"], [])
    assert most_frequent_failure(tmp_path) is None
