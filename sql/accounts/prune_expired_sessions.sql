-- prune_expired_sessions: delete up to batch_size sessions that have ended, with their refresh
-- tokens; returns how many it deleted (the caller repeats while a full batch went). SKIP LOCKED:
-- workers prune at once without waiting. Served by sessions_expires_idx (expires_at).
WITH expired AS (
    SELECT s.user_id, s.id
    FROM sessions AS s
    WHERE s.expires_at < now()
    ORDER BY s.expires_at
    LIMIT :'batch_size'::integer
    FOR UPDATE SKIP LOCKED
),
deleted AS (
    DELETE FROM sessions AS s
    USING expired AS e
    WHERE s.user_id = e.user_id
      AND s.id = e.id
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
