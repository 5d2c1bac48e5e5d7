-- claim_key: inside the caller's transaction, claim an Idempotency-Key of a user for this
-- transaction (pg_try_advisory_xact_lock on the same hash as the create_*_once statements: false
-- while another request with the key is in flight) and return what is stored for it, if anything
-- (status_code NULL: nothing yet, or the account is gone or deactivated, or the token's session
-- has ended: then nothing is replayed, and the create that follows finds no account either).
-- Served by idempotency_keys_pkey (user_id, key), users_pkey (id) and sessions_pkey.
SELECT pg_try_advisory_xact_lock(
           hashtextextended(format('idempotency:%s:%s', :'user_id'::bigint, :'idempotency_key'::text), 0)
       ) AS claimed,
       k.request_hash, k.status_code, k.response
FROM (SELECT) AS one
LEFT JOIN (idempotency_keys AS k JOIN users AS u ON u.id = k.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id'))
       ON k.user_id = :'user_id'::bigint AND k.key = :'idempotency_key'::text;
