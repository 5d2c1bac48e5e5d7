-- create_task_once: create_task with an Idempotency-Key, in one statement. It claims the key for
-- this transaction (pg_try_advisory_xact_lock on a hash of user and key: false while another
-- request with the key is in flight, and then nothing is written), inserts the task, and stores
-- the key with the response, all in one commit. A key already stored fails the statement on
-- idempotency_keys_pkey and nothing is written; the caller then replays get_stored_response.
-- Returns one row: claimed, and status_code and response (NULL when the user is gone or inactive).
-- Served by users_pkey (id) for the owner check and idempotency_keys_pkey (user_id, key).
WITH claim AS (
    SELECT pg_try_advisory_xact_lock(hashtextextended(
               format('idempotency:%s:%s', :'user_id'::bigint, :'idempotency_key'::text), 0
           )) AS claimed
),
created AS (
    INSERT INTO tasks (user_id, title, description)
    SELECT u.id, :'title'::text, :'description'::text
    FROM claim, users AS u
    WHERE claim.claimed
      AND u.id = :'user_id'::bigint
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING id, title, description, completed, created_at, updated_at, version
),
stored AS (
    INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response)
    SELECT :'user_id'::bigint, :'idempotency_key'::text, :'request_hash'::bytea, 201,
           to_jsonb(created)
    FROM created
    RETURNING status_code, response
)
SELECT claim.claimed, stored.status_code, stored.response
FROM claim
LEFT JOIN stored ON true;
