"""Logging: every line carries the id of the request it belongs to (``X-Request-ID``), as text or,
with ``APP_LOG_FORMAT=json``, as one JSON object per line. Nothing logs request bodies, headers
or query values: a line holds the logger's message (uvicorn's access line is the method, the path
with its query string, and the status), the level, the logger, the time and the request id."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec

from app.config import Settings

# The current request's id; "-" outside a request.
request_id: ContextVar[str] = ContextVar("pgapi_request_id", default="-")

_encode = msgspec.json.Encoder().encode


class RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry).decode()


def log_config(settings: Settings) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of the service's own loggers and uvicorn's."""
    formatter: dict[str, Any] = (
        {"()": "app.kit.logs.Json"} if settings.log_format == "json" else
        {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"})
    handler = {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"],
               "stream": "ext://sys.stderr"}
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "app.kit.logs.RequestId"}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "app": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["default"] if settings.access_log else [],
                               "level": level, "propagate": False},
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
