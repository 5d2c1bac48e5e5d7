"""The load test's report, from Locust's CSV files: summary.json, summary.md and PNG charts."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import msgspec

CSV_PREFIX = "locust"


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
    total: RouteStats
    routes: list[RouteStats]


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


def summarize(out: Path, run: dict[str, Any]) -> Summary:
    """Per route and in total, from ``<out>/locust_stats.csv``."""
    with open(out / f"{CSV_PREFIX}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    routes = [_stats(r) for r in rows if r["Name"] != "Aggregated"]
    total = next((_stats(r) for r in rows if r["Name"] == "Aggregated"), None)
    if total is None:
        raise ValueError(f"{out}/{CSV_PREFIX}_stats.csv has no Aggregated row")
    return Summary(run=run, total=total, routes=sorted(routes, key=lambda r: (r.name, r.method)))


def history(out: Path) -> list[dict[str, float | None]]:
    """The aggregated row of each second: elapsed seconds, users, requests/s and percentiles
    (over Locust's recent window)."""
    path = out / f"{CSV_PREFIX}_stats_history.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    if not rows:
        return []
    start = int(rows[0]["Timestamp"])
    return [
        {
            "elapsed_s": int(r["Timestamp"]) - start, "users": _number(r["User Count"]),
            "requests_per_second": _number(r["Requests/s"]),
            "failures_per_second": _number(r["Failures/s"]), "p50_ms": _number(r["50%"]),
            "p95_ms": _number(r["95%"]), "p99_ms": _number(r["99%"]),
            "requests": _number(r["Total Request Count"]),
            "failures": _number(r["Total Failure Count"]),
        }
        for r in rows
    ]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def markdown(summary: Summary) -> str:
    run = summary.run
    lines = [
        "# Load test",
        "",
        f"- target: {run['url']}",
        f"- scenario: {run['scenario']}, weights {run['weights']}",
        f"- users: {run['users']} (spawn rate {run['spawn_rate']}/s), duration {run['duration_s']} s",
        "",
        "| route | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [*summary.routes, summary.total]:
        name = "**total**" if r is summary.total else f"`{r.method} {r.name}`"
        lines.append(
            f"| {name} | {r.count:,} | {r.failures:,} | {r.requests_per_second:,.1f} | "
            f"{_ms(r.p50_ms)} | {_ms(r.p95_ms)} | {_ms(r.p99_ms)} | {_ms(r.max_ms)} |"
        )
    lines += ["", "![requests per second](requests_per_second.png)", "",
              "![latency percentiles](latency_percentiles.png)", ""]
    return "\n".join(lines)


def charts(points: list[dict[str, float | None]], out: Path) -> list[Path]:
    """requests_per_second.png and latency_percentiles.png over the run's seconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    elapsed = [p["elapsed_s"] for p in points]
    written = []
    for filename, title, ylabel, series in [
        ("requests_per_second.png", "Requests per second", "requests/s",
         [("requests/s", "requests_per_second"), ("failures/s", "failures_per_second")]),
        ("latency_percentiles.png", "Latency percentiles", "ms",
         [("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms")]),
    ]:
        fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
        for label, key in series:
            ax.plot(elapsed, [p[key] if p[key] is not None else float("nan") for p in points],
                    label=label)
        ax.set_title(title)
        ax.set_xlabel("seconds")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / filename)
        plt.close(fig)
        written.append(out / filename)
    return written


def write(out: Path, run: dict[str, Any]) -> Summary:
    """summary.json, summary.md and the charts, into ``out``."""
    summary = summarize(out, run)
    (out / "summary.json").write_bytes(msgspec.json.format(msgspec.json.encode(summary)))
    (out / "history.json").write_text(json.dumps(history(out)))
    (out / "summary.md").write_text(markdown(summary))
    charts(history(out), out)
    return summary


def breaches(summary: Summary, *, max_p99_ms: float | None,
             max_error_rate: float | None) -> list[str]:
    """What the run breached, as sentences; empty when it passed."""
    found = []
    total = summary.total
    if total.count == 0:
        found.append("no request completed")
    if max_p99_ms is not None and (total.p99_ms is None or total.p99_ms > max_p99_ms):
        found.append(f"p99 {_ms(total.p99_ms)} ms is above --max-p99-ms {max_p99_ms:g}")
    if max_error_rate is not None and total.error_rate > max_error_rate:
        found.append(f"error rate {total.error_rate:.4f} ({total.failures} of {total.count}) is "
                     f"above --max-error-rate {max_error_rate:g}")
    return found
