-- refresh_session: spend a refresh token for the next one (new_token_hash), in one statement. The
-- token's session moves to the new token when the token is its current one, the session has not
-- ended and the account is active: one row with the session's id and end. A token its session has
-- already spent is a reuse (RFC 9700, 4.14.2): the whole session is deleted (its refresh and
-- access tokens stop working) and reused is true. Two refreshes with the same token at once: the
-- session's row lock lets one move it, and the other finds its token no longer current when it
-- gets the row (no row, reused false: it raced, it did not replay a spent token); one that starts
-- after the first has committed is a reuse. A token no session issued: no id, reused false.
-- Served by refresh_tokens_pkey (user_id, token_hash), sessions_pkey (user_id, id) and
-- users_pkey (id).
WITH presented AS (
    SELECT s.id, s.token_hash = :'token_hash'::bytea AS current
    FROM refresh_tokens AS t
    JOIN sessions AS s ON s.user_id = t.user_id AND s.id = t.session_id
    WHERE t.user_id = :'user_id'
      AND t.token_hash = :'token_hash'::bytea
),
rotated AS (
    UPDATE sessions AS s
    SET token_hash = :'new_token_hash'::bytea,
        last_used_at = now(),
        user_agent = :'user_agent'::text
    FROM presented AS p, users AS u
    WHERE s.user_id = :'user_id'
      AND s.id = p.id
      AND s.token_hash = :'token_hash'::bytea
      AND s.expires_at > now()
      AND u.id = s.user_id
      AND u.is_active
    RETURNING s.user_id, s.id, s.expires_at
),
issued AS (
    INSERT INTO refresh_tokens (user_id, token_hash, session_id)
    SELECT r.user_id, :'new_token_hash'::bytea, r.id
    FROM rotated AS r
),
revoked AS (
    DELETE FROM sessions AS s
    USING presented AS p
    WHERE s.user_id = :'user_id'
      AND s.id = p.id
      AND NOT p.current
    RETURNING s.id
)
SELECT r.id, r.expires_at, EXISTS (SELECT FROM revoked) AS reused
FROM (SELECT) AS one
LEFT JOIN rotated AS r ON true;
