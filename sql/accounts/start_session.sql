-- start_session: a new session of an active user (a sign-in), with its first refresh token (only
-- its hash is stored), ending ttl_seconds from now. Returns the session's id and end, or no row
-- when the account is gone or deactivated. The user is found by users_pkey (id).
WITH session AS (
    INSERT INTO sessions (user_id, token_hash, user_agent, expires_at)
    SELECT u.id, :'token_hash'::bytea, :'user_agent'::text,
           now() + make_interval(secs => :'ttl_seconds'::double precision)
    FROM users AS u
    WHERE u.id = :'user_id'
      AND u.is_active
    RETURNING user_id, id, token_hash, expires_at
),
token AS (
    INSERT INTO refresh_tokens (user_id, token_hash, session_id)
    SELECT s.user_id, s.token_hash, s.id
    FROM session AS s
)
SELECT id, expires_at
FROM session;
