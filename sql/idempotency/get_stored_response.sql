-- get_stored_response: what a create with this key answered, for a retry with the same key; no row
-- when the key is not stored (or the user is gone or inactive).
-- Served by idempotency_keys_pkey (user_id, key) and users_pkey (id).
SELECT k.request_hash, k.status_code, k.response
FROM idempotency_keys AS k
JOIN users AS u ON u.id = k.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE k.user_id = :'user_id'
  AND k.key = :'idempotency_key';
