-- claim_key: inside the caller's transaction, claim an Idempotency-Key of a user for this
-- transaction (pg_try_advisory_xact_lock on the same hash as the create_*_once statements: false
-- while another request with the key is in flight) and return what is stored for it, if anything
-- (status_code NULL: nothing yet). Served by idempotency_keys_pkey (user_id, key).
SELECT pg_try_advisory_xact_lock(
           hashtextextended(format('idempotency:%s:%s', :'user_id'::bigint, :'idempotency_key'::text), 0)
       ) AS claimed,
       k.request_hash, k.status_code, k.response
FROM (SELECT) AS one
LEFT JOIN idempotency_keys AS k
       ON k.user_id = :'user_id'::bigint AND k.key = :'idempotency_key'::text;
