-- prune_login_failures: delete up to batch_size failures older than window_seconds (no limit
-- counts them any more); returns how many it deleted (the caller repeats while a full batch went).
-- SKIP LOCKED: several workers can prune at once without waiting on each other.
-- Served by login_failures_failed_at_idx (failed_at).
WITH expired AS (
    SELECT f.id
    FROM login_failures AS f
    WHERE f.failed_at < now() - make_interval(secs => :'window_seconds'::double precision)
    ORDER BY f.failed_at
    LIMIT :'batch_size'::integer
    FOR UPDATE SKIP LOCKED
),
deleted AS (
    DELETE FROM login_failures AS f
    USING expired AS e
    WHERE f.id = e.id
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
