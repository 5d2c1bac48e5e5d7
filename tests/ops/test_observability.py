"""/metrics, request ids, log lines and traces, in the app itself (a subprocess server with
several workers and its log output: tests/ops/test_serving.py)."""

from __future__ import annotations

import logging

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.kit.logs import Json, RequestId, request_id
from tests.conftest import app_for
from tests.helpers import Account, create_task, register


def _samples(text: str, name: str) -> dict[str, float]:
    """The samples of one metric: label set (as written) -> value."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels, value = line[len(name):].rsplit(" ", 1)
            found[labels] = float(value)
    return found


async def test_metrics_count_requests_by_route_template_and_status(client, alice: Account):
    task = await create_task(client, alice)
    for _ in range(3):
        assert (await client.get(f"/tasks/{task['id']}", headers=alice.headers)).status_code == 200
    assert (await client.get("/tasks/999999", headers=alice.headers)).status_code == 404
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    counts = _samples(response.text, "pgapi_requests_total")
    template = 'method="GET",path="/tasks/{task_id}"'
    assert counts[f'{{app_name="pgapi",{template},status_code="200"}}'] >= 3
    assert counts[f'{{app_name="pgapi",{template},status_code="404"}}'] >= 1
    assert not any(f"/tasks/{task['id']}\"" in labels for labels in counts)
    assert any(f'le="0.005",{template},status_code="200"' in line
               for line in response.text.splitlines()
               if line.startswith("pgapi_request_duration_seconds_bucket"))


async def test_metrics_show_the_pool_and_database_errors_by_class(client):
    await register(client, "twice@example.com")
    again = await client.post("/auth/register", json={
        "email": "twice@example.com", "name": "Twice", "password": "correct horse battery"})
    assert again.status_code == 409
    text = (await client.get("/metrics")).text
    assert _samples(text, "pgapi_db_errors_total")['{class="23"}'] >= 1
    assert _samples(text, "pgapi_db_pool_size")['{pool="primary"}'] >= 1
    assert '{pool="primary"}' in _samples(text, "pgapi_db_pool_in_use")
    assert '{pool="primary"}' in _samples(text, "pgapi_db_pool_waiting")


async def test_metrics_are_not_in_the_openapi_document(client):
    document = (await client.get("/schema/openapi.json")).json()
    assert "/metrics" not in document["paths"]


@pytest.mark.parametrize("given, kept", [
    ("abc-123.DEF_4:5", True), ("", False), ("x" * 129, False), ("bad id", False),
    ("a/b", False), ("a\"b", False)])
async def test_a_request_id_is_kept_when_valid_and_made_otherwise(client, given, kept):
    headers = {"X-Request-ID": given} if given else {}
    response = await client.get("/health/live", headers=headers)
    returned = response.headers["x-request-id"]
    if kept:
        assert returned == given
    else:
        assert returned != given and len(returned) == 32 and returned.isalnum()


async def test_each_request_without_an_id_gets_a_new_one(client):
    first = (await client.get("/health/live")).headers["x-request-id"]
    second = (await client.get("/health/live")).headers["x-request-id"]
    assert first != second


def test_a_json_log_line_carries_the_request_id_and_the_exception():
    record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
    token = request_id.set("rid-1")
    try:
        RequestId().filter(record)
    finally:
        request_id.reset(token)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    line = msgspec.json.decode(Json().format(record))
    assert line["request_id"] == "rid-1" and line["message"] == "failed here"
    assert line["level"] == "error" and line["logger"] == "app"
    assert "ValueError: boom" in line["exception"]


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    """An in-memory exporter behind the process's tracer provider (set once per process)."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_traces_have_a_span_per_route_template_and_per_sql_file(settings, spans):
    import msgspec.structs

    traced = app_for(msgspec.structs.replace(settings, tracing=True))
    async with AsyncTestClient(app=traced) as client:
        alice = await register(client, "traced@example.com")
        task = await create_task(client, alice)
        spans.clear()
        parent = "4bf92f3577b34da6a3ce929d0e0e4736"
        response = await client.get(f"/tasks/{task['id']}", headers={
            **alice.headers, "traceparent": f"00-{parent}-00f067aa0ba902b7-01"})
        assert response.status_code == 200
    finished = spans.get_finished_spans()
    names = {s.name for s in finished}
    assert "GET /tasks/{task_id}" in names
    assert "sql tasks/get_task" in names
    assert not any(str(task["id"]) in name for name in names)
    assert {format(s.context.trace_id, "032x") for s in finished} == {parent}
    request = next(s for s in finished if s.name == "GET /tasks/{task_id}")
    statement = next(s for s in finished if s.name == "sql tasks/get_task")
    assert statement.parent is not None and statement.parent.span_id == request.context.span_id
    assert statement.attributes["db.system"] == "postgresql"
