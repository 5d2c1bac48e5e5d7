"""The recipes API through HTTP, on a real PostgreSQL: recipes, filters, sorts, tags, favorites,
history."""

from __future__ import annotations

import asyncpg
import pytest

from tests.helpers import Account

SOUP = {
    "ingredients": [{"name": "Leek", "quantity": 2}, {"name": "Potato", "quantity": 500,
                                                      "unit": "g"}],
    "instructions": ["Chop", "Boil", "Blend"],
    "source": {"book": "Soups", "page": 12},
}


async def _recipe(client, who: Account, name: str = "Leek soup", document: dict | None = None,
                  **fields) -> dict:
    body = {"name": name, "recipe_json": document or SOUP, **fields}
    response = await client.post("/recipes", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _names(client, who: Account, **params) -> list[str]:
    names: list[str] = []
    params = {"limit": 2, **params}
    for _ in range(100):
        response = await client.get("/recipes", params=params, headers=who.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        names += [r["name"] for r in body["items"]]
        if body["next_cursor"] is None:
            return names
        params["cursor"] = body["next_cursor"]
    raise AssertionError("pagination did not end")


def _tampered(cursor: str) -> str:
    """The cursor with one character of its signed payload changed."""
    middle = len(cursor) // 2
    return cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1:]


# One request per list statement: each sort plain and filtered, each search, each favorites list.
LISTS = [
    ("/recipes", {}),
    ("/recipes", {"sort": "calories", "cuisine": "french", "max_calories": "500"}),
    ("/recipes", {"sort": "total_time", "difficulty": "easy", "favorite": "false"}),
    ("/recipes", {"q": "leek"}),
    ("/recipes", {"ingredient": "potato", "sort": "calories"}),
    ("/recipes", {"tag": "soup", "sort": "total_time"}),
    ("/recipes", {"favorite": "true"}),
    ("/recipes", {"favorite": "true", "sort": "calories"}),
    ("/recipes", {"favorite": "true", "sort": "total_time", "q": "leek"}),
    ("/tags", {}),
]


async def _sql(database_url, query: str, *args):
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def test_create_keeps_the_whole_document_and_derives_total_time(client, alice):
    response = await client.post("/recipes", json={
        "name": "  Leek soup ", "recipe_json": SOUP, "prep_time": 10, "cook_time": 25,
        "difficulty": "easy", "calories_per_serving": 180.5, "servings": 4,
    }, headers=alice.headers)
    assert response.status_code == 201
    recipe = response.json()
    assert recipe["name"] == "Leek soup"
    assert recipe["recipe_json"] == SOUP
    assert recipe["total_time"] == 35
    assert recipe["tags"] == []
    assert recipe["favorite"] is False
    assert response.headers["etag"] == f'"{recipe["version"]}"'
    fetched = await client.get(f"/recipes/{recipe['id']}", headers=alice.headers)
    assert fetched.json() == recipe


@pytest.mark.parametrize("body, field", [
    ({"recipe_json": SOUP}, "name"),
    ({"name": "x"}, "recipe_json"),
    ({"name": "  ", "recipe_json": SOUP}, "name"),
    ({"name": "x", "recipe_json": {"instructions": []}}, "ingredients"),
    ({"name": "x", "recipe_json": {"ingredients": [{"quantity": 1}], "instructions": []}}, "name"),
    ({"name": "x", "recipe_json": {"ingredients": [], "instructions": "boil"}}, "instructions"),
    ({"name": "x", "recipe_json": [1, 2]}, "recipe_json"),
    ({"name": "x", "recipe_json": {**SOUP, "note": "nul\x00"}}, "NUL"),
    ({"name": "x", "recipe_json": {**SOUP, "blob": "x" * 70000}}, "recipe_json"),
    ({"name": "x", "recipe_json": SOUP, "cuisine_type": " \t "}, "cuisine_type"),
    ({"name": "x", "recipe_json": SOUP, "difficulty": "extreme"}, "difficulty"),
    ({"name": "x", "recipe_json": SOUP, "prep_time": -1}, "prep_time"),
    ({"name": "x", "recipe_json": SOUP, "calories_per_serving": -5}, "calories_per_serving"),
    ({"name": "x", "recipe_json": SOUP, "confidence_score": 1.5}, "confidence_score"),
    ({"name": "x", "recipe_json": SOUP, "servings": 0}, "servings"),
    ({"name": "x", "recipe_json": SOUP, "chef": "me"}, "chef"),
])
async def test_bad_recipes_are_400_naming_the_problem_and_write_nothing(
    client, alice, database_url, body, field
):
    response = await client.post("/recipes", json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert field in response.text
    assert (await _sql(database_url, "SELECT count(*) FROM recipes"))[0][0] == 0


async def test_patch_changes_only_what_was_sent_and_null_clears(client, alice):
    recipe = await _recipe(client, alice, description="creamy", prep_time=10, cook_time=20,
                           cuisine_type="French")
    response = await client.patch(f"/recipes/{recipe['id']}",
                                  json={"description": None, "cook_time": 5, "name": " Leeks "},
                                  headers=alice.headers)
    assert response.status_code == 200
    updated = response.json()
    assert updated["name"] == "Leeks"
    assert updated["description"] is None
    assert updated["cook_time"] == 5
    assert updated["total_time"] == 15
    assert updated["cuisine_type"] == "French"
    assert updated["recipe_json"] == SOUP
    assert updated["version"] == recipe["version"] + 1


async def test_patch_replaces_the_document_whole_and_validates_it(client, alice):
    recipe = await _recipe(client, alice)
    document = {"ingredients": [{"name": "Tomato"}], "instructions": ["Slice"]}
    response = await client.patch(f"/recipes/{recipe['id']}", json={"recipe_json": document},
                                  headers=alice.headers)
    assert response.json()["recipe_json"] == document
    bad = await client.patch(f"/recipes/{recipe['id']}", json={"recipe_json": {"x": 1}},
                             headers=alice.headers)
    assert bad.status_code == 400
    assert bad.json()["detail"]
    bad_name = await client.patch(f"/recipes/{recipe['id']}", json={"name": None},
                                  headers=alice.headers)
    assert bad_name.status_code == 400


async def test_if_match_guards_patch_delete_and_tags(client, alice):
    recipe = await _recipe(client, alice)
    path = f"/recipes/{recipe['id']}"
    await client.patch(path, json={"servings": 2}, headers=alice.headers)
    stale = {**alice.headers, "If-Match": f'"{recipe["version"]}"'}
    response = await client.patch(path, json={"servings": 9}, headers=stale)
    assert response.status_code == 412
    assert response.headers["etag"] == f'"{recipe["version"] + 1}"'
    assert (await client.put(f"{path}/tags", json=["x"], headers=stale)).status_code == 412
    assert (await client.delete(path, headers=stale)).status_code == 412
    current = (await client.get(path, headers=alice.headers)).json()
    assert current["servings"] == 2
    assert current["tags"] == []


async def test_other_users_recipe_is_not_found_and_untouched(client, alice, bob, database_url):
    recipe = await _recipe(client, alice)
    path = f"/recipes/{recipe['id']}"
    for method, url, body in [
        ("GET", path, None), ("PATCH", path, {"name": "mine"}), ("DELETE", path, None),
        ("PUT", f"{path}/tags", ["stolen"]), ("PUT", f"{path}/favorite", None),
        ("DELETE", f"{path}/favorite", None), ("GET", f"{path}/history", None),
        ("POST", f"{path}/history", {"ingredients_used": ["x"]}),
    ]:
        response = await client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url)
    assert (await client.get("/recipes", headers=bob.headers)).json()["items"] == []
    assert (await client.get(path, headers=alice.headers)).json() == recipe
    rows = await _sql(database_url, "SELECT (SELECT count(*) FROM recipe_tags) AS tags, "
                      "(SELECT count(*) FROM favorite_recipes) AS favorites, "
                      "(SELECT count(*) FROM recipe_history) AS history")
    assert dict(rows[0]) == {"tags": 0, "favorites": 0, "history": 0}


async def test_filters_combine(client, alice):
    await _recipe(client, alice, "Leek soup", cuisine_type="French", difficulty="easy",
                  calories_per_serving=180, prep_time=10, cook_time=30)
    await _recipe(client, alice, "Tomato salad", document={
        "ingredients": [{"name": "tomato"}, {"name": "Basil"}], "instructions": ["Slice"]},
        cuisine_type="Italian", difficulty="easy", calories_per_serving=90, prep_time=10)
    await _recipe(client, alice, "Tomato soup", document={
        "ingredients": [{"name": "TOMATO"}], "instructions": ["Boil"]},
        cuisine_type="italian", difficulty="medium", calories_per_serving=150, cook_time=40)
    assert await _names(client, alice, ingredient="Tomato") == ["Tomato soup", "Tomato salad"]
    assert await _names(client, alice, ingredient="tomato", cuisine="ITALIAN",
                        difficulty="easy") == ["Tomato salad"]
    assert await _names(client, alice, q="SOU") == ["Tomato soup", "Leek soup"]
    assert await _names(client, alice, q="mato so") == ["Tomato soup"]
    assert await _names(client, alice, max_calories=150) == ["Tomato soup", "Tomato salad"]
    assert await _names(client, alice, max_total_time=39) == ["Tomato salad"]
    assert await _names(client, alice, q="%") == []
    assert await _names(client, alice, ingredient="basil", q="soup") == []


async def test_sorts_put_unknown_values_last_and_page_without_gaps(client, alice):
    for name, calories, prep in [("a", 300, 5), ("b", None, 50), ("c", 100, None), ("d", 100, 20),
                                 ("e", 50, 20)]:
        await _recipe(client, alice, name, calories_per_serving=calories, prep_time=prep)
    assert await _names(client, alice, sort="calories") == ["e", "c", "d", "a", "b"]
    assert await _names(client, alice, sort="total_time") == ["a", "d", "e", "b", "c"]
    assert await _names(client, alice) == ["e", "d", "c", "b", "a"]


async def test_a_cursor_only_continues_its_own_list(client, alice):
    for n in range(3):
        await _recipe(client, alice, f"r{n}", calories_per_serving=n)
    page = (await client.get("/recipes", params={"limit": 1, "sort": "calories"},
                             headers=alice.headers)).json()
    for params in ({"sort": "newest"}, {"sort": "calories", "q": "r"}):
        response = await client.get("/recipes", params={**params, "cursor": page["next_cursor"]},
                                    headers=alice.headers)
        assert response.status_code == 400


@pytest.mark.parametrize("params", [
    {"sort": "spiciest"}, {"difficulty": "hard-ish"}, {"max_calories": "-1"},
    {"max_total_time": "lots"}, {"favorite": "maybe"}, {"q": ""}, {"limit": "0"},
    {"tag": "x" * 51},
])
async def test_bad_list_parameters_are_400(client, alice, params):
    response = await client.get("/recipes", params=params, headers=alice.headers)
    assert response.status_code == 400


async def test_put_tags_replaces_them_and_tags_list_counts_mine_only(client, alice, bob):
    soup = await _recipe(client, alice, "soup")
    salad = await _recipe(client, alice, "salad")
    response = await client.put(f"/recipes/{soup['id']}/tags", json=["Vegan", " quick ", "vegan"],
                                headers=alice.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["tags"] == ["quick", "vegan"]
    assert body["version"] == soup["version"] + 1
    assert response.headers["etag"] == f'"{body["version"]}"'
    await client.put(f"/recipes/{salad['id']}/tags", json=["vegan"], headers=alice.headers)
    replaced = await client.put(f"/recipes/{soup['id']}/tags", json=["winter", "vegan"],
                                headers=alice.headers)
    assert replaced.json()["tags"] == ["vegan", "winter"]
    assert (await client.get(f"/recipes/{soup['id']}", headers=alice.headers)).json()["tags"] == [
        "vegan", "winter"]
    bobs = await _recipe(client, bob, "bob's")
    await client.put(f"/recipes/{bobs['id']}/tags", json=["secret"], headers=bob.headers)
    tags = (await client.get("/tags", headers=alice.headers)).json()
    assert tags == {"items": [{"name": "vegan", "recipe_count": 2},
                              {"name": "winter", "recipe_count": 1}], "next_cursor": None}
    assert await _names(client, alice, tag="VEGAN") == ["salad", "soup"]
    assert await _names(client, alice, tag="secret") == []
    cleared = await client.put(f"/recipes/{soup['id']}/tags", json=[], headers=alice.headers)
    assert cleared.json()["tags"] == []


@pytest.mark.parametrize("body", [["x"] * 21, [""], ["   "], ["x" * 51], "vegan", [1]])
async def test_bad_tags_are_400(client, alice, body):
    recipe = await _recipe(client, alice)
    response = await client.put(f"/recipes/{recipe['id']}/tags", json=body, headers=alice.headers)
    assert response.status_code == 400


async def test_tags_of_a_missing_recipe_are_404_and_create_no_tag(client, alice, database_url):
    response = await client.put("/recipes/999999/tags", json=["orphan"], headers=alice.headers)
    assert response.status_code == 404
    assert await _sql(database_url, "SELECT name FROM tags WHERE name = 'orphan'") == []


async def test_tag_pages_walk_by_name(client, alice):
    recipe = await _recipe(client, alice)
    await client.put(f"/recipes/{recipe['id']}/tags", json=[f"t{n:02}" for n in range(15)],
                     headers=alice.headers)
    seen, params = [], {"limit": 4}
    while True:
        body = (await client.get("/tags", params=params, headers=alice.headers)).json()
        seen += [t["name"] for t in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == [f"t{n:02}" for n in range(15)]


async def test_favorites_are_idempotent_and_filterable(client, alice):
    liked = await _recipe(client, alice, "liked")
    await _recipe(client, alice, "other")
    path = f"/recipes/{liked['id']}/favorite"
    for _ in range(2):
        assert (await client.put(path, headers=alice.headers)).status_code == 204
    fetched = (await client.get(f"/recipes/{liked['id']}", headers=alice.headers)).json()
    assert fetched["favorite"] is True
    assert fetched["version"] == liked["version"]
    assert await _names(client, alice, favorite="true") == ["liked"]
    assert await _names(client, alice, favorite="false") == ["other"]
    for _ in range(2):
        assert (await client.delete(path, headers=alice.headers)).status_code == 204
    assert await _names(client, alice, favorite="true") == []
    assert (await client.put("/recipes/999999/favorite", headers=alice.headers)).status_code == 404


async def test_favorites_combine_with_other_filters_and_page_in_every_sort(client, alice, bob):
    recipes = {}
    for name, calories, prep, cuisine in [("a", 300, 5, "French"), ("b", None, 50, "Thai"),
                                          ("c", 100, None, "french"), ("d", 100, 20, "French"),
                                          ("e", 50, 20, "Thai"), ("f", 10, 1, "French")]:
        recipes[name] = await _recipe(client, alice, name, calories_per_serving=calories,
                                      prep_time=prep, cuisine_type=cuisine)
    for name in "abcde":
        await client.put(f"/recipes/{recipes[name]['id']}/favorite", headers=alice.headers)
    await client.put(f"/recipes/{recipes['d']['id']}/tags", json=["quick"], headers=alice.headers)
    theirs = await _recipe(client, bob, "a")
    await client.put(f"/recipes/{theirs['id']}/favorite", headers=bob.headers)
    assert await _names(client, alice, favorite="true") == ["e", "d", "c", "b", "a"]
    assert await _names(client, alice, favorite="true", sort="calories") == ["e", "c", "d", "a",
                                                                              "b"]
    assert await _names(client, alice, favorite="true", sort="total_time") == ["a", "d", "e",
                                                                                "b", "c"]
    assert await _names(client, alice, favorite="true", cuisine="FRENCH") == ["d", "c", "a"]
    assert await _names(client, alice, favorite="true", max_calories=100,
                        sort="calories") == ["e", "c", "d"]
    assert await _names(client, alice, favorite="true", tag="quick") == ["d"]
    assert await _names(client, alice, favorite="true", q="A") == ["a"]
    assert await _names(client, alice, favorite="true", ingredient="leek", limit=20) == [
        "e", "d", "c", "b", "a"]
    assert await _names(client, alice, favorite="false") == ["f"]
    page = (await client.get("/recipes", params={"favorite": "true", "limit": 2},
                             headers=alice.headers)).json()
    assert [r["favorite"] for r in page["items"]] == [True, True]
    unfiltered = await client.get("/recipes", params={"cursor": page["next_cursor"]},
                                  headers=alice.headers)
    assert unfiltered.status_code == 400


async def test_history_is_recorded_and_listed_newest_first(client, alice):
    recipe = await _recipe(client, alice)
    path = f"/recipes/{recipe['id']}/history"
    empty = await client.get(path, headers=alice.headers)
    assert empty.json() == {"items": [], "next_cursor": None}
    entries = []
    for n in range(5):
        response = await client.post(path, json={"ingredients_used": [f"leek {n}"],
                                                 "preferences_applied": {"spicy": n}},
                                     headers=alice.headers)
        assert response.status_code == 201
        entries.append(response.json())
    assert entries[0]["recipe_id"] == recipe["id"]
    assert entries[0]["preferences_applied"] == {"spicy": 0}
    seen, params = [], {"limit": 2}
    while True:
        body = (await client.get(path, params=params, headers=alice.headers)).json()
        seen += body["items"]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == entries[::-1]
    assert (await client.get("/recipes/999999/history", headers=alice.headers)).status_code == 404


@pytest.mark.parametrize("body", [
    {}, {"ingredients_used": "leek"}, {"ingredients_used": ["a\x00"]},
    {"ingredients_used": [], "preferences_applied": {"k": "\x00"}},
    {"ingredients_used": [], "preferences_applied": []},
    {"ingredients_used": [], "preferences_applied": {"blob": "x" * 20000}},
])
async def test_bad_history_is_400(client, alice, body):
    recipe = await _recipe(client, alice)
    response = await client.post(f"/recipes/{recipe['id']}/history", json=body,
                                 headers=alice.headers)
    assert response.status_code == 400


async def test_delete_removes_the_recipe_with_its_links(client, alice, database_url):
    recipe = await _recipe(client, alice)
    path = f"/recipes/{recipe['id']}"
    await client.put(f"{path}/tags", json=["gone"], headers=alice.headers)
    await client.put(f"{path}/favorite", headers=alice.headers)
    await client.post(f"{path}/history", json={"ingredients_used": ["x"]}, headers=alice.headers)
    assert (await client.delete(path, headers=alice.headers)).status_code == 204
    assert (await client.get(path, headers=alice.headers)).status_code == 404
    assert (await client.delete(path, headers=alice.headers)).status_code == 404
    rows = await _sql(database_url, "SELECT (SELECT count(*) FROM recipe_tags) AS tags, "
                      "(SELECT count(*) FROM favorite_recipes) AS favorites, "
                      "(SELECT count(*) FROM recipe_history) AS history")
    assert dict(rows[0]) == {"tags": 0, "favorites": 0, "history": 0}


async def test_deleting_the_account_removes_all_its_recipes(client, alice, bob, database_url):
    mine = await _recipe(client, alice)
    await client.put(f"/recipes/{mine['id']}/tags", json=["shared"], headers=alice.headers)
    await client.put(f"/recipes/{mine['id']}/favorite", headers=alice.headers)
    await client.post(f"/recipes/{mine['id']}/history", json={"ingredients_used": []},
                      headers=alice.headers)
    theirs = await _recipe(client, bob)
    await client.put(f"/recipes/{theirs['id']}/tags", json=["shared"], headers=bob.headers)
    assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    rows = await _sql(
        database_url,
        "SELECT (SELECT count(*) FROM recipes WHERE user_id = $1) AS recipes, "
        "(SELECT count(*) FROM recipe_tags WHERE user_id = $1) AS tags, "
        "(SELECT count(*) FROM favorite_recipes WHERE user_id = $1) AS favorites, "
        "(SELECT count(*) FROM recipe_history WHERE user_id = $1) AS history, "
        "(SELECT count(*) FROM recipe_tags WHERE user_id = $2) AS others",
        alice.user_id, bob.user_id,
    )
    assert dict(rows[0]) == {"recipes": 0, "tags": 0, "favorites": 0, "history": 0, "others": 1}


async def test_recipes_need_a_token(client):
    assert (await client.get("/recipes")).status_code == 401
    assert (await client.get("/tags")).status_code == 401


@pytest.mark.parametrize("gone", ["deleted", "deactivated"])
async def test_lists_answer_401_once_the_account_is_gone(client, alice, database_url, gone):
    recipe = await _recipe(client, alice, cuisine_type="French", difficulty="easy",
                           calories_per_serving=100)
    await client.put(f"/recipes/{recipe['id']}/tags", json=["soup"], headers=alice.headers)
    await client.put(f"/recipes/{recipe['id']}/favorite", headers=alice.headers)
    if gone == "deleted":
        assert (await client.delete("/users/me", headers=alice.headers)).status_code == 204
    else:
        await _sql(database_url, "UPDATE users SET is_active = false WHERE id = $1",
                   alice.user_id)
    for path, params in LISTS:
        response = await client.get(path, params=params, headers=alice.headers)
        assert response.status_code == 401, (path, params, response.text)
        assert response.json()["detail"] == (
            "the account no longer exists or its session has ended")


async def test_an_account_with_nothing_to_list_gets_empty_pages(client, alice):
    for path, params in LISTS:
        response = await client.get(path, params=params, headers=alice.headers)
        assert response.status_code == 200, (path, params, response.text)
        assert response.json() == {"items": [], "next_cursor": None}


async def test_tags_list_100_by_default_and_up_to_500(client, alice):
    for n in range(6):
        recipe = await _recipe(client, alice, f"r{n}")
        await client.put(f"/recipes/{recipe['id']}/tags",
                         json=[f"t{n * 20 + i:03}" for i in range(20)], headers=alice.headers)
    first = (await client.get("/tags", headers=alice.headers)).json()
    assert [t["name"] for t in first["items"]] == [f"t{i:03}" for i in range(100)]
    rest = (await client.get("/tags", params={"cursor": first["next_cursor"]},
                             headers=alice.headers)).json()
    assert [t["name"] for t in rest["items"]] == [f"t{i:03}" for i in range(100, 120)]
    assert rest["next_cursor"] is None
    everything = (await client.get("/tags", params={"limit": 500}, headers=alice.headers)).json()
    assert len(everything["items"]) == 120


@pytest.mark.parametrize(("params", "parameter"), [
    ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"cursor": "not a cursor!"}, "cursor"), ({"cursor": "x" * 513}, "cursor"),
])
async def test_bad_tag_list_parameters_are_400(client, alice, params, parameter):
    response = await client.get("/tags", params=params, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert parameter in response.text


async def test_a_tampered_or_foreign_cursor_is_400_for_tags(client, alice):
    recipe = await _recipe(client, alice)
    await client.put(f"/recipes/{recipe['id']}/tags", json=["a", "b"], headers=alice.headers)
    await _recipe(client, alice, "second")
    cursor = (await client.get("/tags", params={"limit": 1}, headers=alice.headers)).json()[
        "next_cursor"]
    recipes_cursor = (await client.get("/recipes", params={"limit": 1},
                                       headers=alice.headers)).json()["next_cursor"]
    for bad in (_tampered(cursor), recipes_cursor):
        response = await client.get("/tags", params={"cursor": bad}, headers=alice.headers)
        assert response.status_code == 400, response.text
        assert response.json()["extra"] == {"parameter": "cursor"}
    assert (await client.get("/tags", params={"cursor": cursor},
                             headers=alice.headers)).json()["items"] == [
        {"name": "b", "recipe_count": 1}]


@pytest.mark.parametrize(("params", "parameter"), [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "-3"}, "limit"),
    ({"cursor": "not a cursor!"}, "cursor"), ({"cursor": "x" * 513}, "cursor"),
])
async def test_bad_history_list_parameters_are_400(client, alice, params, parameter):
    recipe = await _recipe(client, alice)
    response = await client.get(f"/recipes/{recipe['id']}/history", params=params,
                                headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert parameter in response.text


async def test_a_history_cursor_is_400_when_tampered_or_from_another_recipe(client, alice):
    soup, stew = await _recipe(client, alice), await _recipe(client, alice, "Stew")
    for recipe in (soup, stew):
        for _ in range(2):
            await client.post(f"/recipes/{recipe['id']}/history", json={"ingredients_used": []},
                              headers=alice.headers)
    cursor = (await client.get(f"/recipes/{soup['id']}/history", params={"limit": 1},
                               headers=alice.headers)).json()["next_cursor"]
    for path, bad in [(f"/recipes/{soup['id']}/history", _tampered(cursor)),
                      (f"/recipes/{stew['id']}/history", cursor)]:
        response = await client.get(path, params={"cursor": bad}, headers=alice.headers)
        assert response.status_code == 400, response.text
        assert response.json()["extra"] == {"parameter": "cursor"}
    assert len((await client.get(f"/recipes/{soup['id']}/history", params={"cursor": cursor},
                                 headers=alice.headers)).json()["items"]) == 1
