-- end_all_sessions: logout everywhere: delete every session of an active user, the caller's
-- included, so every refresh and access token issued until now stops working at once. Returns how
-- many it deleted: none when the account or the caller's session is gone. A session started while
-- this runs is not in its snapshot and stays. Served by sessions_pkey (user_id, id).
DELETE FROM sessions AS s
USING users AS u
WHERE s.user_id = :'user_id'
  AND u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
