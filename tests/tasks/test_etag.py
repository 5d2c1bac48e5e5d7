"""No lost updates: versions as strong ETags, and If-Match on PATCH and DELETE."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers import Account, create_task


async def test_get_create_and_patch_return_the_version_as_a_strong_etag(client, alice: Account):
    created = await client.post("/tasks", json={"title": "t"}, headers=alice.headers)
    assert created.headers["ETag"] == '"1"'
    task_id = created.json()["id"]
    got = await client.get(f"/tasks/{task_id}", headers=alice.headers)
    assert got.headers["ETag"] == '"1"'
    patched = await client.patch(f"/tasks/{task_id}", json={"completed": True},
                                 headers=alice.headers)
    assert patched.headers["ETag"] == '"2"'
    assert patched.json()["version"] == 2


async def test_patch_with_current_etag_succeeds(client, alice: Account):
    task = await create_task(client, alice)
    response = await client.patch(
        f"/tasks/{task['id']}", json={"title": "new"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.json()["title"] == "new"


async def test_patch_with_stale_etag_is_412_with_the_current_etag(client, alice: Account):
    task = await create_task(client, alice)
    await client.patch(f"/tasks/{task['id']}", json={"title": "v2"}, headers=alice.headers)
    response = await client.patch(
        f"/tasks/{task['id']}", json={"title": "lost"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert response.headers["ETag"] == '"2"'
    current = await client.get(f"/tasks/{task['id']}", headers=alice.headers)
    assert current.json()["title"] == "v2"


async def test_delete_with_stale_etag_is_412_and_keeps_the_task(client, alice: Account):
    task = await create_task(client, alice)
    await client.patch(f"/tasks/{task['id']}", json={"completed": True}, headers=alice.headers)
    stale = await client.delete(f"/tasks/{task['id']}", headers={**alice.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    fresh = await client.delete(f"/tasks/{task['id']}", headers={**alice.headers, "If-Match": '"2"'})
    assert fresh.status_code == 204


@pytest.mark.parametrize(
    ("if_match", "status"),
    [('*', 200), ('"7", "1"', 200), ('"7"\t,\t"1"', 200), (', "7",, "1",', 200),
     ('W/"1"', 412), ('"x"', 412), ('1', 400), ('"1', 400), (',', 400), ('"1" "2"', 400)],
)
async def test_if_match_forms(client, alice: Account, if_match, status):
    task = await create_task(client, alice)
    response = await client.patch(
        f"/tasks/{task['id']}", json={"completed": True},
        headers={**alice.headers, "If-Match": if_match},
    )
    assert response.status_code == status, response.text


async def test_if_match_on_someone_elses_task_is_404(client, alice: Account, bob: Account):
    task = await create_task(client, alice)
    response = await client.patch(
        f"/tasks/{task['id']}", json={"title": "x"}, headers={**bob.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 404


async def _race(client, who: Account, task_id: int, headers: dict[str, str], n: int) -> list[int]:
    async def write(i: int) -> int:
        response = await client.patch(
            f"/tasks/{task_id}", json={"title": f"writer {i}"}, headers={**who.headers, **headers}
        )
        return response.status_code

    return list(await asyncio.gather(*(write(i) for i in range(n))))


async def test_concurrent_writers_without_if_match_all_win_last_one_stays(client, alice: Account):
    task = await create_task(client, alice)
    statuses = await _race(client, alice, task["id"], {}, 8)
    assert statuses == [200] * 8
    final = (await client.get(f"/tasks/{task['id']}", headers=alice.headers)).json()
    assert final["version"] == 9  # every write applied, one after another
    assert final["title"].startswith("writer ")


async def test_concurrent_writers_with_the_same_if_match_exactly_one_wins(client, alice: Account):
    task = await create_task(client, alice)
    statuses = await _race(client, alice, task["id"], {"If-Match": '"1"'}, 8)
    assert sorted(statuses) == [200] + [412] * 7
    final = (await client.get(f"/tasks/{task['id']}", headers=alice.headers)).json()
    assert final["version"] == 2
