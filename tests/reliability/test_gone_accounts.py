"""A deactivated account is a deleted one, on every route of the document: the same answers, none
of them a success, nothing read or written, and no idempotent replay of what it created while it
was active.

An account with one of everything (and a create of each kind made with an Idempotency-Key) is
deactivated; every operation is sent with its token, a valid body, the ids of its own rows and,
for creates, the key it used. Then the account is deleted and the same requests are sent again:
the answers must be equal. Registration is left out: a deactivated account's email stays taken
(so that the account can be reactivated), a deleted one's does not."""

from __future__ import annotations

import asyncpg

from tests.helpers import Account
from tests.routes import PUBLIC, arrange, operations, replayed_body

# Every table the service writes, with what counts the account's share of it.
_ROWS = """
SELECT (SELECT count(*) FROM tasks WHERE user_id = $1) AS tasks,
       (SELECT count(*) FROM recipes WHERE user_id = $1) AS recipes,
       (SELECT count(*) FROM recipe_tags WHERE user_id = $1) AS recipe_tags,
       (SELECT count(*) FROM favorite_recipes WHERE user_id = $1) AS favorites,
       (SELECT count(*) FROM recipe_history WHERE user_id = $1) AS history,
       (SELECT count(*) FROM conversations WHERE user_id = $1) AS conversations,
       (SELECT count(*) FROM messages WHERE user_id = $1) AS messages,
       (SELECT count(*) FROM batches WHERE user_id = $1) AS batches,
       (SELECT count(*) FROM essays WHERE user_id = $1) AS essays,
       (SELECT count(*) FROM idempotency_keys WHERE user_id = $1) AS keys,
       (SELECT count(*) FROM login_addresses WHERE user_id = $1) AS addresses,
       (SELECT count(*) FROM tags) AS vocabulary,
       (SELECT count(*) FROM profiles WHERE user_id = $1) AS profiles,
       (SELECT count(*) FROM food_logs WHERE user_id = $1) AS food_logs,
       (SELECT count(*) FROM water_logs WHERE user_id = $1) AS water_logs,
       (SELECT string_agg(date || ':' || food_logs || ':' || water_entries || ':' || activities,
                          ',' ORDER BY date) FROM daily_nutrition WHERE user_id = $1) AS days,
       (SELECT count(*) FROM activity_logs WHERE user_id = $1) AS activities,
       (SELECT count(*) FROM weight_logs WHERE user_id = $1) AS weigh_ins,
       (SELECT count(*) FROM goals WHERE user_id = $1) AS goals,
       (SELECT coalesce(sum(used), 0) FROM usage_counters WHERE user_id = $1) AS quota_used,
       (SELECT count(*) FROM notifications WHERE user_id = $1 AND NOT is_read) AS unread,
       (SELECT count(*) FROM sessions WHERE user_id = $1) AS sessions,
       (SELECT coalesce(sum(xp), 0) FROM xp_events WHERE user_id = $1) AS xp,
       (SELECT string_agg(status || version, ',' ORDER BY id) FROM essays WHERE user_id = $1)
           AS essay_states,
       (SELECT sum(version) FROM (SELECT version FROM tasks WHERE user_id = $1
                                  UNION ALL SELECT version FROM recipes WHERE user_id = $1
                                  UNION ALL SELECT version FROM conversations WHERE user_id = $1
                                  UNION ALL SELECT version FROM profiles WHERE user_id = $1
                                  UNION ALL SELECT version FROM food_logs WHERE user_id = $1
                                  UNION ALL SELECT version FROM activity_logs WHERE user_id = $1
                                  UNION ALL SELECT version FROM weight_logs WHERE user_id = $1
                                  UNION ALL SELECT version FROM goals WHERE user_id = $1
                                  UNION ALL SELECT version FROM users WHERE id = $1) AS v)
           AS versions
"""


async def _every_route(client, who: Account, ids: dict[str, int]) -> dict[str, tuple]:
    document = (await client.get("/schema/openapi.json")).json()
    answers = {}
    for operation in operations(document):
        if operation.operation_id in PUBLIC - {"login"}:
            continue
        headers = dict(who.headers)
        if operation.creates:
            headers["Idempotency-Key"] = f"replay-{operation.operation_id}"
        body = replayed_body(who, operation.operation_id) if operation.body else None
        response = await client.request(operation.method, operation.url(ids), json=body,
                                        headers=headers)
        answers[operation.operation_id] = (response.status_code, response.json()
                                           if response.content else None)
    return answers


async def test_a_deactivated_account_is_answered_like_a_deleted_one_on_every_route(
    client, alice: Account, bob: Account, database_url
):
    ids = await arrange(client, alice)
    await arrange(client, bob)  # another account's rows, which nothing here may touch
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE users SET is_active = false WHERE id = $1", alice.user_id)
        before = dict(await conn.fetchrow(_ROWS, alice.user_id))
        others = dict(await conn.fetchrow(_ROWS, bob.user_id))
        deactivated = await _every_route(client, alice, ids)
        assert dict(await conn.fetchrow(_ROWS, alice.user_id)) == before
        await conn.execute("DELETE FROM users WHERE id = $1", alice.user_id)
        deleted = await _every_route(client, alice, ids)
        assert dict(await conn.fetchrow(_ROWS, bob.user_id)) == others
    finally:
        await conn.close()
    for operation_id, answer in deactivated.items():
        assert answer == deleted[operation_id], (operation_id, answer, deleted[operation_id])
        assert answer[0] in (401, 404), (operation_id, answer)
