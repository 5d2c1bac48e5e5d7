-- list_sessions: a page of an active user's sessions that have not ended, newest first, strictly
-- before the keyset position after_id (the first page passes the largest bigint); current marks
-- the caller's own. No row when the user is gone or deactivated or the caller's session has
-- ended, one row of NULLs when the page is empty. The outer ORDER BY sorts only the page's rows.
-- Served by users_pkey (id) and sessions_pkey (user_id, id), walked backwards.
SELECT s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, s.current
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.created_at, p.last_used_at, p.expires_at, p.user_agent,
           p.id = :'session_id' AS current
    FROM sessions AS p
    WHERE p.user_id = :'user_id'
      AND p.id < :'after_id'::bigint
      AND p.expires_at > now()
    ORDER BY p.id DESC
    LIMIT :'limit'
) AS s ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY s.id DESC;
