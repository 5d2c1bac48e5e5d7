"""The API's main flows, run by several clients at once against a served URL; what came back."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

PASSWORD = "correct horse battery"


async def _one_user(http: httpx.AsyncClient, n: int, rounds: int, statuses: Counter[int]) -> None:
    async def call(method: str, path: str, **kwargs: object) -> httpx.Response:
        response = await http.request(method, path, **kwargs)  # type: ignore[arg-type]
        statuses[response.status_code] += 1
        return response

    email = f"flow-{n}@example.com"
    await call("POST", "/auth/register", json={"email": email, "name": f"Flow {n}",
                                              "password": PASSWORD})
    await call("POST", "/auth/login", json={"email": email, "password": "wrong password"})
    login = await call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for r in range(rounds):
        task = (await call("POST", "/tasks", json={"title": f"task {r}"}, headers=auth)).json()
        await call("GET", f"/tasks/{task['id']}", headers=auth)
        await call("PATCH", f"/tasks/{task['id']}", json={"completed": True},
                   headers={**auth, "If-Match": f'"{task["version"]}"'})
        await call("GET", "/tasks?limit=5", headers=auth)
        await call("GET", "/tasks/stats", headers=auth)
        await call("POST", "/tasks", json={"title": "once"},
                   headers={**auth, "Idempotency-Key": f"key-{n}-{r}"})
        recipe = (await call("POST", "/recipes", headers=auth, json={
            "name": f"Soup {r}", "recipe_json": {"ingredients": [{"name": "leek"}],
                                                 "instructions": ["boil"]}})).json()
        await call("GET", "/recipes?q=sou", headers=auth)
        await call("GET", f"/recipes/{recipe['id']}", headers=auth)
        chat = (await call("POST", "/conversations", json={"title": "hi"}, headers=auth)).json()
        await call("POST", f"/conversations/{chat['id']}/messages", headers=auth,
                   json={"role": "user", "content": "hello"})
        batch = (await call("POST", "/batches", headers=auth, json={
            "essays": [{"content_id": f"c{r}", "language": "en", "text": "words"}]})).json()
        await call("POST", f"/batches/{batch['id']}/claim", json={"limit": 1}, headers=auth)
        await call("DELETE", f"/tasks/{task['id']}", headers=auth)


async def run_flows(url: str, users: int = 6, rounds: int = 3) -> Counter[int]:
    """Each of ``users`` clients registers, fails a login, logs in, then works through tasks,
    recipes, chat and essays ``rounds`` times; the count of each status answered."""
    statuses: Counter[int] = Counter()
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        await asyncio.gather(*(_one_user(http, n, rounds, statuses) for n in range(users)))
    return statuses
