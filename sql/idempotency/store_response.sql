-- store_response: keep an Idempotency-Key with the request's hash and the response, in the same
-- transaction as what the request created. A key stored meanwhile fails on idempotency_keys_pkey,
-- which rolls the creation back. Served by idempotency_keys_pkey.
INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response)
VALUES (:'user_id', :'idempotency_key', :'request_hash'::bytea, :'status_code', :'response'::jsonb);
