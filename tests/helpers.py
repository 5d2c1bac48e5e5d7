"""Small helpers the tests share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.testing import AsyncTestClient

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    user_id: int
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(client: AsyncTestClient, email: str, name: str = "Someone",
                   password: str = PASSWORD) -> Account:
    response = await client.post(
        "/auth/register", json={"email": email, "name": name, "password": password}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(body["user"]["id"], body["access_token"], email)


async def create_task(client: AsyncTestClient, who: Account, title: str = "a task",
                      **fields: Any) -> dict[str, Any]:
    response = await client.post("/tasks", json={"title": title, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()
