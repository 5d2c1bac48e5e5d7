-- delete_user: remove an active account (with if_match, only at one of those versions), for the
-- token of a session that has not ended; every row the user owns goes with it (ON DELETE
-- CASCADE). A deactivated account is not deleted: its token is answered as if it were gone
-- already. Served by users_pkey (id) and sessions_pkey (user_id, id).
DELETE FROM users
WHERE id = :'user_id'
  AND is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
  AND (:'if_match'::bigint[] IS NULL OR version = ANY (:'if_match'::bigint[]));
