"""The process's own state that the HTTP server and the app share: ``draining`` is set when the
server has been told to stop (SIGTERM), so readiness answers 503 while requests still run."""

from __future__ import annotations

import threading

draining = threading.Event()
