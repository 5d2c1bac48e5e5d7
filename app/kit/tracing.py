"""OpenTelemetry tracing, with ``APP_TRACING=true`` and the ``tracing`` extra: a span per request
named by its route template (``GET /tasks/{task_id}``), continuing the caller's trace from its
W3C ``traceparent`` header, and inside it a span per statement named by its SQL file
(``sql tasks/get_task``). Spans go to the OTLP/HTTP exporter, configured by the standard
variables (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_SERVICE_NAME``, ...), unless the process has
installed a tracer provider of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.config import ConfigError

from litestar.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from litestar.plugins import InitPluginProtocol
    from opentelemetry.trace import Tracer


def _span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The request span's name before routing, which ``RouteSpanName`` replaces: the method
    alone, never the raw path."""
    return str(scope.get("method", "HTTP")), {}


class RouteSpanName:
    """Names the request's span by its route template once the route is known (Litestar's
    OpenTelemetry middleware starts the span before routing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from opentelemetry import trace

        template = scope.get("path_template")
        if template:
            span = trace.get_current_span()
            span.update_name(f"{scope.get('method', '')} {template}".strip())
            span.set_attribute("http.route", template)
        await self.app(scope, receive, send)


def tracing() -> tuple[Tracer, InitPluginProtocol]:
    """The tracer for statements and Litestar's OpenTelemetry plugin for requests (add
    ``RouteSpanName`` to the app's middleware)."""
    try:
        from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:
        raise ConfigError("APP_TRACING=true needs the tracing extra: "
                          "pip install 'pgapi[tracing]'") from None
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    config = OpenTelemetryConfig(scope_span_details_extractor=_span_details,
                                 exclude=["/health", "/metrics"],
                                 exclude_spans=["receive", "send"])
    return trace.get_tracer("pgapi"), OpenTelemetryPlugin(config)
