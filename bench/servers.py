"""The HTTP server under the service: uvicorn with httptools (what ``serve`` runs), uvicorn with
h11 (whose parser has a header-size limit, 16 KiB), and granian (a Rust server with a header-read
timeout and a buffer limit), each with one worker on the same seeded database.

For each: ``GET /tasks/{id}`` and ``POST /tasks`` with wrk, interleaved rounds (median), and three
probes of what a hostile or unlucky client does, each bounded in time:

- a 100 MB header, sent as fast as the server takes it for at most 10 s: how much it took before
  answering or closing, its answer, the worker's memory growth, and the slowest ``GET
  /health/live`` meanwhile;
- 100 connections that send nothing: how many are still open after 10 s;
- 20 connections sending their headers a byte every half second (slowloris): how many are still
  open after 10 s.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

import psutil

from bench.stack import (
    SECRET,
    Cluster,
    Dataset,
    Server,
    free_port,
    interleaved,
    median_sample,
    wrk_script,
)

HEADER_LIMIT = 16 * 1024
MODES = {"get": "GET /tasks/{id}", "create": "POST /tasks"}


def _commands(port: int) -> dict[str, list[str]]:
    uvicorn = [sys.executable, "-m", "uvicorn", "app.server:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
               "--no-access-log", "--log-level", "warning"]
    return {
        "uvicorn + httptools": [*uvicorn, "--http", "httptools"],
        "uvicorn + h11": [*uvicorn, "--http", "h11",
                          "--h11-max-incomplete-event-size", str(HEADER_LIMIT)],
        "granian": [sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
                    "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
                    "--workers", "1", "--http", "1", "--no-ws", "--log-level", "warning",
                    "--http1-header-read-timeout", "5000",
                    "--http1-buffer-size", str(HEADER_LIMIT), "app.server:create_app"],
    }


def _servers(data: Dataset, out: Path) -> dict[str, Server]:
    servers = {}
    for name in _commands(0):
        port = free_port()
        servers[name] = Server(name.replace(" ", "").replace("+", "-"), _commands(port)[name],
                               {"DATABASE_URL": data.url, "APP_JWT_SECRET": SECRET}, port, out,
                               probe="/tasks/stats", token=data.tokens[0])
    return servers


def _rss(server: Server) -> int:
    return sum(psutil.Process(pid).memory_info().rss for pid in server.pids())


def _live_ms(server: Server, stop: threading.Event, worst: list[float]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            urllib.request.urlopen(server.url + "/health/live", timeout=10).read()
        except OSError:
            pass
        worst[0] = max(worst[0], (time.monotonic() - started) * 1000)
        time.sleep(0.05)


def big_header(server: Server, size: int = 100 * 1024 * 1024, seconds: float = 10) -> dict:
    before = _rss(server)
    stop, worst = threading.Event(), [0.0]
    watcher = threading.Thread(target=_live_ms, args=(server, stop, worst))
    watcher.start()
    sent, answer, peak = 0, "", before
    chunk = b"a" * 65536
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as s:
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: bench\r\nX-Big: ")
        deadline = time.monotonic() + seconds
        s.settimeout(0.5)
        try:
            while sent < size and time.monotonic() < deadline:
                s.sendall(chunk)
                sent += len(chunk)
                if sent % (4 * 1024 * 1024) == 0:
                    peak = max(peak, _rss(server))
        except OSError:
            pass  # closed by the server (or a full buffer it no longer reads)
        peak = max(peak, _rss(server))
        try:
            s.settimeout(2)
            answer = s.recv(200).split(b"\r\n", 1)[0].decode(errors="replace") or "closed"
        except OSError:
            answer = "no answer"
    stop.set()
    watcher.join()
    return {"sent_mb": round(sent / 1048576, 1), "answer": answer,
            "rss_growth_mb": round((peak - before) / 1048576, 1),
            "worst_live_ms": round(worst[0], 1)}


def _open(sockets: list[socket.socket]) -> int:
    still = 0
    for s in sockets:
        s.setblocking(False)
        try:
            still += s.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            still += 1  # nothing to read and not closed
        except OSError:
            pass
    return still


def idle(server: Server, count: int = 100, seconds: float = 10) -> int:
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=2)
               for _ in range(count)]
    try:
        time.sleep(seconds)
        return _open(sockets)
    finally:
        for s in sockets:
            s.close()


def slowloris(server: Server, count: int = 20, seconds: float = 10) -> int:
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=2)
               for _ in range(count)]
    request = b"GET /health/live HTTP/1.1\r\nHost: bench\r\nX-Slow: " + b"s" * 1000
    try:
        deadline, i = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            for s in sockets:
                try:
                    s.send(request[i:i + 1])
                except OSError:
                    pass
            i += 1
            time.sleep(0.5)
        return _open(sockets)
    finally:
        for s in sockets:
            s.close()


def run(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        data = cluster.seeded("servers", users=args.users, per_user=args.tasks_per_user)
        servers = _servers(data, out)
        scripts = {mode: wrk_script(data, mode, out) for mode in MODES}
        probes: dict[str, dict] = {}
        for server in servers.values():
            server.__enter__()
        try:
            samples = interleaved(servers, scripts, MODES, args)
            for name, server in servers.items():
                probes[name] = {"big_header": big_header(server), "idle_open": idle(server),
                                "slowloris_open": slowloris(server)}
                print(f"{name}: {probes[name]}", file=sys.stderr)
        finally:
            for server in servers.values():
                server.__exit__()
    return {"settings": {"duration_s": args.duration, "rounds": args.rounds,
                         "connections": args.connections, "header_limit": HEADER_LIMIT},
            "modes": {mode: {name: asdict(median_sample(s)) for name, s in by_server.items()}
                      for mode, by_server in samples.items()},
            "probes": probes}


def markdown(result: dict) -> str:
    s = result["settings"]
    base = "uvicorn + httptools"
    lines = [
        f"One worker each, wrk {s['connections']} connections, {s['duration_s']} s, "
        f"{s['rounds']} interleaved rounds (median shown). uvicorn + h11 with "
        f"`--h11-max-incomplete-event-size {s['header_limit']}`; granian with "
        f"`--http1-header-read-timeout 5000 --http1-buffer-size {s['header_limit']}`.",
        "",
        "| request | server | req/s | p50 ms | p99 ms | errors | CPU µs/req | vs httptools |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, by_server in result["modes"].items():
        for name, t in by_server.items():
            cpu = f"{t['cpu_us']:.0f}" if t.get("cpu_us") is not None else "-"
            lines.append(f"| {MODES[mode]} | {name} | {t['rps']:,.0f} | {t['p50_ms']:.2f} | "
                         f"{t['p99_ms']:.2f} | {t['errors']} | {cpu} | "
                         f"{t['rps'] / by_server[base]['rps']:.2f}x |")
    lines += ["", "| server | 100 MB header: taken | answer | worker memory growth | slowest "
              "/health/live meanwhile | 100 idle connections open after 10 s | 20 slowloris "
              "connections open after 10 s |", "|---|---:|---|---:|---:|---:|---:|"]
    for name, p in result["probes"].items():
        h = p["big_header"]
        lines.append(f"| {name} | {h['sent_mb']} MB | {h['answer']} | {h['rss_growth_mb']} MB | "
                     f"{h['worst_live_ms']} ms | {p['idle_open']} | {p['slowloris_open']} |")
    return "\n".join(lines)
