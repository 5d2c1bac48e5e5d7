"""OpenTelemetry tracing, with ``APP_TRACING=true`` and the ``tracing`` extra: a span per request
named by its route template (``GET /tasks/{task_id:int}``), continuing the caller's trace from its
W3C ``traceparent`` header, and inside it a span per statement named by its SQL file
(``sql tasks/get_task``). Spans go to the OTLP/HTTP exporter, configured by the standard
variables (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_SERVICE_NAME``, ...), unless the process has
installed a tracer provider of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.config import ConfigError

if TYPE_CHECKING:
    from litestar.plugins import InitPluginProtocol
    from litestar.types import Scope
    from opentelemetry.trace import Tracer


def _span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    template = scope.get("path_template") or scope.get("path", "")
    name = f"{scope.get('method', '')} {template}".strip()
    return name, {"http.route": template}


def tracing() -> tuple[Tracer, InitPluginProtocol]:
    """The tracer for statements and Litestar's OpenTelemetry plugin for requests."""
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
                                 exclude=["/health", "/metrics"])
    return trace.get_tracer("pgapi"), OpenTelemetryPlugin(config)
