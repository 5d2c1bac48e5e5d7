"""What the HTTP layer adds for browsers and slow links: CORS for the configured origins, and
compressed bodies above a size."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import brotli
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from app.config import Settings
from app.http.compression import accepted_encoding
from tests.conftest import app_for
from tests.helpers import register

APP_ORIGIN = "https://app.example.com"


async def _client(settings: Settings, **changes: object) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app_for(msgspec.structs.replace(settings, **changes))) as c:
        yield c


@pytest.fixture
async def cors_client(settings) -> AsyncIterator[AsyncTestClient]:
    async for client in _client(settings, cors_origins=(APP_ORIGIN,)):
        yield client


async def test_a_preflight_from_a_configured_origin_is_allowed(cors_client):
    response = await cors_client.options("/tasks/1", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, content-type, if-match"})
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "PATCH" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "if-match", "idempotency-key"} <= {
        h.strip() for h in allowed.split(",")}


async def test_a_configured_origin_may_read_the_response_and_its_etag(cors_client):
    alice = await register(cors_client, "alice@example.com")
    response = await cors_client.post("/tasks", json={"title": "t"},
                                      headers={**alice.headers, "Origin": APP_ORIGIN})
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


async def test_another_origin_gets_no_cors_headers(cors_client):
    preflight = await cors_client.options("/tasks", headers={
        "Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    response = await cors_client.get("/health/live", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in response.headers


async def test_without_configured_origins_there_is_no_cors(client):
    response = await client.get("/health/live", headers={"Origin": APP_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("br, gzip", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
])
async def test_large_bodies_are_compressed_as_the_client_accepts(client, accept, encoding, decode):
    plain = await client.get("/schema/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    async with client.stream("GET", "/schema/openapi.json",
                             headers={"Accept-Encoding": accept}) as response:
        sent = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == encoding
    assert "accept-encoding" in response.headers["vary"].lower()
    assert decode(sent) == plain.content
    assert len(sent) < len(plain.content) / 4


async def test_small_bodies_are_sent_as_they_are(client):
    response = await client.get("/health/live", headers={"Accept-Encoding": "br, gzip"})
    assert "content-encoding" not in response.headers


async def test_compression_can_be_turned_off(settings):
    async for client in _client(settings, compression_min_bytes=0):
        response = await client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in response.headers


@pytest.mark.parametrize(("header", "coding"), [
    ("gzip, deflate, br", b"br"), ("br;q=0, gzip", b"gzip"), ("GZIP", b"gzip"),
    ("gzip;q=0.5, br;q=0.9", b"br"), ("*", b"br"), ("*, br;q=0", b"gzip"), ("identity", None),
    ("deflate", None), ("gzip;q=0, br;q=0", None), ("br;q=nonsense", None), ("", None),
])
def test_the_accepted_encoding_is_read_as_rfc_9110_says(header, coding):
    assert accepted_encoding([(b"accept-encoding", header.encode())]) == coding


async def test_a_refused_encoding_is_not_used(client):
    response = await client.get("/schema/openapi.json",
                                headers={"Accept-Encoding": "br;q=0, gzip"})
    assert response.headers["content-encoding"] == "gzip"
