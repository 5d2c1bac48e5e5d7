"""Bodies made to hurt, on every JSON route of the document: invalid UTF-8, lone surrogates,
duplicate keys, values of the wrong type, empty bodies, and documents crafted to cost CPU. Each is
a 400 (or 413) naming the problem, never a 500, with no traceback in the log; nothing is written.
(What such bodies cost the event loop is measured in ``python -m bench bodies``, not here.)"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from app.http.validation import MAX_DEPTH
from tests.conftest import app_for
from tests.helpers import PASSWORD, Account, create_task, served
from tests.routes import RECIPE_DOCUMENT, arrange, bodies, operations

JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def http(settings) -> AsyncIterator[httpx.AsyncClient]:
    async with served(app_for(settings)) as client:
        yield client


async def _token(http: httpx.AsyncClient) -> dict[str, str]:
    response = await http.post("/auth/register", json={"email": "hostile@example.com",
                                                        "name": "H", "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}", **JSON}


def _json_routes(document: dict) -> list:
    return [o for o in operations(document) if o.body is not None]


def _ids(document: dict) -> dict[str, int]:
    return {name: 1 for o in operations(document) for name in
            (p["name"] for p in o.parameters if p["in"] == "path")}


async def test_invalid_utf8_is_a_400_on_every_json_route_and_logs_no_traceback(http, caplog):
    headers = await _token(http)
    document = (await http.get("/schema/openapi.json")).json()
    routes = _json_routes(document)
    assert len(routes) >= 15
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for operation in routes:
            body = b'["\xff"]' if operation.body.get("type") == "array" else b'{"x": "ab\xff"}'
            response = await http.request(operation.method, operation.url(_ids(document)),
                                          content=body, headers=headers)
            assert response.status_code == 400, (operation.operation_id, response.text)
            problem = response.json()
            assert "UTF-8" in problem["detail"], (operation.operation_id, problem)
            assert problem["extra"]["field"] == ""
            assert problem["extra"]["position"] == body.index(b"\xff")
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == []


async def test_the_probe_itself_invalid_utf8_to_login_and_register_is_a_400(http, caplog):
    """The probe as it was sent: no token, the public routes."""
    body = b'{"email":"\xff"}'
    with caplog.at_level(logging.INFO):
        for path in ("/auth/login", "/auth/register"):
            response = await http.post(path, content=body, headers=JSON)
            assert response.status_code == 400, (path, response.text)
            assert response.json()["extra"] == {"field": "", "position": body.index(b"\xff")}
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []


async def test_a_route_that_needs_a_token_refuses_a_bad_body_without_one_as_401(http):
    """The token is checked before the body costs anything (python -m bench bodies)."""
    for body in (b'{"x": "\xff"}', b"{", b'{"essays": [' + b"[" * 10_000 + b"]}"):
        response = await http.post("/batches", content=body, headers=JSON)
        assert response.status_code == 401, response.text


async def test_a_lone_surrogate_escape_is_named(http):
    headers = await _token(http)
    for escape in ("\\ud800", "\\udc00", "\\ud800\\u0041"):
        body = b'{"title": "a' + escape.encode() + b'"}'
        response = await http.post("/tasks", content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert "surrogate" in response.json()["detail"]
        assert response.json()["extra"]["position"] == body.index(b"\\u")
    paired = await http.post("/tasks", content=b'{"title": "\\ud83d\\ude00"}', headers=headers)
    assert paired.status_code == 201
    assert paired.json()["title"] == "\U0001F600"


@pytest.mark.parametrize("path, body, field", [
    ("/tasks", b'{"title": "a", "title": "b"}', "title"),
    ("/recipes", b'{"name": "x", "recipe_json": {"ingredients": [], "instructions": [], '
                 b'"a": 1, "a": 2}}', "recipe_json.a"),
    ("/recipes", b'{"name": "x", "recipe_json": {"ingredients": [{"name": "a", "unit": "g", '
                 b'"unit": "kg"}], "instructions": []}}', "recipe_json.ingredients[0].unit"),
    ("/batches", b'{"essays": [{"content_id": "e", "language": "en", '
                 b'"metadata": {"x": {"y": 1, "z": 2, "y": 3}}}]}', "essays[0].metadata.x.y"),
    ("/tasks", b'{"title": "a", "\\u0074itle": "b"}', "title"),
])
async def test_duplicate_keys_are_a_400_naming_the_key(client, alice: Account, path, body, field):
    response = await client.post(path, content=body, headers={**alice.headers, **JSON})
    assert response.status_code == 400, response.text
    assert response.json()["extra"]["field"] == field
    assert "twice" in response.json()["detail"]
    listed = await client.get(path, headers=alice.headers)
    assert listed.json()["items"] == []


def _essays(n: int, last: bytes = b"") -> bytes:
    """A batch body of ``n`` essays with a kilobyte of metadata each, then ``last``."""
    metadata = b'{"x": [' + b",".join([b"{}"] * 300) + b"]}"
    return b",".join(b'{"content_id": "e%d", "language": "en", "metadata": %s}' % (i, metadata)
                     for i in range(n)) + last


async def test_a_repeat_in_a_large_body_is_found_in_the_part_that_holds_it(client, alice):
    """Past 64 KiB the part holding the repeat is found in C (python -m bench bodies)."""
    deep = b'{"essays": [' + _essays(300, b', {"content_id": "z", "language": "en", '
                                          b'"metadata": {"a": {"k": 1, "k": 2}}}') + b"]}"
    top = b'{"essays": [{"content_id": "a", "language": "en"}], "essays": [' + _essays(300) + b"]}"
    for body, field, words in [(deep, "essays[300].metadata.a.k", "twice"),
                               (top, "", "repeats one of its keys")]:
        assert len(body) > 65536
        response = await client.post("/batches", content=body, headers={**alice.headers, **JSON})
        assert response.status_code == 400, response.text
        assert response.json()["extra"]["field"] == field
        assert words in response.json()["detail"]


async def test_keys_that_only_look_alike_are_not_duplicates(client, alice: Account):
    body = (b'{"name": "x", "recipe_json": {"ingredients": [], "instructions": [], '
            b'"a:b": 1, "a": 2, "\\u003a": 3, "\\\\u003a": 4, "s": "\\u003a:"}}')
    response = await client.post("/recipes", content=body, headers={**alice.headers, **JSON})
    assert response.status_code == 201, response.text
    assert response.json()["recipe_json"] == {
        "ingredients": [], "instructions": [], "a:b": 1, "a": 2, ":": 3, "\\u003a": 4,
        "s": "::"}


@pytest.mark.parametrize("path, body, field", [
    ("/tasks/{task_id}", {"completed": "true"}, "completed"),
    ("/tasks/{task_id}", {"completed": 1}, "completed"),
    ("/tasks/{task_id}", {"title": 5}, "title"),
    ("/recipes", {"name": "x", "recipe_json": RECIPE_DOCUMENT, "servings": "4"}, "servings"),
    ("/recipes", {"name": "x", "recipe_json": RECIPE_DOCUMENT, "confidence_score": "0.5"},
     "confidence_score"),
])
async def test_json_bodies_are_not_coerced(client, alice: Account, path, body, field):
    task = await create_task(client, alice)
    method = "PATCH" if "{task_id}" in path else "POST"
    response = await client.request(method, path.format(task_id=task["id"]), json=body,
                                    headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["extra"]["field"] == field


async def test_a_number_without_a_fraction_is_an_integer_as_json_schema_says(client, alice):
    """224.0 is an integer in JSON Schema (schemathesis sends it); 2.5 and "4" are not."""
    body = {"name": "x", "recipe_json": {**RECIPE_DOCUMENT, "scale": 2.0}, "servings": 224.0,
            "prep_time": 1e1}
    created = await client.post("/recipes", json=body, headers=alice.headers)
    assert created.status_code == 201, created.text
    assert (created.json()["servings"], created.json()["prep_time"]) == (224, 10)
    for servings in (2.5, 1e30, "4"):
        refused = await client.post("/recipes", json={**body, "servings": servings},
                                    headers=alice.headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["extra"]["field"] == "servings"


async def test_a_claims_limit_is_not_coerced_but_query_strings_are_parsed(client, alice):
    batch = await client.post("/batches", json={"essays": [{"content_id": "e", "language": "en"}]},
                              headers=alice.headers)
    response = await client.post(f"/batches/{batch.json()['id']}/claim", json={"limit": "2"},
                                 headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["extra"]["field"] == "limit"
    await create_task(client, alice)
    listed = await client.get("/tasks?completed=false&limit=2", headers=alice.headers)
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 1


async def test_an_empty_body_is_an_empty_object_where_every_field_is_optional(client, alice):
    document = (await client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    ids = await arrange(client, alice)
    optional = set()
    for operation in _json_routes(document):
        schema = operation.body
        if "anyOf" in schema:  # an optional body: its schema, or null
            schema = next(m for m in schema["anyOf"] if m.get("type") != "null")
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        for body in (b"", b" \n"):
            response = await client.request(operation.method, operation.url(ids), content=body,
                                            headers={**alice.headers, **JSON})
            if schema.get("type") == "object" and not schema.get("required"):
                optional.add(operation.operation_id)
                assert not operation.body_required, operation.operation_id
                assert response.status_code < 300, (operation.operation_id, response.text)
            else:
                assert operation.body_required, operation.operation_id
                assert response.status_code == 400, (operation.operation_id, response.text)
                assert response.json()["detail"] == "the request body is missing"
                assert response.json()["extra"] == {"field": ""}
    assert {"createConversation", "claimEssays", "updateTask"} <= optional


def _nested_arrays(total_bytes: int, depth: int) -> bytes:
    chunk = b"[" * depth + b"]" * depth
    return b",".join([chunk] * (total_bytes // (len(chunk) + 1)))


@pytest.mark.parametrize("size, status", [(915_000, 413), (60_000, 400)])
async def test_a_document_of_many_nested_arrays_is_refused_and_writes_nothing(
    client, alice: Account, size, status
):
    """The probe's body: a recipe_json of hundreds of thousands of nested arrays. Over the route's
    body limit it is refused before it is decoded; within it, the depth is checked in C after
    the size (python -m bench bodies measures what it costs)."""
    document = b'{"ingredients": [], "instructions": [], "x": [' + _nested_arrays(
        size, MAX_DEPTH + 2) + b"]}"
    body = b'{"name": "Deep", "recipe_json": ' + document + b"}"
    response = await client.post("/recipes", content=body, headers={**alice.headers, **JSON})
    assert response.status_code == status, response.text
    nested_too_deep = "recipe_json.x" + "[0]" * (MAX_DEPTH - 1)
    assert response.json()["extra"]["field"] == ("" if status == 413 else nested_too_deep)
    assert (await client.get("/recipes", headers=alice.headers)).json()["items"] == []


async def test_every_json_route_has_an_example(client, alice: Account):
    document = (await client.get("/schema/openapi.json")).json()
    assert {o.operation_id for o in _json_routes(document)} == set(bodies(alice))
