"""Every list's cursors are bound to the list, its filters and its caller: a cursor is a 400 naming
its parameter when it comes back with another filter, from another user, or to another list,
never a page from the wrong place (or an empty one). Walks every list of the document."""

from __future__ import annotations

from tests.helpers import Account, connected
from tests.routes import arrange, operations

# For each filter of a list, a value other than the one the cursor was made with (none).
OTHER_VALUES = {
    "completed": ["false", "true"], "sort": ["calories", "total_time"], "tag": ["soup"],
    "ingredient": ["leek"], "cuisine": ["french"], "difficulty": ["easy"],
    "max_calories": ["1000"], "max_total_time": ["1000"], "q": ["leek"],
    "favorite": ["true", "false"], "status": ["pending"], "from": ["2000-01-01"],
    "to": ["2999-01-01"], "meal_type": ["dinner"], "activity_type": ["walking"],
    "unread": ["true", "false"], "active": ["true", "false"],
}
PAGING = {"limit", "cursor", "before"}


async def _lists(client) -> list:
    document = (await client.get("/schema/openapi.json")).json()
    found = []
    for operation in operations(document):
        names = {p["name"] for p in operation.parameters if p["in"] == "query"}
        cursor = {"cursor", "before"} & names
        if cursor:
            found.append((operation, cursor.pop(), sorted(names - PAGING)))
    return found


async def _first_cursor(client, who: Account, url: str, parameter: str) -> str:
    response = await client.get(url, params={"limit": 1}, headers=who.headers)
    assert response.status_code == 200, response.text
    cursor = response.json()["next_cursor"]
    assert cursor, (url, response.json())
    follow = await client.get(url, params={"limit": 1, parameter: cursor}, headers=who.headers)
    assert follow.status_code == 200 and follow.json()["items"], (url, follow.text)
    return cursor


def _refused(response, parameter: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == {"parameter": parameter}, response.text


async def _notifications(database_url: str, *accounts: Account) -> None:
    """Two notifications each (the service makes them; no route does)."""
    async with connected(database_url) as conn:
        for who in accounts:
            await conn.executemany(
                "INSERT INTO notifications (user_id, kind, title) VALUES ($1, $2, $3)",
                [(who.user_id, "streak_milestone", "7 days"),
                 (who.user_id, "daily_quota_reached", "No more today")])


async def test_every_lists_cursor_is_bound_to_its_filters_its_caller_and_its_list(
    client, alice: Account, bob: Account, database_url
):
    mine, theirs = await arrange(client, alice), await arrange(client, bob)
    await _notifications(database_url, alice, bob)
    lists = await _lists(client)
    assert {o.operation_id for o, _, _ in lists} >= {
        "listTasks", "listRecipes", "listTags", "listRecipeHistory", "listConversations",
        "listMessages", "listBatches", "listBatchEssays"}
    cursors = {}
    for operation, parameter, filters in lists:
        url = operation.url(mine)
        cursor = cursors[operation.operation_id] = await _first_cursor(client, alice, url,
                                                                       parameter)
        for name in filters:
            for value in OTHER_VALUES[name]:
                response = await client.get(url, params={name: value, parameter: cursor},
                                            headers=alice.headers)
                _refused(response, parameter)
        response = await client.get(operation.url(theirs), params={parameter: cursor},
                                    headers=bob.headers)
        _refused(response, parameter)
    for operation, parameter, _ in lists:
        for other, cursor in cursors.items():
            if other != operation.operation_id:
                response = await client.get(operation.url(mine), params={parameter: cursor},
                                            headers=alice.headers)
                _refused(response, parameter)


async def test_a_filtered_lists_cursor_does_not_continue_the_unfiltered_list(client, alice):
    await arrange(client, alice)
    first = await client.get("/tasks", params={"limit": 1, "completed": "false"},
                             headers=alice.headers)
    cursor = first.json()["next_cursor"]
    _refused(await client.get("/tasks", params={"cursor": cursor}, headers=alice.headers),
             "cursor")
    _refused(await client.get("/tasks", params={"cursor": cursor, "completed": "true"},
                              headers=alice.headers), "cursor")
    again = await client.get("/tasks", params={"cursor": cursor, "completed": "false"},
                             headers=alice.headers)
    assert again.status_code == 200 and again.json()["items"]
