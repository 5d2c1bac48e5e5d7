-- 0006_idempotency: Idempotency-Key records. A create with a key stores the key and its response in
-- the same statement (so the same commit) as the row it creates; a retry finds both or neither.
-- depends: 0002_tasks

CREATE TABLE idempotency_keys (
    user_id      bigint      NOT NULL,
    key          text        NOT NULL,
    -- sha256 of the operation and the decoded request body: a retry must send the same request.
    request_hash bytea       NOT NULL,
    status_code  smallint    NOT NULL,
    -- The response body as first sent, replayed as is.
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key),
    CONSTRAINT idempotency_keys_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT idempotency_keys_key_format CHECK (key ~ '^[\x20-\x7e]{1,255}$'),
    CONSTRAINT idempotency_keys_request_hash_length CHECK (octet_length(request_hash) = 32),
    CONSTRAINT idempotency_keys_status_code_range CHECK (status_code BETWEEN 200 AND 299)
);

-- prune_expired_keys: the oldest keys across all users. The one index that does not lead with
-- user_id: expiry is housekeeping over every user's rows, not a query on behalf of one user.
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
