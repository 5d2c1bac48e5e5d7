"""The OpenAPI document: every route has an operation id, typed bodies, and its error responses;
every route but health, schema and login/registration requires a bearer token."""

from __future__ import annotations

import re

PUBLIC = {"/health/live", "/health/ready", "/auth/register", "/auth/login"}


async def _document(client) -> dict:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_every_operation_has_an_id_responses_and_errors(client):
    document = await _document(client)
    seen = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            assert operation.get("operationId"), (method, path)
            assert operation["operationId"] not in seen
            seen.add(operation["operationId"])
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), (method, path)
            if not path.startswith("/health"):
                assert {"400", "503"} <= codes, (method, path)
            if path not in PUBLIC:
                assert "401" in codes, (method, path)
                assert operation.get("security") == [{"bearer": []}], (method, path)


async def test_bounds_reach_the_schema(client):
    document = await _document(client)
    schemas = document["components"]["schemas"]
    title = schemas["TaskCreate"]["properties"]["title"]
    assert title["maxLength"] == 200 and title["minLength"] == 1
    params = {p["name"]: p for p in document["paths"]["/tasks"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 100
    assert params["limit"]["schema"]["minimum"] == 1


async def test_every_protected_route_answers_401_without_a_token(client):
    document = await _document(client)
    for path, item in document["paths"].items():
        if path in PUBLIC:
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in item:
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            response = await client.request(method.upper(), concrete)
            assert response.status_code == 401, (method, path, response.text)


async def test_interactive_page_is_served(client):
    response = await client.get("/schema/swagger")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
