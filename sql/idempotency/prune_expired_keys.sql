-- prune_expired_keys: delete up to batch_size keys stored before now() - ttl_seconds; returns how
-- many it deleted (the caller repeats while a full batch went). SKIP LOCKED: several workers can
-- prune at once without waiting on each other.
-- Served by idempotency_keys_created_idx (created_at).
WITH expired AS (
    SELECT k.user_id, k.key
    FROM idempotency_keys AS k
    WHERE k.created_at < now() - make_interval(secs => :'ttl_seconds'::double precision)
    ORDER BY k.created_at
    LIMIT :'batch_size'::integer
    FOR UPDATE SKIP LOCKED
),
deleted AS (
    DELETE FROM idempotency_keys AS k
    USING expired AS e
    WHERE k.user_id = e.user_id
      AND k.key = e.key
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
