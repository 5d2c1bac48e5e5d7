-- revoke_session: end one of the caller's sessions (ended_session_id; the caller's own is a
-- logout), with its refresh tokens; its access tokens stop working. Returns how many it deleted:
-- none for another user's session, a missing one, or when the account or the caller's session is
-- gone. Served by sessions_pkey (user_id, id) and users_pkey (id).
DELETE FROM sessions AS s
USING users AS u
WHERE s.user_id = :'user_id'
  AND s.id = :'ended_session_id'
  AND u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
