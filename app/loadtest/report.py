"""The load test's report, from the CSV files of the run: summary.json, summary.md and PNG charts.

Setup (the requests each simulated user makes once, before its actions: registration or login,
then listing its tasks) is named with the ``setup: `` prefix in Locust, reported apart,
and left out of the total and the p99 gate. The total is Locust's own ``Actions`` row of
``locust_totals.csv``: Locust's ``Aggregated`` row of ``locust_stats.csv`` minus setup.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

CSV_PREFIX = "locust"
SETUP = "setup: "
ACTIONS_ROW = "Actions"
SETUP_ROW = "Setup"
PER_SECOND_COLUMNS = ["Timestamp", "User Count", "Requests", "Failures", "Setup Requests",
                      "Setup Failures", "50%", "95%", "99%"]
CHARTS = {
    "requests_per_second.png": "requests per second",
    "latency_percentiles.png": "latency percentiles",
    "users_and_errors.png": "users and errors",
}


def is_setup(name: str) -> bool:
    """Whether Locust's entry ``name`` is a setup request."""
    return name.startswith(SETUP)


class RouteStats(msgspec.Struct):
    method: str
    name: str
    count: int
    failures: int
    requests_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None

    @property
    def error_rate(self) -> float:
        return self.failures / self.count if self.count else 0.0


class Summary(msgspec.Struct):
    run: dict[str, Any]
    total: RouteStats  # the measured actions
    routes: list[RouteStats]
    setup: RouteStats
    setup_routes: list[RouteStats]
    aggregated: RouteStats  # Locust's Aggregated row: actions and setup together


class Second(msgspec.Struct):
    """One second of the run: users at its start, requests and failures that completed in it,
    and the latency percentiles of the actions among them."""

    elapsed_s: int
    users: int
    requests: int
    failures: int
    setup_requests: int
    setup_failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _stats(row: dict[str, str]) -> RouteStats:
    return RouteStats(
        method=row["Type"], name=row["Name"], count=int(row["Request Count"]),
        failures=int(row["Failure Count"]), requests_per_second=float(row["Requests/s"]),
        p50_ms=_number(row["50%"]), p95_ms=_number(row["95%"]), p99_ms=_number(row["99%"]),
        max_ms=_number(row["Max Response Time"]),
    )


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ValueError(f"{path} is missing: Locust stopped before writing its final statistics")
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def summarize(out: Path, run: dict[str, Any]) -> Summary:
    """Per route and in total, actions and setup apart, from ``<out>/locust_stats.csv`` and
    ``<out>/locust_totals.csv``."""
    rows = {r["Name"]: r for r in _rows(out / f"{CSV_PREFIX}_totals.csv")}
    stats = _rows(out / f"{CSV_PREFIX}_stats.csv")
    aggregated = next((_stats(r) for r in stats if r["Name"] == "Aggregated"), None)
    if aggregated is None or set(rows) != {ACTIONS_ROW, SETUP_ROW}:
        raise ValueError(f"{out}: no Aggregated row in {CSV_PREFIX}_stats.csv, or not the "
                         f"{ACTIONS_ROW} and {SETUP_ROW} rows in {CSV_PREFIX}_totals.csv")
    total, setup = _stats(rows[ACTIONS_ROW]), _stats(rows[SETUP_ROW])
    if (total.count + setup.count, total.failures + setup.failures) != (
            aggregated.count, aggregated.failures):
        raise ValueError(f"{out}: actions and setup do not add up to Locust's Aggregated row")
    routes = sorted((_stats(r) for r in stats if r["Name"] != "Aggregated"),
                    key=lambda r: (r.name, r.method))
    return Summary(run=run, total=total, routes=[r for r in routes if not is_setup(r.name)],
                   setup=setup, setup_routes=[r for r in routes if is_setup(r.name)],
                   aggregated=aggregated)


def per_second(out: Path) -> list[Second]:
    """The rows of ``<out>/locust_per_second.csv``, timed from the first."""
    rows = _rows(out / f"{CSV_PREFIX}_per_second.csv")
    if not rows:
        return []
    start = int(rows[0]["Timestamp"])
    return [
        Second(elapsed_s=int(r["Timestamp"]) - start, users=int(r["User Count"]),
               requests=int(r["Requests"]), failures=int(r["Failures"]),
               setup_requests=int(r["Setup Requests"]), setup_failures=int(r["Setup Failures"]),
               p50_ms=_number(r["50%"]), p95_ms=_number(r["95%"]), p99_ms=_number(r["99%"]))
        for r in rows
    ]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _table(routes: Sequence[RouteStats], total: RouteStats, label: str) -> list[str]:
    lines = ["| route | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in [*routes, total]:
        name = label if r is total else f"`{r.method} {r.name}`"
        lines.append(
            f"| {name} | {r.count:,} | {r.failures:,} | {r.requests_per_second:,.1f} | "
            f"{_ms(r.p50_ms)} | {_ms(r.p95_ms)} | {_ms(r.p99_ms)} | {_ms(r.max_ms)} |"
        )
    return lines


def subtitle(run: dict[str, Any]) -> str:
    return (f"scenario {run['scenario']}, {run['users']} users (spawn rate "
            f"{run['spawn_rate']:g}/s), {run['duration_s']} s, {run['url']}")


def markdown(summary: Summary) -> str:
    run, everything = summary.run, summary.aggregated
    lines = [
        "# Load test",
        "",
        f"- target: {run['url']}",
        f"- scenario: {run['scenario']}, weights {run['weights']}",
        f"- users: {run['users']} (spawn rate {run['spawn_rate']:g}/s), duration "
        f"{run['duration_s']} s",
        "",
        "## Measured actions",
        "",
        *_table(summary.routes, summary.total, "**total**"),
        "",
        "## Setup",
        "",
        f"Each simulated user's requests before its actions (names starting `{SETUP}`), once per "
        "user; not in the total above nor in the p99 gate.",
        "",
        *_table(summary.setup_routes, summary.setup, "**setup total**"),
        "",
        f"Locust's Aggregated row (actions and setup): {everything.count:,} requests, "
        f"{everything.failures:,} failures.",
        "",
    ]
    for filename, alt in CHARTS.items():
        lines += [f"![{alt}]({filename})", ""]
    return "\n".join(lines)


def charts(summary: Summary, seconds: Sequence[Second], out: Path) -> list[Path]:
    """The charts of ``CHARTS``, one step a second, each titled with the scenario and users."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Each second is drawn from its start to the next one's, the last one's too.
    elapsed = [s.elapsed_s for s in seconds] + [s.elapsed_s + 1 for s in seconds[-1:]]

    def series(key: str) -> list[float]:
        values = [float("nan") if (v := getattr(s, key)) is None else v for s in seconds]
        return values + values[-1:]

    layouts = [
        ("requests_per_second.png", "Requests per second (measured actions)", "requests/s",
         [("requests/s", "requests", "-"), ("failed requests/s", "failures", "-"),
          ("setup requests/s", "setup_requests", "--")], []),
        ("latency_percentiles.png", "Latency of the measured actions, per second", "ms",
         [("p50", "p50_ms", "-"), ("p95", "p95_ms", "-"), ("p99", "p99_ms", "-")], []),
        ("users_and_errors.png", "Users and errors", "users", [("users", "users", "-")],
         [("failed requests/s", "failures", "-"), ("failed setup requests/s", "setup_failures",
                                                   "--")]),
    ]
    written = []
    for filename, title, ylabel, left, right in layouts:
        fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
        fig.suptitle(title)
        ax.set_title(subtitle(summary.run), fontsize=9)
        lines = [ax.plot(elapsed, series(key), linestyle, drawstyle="steps-post", label=label)[0]
                 for label, key, linestyle in left]
        if right:
            other = ax.twinx()
            other.set_ylabel("failed requests/s")
            colors = iter(["tab:red", "tab:orange"])
            lines += [other.plot(elapsed, series(key), linestyle, drawstyle="steps-post",
                                 color=next(colors), label=label)[0]
                      for label, key, linestyle in right]
            other.set_ylim(bottom=0)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("seconds")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend(handles=lines, loc="upper left", fontsize=8)
        fig.tight_layout()
        fig.savefig(out / filename)
        plt.close(fig)
        written.append(out / filename)
    return written


def write(out: Path, run: dict[str, Any]) -> Summary:
    """summary.json, summary.md and the charts, into ``out``."""
    summary = summarize(out, run)
    (out / "summary.json").write_bytes(msgspec.json.format(msgspec.json.encode(summary)))
    (out / "summary.md").write_text(markdown(summary))
    charts(summary, per_second(out), out)
    return summary


def every_request_failed(summary: Summary) -> str | None:
    """When every request failed (setup included), a sentence saying so; else None."""
    everything = summary.aggregated
    if everything.count == 0 or everything.failures < everything.count:
        return None
    return f"every request failed ({everything.failures:,} of {everything.count:,})"


def most_frequent_failure(out: Path) -> str | None:
    """The most frequent entry of ``<out>/locust_failures.csv``: "METHOD name: error (n times)"."""
    rows = _rows(out / f"{CSV_PREFIX}_failures.csv")
    if not rows:
        return None
    top = max(rows, key=lambda r: int(r["Occurrences"]))
    return f"{top['Method']} {top['Name']}: {top['Error']} ({int(top['Occurrences']):,} times)"


def breaches(summary: Summary, *, max_p99_ms: float | None,
             max_error_rate: float | None) -> list[str]:
    """What the run breached, as sentences; empty when it passed. The p99 is the measured
    actions'; the error rate counts every request, setup included."""
    found = []
    total, everything = summary.total, summary.aggregated
    if total.count == 0:
        found.append("no measured request completed")
    if max_p99_ms is not None and (total.p99_ms is None or total.p99_ms > max_p99_ms):
        found.append(f"p99 {_ms(total.p99_ms)} ms is above --max-p99-ms {max_p99_ms:g}")
    if max_error_rate is not None and everything.error_rate > max_error_rate:
        found.append(f"error rate {everything.error_rate:.4f} ({everything.failures} of "
                     f"{everything.count} requests, setup included) is above --max-error-rate "
                     f"{max_error_rate:g}")
    return found
