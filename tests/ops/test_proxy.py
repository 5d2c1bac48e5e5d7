"""The service behind the reverse proxy it requires (deploy/proxy/nginx.conf, Debian's nginx:
``.ci/run`` installs it): an oversized header is refused before the service sees it, and a
connection that sends nothing, or sends its headers a byte at a time, is closed (issue 16,
defect 4: uvicorn does neither by itself; BENCHMARKS.md, The HTTP server)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.support import ROOT, Server, free_port

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

# The timeout the proxy gives a client to send its headers, and a margin past it for the test.
HEADER_TIMEOUT = 5
WAIT = HEADER_TIMEOUT + 5


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: .ci/run installs Debian's nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return found


@pytest.fixture
def proxied(tmp_path, service_url):
    """The service, and nginx with the deployment's configuration in front of it, both on
    127.0.0.1; the proxy's URL."""
    server = Server(tmp_path / "data", args=("--no-migrate",), env={
        "DATABASE_URL": service_url, "APP_JWT_SECRET": TEST_SECRET})
    port = free_port()
    conf = (ROOT / "deploy/proxy/nginx.conf").read_text()
    assert "server api:8000;" in conf and "listen 8080;" in conf
    conf = (conf.replace("server api:8000;", f"server 127.0.0.1:{server.port};")
            .replace("listen 8080;", f"listen 127.0.0.1:{port};")
            .replace("worker_processes auto;", "worker_processes 1;"))
    folder = tmp_path / "nginx"
    folder.mkdir()
    (folder / "nginx.conf").write_text(conf)
    process = None
    try:
        server.wait_ready()
        process = subprocess.Popen(
            [_nginx(), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e",
             str(folder / "error.log"), "-g", f"daemon off; pid {folder}/nginx.pid;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/health/live", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, \
                    (folder / "error.log").read_text()
                time.sleep(0.2)
        yield url, port, server
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        server.stop()


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the peer closes ``sock`` (or answers and closes) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True  # reset
    return True


def test_requests_pass_through_the_proxy_with_the_clients_address(proxied):
    url, _, _ = proxied
    response = httpx.get(url + "/health/ready", timeout=5)
    assert response.status_code == 200
    assert len(response.headers["x-request-id"]) == 32  # nginx's $request_id, kept
    assert httpx.get(url + "/metrics", timeout=5).status_code == 404


def test_an_oversized_header_is_refused_before_the_service_sees_it(proxied):
    url, port, server = proxied
    before = server.output()
    response = httpx.get(url + "/health/live", headers={"X-Big": "a" * 20_000}, timeout=10)
    assert response.status_code in (400, 431)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: t\r\n" + b"X-A: b\r\n" * 3000)
        assert _closed_within(s, WAIT)
    assert server.output() == before  # nothing reached uvicorn to log about


def test_a_connection_that_sends_nothing_is_closed(proxied):
    _, port, _ = proxied
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        assert _closed_within(s, WAIT)


def test_a_client_sending_its_headers_a_byte_at_a_time_is_cut_off(proxied):
    _, port, _ = proxied
    request = b"GET /health/live HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"s" * 100
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        deadline = time.monotonic() + WAIT
        cut = False
        for byte in request:
            if time.monotonic() > deadline:
                break
            try:
                s.send(bytes([byte]))
            except OSError:
                cut = True
                break
            time.sleep(0.5)
            s.setblocking(False)
            try:
                if s.recv(4096, socket.MSG_PEEK) is not None:
                    cut = True  # answered (408) or closed
                    break
            except BlockingIOError:
                pass
            finally:
                s.setblocking(True)
        assert cut
