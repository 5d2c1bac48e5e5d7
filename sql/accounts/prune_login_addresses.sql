-- prune_login_addresses: delete up to batch_size addresses no account has logged in from for
-- trusted_seconds (they are no longer exempt from anything); returns how many it deleted (the
-- caller repeats while a full batch went). SKIP LOCKED: workers prune at once without waiting.
-- Served by login_addresses_last_login_idx (last_login_at).
WITH expired AS (
    SELECT a.user_id, a.address
    FROM login_addresses AS a
    WHERE a.last_login_at < now() - make_interval(secs => :'trusted_seconds'::double precision)
    ORDER BY a.last_login_at
    LIMIT :'batch_size'::integer
    FOR UPDATE SKIP LOCKED
),
deleted AS (
    DELETE FROM login_addresses AS a
    USING expired AS e
    WHERE a.user_id = e.user_id
      AND a.address = e.address
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
