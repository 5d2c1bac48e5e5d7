-- delete_user: remove an active account (with if_match, only at one of those versions); every row
-- the user owns goes with it (ON DELETE CASCADE). A deactivated account is not deleted: its token
-- is answered as if it were gone already. Served by users_pkey (id).
DELETE FROM users
WHERE id = :'user_id'
  AND is_active
  AND (:'if_match'::bigint[] IS NULL OR version = ANY (:'if_match'::bigint[]));
