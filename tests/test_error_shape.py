"""One error shape everywhere: every route of the document is sent one bad value per field of its
body (at every depth), per query and path parameter and per header, and each answer is a 400 of
the documented ``ErrorBody`` that names the place (``field`` by its full path, ``parameter``,
``header``) and, when the value broke a bound, a pattern or a choice, gives that rule."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from app.http.validation import dotted
from app.kit.errors import ErrorBody, ErrorDetails
from tests.helpers import Account
from tests.routes import arrange, bodies, operations

Path = tuple[str | int, ...]


def _resolve(schema: dict, schemas: dict) -> dict:
    while "$ref" in schema:
        schema = {**schemas[schema["$ref"].rsplit("/", 1)[1]],
                  **{k: v for k, v in schema.items() if k != "$ref"}}
    members = [m for m in schema.get("anyOf", ()) if m.get("type") != "null"]
    if len(members) == 1:
        return _resolve({**members[0], **{k: v for k, v in schema.items() if k != "anyOf"}},
                        schemas)
    return schema


def _fields(schema: dict, example: Any, schemas: dict, path: Path = ()
            ) -> Iterator[tuple[Path, dict, Any]]:
    """Every field of ``example`` (the example body) with its schema, at every depth."""
    schema = _resolve(schema, schemas)
    yield path, schema, example
    if isinstance(example, dict) and "properties" in schema:
        for name, value in example.items():
            yield from _fields(schema["properties"][name], value, schemas, (*path, name))
    elif isinstance(example, list) and example and "items" in schema:
        yield from _fields(schema["items"], example[0], schemas, (*path, 0))


_WRONG_TYPE = {"string": 12345, "integer": "7", "number": "7.5", "boolean": "true",
               "array": {"not": "an array"}, "object": ["not", "an", "object"]}


def _not_matching(schema: dict, header: bool) -> str | None:
    """A text of an allowed length that the schema's pattern refuses."""
    low, high = schema.get("minLength", 0), schema.get("maxLength", 1000)
    for candidate in ("   ", "tab\there", "a\u0000", "\u00e9\u00e9"):
        if header and "\u0000" in candidate:
            continue
        if low <= len(candidate) <= high and not re.search(schema["pattern"], candidate):
            return candidate
    return None


def _bad_values(schema: dict, example: Any, header: bool = False
                ) -> Iterator[tuple[Any, str | None]]:
    """Values that break ``schema``, each with the rule the error must give (or None)."""
    kind = schema.get("type")
    if kind in _WRONG_TYPE:
        yield _WRONG_TYPE[kind], "allowed" if "enum" in schema else None
    elif "anyOf" in schema:
        yield {"not": "any of these"}, None
    if "enum" in schema:
        yield "not-a-choice", "allowed"
    if "maximum" in schema:
        yield schema["maximum"] + 1, "maximum"
    if "minimum" in schema:
        yield schema["minimum"] - 1, "minimum"
    if "maxLength" in schema:
        yield "x" * (schema["maxLength"] + 1), "max_length"
    if schema.get("minLength"):
        yield "", "min_length"
    if "pattern" in schema and (text := _not_matching(schema, header)) is not None:
        yield text, "pattern"
    if "maxItems" in schema and isinstance(example, list) and example:
        yield [example[0]] * (schema["maxItems"] + 1), "max_length"
    if schema.get("minItems"):
        yield [], "min_length"


def _with(body: Any, path: Path, value: Any) -> Any:
    changed = copy.deepcopy(body)
    if not path:
        return value
    place = changed
    for step in path[:-1]:
        place = place[step]
    place[path[-1]] = value
    return changed


def _problem(response) -> ErrorDetails:
    assert response.status_code == 400, response.text
    body = msgspec.json.decode(response.content, type=ErrorBody)
    assert body.status_code == 400 and body.detail, response.text
    assert isinstance(body.extra, ErrorDetails), response.text
    return body.extra


def _has_rule(extra: ErrorDetails, rule: str | None, schema: dict) -> bool:
    if rule is None:
        return True
    given = getattr(extra, rule)
    expected = {"maximum": schema.get("maximum"), "minimum": schema.get("minimum"),
                "max_length": schema.get("maxLength", schema.get("maxItems")),
                "min_length": schema.get("minLength", schema.get("minItems")),
                "pattern": schema.get("pattern"), "allowed": schema.get("enum")}[rule]
    return given == expected or (rule == "allowed" and sorted(given) == sorted(expected))


async def test_every_bad_body_field_is_named_by_its_full_path(client, alice: Account):
    document = (await client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    ids = await arrange(client, alice)
    examples = bodies(alice)
    checked = set()
    for operation in operations(document):
        if operation.body is None:
            continue
        example = examples[operation.operation_id]
        for path, schema, value in _fields(operation.body, example, schemas):
            for bad, rule in _bad_values(schema, value):
                response = await client.request(operation.method, operation.url(ids),
                                                json=_with(example, path, bad),
                                                headers=alice.headers)
                extra = _problem(response)
                assert extra.field == dotted(path), (operation.operation_id, path, bad,
                                                     response.text)
                assert _has_rule(extra, rule, schema), (operation.operation_id, path, rule,
                                                        response.text)
                checked.add(dotted(path))
    assert {"title", "recipe_json.ingredients[0].name", "recipe_json.instructions[0]",
            "essays[0].content_id", "essays[0].metadata", "[0]", "limit", "role",
            "preferences_applied", "ingredients_used[0]"} <= checked


def _parameter_values(schema: dict, where: str) -> Iterator[tuple[Any, str | None]]:
    """Bad values of a parameter. (Text in an integer path parameter matches no route: 404.)"""
    kind = schema.get("type")
    header = where == "header"
    if kind in ("integer", "number") and where != "path":
        yield "x", None
    if kind == "boolean":
        yield "maybe", None
    for bad, rule in _bad_values(schema, None, header):
        if rule is not None and not isinstance(bad, (dict, list)) and bad != "":
            yield bad, rule


async def test_every_bad_parameter_and_header_is_named(client, alice: Account):
    document = (await client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    ids = await arrange(client, alice)
    examples = bodies(alice)
    named = set()
    for operation in operations(document):
        body = examples.get(operation.operation_id)
        for parameter in operation.parameters:
            schema = _resolve(parameter["schema"], schemas)
            name, where = parameter["name"], parameter["in"]
            for bad, rule in _parameter_values(schema, where):
                url, params, headers = operation.url(ids), {}, dict(alice.headers)
                if where == "path":
                    url = operation.url({**ids, name: bad})
                elif where == "query":
                    params[name] = str(bad).lower() if isinstance(bad, bool) else str(bad)
                else:
                    headers[name] = str(bad)
                response = await client.request(operation.method, url, params=params,
                                                headers=headers, json=body)
                extra = _problem(response)
                place = extra.header if where == "header" else extra.parameter
                assert place == name, (operation.operation_id, name, bad, response.text)
                assert _has_rule(extra, rule, schema), (operation.operation_id, name, rule,
                                                        response.text)
                named.add(name)
    assert {"task_id", "limit", "cursor", "completed", "difficulty", "sort", "If-Match",
            "Idempotency-Key", "max_calories", "before", "status"} <= named


@pytest.mark.parametrize("path, body, field, rule", [
    ("/recipes", {"name": "x", "recipe_json": {"ingredients": [{}], "instructions": []}},
     "recipe_json.ingredients[0].name", {}),
    ("/recipes", {"name": "x", "recipe_json": {"instructions": []}},
     "recipe_json.ingredients", {}),
    ("/recipes", {"name": "x", "recipe_json": {"ingredients": [], "instructions": [],
                                               "extra": {"deep": ["\u0000"]}}},
     "recipe_json.extra.deep[0]", {}),
    ("/recipes", {"name": "x", "recipe_json": {"ingredients": [], "instructions": [],
                                               "a b": "x" * 70_000}},
     "recipe_json", {"max_length": 65536}),
    ("/batches", {"essays": [{"content_id": "a", "language": "en"},
                             {"content_id": "a", "language": "en"}]},
     "essays[1].content_id", {}),
    ("/batches", {"essays": [{"content_id": "a", "language": "en", "unknown": 1}]},
     "essays[0].unknown", {}),
    ("/tasks", {"description": "no title"}, "title", {}),
])
async def test_problems_found_by_the_services_own_checks_are_named_too(client, alice, path,
                                                                       body, field, rule):
    extra = _problem(await client.post(path, json=body, headers=alice.headers))
    assert extra.field == field
    assert {k: getattr(extra, k) for k in rule} == rule


async def test_a_key_that_is_not_a_plain_name_is_quoted(client, alice):
    body = {"name": "x", "recipe_json": {"ingredients": [], "instructions": [],
                                         "a key": {"ü": "\u0000"}}}
    extra = _problem(await client.post("/recipes", json=body, headers=alice.headers))
    assert extra.field == 'recipe_json["a key"]["ü"]'


async def test_the_document_describes_every_error_with_one_schema(client):
    document = (await client.get("/schema/openapi.json")).json()
    for path, item in document["paths"].items():
        if path.startswith("/health"):
            continue  # a probe's 503 is its own Health body
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if status.startswith("4") or status == "503":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, status)
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["properties"]["extra"] == {"$ref": "#/components/schemas/ErrorDetails"}
    details = document["components"]["schemas"]["ErrorDetails"]["properties"]
    assert {"field", "parameter", "header", "allowed", "minimum", "maximum", "min_length",
            "max_length", "pattern"} <= set(details)


@pytest.mark.parametrize("number, field, message, rule", [
    (b"1e400", "servings", "is a number out of range", {}),
    (b"-1e999", "calories_per_serving", "is a number out of range", {}),
    (b"99999999999999999999999", "servings", "must be at most", {"maximum": 1000}),
])
async def test_a_number_out_of_range_is_named_with_its_bound(client, alice, number, field,
                                                             message, rule):
    body = (b'{"name": "x", "recipe_json": {"ingredients": [], "instructions": []}, "'
            + field.encode() + b'": ' + number + b"}")
    response = await client.post("/recipes", content=body, headers={
        **alice.headers, "Content-Type": "application/json"})
    extra = _problem(response)
    assert extra.field == field, response.text
    assert message in response.json()["detail"]
    assert {k: getattr(extra, k) for k in rule} == rule


async def test_a_number_out_of_range_deep_in_a_document_is_named_by_its_path(client, alice):
    body = (b'{"name": "x", "recipe_json": {"ingredients": [], "instructions": [], '
            b'"x": [1, {"b": 1e400}]}}')
    response = await client.post("/recipes", content=body, headers={
        **alice.headers, "Content-Type": "application/json"})
    assert _problem(response).field == "recipe_json.x[1].b", response.text
