"""Deeply nested JSON is a 400 naming the problem, wherever it arrives: as a whole body, or inside
a free-form document field (recipe_json, essay metadata, history preferences). Nothing is written."""

from __future__ import annotations

import msgspec
import pytest

from app.http.validation import MAX_DEPTH
from tests.helpers import Account

RECIPE = {"ingredients": [{"name": "Leek"}], "instructions": ["Boil"]}


def _nested(depth: int) -> dict:
    """An object ``depth`` levels deep: {"a": {"a": ... {}}}."""
    document: dict = {}
    for _ in range(depth - 1):
        document = {"a": document}
    return document


def _raw_nested_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


DEEP = _raw_nested_array(100_000)  # deeper than any parser's recursion limit


@pytest.mark.parametrize("path, body", [
    # Free-form fields: the parser itself gives up.
    ("/recipes", b'{"name": "Deep", "recipe_json": {"ingredients": [], "instructions": [], '
                 b'"x": ' + DEEP + b"}}"),
    ("/batches", b'{"essays": [{"content_id": "d", "language": "en", "metadata": {"x": '
                 + DEEP + b"}}]}"),
    # Typed fields: refused at the first bracket.
    ("/tasks", b'{"title": ' + DEEP + b"}"),
    ("/conversations", b'{"title": ' + DEEP + b"}"),
])
async def test_a_body_nested_past_the_parser_is_400(client, alice: Account, path, body):
    response = await client.post(path, content=body,
                                 headers={**alice.headers, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["detail"]
    listed = await client.get(path, headers=alice.headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize("depth, ok", [(MAX_DEPTH, True), (MAX_DEPTH + 1, False), (500, False)])
async def test_recipe_documents_nest_at_most_max_depth(client, alice: Account, depth, ok):
    document = {**RECIPE, "extra": _nested(depth - 1)}
    response = await client.post(
        "/recipes", content=msgspec.json.encode({"name": "Deep", "recipe_json": document}),
        headers={**alice.headers, "Content-Type": "application/json"})
    if ok:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 400, response.text
        assert "nest" in response.text
    listed = (await client.get("/recipes", headers=alice.headers)).json()["items"]
    assert len(listed) == (1 if ok else 0)


async def test_deep_essay_metadata_is_400_and_writes_no_batch(client, alice: Account):
    essay = {"content_id": "deep-1", "language": "en", "metadata": _nested(MAX_DEPTH + 1)}
    response = await client.post("/batches", json={"essays": [essay]}, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert "nest" in response.text
    assert (await client.get("/batches", headers=alice.headers)).json()["items"] == []


async def test_deep_history_preferences_are_400(client, alice: Account):
    created = await client.post("/recipes", json={"name": "Soup", "recipe_json": RECIPE},
                                headers=alice.headers)
    recipe_id = created.json()["id"]
    response = await client.post(f"/recipes/{recipe_id}/history",
                                 json={"ingredients_used": ["leek"],
                                       "preferences_applied": _nested(MAX_DEPTH + 1)},
                                 headers=alice.headers)
    assert response.status_code == 400, response.text
    history = await client.get(f"/recipes/{recipe_id}/history", headers=alice.headers)
    assert history.json()["items"] == []
