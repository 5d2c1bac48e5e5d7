-- prune_billing_events: delete up to batch_size webhook events received before now() -
-- retention_days; returns how many it deleted (the caller repeats while a full batch went).
-- SKIP LOCKED: several workers can prune at once without waiting on each other.
-- Served by billing_events_received_idx (received_at).
WITH expired AS (
    SELECT e.body_sha256
    FROM billing_events AS e
    WHERE e.received_at < now() - make_interval(days => :'retention_days'::integer)
    ORDER BY e.received_at
    LIMIT :'batch_size'::integer
    FOR UPDATE SKIP LOCKED
),
deleted AS (
    DELETE FROM billing_events AS e
    USING expired AS x
    WHERE e.body_sha256 = x.body_sha256
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
