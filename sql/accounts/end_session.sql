-- end_session: logout with a refresh token: delete the session that issued it (spent or current),
-- with its refresh tokens; its access tokens stop working. No rows; nothing when no session
-- issued the token. Served by refresh_tokens_pkey (user_id, token_hash) and sessions_pkey
-- (user_id, id).
DELETE FROM sessions AS s
USING refresh_tokens AS t
WHERE t.user_id = :'user_id'
  AND t.token_hash = :'token_hash'::bytea
  AND s.user_id = t.user_id
  AND s.id = t.session_id;
