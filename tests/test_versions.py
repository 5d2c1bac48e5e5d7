"""What a version (and so an ETag) covers: a write that changes nothing keeps it, and
updated_at, so other clients' If-Match still holds; a conversation's version is its title's."""

from __future__ import annotations

import pytest

from tests.helpers import create_task

SOUP = {"ingredients": [{"name": "leek"}], "instructions": ["boil"], "note": {"spicy": False}}


async def _unchanged(client, who, path: str, patches: list[dict]) -> None:
    before = await client.get(path, headers=who.headers)
    for patch in patches:
        response = await client.patch(path, json=patch, headers={
            **who.headers, "If-Match": before.headers["etag"]})
        assert response.status_code == 200, (patch, response.text)
        assert response.headers["etag"] == before.headers["etag"], patch
        assert response.json()["version"] == before.json()["version"], patch
        assert response.json()["updated_at"] == before.json()["updated_at"], patch


async def _changed(client, who, path: str, patch: dict) -> None:
    before = (await client.get(path, headers=who.headers)).json()
    after = (await client.patch(path, json=patch, headers=who.headers)).json()
    assert after["version"] == before["version"] + 1
    assert after["updated_at"] > before["updated_at"]


async def test_a_task_patch_that_changes_nothing_keeps_its_version(client, alice):
    task = await create_task(client, alice, "buy leeks", description="two")
    path = f"/tasks/{task['id']}"
    await _unchanged(client, alice, path, [
        {}, {"title": "buy leeks"}, {"title": "  buy leeks "}, {"description": "two",
                                                                 "completed": False}])
    await _changed(client, alice, path, {"completed": True})


async def test_a_recipe_patch_that_changes_nothing_keeps_its_version(client, alice):
    """Recipes have generated columns (total_time, ingredient_names), which a trigger cannot
    compare before they are computed: the comparison leaves them out."""
    created = await client.post("/recipes", json={
        "name": "Leek soup", "recipe_json": SOUP, "prep_time": 5, "cook_time": 20},
        headers=alice.headers)
    path = f"/recipes/{created.json()['id']}"
    await _unchanged(client, alice, path, [
        {}, {"prep_time": 5}, {"recipe_json": dict(reversed(SOUP.items()))},
        {"name": "Leek soup", "description": None}])
    await _changed(client, alice, path, {"prep_time": 6})
    await _changed(client, alice, path, {"recipe_json": {**SOUP, "note": {"spicy": True}}})
    tags = await client.put(f"{path}/tags", json=["soup"], headers=alice.headers)
    assert tags.json()["version"] == 4  # tags are part of the recipe


async def test_an_account_patch_that_changes_nothing_keeps_its_version(client, alice):
    await _unchanged(client, alice, "/users/me", [{}, {"name": "Alice"}])
    await _changed(client, alice, "/users/me", {"name": "Alicia"})


@pytest.fixture
async def conversation(client, alice) -> dict:
    response = await client.post("/conversations", json={"title": "plans"}, headers=alice.headers)
    return response.json()


async def test_a_conversation_patch_that_changes_nothing_keeps_its_version(
        client, alice, conversation):
    path = f"/conversations/{conversation['id']}"
    await _unchanged(client, alice, path, [{}, {"title": "plans"}])
    await _changed(client, alice, path, {"title": "holiday plans"})
    await _changed(client, alice, path, {"title": None})


async def test_a_message_is_activity_not_a_new_version_of_the_conversation(
        client, alice, conversation):
    """A rename with the ETag read before a message arrived still applies: the version is the
    title's, what PATCH changes; the message moves updated_at (lists sort by it) and the count."""
    path = f"/conversations/{conversation['id']}"
    read = await client.get(path, headers=alice.headers)
    posted = await client.post(f"{path}/messages", json={"role": "user", "content": "hi"},
                               headers=alice.headers)
    assert posted.status_code == 201
    after = await client.get(path, headers=alice.headers)
    assert after.headers["etag"] == read.headers["etag"]
    assert after.json()["version"] == conversation["version"]
    assert after.json()["message_count"] == 1
    assert after.json()["updated_at"] > read.json()["updated_at"]
    renamed = await client.patch(path, json={"title": "renamed"}, headers={
        **alice.headers, "If-Match": read.headers["etag"]})
    assert renamed.status_code == 200
    assert renamed.json()["version"] == conversation["version"] + 1
    assert renamed.json()["last_message"]["content"] == "hi"
