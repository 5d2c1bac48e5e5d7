"""The OpenAPI document: every route has an operation id, typed bodies, and its error responses;
every route but health, schema and login/registration requires a bearer token."""

from __future__ import annotations

import re

import msgspec

from app.http.etag import IF_MATCH_PATTERN
from app.http.validation import NO_NUL, NOT_BLANK

# No bearer token; the billing webhook is authenticated by its signature (tests/billing).
PUBLIC = {"/", "/health/live", "/health/ready", "/auth/register", "/auth/login", "/auth/google",
          "/auth/refresh", "/auth/logout", "/webhooks/lemonsqueezy"}


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
            if not path.startswith("/health") and path != "/":
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


def _patterns(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


async def test_the_served_document_is_the_apps(client):
    document = await _document(client)
    app_document = client.app.openapi_schema.to_schema()
    assert document == msgspec.json.decode(msgspec.json.encode(app_document))


async def test_bounds_are_exact(client):
    """msgspec's bounds, as msgspec checks them: integers stay integers (2**63 - 1 is no float),
    a bound of 0 is kept, list items keep theirs, and a list body keeps its length."""
    document = await _document(client)
    schemas = document["components"]["schemas"]
    task_id = document["paths"]["/tasks/{task_id}"]["get"]["parameters"][0]["schema"]
    assert task_id["maximum"] == 2**63 - 1 and type(task_id["maximum"]) is int
    assert task_id["minimum"] == 1
    prep_time = schemas["RecipeCreate"]["properties"]["prep_time"]["anyOf"][0]
    assert (prep_time["minimum"], prep_time["maximum"]) == (0, 10080)
    max_calories = {p["name"]: p for p in document["paths"]["/recipes"]["get"]["parameters"]}
    assert max_calories["max_calories"]["schema"]["anyOf"][0]["minimum"] == 0
    used = schemas["HistoryCreate"]["properties"]["ingredients_used"]
    assert (used["maxItems"], used["items"]["minLength"], used["items"]["maxLength"]) == (
        200, 1, 100)
    tags = document["paths"]["/recipes/{recipe_id}/tags"]["put"]["requestBody"]["content"]
    tags = tags["application/json"]["schema"]
    assert tags["maxItems"] == 20 and tags["items"]["maxLength"] == 50


async def test_request_bodies_say_that_unknown_fields_are_rejected(client):
    document = await _document(client)
    schemas = document["components"]["schemas"]
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]
        for item in document["paths"].values() for operation in item.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    # An optional body (read-all's) is a Struct or null.
    refs = [body if "$ref" in body else next(s for s in body["anyOf"] if "$ref" in s)
            for body in bodies if "$ref" in body or "anyOf" in body]
    structs = [schemas[ref["$ref"].rsplit("/", 1)[1]] for ref in refs]
    assert len(structs) == len(bodies) - 1  # all but the tags, a plain list
    assert all(struct["additionalProperties"] is False for struct in structs)


async def test_free_form_documents_say_what_they_hold(client):
    """A recipe document is checked against its ingredients and instructions, and no JSON
    object the service stores may hold a NUL character (jsonb cannot)."""
    document = await _document(client)
    schemas = document["components"]["schemas"]
    recipe_json = schemas["RecipeCreate"]["properties"]["recipe_json"]
    assert recipe_json["$ref"] == "#/components/schemas/RecipeDocument"
    assert set(schemas["RecipeDocument"]["required"]) == {"ingredients", "instructions"}
    metadata = schemas["EssayInput"]["properties"]["metadata"]["anyOf"][0]
    for free_form in (recipe_json, metadata):
        assert free_form["type"] == "object"
        assert free_form["propertyNames"] == {"pattern": NO_NUL}
        # Said in words: a schema that refers to itself would stop client generators.
        assert "No NUL character in any key or string" in free_form["description"]


async def test_parameters_are_null_only_where_null_is_read_as_not_sent(client):
    """msgspec reads the text ``null`` as None for an optional boolean, number or choice, so
    ``?completed=null`` lists everything; for a string it is just text, so If-Match and cursors
    are plain strings."""
    document = await _document(client)
    tasks = {p["name"]: p["schema"] for p in document["paths"]["/tasks"]["get"]["parameters"]}
    assert [choice["type"] for choice in tasks["completed"]["anyOf"]] == ["boolean", "null"]
    assert tasks["cursor"]["type"] == "string"
    patch = document["paths"]["/tasks/{task_id}"]["patch"]["parameters"]
    if_match = next(p["schema"] for p in patch if p["name"] == "If-Match")
    assert if_match["type"] == "string" and if_match["pattern"] == IF_MATCH_PATTERN


async def test_no_pattern_relies_on_backslash_s(client):
    """``\\s`` matches other characters in Python's regexes (which validate) than in ECMA-262's
    (which read the document), so the patterns spell whitespace out."""
    document = await _document(client)
    patterns = _patterns(document)
    assert NOT_BLANK in patterns
    assert not [p for p in patterns if "\\s" in p]


async def test_options_lists_every_method_of_the_path(client):
    response = await client.options("/tasks/1")
    assert response.status_code == 204
    assert response.headers["allow"] == "DELETE, GET, OPTIONS, PATCH"
    response = await client.options("/users/me")
    assert response.headers["allow"] == "DELETE, GET, OPTIONS, PATCH"


async def test_every_response_header_has_a_schema(client):
    """OpenAPI 3.1 requires one; an ETag is a version in quotes."""
    document = await _document(client)
    etags = 0
    for item in document["paths"].values():
        for operation in item.values():
            for response in operation["responses"].values():
                for name, header in response.get("headers", {}).items():
                    assert "schema" in header, name
                    if name == "ETag":
                        etags += 1
                        assert re.fullmatch(header["schema"]["pattern"], '"12"')
    assert etags >= 16


async def test_moments_are_date_times(client):
    document = await _document(client)
    task = document["components"]["schemas"]["Task"]["properties"]
    assert task["created_at"] == {"type": "string", "format": "date-time"}
