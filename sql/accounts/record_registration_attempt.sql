-- record_registration_attempt: before a registration spends any hashing. One row: when this
-- address has reached its limit of failures, the seconds until it may try again (address_wait)
-- and nothing is written; else the attempt is recorded as a failure of the address (create_user
-- deletes it with the account it creates, so only failed registrations count) and attempt_id
-- names it. Served by login_failures_address_idx (address, failed_at).
WITH wait AS (
    SELECT (SELECT ceil(extract(epoch FROM f.failed_at + w.window_length - now()))::integer
            FROM login_failures AS f
            WHERE f.address = :'address'
              AND f.failed_at > now() - w.window_length
            ORDER BY f.failed_at DESC
            OFFSET :'per_address'::integer - 1
            LIMIT 1) AS address_wait
    FROM (SELECT make_interval(secs => :'window_seconds'::double precision) AS window_length) AS w
),
recorded AS (
    INSERT INTO login_failures (address)
    SELECT :'address'
    FROM wait
    WHERE wait.address_wait IS NULL
    RETURNING id
)
SELECT recorded.id AS attempt_id, wait.address_wait
FROM wait
LEFT JOIN recorded ON true;
