-- get_login: all login needs before hashing, in one round trip. One row: the active user with this
-- email (any letter case), or NULL id and hash; and for each limit on failed logins (this email
-- from this address, this email, this address) the seconds until it allows another attempt, or
-- NULL when the attempt is within it. An address that logged into the account within
-- trusted_seconds is held to the first limit only. When no limit is reached the attempt is recorded
-- as a failure right away, so concurrent guesses cannot all pass the check (a correct password
-- clears it: sql/accounts/record_login.sql); a refused attempt is not recorded.
-- Served by users_email_key (lower(email)), login_addresses_pkey (user_id, address),
-- login_failures_email_idx (email, address, failed_at) and login_failures_address_idx (address,
-- failed_at): the strict and the address limit read at most their own number of rows, the account
-- limit the email's failures in the window (few: beyond the limit none are recorded).
WITH attempt AS (
    SELECT lower(:'email') AS email,
           :'address'::text AS address,
           make_interval(secs => :'window_seconds'::double precision) AS window_length
),
account AS (
    SELECT u.id, u.password_hash
    FROM users AS u
    WHERE lower(u.email) = lower(:'email')
      AND u.is_active
),
trusted AS (
    SELECT EXISTS (
        SELECT 1
        FROM account
        JOIN login_addresses AS a ON a.user_id = account.id
        WHERE a.address = :'address'
          AND a.last_login_at > now() - make_interval(secs => :'trusted_seconds'::double precision)
    ) AS trusted
),
waits AS (
    SELECT
        (SELECT ceil(extract(epoch FROM f.failed_at + t.window_length - now()))::integer
         FROM login_failures AS f
         WHERE f.email = t.email
           AND f.address = t.address
           AND f.failed_at > now() - t.window_length
         ORDER BY f.failed_at DESC
         OFFSET :'per_account_address'::integer - 1
         LIMIT 1) AS account_address_wait,
        (SELECT ceil(extract(epoch FROM f.failed_at + t.window_length - now()))::integer
         FROM login_failures AS f
         WHERE NOT trusted.trusted
           AND f.email = t.email
           AND f.failed_at > now() - t.window_length
         ORDER BY f.failed_at DESC
         OFFSET :'per_account'::integer - 1
         LIMIT 1) AS account_wait,
        (SELECT ceil(extract(epoch FROM f.failed_at + t.window_length - now()))::integer
         FROM login_failures AS f
         WHERE NOT trusted.trusted
           AND f.address = t.address
           AND f.failed_at > now() - t.window_length
         ORDER BY f.failed_at DESC
         OFFSET :'per_address'::integer - 1
         LIMIT 1) AS address_wait
    FROM attempt AS t, trusted
),
recorded AS (
    INSERT INTO login_failures (email, address)
    SELECT t.email, t.address
    FROM attempt AS t, waits AS w
    WHERE num_nulls(w.account_address_wait, w.account_wait, w.address_wait) = 3
)
SELECT account.id, account.password_hash, w.account_address_wait, w.account_wait, w.address_wait
FROM waits AS w
LEFT JOIN account ON true;
