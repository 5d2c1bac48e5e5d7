-- change_password: set an active user's password hash, for the token of a session that has not
-- ended; end every other session of the user (their refresh and access tokens stop working) and
-- forget the email's failed logins from this address (the current password was proved, as at a
-- login). Returns the user's id, or no row when the account or the caller's session is gone.
-- Served by users_pkey (id), sessions_pkey (user_id, id) and login_failures_email_idx (email,
-- address, failed_at).
WITH account AS (
    UPDATE users AS u
    SET password_hash = :'password_hash'
    WHERE u.id = :'user_id'
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING u.id, u.email
),
others AS (
    DELETE FROM sessions AS s
    USING account AS a
    WHERE s.user_id = a.id
      AND s.id <> :'session_id'
),
cleared AS (
    DELETE FROM login_failures AS f
    USING account AS a
    WHERE f.email = lower(a.email)
      AND f.address = :'address'
)
SELECT a.id
FROM account AS a;
